package sqs

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/vigilhq/vigil/internal/api/shape"
	sqsapi "github.com/vigilhq/vigil/internal/api/sqs"
)

const dlqArn = "arn:aws:sqs:us-east-1:" + testAccount + ":dlq"

func redrivePolicyOf(arn string, max any) string {
	return fmt.Sprintf(`{"deadLetterTargetArn":%q,"maxReceiveCount":%v}`, arn, max)
}

func (f *fixture) setAttrs(url string, attrs map[string]string) error {
	return f.svc.SetQueueAttributes(f.ctx(), &sqsapi.SetQueueAttributesRequest{QueueUrl: &url, Attributes: attrs})
}

func TestRedrivePolicyAttribute(t *testing.T) {
	f := newFixture(t)
	f.create("dlq", nil)
	// maxReceiveCount may come as a string; it is reported as a number.
	src := f.create("src", map[string]string{"RedrivePolicy": redrivePolicyOf(dlqArn, `"3"`)})
	want := `{"deadLetterTargetArn":"` + dlqArn + `","maxReceiveCount":3}`
	if got := f.attrs(src, "RedrivePolicy")["RedrivePolicy"]; got != want {
		t.Fatalf("RedrivePolicy %q, want %q", got, want)
	}
	if got := f.attrs(src, "All")["RedrivePolicy"]; got != want {
		t.Fatalf("All: RedrivePolicy %q", got)
	}
	// CreateQueue again with the same policy in another spelling returns
	// the queue; another count is a different attribute value.
	if again := f.create("src", map[string]string{"RedrivePolicy": redrivePolicyOf(dlqArn, 3)}); again != src {
		t.Fatalf("same policy: %s", again)
	}
	_, err := f.svc.CreateQueue(f.ctx(), &sqsapi.CreateQueueRequest{QueueName: shape.Ptr("src"),
		Attributes: map[string]string{"RedrivePolicy": redrivePolicyOf(dlqArn, 4)}})
	wantErr(t, err, "QueueAlreadyExists", "attribute RedrivePolicy")

	if err := f.setAttrs(src, map[string]string{"RedrivePolicy": redrivePolicyOf(dlqArn, 1000)}); err != nil {
		t.Fatal(err)
	}
	f.reopen()
	if got := f.attrs(src, "RedrivePolicy")["RedrivePolicy"]; !strings.Contains(got, `"maxReceiveCount":1000`) {
		t.Fatalf("after restart %q", got)
	}
	// An empty value removes the policy.
	if err := f.setAttrs(src, map[string]string{"RedrivePolicy": ""}); err != nil {
		t.Fatal(err)
	}
	if got, ok := f.attrs(src, "All")["RedrivePolicy"]; ok {
		t.Fatalf("cleared policy still reported: %q", got)
	}
}

func TestRedrivePolicyErrors(t *testing.T) {
	f := newFixture(t)
	f.create("dlq", nil)
	src := f.create("src", nil)
	for _, tc := range []struct{ policy, reason string }{
		{`not json`, "Redrive policy is not a valid JSON map."},
		{`[1]`, "Redrive policy is not a valid JSON map."},
		{`{"maxReceiveCount":3}`, "does not contain mandatory attribute: deadLetterTargetArn."},
		{`{"deadLetterTargetArn":"` + dlqArn + `"}`, "does not contain mandatory attribute: maxReceiveCount."},
		{redrivePolicyOf(dlqArn, 0), "Invalid value for maxReceiveCount: 0, valid values are from 1 to 1000 both inclusive."},
		{redrivePolicyOf(dlqArn, 1001), "Invalid value for maxReceiveCount: 1001,"},
		{redrivePolicyOf(dlqArn, `"ten"`), "Invalid value for maxReceiveCount: ten,"},
		{redrivePolicyOf("dlq", 3), "Invalid value for deadLetterTargetArn."},
		{redrivePolicyOf("arn:aws:sns:us-east-1:"+testAccount+":dlq", 3), "Invalid value for deadLetterTargetArn."},
		{`{"deadLetterTargetArn":"` + dlqArn + `","maxReceiveCount":3,"colour":"red"}`, "Only following attributes are supported"},
		{redrivePolicyOf("arn:aws:sqs:us-east-1:111111111111:dlq", 3), "Dead-letter target owner should be same as the source."},
		{redrivePolicyOf("arn:aws:sqs:eu-west-1:"+testAccount+":dlq", 3), "Dead-letter target should be in the same region as the source."},
		{redrivePolicyOf("arn:aws:sqs:us-east-1:"+testAccount+":absent", 3), "Dead letter target does not exist."},
		{redrivePolicyOf("arn:aws:sqs:us-east-1:"+testAccount+":dlq.fifo", 3), "Dead letter target does not exist."},
		{redrivePolicyOf("arn:aws:sqs:us-east-1:"+testAccount+":src", 3), "Dead-letter target should not be the source queue."},
	} {
		err := f.setAttrs(src, map[string]string{"RedrivePolicy": tc.policy})
		wantErr(t, err, "InvalidParameterValue", "Value "+tc.policy+" for parameter RedrivePolicy is invalid. Reason: ")
		wantErr(t, err, "InvalidParameterValue", tc.reason)
	}
	if _, ok := f.attrs(src, "All")["RedrivePolicy"]; ok {
		t.Fatal("a refused policy was stored")
	}
}

func TestRedriveAllowPolicy(t *testing.T) {
	f := newFixture(t)
	dlq := f.create("dlq", nil)
	srcArn := "arn:aws:sqs:us-east-1:" + testAccount + ":src"
	for _, tc := range []struct{ policy, reason string }{
		{`nope`, "Redrive allow policy is not a valid JSON map."},
		{`{}`, "does not contain mandatory attribute: redrivePermission."},
		{`{"redrivePermission":"some"}`, "Invalid value for redrivePermission"},
		{`{"redrivePermission":"byQueue"}`, "sourceQueueArns must be a non-empty list"},
		{`{"redrivePermission":"byQueue","sourceQueueArns":[]}`, "sourceQueueArns must be a non-empty list"},
		{`{"redrivePermission":"byQueue","sourceQueueArns":["x"]}`, "Invalid value for sourceQueueArns: x."},
		{`{"redrivePermission":"allowAll","sourceQueueArns":["` + srcArn + `"]}`, "sourceQueueArns is allowed only when redrivePermission is byQueue."},
		{`{"redrivePermission":"byQueue","sourceQueueArns":[` + strings.Repeat(`"`+srcArn+`",`, 10) + `"` + srcArn + `"]}`, "Maximum number of source queue ARNs is 10."},
	} {
		err := f.setAttrs(dlq, map[string]string{"RedriveAllowPolicy": tc.policy})
		wantErr(t, err, "InvalidParameterValue", "Value "+tc.policy+" for parameter RedriveAllowPolicy is invalid. Reason: ")
		wantErr(t, err, "InvalidParameterValue", tc.reason)
	}

	set := func(policy string) {
		t.Helper()
		if err := f.setAttrs(dlq, map[string]string{"RedriveAllowPolicy": policy}); err != nil {
			t.Fatal(err)
		}
	}
	src := f.create("src", nil)
	other := f.create("other", nil)
	point := func(url string) error {
		return f.setAttrs(url, map[string]string{"RedrivePolicy": redrivePolicyOf(dlqArn, 5)})
	}
	set(`{"redrivePermission":"denyAll"}`)
	wantErr(t, point(src), "InvalidParameterValue", "Reason: Queue "+dlqArn+" does not allow this queue to use it as a dead-letter queue.")
	_, err := f.svc.CreateQueue(f.ctx(), &sqsapi.CreateQueueRequest{QueueName: shape.Ptr("new"),
		Attributes: map[string]string{"RedrivePolicy": redrivePolicyOf(dlqArn, 5)}})
	wantErr(t, err, "InvalidParameterValue", "does not allow this queue")

	set(`{"redrivePermission":"byQueue","sourceQueueArns":["` + srcArn + `"]}`)
	if got := f.attrs(dlq, "RedriveAllowPolicy")["RedriveAllowPolicy"]; got != `{"redrivePermission":"byQueue","sourceQueueArns":["`+srcArn+`"]}` {
		t.Fatalf("RedriveAllowPolicy %q", got)
	}
	if err := point(src); err != nil {
		t.Fatalf("listed source: %v", err)
	}
	wantErr(t, point(other), "InvalidParameterValue", "does not allow this queue")

	set(`{"redrivePermission":"allowAll"}`)
	if err := point(other); err != nil {
		t.Fatalf("allowAll: %v", err)
	}
	// Clearing the allow policy allows every source again (AWS's default).
	set("")
	if _, ok := f.attrs(dlq, "All")["RedriveAllowPolicy"]; ok {
		t.Fatal("cleared allow policy still reported")
	}
}

// sendWithAttr sends a message with one String attribute.
func (f *fixture) sendWithAttr(url, body, name, value string) *sqsapi.SendMessageResult {
	f.t.Helper()
	out, err := f.svc.SendMessage(f.ctx(), &sqsapi.SendMessageRequest{QueueUrl: &url, MessageBody: &body,
		MessageAttributes: map[string]sqsapi.MessageAttributeValue{name: {DataType: shape.Ptr("String"), StringValue: &value}}})
	if err != nil {
		f.t.Fatalf("SendMessage: %v", err)
	}
	return out
}

// newRedrivePair creates dlq and src (maxReceiveCount 2, visibility 0 so
// that every receive sees the message again).
func newRedrivePair(f *fixture) (src, dlq string) {
	dlq = f.create("dlq", nil)
	src = f.create("src", map[string]string{"RedrivePolicy": redrivePolicyOf(dlqArn, 2), "VisibilityTimeout": "0"})
	return src, dlq
}

func TestRedriveMovesMessage(t *testing.T) {
	f := newFixture(t)
	src, dlq := newRedrivePair(f)
	sent := f.sendWithAttr(src, "poison", "kind", "bad")
	f.send(src, "fine")
	f.advance(time.Second)
	counts := map[string][]string{}
	for range 2 {
		for _, m := range f.receive(src, 10, withSystem("ApproximateReceiveCount")) {
			counts[*m.Body] = append(counts[*m.Body], m.Attributes["ApproximateReceiveCount"])
		}
	}
	if fmt.Sprint(counts) != "map[fine:[1 2] poison:[1 2]]" {
		t.Fatalf("receives %v", counts)
	}
	// The third receive would exceed maxReceiveCount: both move instead.
	if got := f.receive(src, 10); len(got) != 0 {
		t.Fatalf("third receive returned %v", bodies(got))
	}
	if a := f.attrs(src, "ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"); a["ApproximateNumberOfMessages"] != "0" || a["ApproximateNumberOfMessagesNotVisible"] != "0" {
		t.Fatalf("source counts %v", a)
	}
	f.advance(time.Second)
	got := f.receive(dlq, 10, withSystem("All"), withAttrs("All"), withVisibility(60))
	if len(got) != 2 {
		t.Fatalf("dead-letter queue has %v", bodies(got))
	}
	var m sqsapi.Message
	for _, g := range got {
		if *g.Body == "poison" {
			m = g
		}
	}
	srcArn := "arn:aws:sqs:us-east-1:" + testAccount + ":src"
	switch {
	case *m.MessageId != *sent.MessageId:
		t.Fatalf("message id %s, sent as %s", *m.MessageId, *sent.MessageId)
	case m.Attributes["SentTimestamp"] != fmt.Sprint(t0.UnixMilli()):
		t.Fatalf("SentTimestamp %s", m.Attributes["SentTimestamp"])
	case m.Attributes["DeadLetterQueueSourceArn"] != srcArn:
		t.Fatalf("DeadLetterQueueSourceArn %q", m.Attributes["DeadLetterQueueSourceArn"])
	case m.Attributes["ApproximateReceiveCount"] != "1":
		t.Fatalf("receive count in the dead-letter queue %s", m.Attributes["ApproximateReceiveCount"])
	case *m.MD5OfBody != md5Of("poison") || shape.Value(m.MessageAttributes["kind"].StringValue) != "bad":
		t.Fatalf("body or attributes changed: %+v", m)
	case shape.Value(m.MD5OfMessageAttributes) != shape.Value(sent.MD5OfMessageAttributes):
		t.Fatalf("attribute MD5 %s, sent %s", shape.Value(m.MD5OfMessageAttributes), shape.Value(sent.MD5OfMessageAttributes))
	}

	// The move is durable: after a restart the messages are in the
	// dead-letter queue only, still in flight there.
	f.reopen()
	if got := f.receive(src, 10); len(got) != 0 {
		t.Fatalf("source after restart %v", bodies(got))
	}
	if a := f.attrs(dlq, "ApproximateNumberOfMessagesNotVisible"); a["ApproximateNumberOfMessagesNotVisible"] != "2" {
		t.Fatalf("dead-letter queue after restart %v", a)
	}
	f.advance(time.Minute)
	back := f.receive(dlq, 10, withSystem("DeadLetterQueueSourceArn"))
	if len(back) != 2 || back[0].Attributes["DeadLetterQueueSourceArn"] != srcArn {
		t.Fatalf("dead-letter queue after restart: %v", back)
	}
}

// Retention in the dead-letter queue counts from the original send.
func TestRedriveKeepsRetentionClock(t *testing.T) {
	f := newFixture(t)
	dlq := f.create("dlq", map[string]string{"MessageRetentionPeriod": "120"})
	src := f.create("src", map[string]string{"RedrivePolicy": redrivePolicyOf(dlqArn, 1), "VisibilityTimeout": "0"})
	f.send(src, "old")
	f.receive(src, 1)
	f.advance(100 * time.Second)
	f.receive(src, 1) // moves it
	if got := f.receive(dlq, 1, withVisibility(0)); len(got) != 1 {
		t.Fatalf("not moved: %v", got)
	}
	f.advance(21 * time.Second)
	if got := f.receive(dlq, 1); len(got) != 0 {
		t.Fatalf("kept past the retention of its original send: %v", bodies(got))
	}
}

// failingStore refuses the batches that move a message (a put into one
// queue with a delete from another), as a crash before the move reached
// the disk would leave the store.
type failingStore struct{ MessageStore }

func (s failingStore) Apply(w *Writes, durable bool) (func() error, error) {
	for _, op := range w.ops {
		if op.kind == opPutMessage && len(w.ops) > 1 && w.ops[0].kind == opDelete {
			return nil, errors.New("disk gone")
		}
	}
	return s.MessageStore.Apply(w, durable)
}

func TestRedriveInterruptedMoveKeepsMessage(t *testing.T) {
	f := newFixture(t)
	src, dlq := newRedrivePair(f)
	f.send(src, "poison")
	f.receive(src, 1)
	f.receive(src, 1)
	f.svc.store = failingStore{f.svc.store}
	n := int32(1)
	_, err := f.svc.ReceiveMessage(f.ctx(), &sqsapi.ReceiveMessageRequest{QueueUrl: &src, MaxNumberOfMessages: &n, WaitTimeSeconds: shape.Ptr(int32(0))})
	if err == nil || !strings.Contains(err.Error(), "disk gone") {
		t.Fatalf("want the store's error, got %v", err)
	}
	// The failed move put the message back in the source's index…
	if a := f.attrs(src, "ApproximateNumberOfMessages"); a["ApproximateNumberOfMessages"] != "1" {
		t.Fatalf("source after failed move %v", a)
	}
	// …and after a restart it is still there once, with its receive count,
	// so the next receive moves it.
	f.reopen()
	if a := f.attrs(dlq, "ApproximateNumberOfMessages"); a["ApproximateNumberOfMessages"] != "0" {
		t.Fatalf("dead-letter queue before the move %v", a)
	}
	if got := f.receive(src, 10); len(got) != 0 {
		t.Fatalf("receive after restart returned %v", bodies(got))
	}
	if got := f.receive(dlq, 10); fmt.Sprint(bodies(got)) != "[poison]" {
		t.Fatalf("dead-letter queue %v", bodies(got))
	}
	n1 := 0
	f.svc.store.Load(func(int64, uint64, []byte, []byte) error { n1++; return nil })
	if n1 != 1 {
		t.Fatalf("%d stored messages, want 1", n1)
	}
}

// With its dead-letter queue deleted, a source keeps delivering.
func TestRedriveTargetDeleted(t *testing.T) {
	f := newFixture(t)
	src, dlq := newRedrivePair(f)
	f.send(src, "m")
	if err := f.svc.DeleteQueue(f.ctx(), &sqsapi.DeleteQueueRequest{QueueUrl: &dlq}); err != nil {
		t.Fatal(err)
	}
	for i := range 4 {
		if got := f.receive(src, 1); len(got) != 1 {
			t.Fatalf("receive %d: %v", i+1, got)
		}
	}
	if got := f.attrs(src, "RedrivePolicy")["RedrivePolicy"]; got == "" {
		t.Fatal("policy dropped with its target")
	}
}

func TestListDeadLetterSourceQueues(t *testing.T) {
	f := newFixture(t)
	dlq := f.create("dlq", nil)
	for _, name := range []string{"c", "a", "b"} {
		f.create(name, map[string]string{"RedrivePolicy": redrivePolicyOf(dlqArn, 5)})
	}
	f.create("unrelated", nil)
	list := func(max *int32, token *string) (*sqsapi.ListDeadLetterSourceQueuesResult, error) {
		return f.svc.ListDeadLetterSourceQueues(f.ctx(), &sqsapi.ListDeadLetterSourceQueuesRequest{QueueUrl: &dlq, MaxResults: max, NextToken: token})
	}
	url := func(n string) string { return "http://" + testHost + "/" + testAccount + "/" + n }
	all, err := list(nil, nil)
	if err != nil || fmt.Sprint(all.QueueUrls) != fmt.Sprint([]string{url("a"), url("b"), url("c")}) || all.NextToken != nil {
		t.Fatalf("all: %v %+v", err, all)
	}
	page1, err := list(shape.Ptr(int32(2)), nil)
	if err != nil || fmt.Sprint(page1.QueueUrls) != fmt.Sprint([]string{url("a"), url("b")}) || page1.NextToken == nil {
		t.Fatalf("page 1: %v %+v", err, page1)
	}
	page2, err := list(shape.Ptr(int32(2)), page1.NextToken)
	if err != nil || fmt.Sprint(page2.QueueUrls) != fmt.Sprint([]string{url("c")}) || page2.NextToken != nil {
		t.Fatalf("page 2: %v %+v", err, page2)
	}
	_, err = list(shape.Ptr(int32(0)), nil)
	wantErr(t, err, "InvalidParameterValue", "MaxResults must be an integer between 1 and 1000.")
	_, err = list(nil, shape.Ptr("junk!"))
	wantErr(t, err, "InvalidParameterValue", "Invalid NextToken value.")
	// A source that clears its policy is no longer listed.
	if err := f.setAttrs(url("b"), map[string]string{"RedrivePolicy": ""}); err != nil {
		t.Fatal(err)
	}
	if all, _ := list(nil, nil); len(all.QueueUrls) != 2 {
		t.Fatalf("after clearing: %v", all.QueueUrls)
	}
	_, err = f.svc.ListDeadLetterSourceQueues(f.ctx(), &sqsapi.ListDeadLetterSourceQueuesRequest{QueueUrl: shape.Ptr(url("absent"))})
	wantErr(t, err, "AWS.SimpleQueueService.NonExistentQueue", "does not exist")
}
