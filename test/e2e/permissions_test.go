package e2e

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
)

// policyStatement is the part of a statement AddPermission writes.
type policyStatement struct {
	Sid       string
	Effect    string
	Principal struct{ AWS any }
	Action    any
	Resource  string
}

func statements(t *testing.T, policy string) map[string]policyStatement {
	t.Helper()
	var doc struct {
		Version, Id string
		Statement   []policyStatement
	}
	if err := json.Unmarshal([]byte(policy), &doc); err != nil {
		t.Fatalf("policy %q: %v", policy, err)
	}
	out := map[string]policyStatement{}
	for _, s := range doc.Statement {
		out[s.Sid] = s
	}
	return out
}

func queuePolicy(t *testing.T, c *clients, url string) (string, bool) {
	t.Helper()
	out, err := c.sqs.GetQueueAttributes(ctxT(t), &sqs.GetQueueAttributesInput{QueueUrl: &url, AttributeNames: []sqstypes.QueueAttributeName{"Policy"}})
	if err != nil {
		t.Fatal(err)
	}
	p, ok := out.Attributes["Policy"]
	return p, ok
}

// SQS AddPermission/RemovePermission through the Go SDK (awsJson1_0): the
// exact policy, AWS's errors, and the policy surviving kill -9.
func TestSQSPermissionsGoSDK(t *testing.T) {
	p := startVigil(t, "")
	c := newClients(p.URL, "test", "test", "us-east-1")
	ctx := ctxT(t)
	url := sqsQueue(t, c, "shared", nil)
	const arn = "arn:aws:sqs:us-east-1:000000000000:shared"

	if _, err := c.sqs.AddPermission(ctx, &sqs.AddPermissionInput{QueueUrl: &url, Label: aws.String("AliceSendMessage"),
		AWSAccountIds: []string{"111122223333"}, Actions: []string{"SendMessage"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.sqs.AddPermission(ctx, &sqs.AddPermissionInput{QueueUrl: &url, Label: aws.String("Readers"),
		AWSAccountIds: []string{"111122223333", "444455556666"}, Actions: []string{"ReceiveMessage", "DeleteMessage"}}); err != nil {
		t.Fatal(err)
	}
	want := `{"Version":"2012-10-17","Id":"` + arn + `/SQSDefaultPolicy","Statement":[` +
		`{"Sid":"AliceSendMessage","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"SQS:SendMessage","Resource":"` + arn + `"},` +
		`{"Sid":"Readers","Effect":"Allow","Principal":{"AWS":["arn:aws:iam::111122223333:root","arn:aws:iam::444455556666:root"]},` +
		`"Action":["SQS:ReceiveMessage","SQS:DeleteMessage"],"Resource":"` + arn + `"}]}`
	if got, _ := queuePolicy(t, c, url); got != want {
		t.Fatalf("Policy\n got %s\nwant %s", got, want)
	}

	_, err := c.sqs.AddPermission(ctx, &sqs.AddPermissionInput{QueueUrl: &url, Label: aws.String("Readers"),
		AWSAccountIds: []string{"111122223333"}, Actions: []string{"SendMessage"}})
	wantAPIError(t, "duplicate label", err, "InvalidParameterValue", 400)
	_, err = c.sqs.AddPermission(ctx, &sqs.AddPermissionInput{QueueUrl: &url, Label: aws.String("bad label"),
		AWSAccountIds: []string{"111122223333"}, Actions: []string{"SendMessage"}})
	wantAPIError(t, "bad label", err, "InvalidParameterValue", 400)
	_, err = c.sqs.AddPermission(ctx, &sqs.AddPermissionInput{QueueUrl: &url, Label: aws.String("owner"),
		AWSAccountIds: []string{"111122223333"}, Actions: []string{"DeleteQueue"}})
	wantAPIError(t, "owner-only action", err, "InvalidParameterValue", 400)
	_, err = c.sqs.AddPermission(ctx, &sqs.AddPermissionInput{QueueUrl: &url, Label: aws.String("eight"),
		AWSAccountIds: []string{"111122223333"}, Actions: []string{"SendMessage", "ReceiveMessage", "DeleteMessage",
			"ChangeMessageVisibility", "GetQueueAttributes", "GetQueueUrl", "PurgeQueue", "ListDeadLetterSourceQueues"}})
	wantAPIError(t, "8 actions", err, "OverLimit", 403)
	_, err = c.sqs.RemovePermission(ctx, &sqs.RemovePermissionInput{QueueUrl: &url, Label: aws.String("nobody")})
	wantAPIError(t, "unknown label", err, "InvalidParameterValue", 400)

	// Acknowledged, so durable.
	p.Kill9()
	p2 := startVigil(t, p.DataDir)
	c2 := newClients(p2.URL, "test", "test", "us-east-1")
	url = strings.Replace(url, p.URL, p2.URL, 1)
	if got, _ := queuePolicy(t, c2, url); got != want {
		t.Fatalf("Policy after kill -9\n got %s\nwant %s", got, want)
	}
	for _, label := range []string{"AliceSendMessage", "Readers"} {
		if _, err := c2.sqs.RemovePermission(ctx, &sqs.RemovePermissionInput{QueueUrl: &url, Label: aws.String(label)}); err != nil {
			t.Fatal(err)
		}
	}
	if got, ok := queuePolicy(t, c2, url); ok {
		t.Fatalf("Policy after removing every label: %s", got)
	}
}

// SNS AddPermission/RemovePermission through the Go SDK (awsQuery): the
// statement joins the default policy, and SetTopicAttributes replaces it.
func TestSNSPermissionsGoSDK(t *testing.T) {
	p := startVigil(t, "")
	c := newClients(p.URL, "test", "test", "us-east-1")
	ctx := ctxT(t)
	tp, err := c.sns.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("shared")})
	if err != nil {
		t.Fatal(err)
	}
	topic := aws.ToString(tp.TopicArn)
	policy := func() string {
		t.Helper()
		out, err := c.sns.GetTopicAttributes(ctx, &sns.GetTopicAttributesInput{TopicArn: &topic})
		if err != nil {
			t.Fatal(err)
		}
		return out.Attributes["Policy"]
	}
	def := policy()

	if _, err := c.sns.AddPermission(ctx, &sns.AddPermissionInput{TopicArn: &topic, Label: aws.String("Publish-Permission"),
		AWSAccountId: []string{"987654321098"}, ActionName: []string{"Publish"}}); err != nil {
		t.Fatal(err)
	}
	want := strings.TrimSuffix(def, "]}") + `,{"Sid":"Publish-Permission","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::987654321098:root"},` +
		`"Action":"SNS:Publish","Resource":"` + topic + `"}]}`
	if got := policy(); got != want {
		t.Fatalf("Policy\n got %s\nwant %s", got, want)
	}
	if _, err := c.sns.AddPermission(ctx, &sns.AddPermissionInput{TopicArn: &topic, Label: aws.String("Subscribers"),
		AWSAccountId: []string{"111122223333", "444455556666"}, ActionName: []string{"Subscribe", "GetTopicAttributes"}}); err != nil {
		t.Fatal(err)
	}
	st := statements(t, policy())["Subscribers"]
	if st.Effect != "Allow" || st.Resource != topic || len(st.Principal.AWS.([]any)) != 2 || len(st.Action.([]any)) != 2 {
		t.Fatalf("Subscribers statement: %+v", st)
	}

	_, err = c.sns.AddPermission(ctx, &sns.AddPermissionInput{TopicArn: &topic, Label: aws.String("Subscribers"),
		AWSAccountId: []string{"111122223333"}, ActionName: []string{"Publish"}})
	wantAPIError(t, "duplicate label", err, "InvalidParameter", 400)
	_, err = c.sns.AddPermission(ctx, &sns.AddPermissionInput{TopicArn: &topic, Label: aws.String("x"),
		AWSAccountId: []string{"111122223333"}, ActionName: []string{"CreateTopic"}})
	wantAPIError(t, "action out of scope", err, "InvalidParameter", 400)
	_, err = c.sns.AddPermission(ctx, &sns.AddPermissionInput{TopicArn: aws.String(topic + "-gone"), Label: aws.String("x"),
		AWSAccountId: []string{"111122223333"}, ActionName: []string{"Publish"}})
	wantAPIError(t, "absent topic", err, "NotFound", 404)
	_, err = c.sns.RemovePermission(ctx, &sns.RemovePermissionInput{TopicArn: &topic, Label: aws.String("nobody")})
	wantAPIError(t, "unknown label", err, "InvalidParameter", 400)

	if _, err := c.sns.RemovePermission(ctx, &sns.RemovePermissionInput{TopicArn: &topic, Label: aws.String("Subscribers")}); err != nil {
		t.Fatal(err)
	}
	if got := policy(); got != want {
		t.Fatalf("Policy after remove\n got %s\nwant %s", got, want)
	}
	p.Stop()
	p2 := startVigil(t, p.DataDir)
	c = newClients(p2.URL, "test", "test", "us-east-1")
	if got := policy(); got != want {
		t.Fatalf("Policy after restart\n got %s\nwant %s", got, want)
	}
	mine := `{"Version":"2012-10-17","Statement":[]}`
	if _, err := c.sns.SetTopicAttributes(ctx, &sns.SetTopicAttributesInput{TopicArn: &topic, AttributeName: aws.String("Policy"), AttributeValue: &mine}); err != nil {
		t.Fatal(err)
	}
	if got := policy(); got != mine {
		t.Fatalf("Policy after SetTopicAttributes: %s", got)
	}
}

// The aws CLI (botocore's awsQuery lists for SNS: AWSAccountId.member.N,
// ActionName.member.N) adds and removes a topic permission.
func TestSNSPermissionsAWSCLI(t *testing.T) {
	needTool(t, "aws")
	p := startVigil(t, "")
	out, stderr, err := awsCLI(t, p.URL, "sns", "create-topic", "--name", "cli-shared")
	if err != nil {
		t.Fatalf("create-topic: %v %s", err, stderr)
	}
	var tp struct{ TopicArn string }
	if err := json.Unmarshal([]byte(out), &tp); err != nil {
		t.Fatal(err)
	}
	attrs := func() map[string]string {
		t.Helper()
		out, stderr, err := awsCLI(t, p.URL, "sns", "get-topic-attributes", "--topic-arn", tp.TopicArn)
		if err != nil {
			t.Fatalf("get-topic-attributes: %v %s", err, stderr)
		}
		var res struct{ Attributes map[string]string }
		if err := json.Unmarshal([]byte(out), &res); err != nil {
			t.Fatal(err)
		}
		return res.Attributes
	}
	def := attrs()["Policy"]
	if _, stderr, err := awsCLI(t, p.URL, "sns", "add-permission", "--topic-arn", tp.TopicArn, "--label", "Publish-Permission",
		"--aws-account-id", "987654321098", "111122223333", "--action-name", "Publish", "Subscribe"); err != nil {
		t.Fatalf("add-permission: %v %s", err, stderr)
	}
	want := strings.TrimSuffix(def, "]}") + `,{"Sid":"Publish-Permission","Effect":"Allow",` +
		`"Principal":{"AWS":["arn:aws:iam::987654321098:root","arn:aws:iam::111122223333:root"]},` +
		`"Action":["SNS:Publish","SNS:Subscribe"],"Resource":"` + tp.TopicArn + `"}]}`
	if got := attrs()["Policy"]; got != want {
		t.Fatalf("Policy\n got %s\nwant %s", got, want)
	}
	_, stderr, err = awsCLI(t, p.URL, "sns", "add-permission", "--topic-arn", tp.TopicArn, "--label", "Publish-Permission",
		"--aws-account-id", "987654321098", "--action-name", "Publish")
	if err == nil || !strings.Contains(stderr, "(InvalidParameter)") {
		t.Fatalf("duplicate label: %v %s", err, stderr)
	}
	if _, stderr, err := awsCLI(t, p.URL, "sns", "remove-permission", "--topic-arn", tp.TopicArn, "--label", "Publish-Permission"); err != nil {
		t.Fatalf("remove-permission: %v %s", err, stderr)
	}
	if got := attrs()["Policy"]; got != def {
		t.Fatalf("Policy after remove-permission: %s", got)
	}
	_, stderr, err = awsCLI(t, p.URL, "sns", "remove-permission", "--topic-arn", tp.TopicArn, "--label", "Publish-Permission")
	if err == nil || !strings.Contains(stderr, "(InvalidParameter)") {
		t.Fatalf("remove-permission again: %v %s", err, stderr)
	}
}
