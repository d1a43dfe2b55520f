package sqs

import (
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vigilhq/vigil/internal/api/shape"
	sqsapi "github.com/vigilhq/vigil/internal/api/sqs"
)

func fifoAttrs(extra ...string) map[string]string {
	m := map[string]string{"FifoQueue": "true"}
	for i := 0; i+1 < len(extra); i += 2 {
		m[extra[i]] = extra[i+1]
	}
	return m
}

// sendFifo sends body to group with dedup as its deduplication id ("": none).
func (f *fixture) sendFifo(url, group, dedup, body string) (*sqsapi.SendMessageResult, error) {
	in := &sqsapi.SendMessageRequest{QueueUrl: &url, MessageBody: &body, MessageGroupId: &group}
	if dedup != "" {
		in.MessageDeduplicationId = &dedup
	}
	return f.svc.SendMessage(f.ctx(), in)
}

func (f *fixture) mustSendFifo(url, group, dedup, body string) *sqsapi.SendMessageResult {
	f.t.Helper()
	out, err := f.sendFifo(url, group, dedup, body)
	if err != nil {
		f.t.Fatalf("SendMessage: %v", err)
	}
	return out
}

func TestFifoQueueNamesAndType(t *testing.T) {
	f := newFixture(t)
	f.create("q.fifo", fifoAttrs())
	f.create(strings.Repeat("x", 75)+".fifo", fifoAttrs())
	for _, tc := range []struct {
		name  string
		attrs map[string]string
		msg   string
	}{
		{"q", fifoAttrs(), "must end with .fifo suffix"},
		{strings.Repeat("x", 76) + ".fifo", fifoAttrs(), "must end with .fifo suffix"},
		{"a.b.fifo", fifoAttrs(), "must end with .fifo suffix"},
		{"s.fifo", nil, "Can only include alphanumeric characters"},
		{"s.fifo", map[string]string{"FifoQueue": "false"}, "Can only include alphanumeric characters"},
	} {
		_, err := f.svc.CreateQueue(f.ctx(), &sqsapi.CreateQueueRequest{QueueName: &tc.name, Attributes: tc.attrs})
		wantErr(t, err, "InvalidParameterValue", tc.msg)
	}
	url := f.create("t.fifo", fifoAttrs())
	std := f.create("std", nil)
	for u, v := range map[string]string{url: "false", std: "true"} {
		err := f.svc.SetQueueAttributes(f.ctx(), &sqsapi.SetQueueAttributesRequest{QueueUrl: &u, Attributes: map[string]string{"FifoQueue": v}})
		wantErr(t, err, "InvalidAttributeValue", "Modifying queue type is not supported.")
	}
}

func TestFifoAttributes(t *testing.T) {
	f := newFixture(t)
	url := f.create("q.fifo", fifoAttrs())
	got := f.attrs(url, "All")
	for name, want := range map[string]string{"FifoQueue": "true", "ContentBasedDeduplication": "false",
		"DeduplicationScope": "queue", "FifoThroughputLimit": "perQueue"} {
		if got[name] != want {
			t.Errorf("%s = %q, want %q", name, got[name], want)
		}
	}
	high := f.create("high.fifo", fifoAttrs("DeduplicationScope", "messageGroup", "FifoThroughputLimit", "perMessageGroupId", "ContentBasedDeduplication", "true"))
	got = f.attrs(high, "DeduplicationScope", "FifoThroughputLimit", "ContentBasedDeduplication")
	if want := map[string]string{"DeduplicationScope": "messageGroup", "FifoThroughputLimit": "perMessageGroupId", "ContentBasedDeduplication": "true"}; !mapsEqual(got, want) {
		t.Errorf("high throughput attributes = %v, want %v", got, want)
	}
	// The same name with the same attributes is the same queue; another value is not.
	if again := f.create("high.fifo", fifoAttrs("DeduplicationScope", "messageGroup")); again != high {
		t.Errorf("CreateQueue again = %s, want %s", again, high)
	}
	_, err := f.svc.CreateQueue(f.ctx(), &sqsapi.CreateQueueRequest{QueueName: shape.Ptr("high.fifo"), Attributes: fifoAttrs("ContentBasedDeduplication", "false")})
	wantErr(t, err, "QueueAlreadyExists", "ContentBasedDeduplication")

	for _, tc := range []struct {
		attrs map[string]string
		code  string
		msg   string
	}{
		{fifoAttrs("DeduplicationScope", "group"), "InvalidAttributeValue", "DeduplicationScope"},
		{fifoAttrs("FifoThroughputLimit", "fast"), "InvalidAttributeValue", "FifoThroughputLimit"},
		{fifoAttrs("ContentBasedDeduplication", "yes"), "InvalidAttributeValue", "ContentBasedDeduplication"},
		{fifoAttrs("FifoThroughputLimit", "perMessageGroupId"), "InvalidAttributeValue", "allowed only when the value for DeduplicationScope is messageGroup"},
		{map[string]string{"DeduplicationScope": "queue"}, "InvalidAttributeName", "Unknown Attribute DeduplicationScope."},
	} {
		_, err := f.svc.CreateQueue(f.ctx(), &sqsapi.CreateQueueRequest{QueueName: shape.Ptr("bad.fifo"), Attributes: tc.attrs})
		wantErr(t, err, tc.code, tc.msg)
	}
	// FIFO attributes may change later; FifoQueue itself may not.
	if err := f.svc.SetQueueAttributes(f.ctx(), &sqsapi.SetQueueAttributesRequest{QueueUrl: &url,
		Attributes: map[string]string{"ContentBasedDeduplication": "true"}}); err != nil {
		t.Fatal(err)
	}
	f.reopen()
	if got := f.attrs(url, "ContentBasedDeduplication", "FifoQueue"); got["ContentBasedDeduplication"] != "true" || got["FifoQueue"] != "true" {
		t.Errorf("after restart: %v", got)
	}
	// A standard queue reports none of them.
	std := f.create("std", nil)
	if got := f.attrs(std, "All"); got["FifoQueue"] != "" || got["DeduplicationScope"] != "" {
		t.Errorf("standard queue reports FIFO attributes: %v", got)
	}
}

func mapsEqual(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

func TestFifoSendRules(t *testing.T) {
	f := newFixture(t)
	url := f.create("q.fifo", fifoAttrs("DelaySeconds", "5"))
	_, err := f.svc.SendMessage(f.ctx(), &sqsapi.SendMessageRequest{QueueUrl: &url, MessageBody: shape.Ptr("x"), MessageDeduplicationId: shape.Ptr("d")})
	wantErr(t, err, "MissingParameter", "The request must contain the parameter MessageGroupId.")
	_, err = f.sendFifo(url, "g", "", "x")
	wantErr(t, err, "InvalidParameterValue", "The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly")
	_, err = f.svc.SendMessage(f.ctx(), &sqsapi.SendMessageRequest{QueueUrl: &url, MessageBody: shape.Ptr("x"), MessageGroupId: shape.Ptr("g"),
		MessageDeduplicationId: shape.Ptr("d"), DelaySeconds: shape.Ptr(int32(0))})
	wantErr(t, err, "InvalidParameterValue", "Value 0 for parameter DelaySeconds is invalid. Reason: The request include parameter that is not valid for this queue type.")
	_, err = f.sendFifo(url, "g", "bad id", "x")
	wantErr(t, err, "InvalidParameterValue", "parameter MessageDeduplicationId is invalid")
	_, err = f.sendFifo(url, "bad group", "d", "x")
	wantErr(t, err, "InvalidParameterValue", "parameter MessageGroupId is invalid")

	out := f.mustSendFifo(url, "g", "d", "x")
	if len(shape.Value(out.SequenceNumber)) != 20 {
		t.Errorf("SequenceNumber = %q, want 20 digits", shape.Value(out.SequenceNumber))
	}
	// The queue's delay still applies.
	if got := f.receive(url, 10); len(got) != 0 {
		t.Fatalf("delayed message received: %v", bodies(got))
	}
	f.advance(5 * time.Second)
	if got := bodies(f.receive(url, 10)); !slices.Equal(got, []string{"x"}) {
		t.Fatalf("after the delay: %v", got)
	}
	// A standard queue has no sequence numbers.
	std := f.create("std", nil)
	if out := f.send(std, "x"); out.SequenceNumber != nil {
		t.Errorf("standard SequenceNumber = %q", *out.SequenceNumber)
	}
}

func TestFifoDeduplication(t *testing.T) {
	f := newFixture(t)
	url := f.create("q.fifo", fifoAttrs())
	first := f.mustSendFifo(url, "g", "d1", "one")
	dup := f.mustSendFifo(url, "other", "d1", "one again")
	if *dup.MessageId != *first.MessageId || *dup.SequenceNumber != *first.SequenceNumber {
		t.Errorf("duplicate = %s/%s, want the first's %s/%s", *dup.MessageId, *dup.SequenceNumber, *first.MessageId, *first.SequenceNumber)
	}
	// Deduplication holds after the message is deleted and across a restart.
	ms := f.receive(url, 10)
	if got := bodies(ms); !slices.Equal(got, []string{"one"}) {
		t.Fatalf("received %v, want [one]", got)
	}
	f.reopen()
	if again := f.mustSendFifo(url, "g", "d1", "three"); *again.MessageId != *first.MessageId {
		t.Errorf("after restart the duplicate got a new id %s", *again.MessageId)
	}
	f.advance(time.Minute) // "one" visible again; "three" was never stored
	if got := bodies(f.receive(url, 10)); !slices.Equal(got, []string{"one"}) {
		t.Fatalf("after restart: %v", got)
	}
	// Five minutes later the id is new again.
	f.advance(5 * time.Minute)
	again := f.mustSendFifo(url, "g", "d1", "four")
	if *again.MessageId == *first.MessageId || *again.SequenceNumber <= *first.SequenceNumber {
		t.Errorf("after the interval: %s/%s", *again.MessageId, *again.SequenceNumber)
	}
	// Within a batch too.
	out, err := f.svc.SendMessageBatch(f.ctx(), &sqsapi.SendMessageBatchRequest{QueueUrl: &url, Entries: []sqsapi.SendMessageBatchRequestEntry{
		{Id: shape.Ptr("a"), MessageBody: shape.Ptr("x"), MessageGroupId: shape.Ptr("b"), MessageDeduplicationId: shape.Ptr("same")},
		{Id: shape.Ptr("b"), MessageBody: shape.Ptr("y"), MessageGroupId: shape.Ptr("b"), MessageDeduplicationId: shape.Ptr("same")},
		{Id: shape.Ptr("c"), MessageBody: shape.Ptr("z"), MessageDeduplicationId: shape.Ptr("other")},
	}})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Successful) != 2 || len(out.Failed) != 1 || *out.Successful[0].MessageId != *out.Successful[1].MessageId ||
		*out.Failed[0].Code != "MissingParameter" {
		t.Fatalf("batch = %+v", out)
	}
}

func TestFifoContentBasedAndGroupScope(t *testing.T) {
	f := newFixture(t)
	url := f.create("cbd.fifo", fifoAttrs("ContentBasedDeduplication", "true", "DeduplicationScope", "messageGroup"))
	a := f.mustSendFifo(url, "g1", "", "same body")
	b := f.mustSendFifo(url, "g1", "", "same body")
	c := f.mustSendFifo(url, "g2", "", "same body") // another group: another scope
	if *a.MessageId != *b.MessageId || *a.MessageId == *c.MessageId {
		t.Errorf("ids %s %s %s", *a.MessageId, *b.MessageId, *c.MessageId)
	}
	ms := f.receive(url, 10, func(in *sqsapi.ReceiveMessageRequest) { in.MessageSystemAttributeNames = []string{"All"} })
	if len(ms) != 2 {
		t.Fatalf("received %d, want 2", len(ms))
	}
	sum := sha256.Sum256([]byte("same body"))
	m := ms[0].Attributes
	if m["MessageDeduplicationId"] != hex.EncodeToString(sum[:]) || m["MessageGroupId"] != "g1" || m["SequenceNumber"] != *a.SequenceNumber {
		t.Errorf("system attributes = %v", m)
	}
}

func TestFifoGroupOrderAndBlocking(t *testing.T) {
	f := newFixture(t)
	url := f.create("q.fifo", fifoAttrs("ContentBasedDeduplication", "true", "VisibilityTimeout", "30"))
	for _, s := range []string{"a1", "b1", "a2", "b2", "a3"} {
		f.mustSendFifo(url, s[:1], "", s)
	}
	// One receive of 2 takes a group's first messages in order.
	first := f.receive(url, 2)
	if got := bodies(first); !slices.Equal(got, []string{"a1", "a2"}) {
		t.Fatalf("first receive = %v, want [a1 a2]", got)
	}
	// Group a is in flight: only b comes.
	if got := bodies(f.receive(url, 10)); !slices.Equal(got, []string{"b1", "b2"}) {
		t.Fatalf("second receive = %v, want [b1 b2]", got)
	}
	if got := f.receive(url, 10); len(got) != 0 {
		t.Fatalf("both groups in flight, got %v", bodies(got))
	}
	// Deleting a1 does not release a3 while a2 is in flight.
	if err := f.svc.DeleteMessage(f.ctx(), &sqsapi.DeleteMessageRequest{QueueUrl: &url, ReceiptHandle: first[0].ReceiptHandle}); err != nil {
		t.Fatal(err)
	}
	if got := f.receive(url, 10); len(got) != 0 {
		t.Fatalf("a2 in flight, got %v", bodies(got))
	}
	// When a2's timeout ends it comes back before a3, then b's in order.
	f.advance(31 * time.Second)
	if got := bodies(f.receive(url, 10)); !slices.Equal(got, []string{"a2", "a3", "b1", "b2"}) {
		t.Fatalf("after timeout = %v, want [a2 a3 b1 b2]", got)
	}
	// The order within groups survives a restart (groups come in the
	// order of their first visible message: equal times, then send order).
	f.advance(31 * time.Second)
	f.reopen()
	if got := bodies(f.receive(url, 10)); !slices.Equal(got, []string{"b1", "b2", "a2", "a3"}) {
		t.Fatalf("after restart = %v, want [b1 b2 a2 a3]", got)
	}
}

func TestFifoDeadLetterQueue(t *testing.T) {
	f := newFixture(t)
	std := f.create("std", nil)
	stdArn := f.attrs(std, "QueueArn")["QueueArn"]
	_, err := f.svc.CreateQueue(f.ctx(), &sqsapi.CreateQueueRequest{QueueName: shape.Ptr("src.fifo"),
		Attributes: fifoAttrs("RedrivePolicy", redrivePolicyOf(stdArn, 1))})
	wantErr(t, err, "InvalidParameterValue", "Dead-letter queue must be same type of queue as the source.")
	dlq := f.create("dlq.fifo", fifoAttrs())
	dlqArn := f.attrs(dlq, "QueueArn")["QueueArn"]
	_, err = f.svc.CreateQueue(f.ctx(), &sqsapi.CreateQueueRequest{QueueName: shape.Ptr("src"),
		Attributes: map[string]string{"RedrivePolicy": redrivePolicyOf(dlqArn, 1)}})
	wantErr(t, err, "InvalidParameterValue", "Dead-letter queue must be same type of queue as the source.")

	src := f.create("src.fifo", fifoAttrs("ContentBasedDeduplication", "true", "RedrivePolicy", redrivePolicyOf(dlqArn, 1)))
	f.mustSendFifo(src, "g", "", "m1")
	f.mustSendFifo(src, "g", "", "m2")
	zero := func(in *sqsapi.ReceiveMessageRequest) { in.VisibilityTimeout = shape.Ptr(int32(0)) }
	if got := bodies(f.receive(src, 10, zero)); !slices.Equal(got, []string{"m1", "m2"}) {
		t.Fatalf("first receive = %v", got)
	}
	// Past maxReceiveCount both move, in order, to the FIFO dead-letter queue.
	if got := f.receive(src, 10); len(got) != 0 {
		t.Fatalf("second receive = %v, want none", bodies(got))
	}
	ms := f.receive(dlq, 10, func(in *sqsapi.ReceiveMessageRequest) { in.MessageSystemAttributeNames = []string{"MessageGroupId"} })
	if got := bodies(ms); !slices.Equal(got, []string{"m1", "m2"}) || ms[0].Attributes["MessageGroupId"] != "g" {
		t.Fatalf("dead-letter queue = %v %v", got, ms[0].Attributes)
	}
}

func TestFifoIndexGroups(t *testing.T) {
	x := newIndex(true)
	ms := []*msg{{seq: 3, group: "g"}, {seq: 1, group: "g"}, {seq: 2, group: "h"}}
	for _, m := range ms {
		x.add(m)
	}
	if g := x.groups["g"]; len(g) != 2 || g[0].seq != 1 || g[1].seq != 3 {
		t.Fatalf("group g = %v", g)
	}
	x.remove(ms[2])
	if _, ok := x.groups["h"]; ok {
		t.Error("empty group kept")
	}
}

func TestFifoReceiveRequestAttemptId(t *testing.T) {
	f := newFixture(t)
	url := f.create("q.fifo", fifoAttrs("ContentBasedDeduplication", "true"))
	f.mustSendFifo(url, "g", "", "m1")
	f.mustSendFifo(url, "h", "", "m2")
	withID := func(id string) func(*sqsapi.ReceiveMessageRequest) {
		return func(in *sqsapi.ReceiveMessageRequest) { in.ReceiveRequestAttemptId = &id }
	}
	first := f.receive(url, 1, withID("try"))
	f.advance(20 * time.Second)
	retry := f.receive(url, 1, withID("try"))
	if len(first) != 1 || len(retry) != 1 || *retry[0].ReceiptHandle != *first[0].ReceiptHandle {
		t.Fatalf("retry = %v, want the first answer %v", retry, first)
	}
	// The retry restarted the 30-second timeout: still hidden 20 s later.
	f.advance(20 * time.Second)
	if got := bodies(f.receive(url, 10)); !slices.Equal(got, []string{"m2"}) {
		t.Fatalf("after the retry = %v, want [m2]", got)
	}
	// Once a message is deleted the attempt is spent: a retry receives afresh.
	if err := f.svc.DeleteMessage(f.ctx(), &sqsapi.DeleteMessageRequest{QueueUrl: &url, ReceiptHandle: first[0].ReceiptHandle}); err != nil {
		t.Fatal(err)
	}
	if got := f.receive(url, 1, withID("try")); len(got) != 0 {
		t.Fatalf("spent attempt = %v, want nothing (m2 in flight)", bodies(got))
	}
}
