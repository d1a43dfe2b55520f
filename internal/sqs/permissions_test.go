package sqs

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/vigilhq/vigil/internal/api/shape"
	sqsapi "github.com/vigilhq/vigil/internal/api/sqs"
)

func (f *fixture) addPermission(url, label string, accounts, actions []string) error {
	return f.svc.AddPermission(f.ctx(), &sqsapi.AddPermissionRequest{QueueUrl: &url, Label: &label, AWSAccountIds: accounts, Actions: actions})
}

func (f *fixture) removePermission(url, label string) error {
	return f.svc.RemovePermission(f.ctx(), &sqsapi.RemovePermissionRequest{QueueUrl: &url, Label: &label})
}

func TestAddRemovePermissionPolicy(t *testing.T) {
	f := newFixture(t)
	url := f.create("orders", nil)
	const arn = "arn:aws:sqs:us-east-1:000000000000:orders"

	f.advance(time.Minute)
	if err := f.addPermission(url, "AliceSendMessage", []string{"111122223333"}, []string{"SendMessage"}); err != nil {
		t.Fatal(err)
	}
	want := `{"Version":"2012-10-17","Id":"` + arn + `/SQSDefaultPolicy","Statement":[` +
		`{"Sid":"AliceSendMessage","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"SQS:SendMessage","Resource":"` + arn + `"}]}`
	got := f.attrs(url, "Policy", "LastModifiedTimestamp")
	if got["Policy"] != want {
		t.Fatalf("Policy\n got %s\nwant %s", got["Policy"], want)
	}
	if got["LastModifiedTimestamp"] != fmt.Sprint(t0.Add(time.Minute).Unix()) {
		t.Fatalf("LastModifiedTimestamp %s", got["LastModifiedTimestamp"])
	}

	// Several accounts and actions: lists, duplicates dropped, names in
	// their documented case.
	if err := f.addPermission(url, "team_2", []string{"111122223333", "444455556666", "111122223333"},
		[]string{"receivemessage", "DeleteMessage", "ReceiveMessage", "*"}); err != nil {
		t.Fatal(err)
	}
	second := `{"Sid":"team_2","Effect":"Allow","Principal":{"AWS":["arn:aws:iam::111122223333:root","arn:aws:iam::444455556666:root"]},` +
		`"Action":["SQS:ReceiveMessage","SQS:DeleteMessage","SQS:*"],"Resource":"` + arn + `"}`
	want = strings.TrimSuffix(want, "]}") + "," + second + "]}"
	if got := f.attrs(url, "Policy")["Policy"]; got != want {
		t.Fatalf("Policy\n got %s\nwant %s", got, want)
	}

	// It survives a restart.
	f.reopen()
	if got := f.attrs(url, "All")["Policy"]; got != want {
		t.Fatalf("Policy after restart\n got %s\nwant %s", got, want)
	}

	if err := f.removePermission(url, "AliceSendMessage"); err != nil {
		t.Fatal(err)
	}
	want = `{"Version":"2012-10-17","Id":"` + arn + `/SQSDefaultPolicy","Statement":[` + second + `]}`
	if got := f.attrs(url, "Policy")["Policy"]; got != want {
		t.Fatalf("Policy after remove\n got %s\nwant %s", got, want)
	}
	wantErr(t, f.removePermission(url, "AliceSendMessage"), "InvalidParameterValue",
		"Value AliceSendMessage for parameter Label is invalid. Reason: can't find label on existing policy.")

	// The last statement gone, the queue has no Policy again.
	if err := f.removePermission(url, "team_2"); err != nil {
		t.Fatal(err)
	}
	if got, ok := f.attrs(url, "All")["Policy"]; ok {
		t.Fatalf("Policy after the last remove: %s", got)
	}
	wantErr(t, f.removePermission(url, "team_2"), "InvalidParameterValue", "can't find label on existing policy.")
	f.reopen()
	if got, ok := f.attrs(url, "Policy")["Policy"]; ok {
		t.Fatalf("Policy after the last remove and a restart: %s", got)
	}
}

// A policy set with SetQueueAttributes is edited in place; setting Policy
// again replaces whatever AddPermission wrote.
func TestPermissionOnUserPolicy(t *testing.T) {
	f := newFixture(t)
	user := `{"Version":"2012-10-17","Id":"mine","Statement":[{"Sid":"FromTopic","Effect":"Allow","Principal":{"Service":"sns.amazonaws.com"},` +
		`"Action":"sqs:SendMessage","Resource":"arn:aws:sqs:us-east-1:000000000000:q"}]}`
	url := f.create("q", map[string]string{"Policy": user})
	wantErr(t, f.addPermission(url, "FromTopic", []string{"111122223333"}, []string{"SendMessage"}), "InvalidParameterValue",
		"Value FromTopic for parameter Label is invalid. Reason: Already exists.")
	if err := f.addPermission(url, "more", []string{"111122223333"}, []string{"GetQueueUrl"}); err != nil {
		t.Fatal(err)
	}
	want := strings.TrimSuffix(user, "]}") + `,{"Sid":"more","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},` +
		`"Action":"SQS:GetQueueUrl","Resource":"arn:aws:sqs:us-east-1:000000000000:q"}]}`
	if got := f.attrs(url, "Policy")["Policy"]; got != want {
		t.Fatalf("Policy\n got %s\nwant %s", got, want)
	}
	// Removing the user's own statement by its Sid works too.
	if err := f.removePermission(url, "FromTopic"); err != nil {
		t.Fatal(err)
	}
	if got := f.attrs(url, "Policy")["Policy"]; strings.Contains(got, "FromTopic") || !strings.Contains(got, `"Sid":"more"`) {
		t.Fatalf("Policy after removing FromTopic: %s", got)
	}

	replaced := `{"Statement":[]}`
	if err := f.svc.SetQueueAttributes(f.ctx(), &sqsapi.SetQueueAttributesRequest{QueueUrl: &url, Attributes: map[string]string{"Policy": replaced}}); err != nil {
		t.Fatal(err)
	}
	if got := f.attrs(url, "Policy")["Policy"]; got != replaced {
		t.Fatalf("Policy after SetQueueAttributes: %s", got)
	}
	wantErr(t, f.removePermission(url, "more"), "InvalidParameterValue", "can't find label on existing policy.")

	// A JSON policy without a statement list cannot take a labelled
	// statement; it is left alone.
	odd := `{"Statement":"everything"}`
	if err := f.svc.SetQueueAttributes(f.ctx(), &sqsapi.SetQueueAttributesRequest{QueueUrl: &url, Attributes: map[string]string{"Policy": odd}}); err != nil {
		t.Fatal(err)
	}
	wantErr(t, f.addPermission(url, "x", []string{"111122223333"}, []string{"SendMessage"}), "InvalidParameterValue",
		"The queue's Policy attribute cannot be edited by label: malformed policy: Statement is neither a statement nor a list of statements.")
	if got := f.attrs(url, "Policy")["Policy"]; got != odd {
		t.Fatalf("Policy after a refused AddPermission: %s", got)
	}
}

func TestAddPermissionRules(t *testing.T) {
	f := newFixture(t)
	url := f.create("q", nil)
	acct := []string{"111122223333"}
	send := []string{"SendMessage"}
	for _, tc := range []struct {
		label             string
		accounts, actions []string
		code, msg         string
	}{
		{"", acct, send, "MissingParameter", "The request must contain the parameter Label."},
		{strings.Repeat("a", 81), acct, send, "InvalidParameterValue", "for parameter Label is invalid. Reason: A label is at most 80 characters"},
		{"has space", acct, send, "InvalidParameterValue", "Value has space for parameter Label is invalid."},
		{"dot.ted", acct, send, "InvalidParameterValue", "for parameter Label is invalid"},
		{"ok", nil, send, "MissingParameter", "The request must contain the parameter AWSAccountIds."},
		{"ok", []string{"12345"}, send, "InvalidParameterValue", "Value 12345 for parameter AWSAccountIds is invalid. Reason: An AWS account ID is 12 digits."},
		{"ok", []string{"*"}, send, "InvalidParameterValue", "parameter AWSAccountIds is invalid"},
		{"ok", acct, nil, "MissingParameter", "The request must contain the parameter Actions."},
		{"ok", acct, []string{"SendMessageBatch"}, "InvalidParameterValue",
			"Value SQS:SendMessageBatch for parameter ActionName is invalid. Reason: Please refer to the appropriate WSDL for a list of valid actions."},
		{"ok", acct, []string{"Fly"}, "InvalidParameterValue", "Value SQS:Fly for parameter ActionName is invalid."},
		{"ok", acct, []string{"SendMessage", "DeleteQueue"}, "InvalidParameterValue",
			"Value SQS:DeleteQueue for parameter ActionName is invalid. Reason: Only the queue owner is allowed to invoke this action."},
		{"ok", acct, []string{"SetQueueAttributes"}, "InvalidParameterValue", "Only the queue owner is allowed to invoke this action."},
		{"ok", acct, []string{"AddPermission"}, "InvalidParameterValue", "Only the queue owner is allowed to invoke this action."},
		{"ok", acct, []string{"SendMessage", "ReceiveMessage", "DeleteMessage", "ChangeMessageVisibility", "GetQueueAttributes", "GetQueueUrl", "PurgeQueue", "ListDeadLetterSourceQueues"},
			"OverLimit", "8 actions were given; a statement may allow at most 7."},
	} {
		err := f.addPermission(url, tc.label, tc.accounts, tc.actions)
		wantErr(t, err, tc.code, tc.msg)
	}
	if got, ok := f.attrs(url, "All")["Policy"]; ok {
		t.Fatalf("refused AddPermissions left a Policy: %s", got)
	}
	// The limits themselves are allowed.
	if err := f.addPermission(url, strings.Repeat("a", 80), acct,
		[]string{"SendMessage", "ReceiveMessage", "DeleteMessage", "ChangeMessageVisibility", "GetQueueAttributes", "GetQueueUrl", "PurgeQueue"}); err != nil {
		t.Fatal(err)
	}
	if err := f.addPermission(url, "lists", acct, []string{"ListDeadLetterSourceQueues"}); err != nil {
		t.Fatal(err)
	}

	// Another account's queue does not exist for the caller.
	_, err := f.svc.GetQueueAttributes(f.ctxAs("111122223333", "us-east-1"), &sqsapi.GetQueueAttributesRequest{QueueUrl: &url, AttributeNames: []string{"Policy"}})
	wantErr(t, err, "AWS.SimpleQueueService.NonExistentQueue", "")
	err = f.svc.AddPermission(f.ctx(), &sqsapi.AddPermissionRequest{QueueUrl: shape.Ptr(url + "-gone"), Label: shape.Ptr("x"), AWSAccountIds: acct, Actions: send})
	wantErr(t, err, "AWS.SimpleQueueService.NonExistentQueue", "The specified queue does not exist.")
	err = f.svc.RemovePermission(f.ctx(), &sqsapi.RemovePermissionRequest{QueueUrl: shape.Ptr(url + "-gone"), Label: shape.Ptr("x")})
	wantErr(t, err, "AWS.SimpleQueueService.NonExistentQueue", "The specified queue does not exist.")
	wantErr(t, f.removePermission(url, ""), "MissingParameter", "The request must contain the parameter Label.")
}

// The policy quotas: 20 statements, 50 principals, 8,192 bytes.
func TestAddPermissionPolicyQuotas(t *testing.T) {
	f := newFixture(t)
	url := f.create("q", nil)
	for i := range 20 {
		if err := f.addPermission(url, fmt.Sprint("s", i), []string{"111122223333"}, []string{"SendMessage"}); err != nil {
			t.Fatal(err)
		}
	}
	wantErr(t, f.addPermission(url, "s20", []string{"111122223333"}, []string{"SendMessage"}), "OverLimit",
		"The policy would have 21 statements; a queue's policy may have at most 20.")

	url = f.create("principals", nil)
	accounts := func(from, n int) []string {
		var out []string
		for i := range n {
			out = append(out, fmt.Sprintf("%012d", from+i))
		}
		return out
	}
	if err := f.addPermission(url, "a", accounts(0, 30), []string{"SendMessage"}); err != nil {
		t.Fatal(err)
	}
	if err := f.addPermission(url, "b", accounts(30, 20), []string{"SendMessage"}); err != nil {
		t.Fatal(err)
	}
	wantErr(t, f.addPermission(url, "c", accounts(50, 1), []string{"SendMessage"}), "OverLimit",
		"The policy would name 51 principals; a queue's policy may name at most 50.")

	// Long labels and many actions reach 8,192 bytes before 20 statements.
	url = f.create("bytes", nil)
	seven := []string{"SendMessage", "ReceiveMessage", "DeleteMessage", "ChangeMessageVisibility", "GetQueueAttributes", "GetQueueUrl", "PurgeQueue"}
	var err error
	n := 0
	for ; n < 20; n++ {
		if err = f.addPermission(url, fmt.Sprintf("%080d", n), accounts(n*2, 2), seven); err != nil {
			break
		}
	}
	wantErr(t, err, "OverLimit", "bytes long; a queue's policy may be at most 8192 bytes.")
	if p := f.attrs(url, "Policy")["Policy"]; len(p) > 8192 || strings.Count(p, `"Sid"`) != n {
		t.Fatalf("after %d statements the policy is %d bytes with %d statements", n, len(p), strings.Count(p, `"Sid"`))
	}
}
