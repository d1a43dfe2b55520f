package sns

import (
	"fmt"
	"strings"
	"testing"

	"github.com/vigilhq/vigil/internal/api/shape"
	snsapi "github.com/vigilhq/vigil/internal/api/sns"
)

func (f *fixture) addPermission(topic, label string, accounts, actions []string) error {
	return f.svc.AddPermission(f.ctx(), &snsapi.AddPermissionInput{TopicArn: &topic, Label: &label, AWSAccountId: accounts, ActionName: actions})
}

func (f *fixture) removePermission(topic, label string) error {
	return f.svc.RemovePermission(f.ctx(), &snsapi.RemovePermissionInput{TopicArn: &topic, Label: &label})
}

func TestAddRemovePermissionPolicy(t *testing.T) {
	f := newFixture(t)
	arn := f.topic("alerts", nil)
	def := defaultPolicy(arn, testAccount)

	// The statement goes after the default policy's.
	if err := f.addPermission(arn, "Publish-Permission", []string{"987654321098"}, []string{"Publish"}); err != nil {
		t.Fatal(err)
	}
	first := `{"Sid":"Publish-Permission","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::987654321098:root"},"Action":"SNS:Publish","Resource":"` + arn + `"}`
	want := strings.TrimSuffix(def, "]}") + "," + first + "]}"
	if got := f.topicAttrs(arn)["Policy"]; got != want {
		t.Fatalf("Policy\n got %s\nwant %s", got, want)
	}

	// Several accounts and actions: lists, duplicates dropped, names in
	// their documented case.
	if err := f.addPermission(arn, "team_2", []string{"111122223333", "444455556666", "111122223333"},
		[]string{"subscribe", "Publish", "GetTopicAttributes", "Subscribe"}); err != nil {
		t.Fatal(err)
	}
	second := `{"Sid":"team_2","Effect":"Allow","Principal":{"AWS":["arn:aws:iam::111122223333:root","arn:aws:iam::444455556666:root"]},` +
		`"Action":["SNS:Subscribe","SNS:Publish","SNS:GetTopicAttributes"],"Resource":"` + arn + `"}`
	want = strings.TrimSuffix(want, "]}") + "," + second + "]}"
	if got := f.topicAttrs(arn)["Policy"]; got != want {
		t.Fatalf("Policy\n got %s\nwant %s", got, want)
	}

	f.reopen()
	if got := f.topicAttrs(arn)["Policy"]; got != want {
		t.Fatalf("Policy after restart\n got %s\nwant %s", got, want)
	}

	wantErr[*snsapi.InvalidParameterException](t, "duplicate label", f.addPermission(arn, "team_2", []string{"111122223333"}, []string{"Publish"}),
		"Invalid parameter: Label Reason: A statement with the label team_2 already exists")

	if err := f.removePermission(arn, "Publish-Permission"); err != nil {
		t.Fatal(err)
	}
	want = strings.TrimSuffix(def, "]}") + "," + second + "]}"
	if got := f.topicAttrs(arn)["Policy"]; got != want {
		t.Fatalf("Policy after remove\n got %s\nwant %s", got, want)
	}
	wantErr[*snsapi.InvalidParameterException](t, "unknown label", f.removePermission(arn, "Publish-Permission"),
		"Invalid parameter: Label Reason: No statement has the label Publish-Permission")

	// Removing every statement, the default's included, leaves a policy
	// with none (not the default again).
	for _, l := range []string{"team_2", "__default_statement_ID"} {
		if err := f.removePermission(arn, l); err != nil {
			t.Fatal(err)
		}
	}
	empty := `{"Version":"2008-10-17","Id":"__default_policy_ID","Statement":[]}`
	if got := f.topicAttrs(arn)["Policy"]; got != empty {
		t.Fatalf("Policy after removing everything: %s", got)
	}
	f.reopen()
	if got := f.topicAttrs(arn)["Policy"]; got != empty {
		t.Fatalf("Policy after removing everything and a restart: %s", got)
	}

	// SetTopicAttributes replaces the policy; "" brings the default back.
	set := func(v string) {
		t.Helper()
		if err := f.svc.SetTopicAttributes(f.ctx(), &snsapi.SetTopicAttributesInput{TopicArn: &arn, AttributeName: shape.Ptr("Policy"), AttributeValue: &v}); err != nil {
			t.Fatal(err)
		}
	}
	set(`{"Statement":{"Sid":"mine","Effect":"Deny","Principal":"*","Action":"SNS:Publish","Resource":"` + arn + `"}}`)
	if err := f.addPermission(arn, "x", []string{"111122223333"}, []string{"DeleteTopic"}); err != nil {
		t.Fatal(err)
	}
	want = `{"Statement":[{"Sid":"mine","Effect":"Deny","Principal":"*","Action":"SNS:Publish","Resource":"` + arn + `"},` +
		`{"Sid":"x","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"SNS:DeleteTopic","Resource":"` + arn + `"}]}`
	if got := f.topicAttrs(arn)["Policy"]; got != want {
		t.Fatalf("Policy on a user's policy\n got %s\nwant %s", got, want)
	}
	set("")
	if got := f.topicAttrs(arn)["Policy"]; got != def {
		t.Fatalf("Policy after resetting: %s", got)
	}

	// A JSON policy without a statement list is left alone.
	set(`{"Statement":"everything"}`)
	wantErr[*snsapi.InvalidParameterException](t, "odd policy", f.addPermission(arn, "y", []string{"111122223333"}, []string{"Publish"}),
		"Invalid parameter: Policy Reason: The topic's policy cannot be edited by label: malformed policy: Statement is neither")
	if got := f.topicAttrs(arn)["Policy"]; got != `{"Statement":"everything"}` {
		t.Fatalf("Policy after a refused AddPermission: %s", got)
	}
}

func TestAddPermissionRules(t *testing.T) {
	f := newFixture(t)
	arn := f.topic("t", nil)
	acct := []string{"111122223333"}
	pub := []string{"Publish"}
	type bad = *snsapi.InvalidParameterException
	for _, tc := range []struct {
		topic, label      string
		accounts, actions []string
		msg               string
	}{
		{arn, "", acct, pub, "Invalid parameter: Label Reason: Label is required"},
		{arn, strings.Repeat("a", 81), acct, pub, "Invalid parameter: Label Reason: A label is 1 to 80 characters"},
		{arn, "has space", acct, pub, "Invalid parameter: Label"},
		{arn, "ok", nil, pub, "Invalid parameter: AWSAccountId Reason: AWSAccountId is required"},
		{arn, "ok", []string{"12345"}, pub, "Invalid parameter: AWSAccountId Reason: An AWS account ID is 12 digits, not 12345"},
		{arn, "ok", []string{"*"}, pub, "Invalid parameter: AWSAccountId"},
		{arn, "ok", acct, nil, "Invalid parameter: ActionName Reason: ActionName is required"},
		{arn, "ok", acct, []string{"*"}, "Invalid parameter: ActionName Reason: Policy statement action out of service scope!"},
		{arn, "ok", acct, []string{"Publish", "CreateTopic"}, "Policy statement action out of service scope!"},
		{arn, "ok", acct, []string{"Receive"}, "Policy statement action out of service scope!"},
		{"", "ok", acct, pub, "Invalid parameter: TopicArn Reason: TopicArn is required"},
		{"not-an-arn", "ok", acct, pub, "Invalid parameter: TopicArn"},
	} {
		wantErr[bad](t, fmt.Sprintf("%q %v %v", tc.label, tc.accounts, tc.actions), f.addPermission(tc.topic, tc.label, tc.accounts, tc.actions), tc.msg)
	}
	many := make([]string, 201)
	for i := range many {
		many[i] = fmt.Sprintf("%012d", i)
	}
	wantErr[bad](t, "201 principals", f.addPermission(arn, "many", many, pub), "A statement may name at most 200 principals")
	if got := f.topicAttrs(arn)["Policy"]; got != defaultPolicy(arn, testAccount) {
		t.Fatalf("refused AddPermissions changed the policy: %s", got)
	}
	// Every documented action, and 200 principals, are accepted.
	if err := f.addPermission(arn, strings.Repeat("a", 80), many[:200], permissionActionNames); err != nil {
		t.Fatal(err)
	}

	// Topics the caller cannot see: NotFound.
	gone := strings.Replace(arn, ":t", ":gone", 1)
	wantErr[*snsapi.NotFoundException](t, "no topic", f.addPermission(gone, "ok", acct, pub), "Topic does not exist")
	wantErr[*snsapi.NotFoundException](t, "no topic", f.removePermission(gone, "ok"), "Topic does not exist")
	err := f.svc.AddPermission(f.ctxAs("111122223333", "us-east-1"), &snsapi.AddPermissionInput{TopicArn: &arn, Label: shape.Ptr("ok"), AWSAccountId: acct, ActionName: pub})
	wantErr[*snsapi.NotFoundException](t, "another account", err, "Topic does not exist")
	wantErr[bad](t, "no label", f.removePermission(arn, ""), "Invalid parameter: Label Reason: Label is required")
}

// The policy quotas: 100 statements, 30 KiB.
func TestAddPermissionPolicyQuotas(t *testing.T) {
	f := newFixture(t)
	arn := f.topic("t", nil)
	for i := range 99 { // and the default statement
		if err := f.addPermission(arn, fmt.Sprint("s", i), []string{"111122223333"}, []string{"Publish"}); err != nil {
			t.Fatal(err)
		}
	}
	wantErr[*snsapi.InvalidParameterException](t, "101st statement", f.addPermission(arn, "s99", []string{"111122223333"}, []string{"Publish"}),
		"Invalid parameter: Policy Reason: The policy would have 101 statements; a topic's policy may have at most 100")

	arn = f.topic("big", nil)
	accounts := make([]string, 150)
	for i := range accounts {
		accounts[i] = fmt.Sprintf("%012d", i)
	}
	var err error
	n := 0
	for ; n < 10; n++ {
		if err = f.addPermission(arn, fmt.Sprint("big", n), accounts, []string{"Publish"}); err != nil {
			break
		}
	}
	wantErr[*snsapi.InvalidParameterException](t, "30 KiB", err, "bytes long; a topic's policy may be at most 30720 bytes")
	if p := f.topicAttrs(arn)["Policy"]; len(p) > 30720 || strings.Count(p, `"Sid":"big`) != n {
		t.Fatalf("after %d statements the policy is %d bytes", n, len(p))
	}
}
