package e2e

import (
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	snstypes "github.com/aws/aws-sdk-go-v2/service/sns/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
)

// snsSetup creates a topic and a queue subscribed to it and returns the
// topic ARN, the queue URL and the subscription ARN.
func snsSetup(t *testing.T, c *clients, topic, queue string, topicAttrs, queueAttrs, subAttrs map[string]string) (string, string, string) {
	t.Helper()
	ctx := ctxT(t)
	tp, err := c.sns.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String(topic), Attributes: topicAttrs})
	if err != nil {
		t.Fatalf("CreateTopic: %v", err)
	}
	url := sqsQueue(t, c, queue, queueAttrs)
	qa, err := c.sqs.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: &url, AttributeNames: []sqstypes.QueueAttributeName{"QueueArn"}})
	if err != nil {
		t.Fatal(err)
	}
	sub, err := c.sns.Subscribe(ctx, &sns.SubscribeInput{TopicArn: tp.TopicArn, Protocol: aws.String("sqs"),
		Endpoint: aws.String(qa.Attributes["QueueArn"]), Attributes: subAttrs, ReturnSubscriptionArn: true})
	if err != nil {
		t.Fatalf("Subscribe: %v", err)
	}
	return aws.ToString(tp.TopicArn), url, aws.ToString(sub.SubscriptionArn)
}

func receiveAll(t *testing.T, c *clients, url string) []sqstypes.Message {
	t.Helper()
	out, err := c.sqs.ReceiveMessage(ctxT(t), &sqs.ReceiveMessageInput{QueueUrl: &url, MaxNumberOfMessages: 10,
		MessageAttributeNames: []string{"All"}, MessageSystemAttributeNames: []sqstypes.MessageSystemAttributeName{"All"}})
	if err != nil {
		t.Fatal(err)
	}
	return out.Messages
}

func TestSNSTopicsAndSubscriptions(t *testing.T) {
	p := startVigil(t, "")
	c := newClients(p.URL, "test", "test", "us-east-1")
	ctx := ctxT(t)
	topic, _, sub := snsSetup(t, c, "alerts", "alerts-q", map[string]string{"DisplayName": "Alerts"}, nil, nil)
	if topic != "arn:aws:sns:us-east-1:000000000000:alerts" || !strings.HasPrefix(sub, topic+":") {
		t.Fatalf("topic %s subscription %s", topic, sub)
	}
	ta, err := c.sns.GetTopicAttributes(ctx, &sns.GetTopicAttributesInput{TopicArn: &topic})
	if err != nil {
		t.Fatal(err)
	}
	if a := ta.Attributes; a["DisplayName"] != "Alerts" || a["SubscriptionsConfirmed"] != "1" || a["Owner"] != "000000000000" || a["TopicArn"] != topic {
		t.Fatalf("topic attributes %v", a)
	}
	sa, err := c.sns.GetSubscriptionAttributes(ctx, &sns.GetSubscriptionAttributesInput{SubscriptionArn: &sub})
	if err != nil {
		t.Fatal(err)
	}
	if a := sa.Attributes; a["PendingConfirmation"] != "false" || a["Endpoint"] != "arn:aws:sqs:us-east-1:000000000000:alerts-q" {
		t.Fatalf("subscription attributes %v", a)
	}
	if _, err := c.sns.TagResource(ctx, &sns.TagResourceInput{ResourceArn: &topic, Tags: []snstypes.Tag{{Key: aws.String("team"), Value: aws.String("ops")}}}); err != nil {
		t.Fatal(err)
	}
	tags, err := c.sns.ListTagsForResource(ctx, &sns.ListTagsForResourceInput{ResourceArn: &topic})
	if err != nil || len(tags.Tags) != 1 || aws.ToString(tags.Tags[0].Value) != "ops" {
		t.Fatalf("tags %v %v", tags, err)
	}
	list, err := c.sns.ListTopics(ctx, &sns.ListTopicsInput{})
	if err != nil || len(list.Topics) != 1 || aws.ToString(list.Topics[0].TopicArn) != topic {
		t.Fatalf("ListTopics %v %v", list, err)
	}
	subs, err := c.sns.ListSubscriptionsByTopic(ctx, &sns.ListSubscriptionsByTopicInput{TopicArn: &topic})
	if err != nil || len(subs.Subscriptions) != 1 || aws.ToString(subs.Subscriptions[0].Protocol) != "sqs" {
		t.Fatalf("ListSubscriptionsByTopic %v %v", subs, err)
	}
	_, err = c.sns.Subscribe(ctx, &sns.SubscribeInput{TopicArn: &topic, Protocol: aws.String("sms"), Endpoint: aws.String("+15555550100")})
	wantAPIError(t, "sms subscription", err, "InvalidParameter", 400)
	if !strings.Contains(err.Error(), "not supported by Vigil") {
		t.Fatalf("sms subscription: %v", err)
	}
	_, err = c.sns.GetTopicAttributes(ctx, &sns.GetTopicAttributesInput{TopicArn: aws.String(topic + "-nope")})
	wantAPIError(t, "unknown topic", err, "NotFound", 404)
	_, err = c.sns.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("bad name")})
	wantAPIError(t, "bad name", err, "InvalidParameter", 400)
	if _, err := c.sns.Unsubscribe(ctx, &sns.UnsubscribeInput{SubscriptionArn: &sub}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.sns.DeleteTopic(ctx, &sns.DeleteTopicInput{TopicArn: &topic}); err != nil {
		t.Fatal(err)
	}
	if list, _ := c.sns.ListTopics(ctx, &sns.ListTopicsInput{}); len(list.Topics) != 0 {
		t.Fatalf("topics after delete %v", list.Topics)
	}
}

// TestSNSToSQSEnvelope publishes to a topic with two queues subscribed, one
// with the JSON envelope and one raw, and checks every field of both.
func TestSNSToSQSEnvelope(t *testing.T) {
	p := startVigil(t, "")
	c := newClients(p.URL, "test", "test", "us-east-1")
	ctx := ctxT(t)
	topic, url, sub := snsSetup(t, c, "orders", "orders-envelope", nil, nil, nil)
	rawURL := sqsQueue(t, c, "orders-raw", nil)
	if _, err := c.sns.Subscribe(ctx, &sns.SubscribeInput{TopicArn: &topic, Protocol: aws.String("sqs"),
		Endpoint: aws.String("arn:aws:sqs:us-east-1:000000000000:orders-raw"), Attributes: map[string]string{"RawMessageDelivery": "true"}}); err != nil {
		t.Fatal(err)
	}
	before := time.Now().UTC().Truncate(time.Millisecond)
	out, err := c.sns.Publish(ctx, &sns.PublishInput{TopicArn: &topic, Message: aws.String(`{"id":17} <&>`), Subject: aws.String("New order"),
		MessageAttributes: map[string]snstypes.MessageAttributeValue{
			"kind":  {DataType: aws.String("String"), StringValue: aws.String("order")},
			"total": {DataType: aws.String("Number"), StringValue: aws.String("12.5")},
			"blob":  {DataType: aws.String("Binary"), BinaryValue: []byte{0, 1, 255}},
		}})
	if err != nil {
		t.Fatal(err)
	}
	msgs := receiveAll(t, c, url)
	if len(msgs) != 1 {
		t.Fatalf("envelope queue got %d messages", len(msgs))
	}
	var env map[string]any
	if err := json.Unmarshal([]byte(aws.ToString(msgs[0].Body)), &env); err != nil {
		t.Fatalf("envelope %s: %v", aws.ToString(msgs[0].Body), err)
	}
	host := strings.TrimPrefix(p.URL, "http://")
	for k, want := range map[string]string{
		"Type": "Notification", "MessageId": aws.ToString(out.MessageId), "TopicArn": topic, "Subject": "New order",
		"Message": `{"id":17} <&>`, "SignatureVersion": "1",
		"SigningCertURL": "http://" + host + "/SimpleNotificationService-vigil.pem",
		"UnsubscribeURL": "http://" + host + "/?Action=Unsubscribe&SubscriptionArn=" + sub,
	} {
		if env[k] != want {
			t.Errorf("envelope %s = %v, want %q", k, env[k], want)
		}
	}
	ts, _ := env["Timestamp"].(string)
	if !regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$`).MatchString(ts) {
		t.Fatalf("Timestamp %q", ts)
	}
	if at, _ := time.Parse(time.RFC3339Nano, ts); at.Before(before) || at.After(time.Now().Add(time.Second)) {
		t.Fatalf("Timestamp %s, published after %s", ts, before)
	}
	wantAttrs := `{"blob":{"Type":"Binary","Value":"AAH/"},"kind":{"Type":"String","Value":"order"},"total":{"Type":"Number","Value":"12.5"}}`
	if b, _ := json.Marshal(env["MessageAttributes"]); string(b) != wantAttrs {
		t.Fatalf("MessageAttributes %s, want %s", b, wantAttrs)
	}
	verifySNSSignature(t, env)
	if len(env) != 11 {
		t.Fatalf("envelope has %d fields: %v", len(env), env)
	}
	if msgs[0].Attributes["SenderId"] == "" || len(msgs[0].MessageAttributes) != 0 {
		t.Fatalf("envelope message attributes %v / %v", msgs[0].Attributes, msgs[0].MessageAttributes)
	}
	raw := receiveAll(t, c, rawURL)
	if len(raw) != 1 || aws.ToString(raw[0].Body) != `{"id":17} <&>` {
		t.Fatalf("raw queue got %+v", raw)
	}
	ma := raw[0].MessageAttributes
	if aws.ToString(ma["kind"].StringValue) != "order" || aws.ToString(ma["total"].DataType) != "Number" || string(ma["blob"].BinaryValue) != "\x00\x01\xff" {
		t.Fatalf("raw message attributes %v", ma)
	}
	// PublishBatch delivers too.
	bo, err := c.sns.PublishBatch(ctx, &sns.PublishBatchInput{TopicArn: &topic, PublishBatchRequestEntries: []snstypes.PublishBatchRequestEntry{
		{Id: aws.String("a"), Message: aws.String("one")}, {Id: aws.String("b"), Message: aws.String("")},
	}})
	if err != nil || len(bo.Successful) != 1 || len(bo.Failed) != 1 || aws.ToString(bo.Failed[0].Code) != "InvalidParameter" {
		t.Fatalf("PublishBatch %+v %v", bo, err)
	}
	if raw := receiveAll(t, c, rawURL); len(raw) != 1 || aws.ToString(raw[0].Body) != "one" {
		t.Fatalf("batch delivery %+v", raw)
	}
}

// verifySNSSignature checks a notification as a subscriber does: fetch the
// certificate at SigningCertURL and verify Signature (SHA1withRSA) over the
// string to sign AWS documents.
func verifySNSSignature(t *testing.T, env map[string]any) {
	t.Helper()
	resp, err := http.Get(env["SigningCertURL"].(string))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	certPEM, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("certificate: %d %v", resp.StatusCode, err)
	}
	blk, _ := pem.Decode(certPEM)
	if blk == nil {
		t.Fatalf("certificate %q", certPEM)
	}
	cert, err := x509.ParseCertificate(blk.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	var msg strings.Builder
	for _, k := range []string{"Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type"} {
		if v, ok := env[k].(string); ok {
			msg.WriteString(k + "\n" + v + "\n")
		}
	}
	sig, err := base64.StdEncoding.DecodeString(env["Signature"].(string))
	if err != nil {
		t.Fatal(err)
	}
	if err := cert.CheckSignature(x509.SHA1WithRSA, []byte(msg.String()), sig); err != nil {
		t.Fatalf("signature does not verify: %v", err)
	}
}

func TestSNSFilterPolicy(t *testing.T) {
	p := startVigil(t, "")
	c := newClients(p.URL, "test", "test", "us-east-1")
	ctx := ctxT(t)
	topic, url, _ := snsSetup(t, c, "events", "big-orders", nil, nil, map[string]string{
		"RawMessageDelivery": "true",
		"FilterPolicy":       `{"kind":["order"],"total":[{"numeric":[">=",100]}]}`,
	})
	_, bodyURL, _ := snsSetup(t, c, "events", "paid", nil, nil, map[string]string{
		"RawMessageDelivery": "true", "FilterPolicyScope": "MessageBody", "FilterPolicy": `{"state":[{"prefix":"pa"}]}`,
	})
	for i, tc := range []struct {
		kind, total, body string
	}{
		{"order", "150", `{"state":"paid"}`},
		{"order", "50", `{"state":"pending"}`},
		{"refund", "500", `{"state":"paid"}`},
	} {
		_, err := c.sns.Publish(ctx, &sns.PublishInput{TopicArn: &topic, Message: aws.String(tc.body), MessageAttributes: map[string]snstypes.MessageAttributeValue{
			"kind":  {DataType: aws.String("String"), StringValue: aws.String(tc.kind)},
			"total": {DataType: aws.String("Number"), StringValue: aws.String(tc.total)},
			"n":     {DataType: aws.String("Number"), StringValue: aws.String(fmt.Sprint(i))},
		}})
		if err != nil {
			t.Fatal(err)
		}
	}
	numbers := func(ms []sqstypes.Message) []string {
		var out []string
		for _, m := range ms {
			out = append(out, aws.ToString(m.MessageAttributes["n"].StringValue))
		}
		slices.Sort(out)
		return out
	}
	if got := numbers(receiveAll(t, c, url)); !slices.Equal(got, []string{"0"}) {
		t.Fatalf("attribute policy let through %v", got)
	}
	if got := numbers(receiveAll(t, c, bodyURL)); !slices.Equal(got, []string{"0", "2"}) {
		t.Fatalf("body policy let through %v", got)
	}
	_, err := c.sns.Subscribe(ctx, &sns.SubscribeInput{TopicArn: &topic, Protocol: aws.String("sqs"), Endpoint: aws.String("arn:aws:sqs:us-east-1:000000000000:x"),
		Attributes: map[string]string{"FilterPolicy": `{"a":[{"wildcard":"x*"}]}`}})
	wantAPIError(t, "wildcard", err, "InvalidParameter", 400)
}

func TestSNSFifoTopicToFifoQueue(t *testing.T) {
	p := startVigil(t, "")
	c := newClients(p.URL, "test", "test", "us-east-1")
	ctx := ctxT(t)
	topic, url, _ := snsSetup(t, c, "orders.fifo", "orders.fifo", map[string]string{"FifoTopic": "true", "ContentBasedDeduplication": "true"},
		map[string]string{"FifoQueue": "true"}, map[string]string{"RawMessageDelivery": "true"})
	var seqs []string
	for _, body := range []string{"a1", "b1", "a2", "a3", "b2", "a1"} { // the last is a duplicate
		out, err := c.sns.Publish(ctx, &sns.PublishInput{TopicArn: &topic, Message: aws.String(body), MessageGroupId: aws.String(body[:1])})
		if err != nil {
			t.Fatal(err)
		}
		seqs = append(seqs, aws.ToString(out.SequenceNumber))
	}
	if !slices.IsSorted(seqs[:5]) || seqs[5] != seqs[0] {
		t.Fatalf("sequence numbers %v", seqs)
	}
	_, err := c.sns.Publish(ctx, &sns.PublishInput{TopicArn: &topic, Message: aws.String("x")})
	wantAPIError(t, "no group", err, "InvalidParameter", 400)
	var got []string
	for len(got) < 5 {
		msgs := receiveAll(t, c, url)
		if len(msgs) == 0 {
			t.Fatalf("queue ran dry after %v", got)
		}
		for _, m := range msgs {
			got = append(got, aws.ToString(m.Body))
			if _, err := c.sqs.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: &url, ReceiptHandle: m.ReceiptHandle}); err != nil {
				t.Fatal(err)
			}
		}
	}
	var a, b []string
	for _, s := range got {
		if s[0] == 'a' {
			a = append(a, s)
		} else {
			b = append(b, s)
		}
	}
	if !slices.Equal(a, []string{"a1", "a2", "a3"}) || !slices.Equal(b, []string{"b1", "b2"}) {
		t.Fatalf("order per group: %v", got)
	}
	if extra := receiveAll(t, c, url); len(extra) != 0 {
		t.Fatalf("duplicate delivered: %v", extra)
	}
}

// TestSNSKill9KeepsPublishedMessages: a publish acknowledged before kill -9
// is in the queue after the restart, the topic and subscription are kept,
// and the signing certificate is the same, so old signatures still verify.
func TestSNSKill9KeepsPublishedMessages(t *testing.T) {
	p := startVigil(t, "")
	c := newClients(p.URL, "test", "test", "us-east-1")
	ctx := ctxT(t)
	topic, url, _ := snsSetup(t, c, "durable", "durable-q", nil, nil, nil)
	const n = 20
	for i := range n {
		if _, err := c.sns.Publish(ctx, &sns.PublishInput{TopicArn: &topic, Message: aws.String(fmt.Sprint("m", i))}); err != nil {
			t.Fatal(err)
		}
	}
	p.Kill9()

	p2 := startVigil(t, p.DataDir)
	c2 := newClients(p2.URL, "test", "test", "us-east-1")
	url = strings.Replace(url, p.URL, p2.URL, 1)
	seen := map[string]bool{}
	for len(seen) < n {
		msgs := receiveAll(t, c2, url)
		if len(msgs) == 0 {
			t.Fatalf("after kill -9: %d of %d messages", len(seen), n)
		}
		for _, m := range msgs {
			var env map[string]any
			if err := json.Unmarshal([]byte(aws.ToString(m.Body)), &env); err != nil {
				t.Fatal(err)
			}
			// The envelope names the old server's address; the certificate
			// is fetched from the new one, which must serve the same.
			env["SigningCertURL"] = p2.URL + "/SimpleNotificationService-vigil.pem"
			verifySNSSignature(t, env)
			seen[env["Message"].(string)] = true
			if _, err := c2.sqs.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: &url, ReceiptHandle: m.ReceiptHandle}); err != nil {
				t.Fatal(err)
			}
		}
	}
	subs, err := c2.sns.ListSubscriptionsByTopic(ctx, &sns.ListSubscriptionsByTopicInput{TopicArn: &topic})
	if err != nil || len(subs.Subscriptions) != 1 {
		t.Fatalf("subscriptions after restart: %v %v", subs, err)
	}
}
