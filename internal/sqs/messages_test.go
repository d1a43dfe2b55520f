package sqs

import (
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vigilhq/vigil/internal/api/shape"
	sqsapi "github.com/vigilhq/vigil/internal/api/sqs"
)

func md5Of(s string) string {
	sum := md5.Sum([]byte(s))
	return hex.EncodeToString(sum[:])
}

func withVisibility(vt int32) func(*sqsapi.ReceiveMessageRequest) {
	return func(in *sqsapi.ReceiveMessageRequest) { in.VisibilityTimeout = &vt }
}

func withSystem(names ...string) func(*sqsapi.ReceiveMessageRequest) {
	return func(in *sqsapi.ReceiveMessageRequest) { in.MessageSystemAttributeNames = names }
}

func withAttrs(names ...string) func(*sqsapi.ReceiveMessageRequest) {
	return func(in *sqsapi.ReceiveMessageRequest) { in.MessageAttributeNames = names }
}

func TestSendReceiveDelete(t *testing.T) {
	f := newFixture(t)
	url := f.create("work", nil)
	sent := f.send(url, "hello")
	if *sent.MD5OfMessageBody != md5Of("hello") || *sent.MessageId != "00000000-0000-4000-8000-000000000001" || sent.MD5OfMessageAttributes != nil {
		t.Fatalf("send result %+v", sent)
	}
	f.advance(2 * time.Second)
	got := f.receive(url, 10, withSystem("All"))
	if len(got) != 1 {
		t.Fatalf("received %d", len(got))
	}
	m := got[0]
	if *m.Body != "hello" || *m.MD5OfBody != md5Of("hello") || *m.MessageId != *sent.MessageId {
		t.Fatalf("message %+v", m)
	}
	want := map[string]string{"SenderId": testAccount, "SentTimestamp": fmt.Sprint(t0.UnixMilli()), "ApproximateReceiveCount": "1",
		"ApproximateFirstReceiveTimestamp": fmt.Sprint(t0.Add(2 * time.Second).UnixMilli())}
	if fmt.Sprint(m.Attributes) != fmt.Sprint(want) {
		t.Fatalf("system attributes %v, want %v", m.Attributes, want)
	}
	// In flight: not received again, counted as not visible.
	if again := f.receive(url, 10); len(again) != 0 {
		t.Fatalf("received an in-flight message: %v", bodies(again))
	}
	if a := f.attrs(url, "ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"); a["ApproximateNumberOfMessages"] != "0" || a["ApproximateNumberOfMessagesNotVisible"] != "1" {
		t.Fatalf("counts %v", a)
	}
	if err := f.svc.DeleteMessage(f.ctx(), &sqsapi.DeleteMessageRequest{QueueUrl: &url, ReceiptHandle: m.ReceiptHandle}); err != nil {
		t.Fatal(err)
	}
	f.advance(time.Hour)
	if again := f.receive(url, 10); len(again) != 0 {
		t.Fatalf("received a deleted message: %v", bodies(again))
	}
	// Deleting it again is not an error.
	if err := f.svc.DeleteMessage(f.ctx(), &sqsapi.DeleteMessageRequest{QueueUrl: &url, ReceiptHandle: m.ReceiptHandle}); err != nil {
		t.Fatal(err)
	}
}

func TestSystemAttributeSelection(t *testing.T) {
	f := newFixture(t)
	url := f.create("sys", nil)
	trace := "Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1"
	out, err := f.svc.SendMessage(f.ctx(), &sqsapi.SendMessageRequest{QueueUrl: &url, MessageBody: shape.Ptr("b"), MessageGroupId: shape.Ptr("tenant-1"),
		MessageSystemAttributes: map[string]sqsapi.MessageSystemAttributeValue{"AWSTraceHeader": {DataType: shape.Ptr("String"), StringValue: &trace}}})
	if err != nil {
		t.Fatal(err)
	}
	wantSys := md5OfAttributes([]attr{{Name: "AWSTraceHeader", DataType: "String", Value: trace}})
	if shape.Value(out.MD5OfMessageSystemAttributes) != wantSys {
		t.Fatalf("system md5 %v", out.MD5OfMessageSystemAttributes)
	}
	// The deprecated AttributeNames and MessageSystemAttributeNames are
	// merged; names that mean nothing for a message are ignored.
	got := f.receive(url, 1, withVisibility(0), func(in *sqsapi.ReceiveMessageRequest) {
		in.AttributeNames = []string{"SentTimestamp", "VisibilityTimeout"}
		in.MessageSystemAttributeNames = []string{"ApproximateReceiveCount"}
	})
	if keys := slices.Sorted(mapsKeys(got[0].Attributes)); fmt.Sprint(keys) != "[ApproximateReceiveCount SentTimestamp]" {
		t.Fatalf("attributes %v", got[0].Attributes)
	}
	got = f.receive(url, 1, withVisibility(0), withSystem("All"))
	if a := got[0].Attributes; a["AWSTraceHeader"] != trace || a["MessageGroupId"] != "tenant-1" || a["ApproximateReceiveCount"] != "2" {
		t.Fatalf("All: %v", a)
	}
	if got := f.receive(url, 1, withVisibility(0)); got[0].Attributes != nil {
		t.Fatalf("none asked: %v", got[0].Attributes)
	}
}

func mapsKeys(m map[string]string) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

func TestMessageAttributesRoundTrip(t *testing.T) {
	f := newFixture(t)
	url := f.create("attrs", nil)
	in := map[string]sqsapi.MessageAttributeValue{
		"order.id":    str("String", "A-1"),
		"order.total": str("Number", "12.50"),
		"raw":         bin("Binary", []byte{0, 1, 255}),
	}
	out, err := f.svc.SendMessage(f.ctx(), &sqsapi.SendMessageRequest{QueueUrl: &url, MessageBody: shape.Ptr("x"), MessageAttributes: in})
	if err != nil {
		t.Fatal(err)
	}
	all, _, _ := messageAttributes(in)
	if *out.MD5OfMessageAttributes != md5OfAttributes(all) {
		t.Fatalf("send md5 %s", *out.MD5OfMessageAttributes)
	}
	for _, tc := range []struct {
		names []string
		want  string
	}{
		{[]string{"All"}, "[order.id order.total raw]"},
		{[]string{".*"}, "[order.id order.total raw]"},
		{[]string{"order.*"}, "[order.id order.total]"},
		{[]string{"raw", "absent"}, "[raw]"},
		{nil, "[]"},
	} {
		m := f.receive(url, 1, withVisibility(0), withAttrs(tc.names...))[0]
		var names []string
		var picked []attr
		for _, a := range all {
			if _, ok := m.MessageAttributes[a.Name]; ok {
				names = append(names, a.Name)
				picked = append(picked, a)
			}
		}
		if fmt.Sprint(names) != tc.want {
			t.Fatalf("%v: got %v, want %s", tc.names, names, tc.want)
		}
		if md5 := md5OfAttributes(picked); shape.Value(m.MD5OfMessageAttributes) != md5 {
			t.Fatalf("%v: receive md5 %v, want %q (over the returned attributes)", tc.names, m.MD5OfMessageAttributes, md5)
		}
		if v, ok := m.MessageAttributes["raw"]; ok && (string(v.BinaryValue) != "\x00\x01\xff" || *v.DataType != "Binary" || v.StringValue != nil) {
			t.Fatalf("binary attribute %+v", v)
		}
	}
}

func TestVisibilityTimeoutReappears(t *testing.T) {
	f := newFixture(t)
	url := f.create("vt", map[string]string{"VisibilityTimeout": "10"})
	f.send(url, "m")
	first := f.receive(url, 1)
	f.advance(9 * time.Second)
	if got := f.receive(url, 1); len(got) != 0 {
		t.Fatal("visible before its timeout")
	}
	f.advance(time.Second)
	second := f.receive(url, 1, withSystem("ApproximateReceiveCount"), withVisibility(100))
	if len(second) != 1 || second[0].Attributes["ApproximateReceiveCount"] != "2" || *second[0].ReceiptHandle == *first[0].ReceiptHandle {
		t.Fatalf("second receive %+v", second)
	}
	// The request's VisibilityTimeout (100 s) applied, not the queue's.
	f.advance(99 * time.Second)
	if got := f.receive(url, 1); len(got) != 0 {
		t.Fatal("visible before the request's timeout")
	}
	f.advance(time.Second)
	if got := f.receive(url, 1, withVisibility(0), withSystem("All")); len(got) != 1 || got[0].Attributes["ApproximateReceiveCount"] != "3" {
		t.Fatalf("third receive %+v", got)
	}
}

func TestZeroVisibilityReturnsEachMessageOnce(t *testing.T) {
	f := newFixture(t)
	url := f.create("zero", nil)
	f.send(url, "only")
	if got := f.receive(url, 10, withVisibility(0)); len(got) != 1 {
		t.Fatalf("got %v", bodies(got))
	}
	if got := f.receive(url, 10, withVisibility(0)); len(got) != 1 {
		t.Fatalf("not visible again at once: %v", bodies(got))
	}
}

func TestDelaysAndCounts(t *testing.T) {
	f := newFixture(t)
	url := f.create("delayed", map[string]string{"DelaySeconds": "5"})
	f.send(url, "queue-delay")
	_, err := f.svc.SendMessage(f.ctx(), &sqsapi.SendMessageRequest{QueueUrl: &url, MessageBody: shape.Ptr("no-delay"), DelaySeconds: shape.Ptr(int32(0))})
	if err != nil {
		t.Fatal(err)
	}
	_, err = f.svc.SendMessage(f.ctx(), &sqsapi.SendMessageRequest{QueueUrl: &url, MessageBody: shape.Ptr("x"), DelaySeconds: shape.Ptr(int32(901))})
	wantErr(t, err, "InvalidParameterValue", "Value 901 for parameter DelaySeconds is invalid. Reason: DelaySeconds must be >= 0 and <= 900.")
	counts := func() string {
		a := f.attrs(url, "All")
		return a["ApproximateNumberOfMessages"] + "/" + a["ApproximateNumberOfMessagesNotVisible"] + "/" + a["ApproximateNumberOfMessagesDelayed"]
	}
	if c := counts(); c != "1/0/1" {
		t.Fatalf("counts (visible/in flight/delayed) %s", c)
	}
	if got := f.receive(url, 10); fmt.Sprint(bodies(got)) != "[no-delay]" {
		t.Fatalf("got %v", bodies(got))
	}
	if c := counts(); c != "0/1/1" {
		t.Fatalf("counts %s", c)
	}
	f.advance(5 * time.Second)
	if got := f.receive(url, 10); fmt.Sprint(bodies(got)) != "[queue-delay]" {
		t.Fatalf("got %v", bodies(got))
	}
}

func TestRetention(t *testing.T) {
	f := newFixture(t)
	url := f.create("short", map[string]string{"MessageRetentionPeriod": "60"})
	f.send(url, "old")
	f.advance(30 * time.Second)
	f.send(url, "young")
	f.advance(30 * time.Second) // "old" is 60 s old: gone
	if got := f.receive(url, 10, withVisibility(0)); fmt.Sprint(bodies(got)) != "[young]" {
		t.Fatalf("got %v", bodies(got))
	}
	if a := f.attrs(url, "ApproximateNumberOfMessages"); a["ApproximateNumberOfMessages"] != "1" {
		t.Fatalf("counts %v", a)
	}
	// The sweep deletes what expired from the store too.
	f.advance(30 * time.Second)
	if err := f.svc.SweepRetention(f.ctx()); err != nil {
		t.Fatal(err)
	}
	q, _ := f.svc.queueByURL(callOf(f.ctx()), url)
	if n := q.idx.len(); n != 0 {
		t.Fatalf("%d messages left in the index", n)
	}
	f.reopen()
	if err := f.svc.store.Load(func(int64, uint64, []byte, []byte) error { return fmt.Errorf("a message is still stored") }); err != nil {
		t.Fatal(err)
	}
	// A shorter retention applies to messages already there.
	url2 := f.create("long", nil)
	f.send(url2, "day-old")
	f.advance(24 * time.Hour)
	if err := f.svc.SetQueueAttributes(f.ctx(), &sqsapi.SetQueueAttributesRequest{QueueUrl: &url2, Attributes: map[string]string{"MessageRetentionPeriod": "3600"}}); err != nil {
		t.Fatal(err)
	}
	if got := f.receive(url2, 10); len(got) != 0 {
		t.Fatalf("got %v", bodies(got))
	}
}

func TestMessageSizeLimits(t *testing.T) {
	f := newFixture(t)
	url := f.create("big", nil)
	f.send(url, strings.Repeat("x", maxMessageSize))
	_, err := f.svc.SendMessage(f.ctx(), &sqsapi.SendMessageRequest{QueueUrl: &url, MessageBody: shape.Ptr(strings.Repeat("x", maxMessageSize+1))})
	wantErr(t, err, "InvalidParameterValue", "One or more parameters are invalid. Reason: Message must be shorter than 1048576 bytes.")
	// Attributes count: name, type and value.
	small := f.create("small", map[string]string{"MaximumMessageSize": "1024"})
	body := strings.Repeat("x", 1024-len("k")-len("String")-len("v"))
	if _, err := f.svc.SendMessage(f.ctx(), &sqsapi.SendMessageRequest{QueueUrl: &small, MessageBody: &body,
		MessageAttributes: map[string]sqsapi.MessageAttributeValue{"k": str("String", "v")}}); err != nil {
		t.Fatal(err)
	}
	_, err = f.svc.SendMessage(f.ctx(), &sqsapi.SendMessageRequest{QueueUrl: &small, MessageBody: &body,
		MessageAttributes: map[string]sqsapi.MessageAttributeValue{"k": str("String", "vv")}})
	wantErr(t, err, "InvalidParameterValue", "Message must be shorter than 1024 bytes.")
	if got := f.receive(url, 1); len(got) != 1 || len(*got[0].Body) != maxMessageSize {
		t.Fatal("the 1 MiB message did not come back whole")
	}
}

func TestStandardQueueParameters(t *testing.T) {
	f := newFixture(t)
	url := f.create("std", nil)
	_, err := f.svc.SendMessage(f.ctx(), &sqsapi.SendMessageRequest{QueueUrl: &url, MessageBody: shape.Ptr("x"), MessageDeduplicationId: shape.Ptr("d")})
	wantErr(t, err, "InvalidParameterValue", "The request include parameter that is not valid for this queue type")
	_, err = f.svc.SendMessage(f.ctx(), &sqsapi.SendMessageRequest{QueueUrl: &url, MessageBody: shape.Ptr("x"), MessageGroupId: shape.Ptr("bad group")})
	wantErr(t, err, "InvalidParameterValue", "MessageGroupId")
}

func TestSendMessageBatch(t *testing.T) {
	f := newFixture(t)
	url := f.create("batch", nil)
	entry := func(id, body string) sqsapi.SendMessageBatchRequestEntry {
		return sqsapi.SendMessageBatchRequestEntry{Id: &id, MessageBody: &body}
	}
	batch := func(es ...sqsapi.SendMessageBatchRequestEntry) (*sqsapi.SendMessageBatchResult, error) {
		return f.svc.SendMessageBatch(f.ctx(), &sqsapi.SendMessageBatchRequest{QueueUrl: &url, Entries: es})
	}
	_, err := batch()
	wantErr(t, err, "AWS.SimpleQueueService.EmptyBatchRequest", "There should be at least one SendMessageBatchRequestEntry in the request.")
	var eleven []sqsapi.SendMessageBatchRequestEntry
	for i := range 11 {
		eleven = append(eleven, entry(fmt.Sprint("e", i), "x"))
	}
	_, err = batch(eleven...)
	wantErr(t, err, "AWS.SimpleQueueService.TooManyEntriesInBatchRequest", "Maximum number of entries per request are 10. You have sent 11.")
	_, err = batch(entry("bad id", "x"))
	wantErr(t, err, "AWS.SimpleQueueService.InvalidBatchEntryId", "A batch entry id can only contain alphanumeric characters, hyphens and underscores.")
	_, err = batch(entry("a", "x"), entry("a", "y"))
	wantErr(t, err, "AWS.SimpleQueueService.BatchEntryIdsNotDistinct", "Id a repeated.")
	_, err = batch(entry("a", strings.Repeat("x", 600_000)), entry("b", strings.Repeat("x", 600_000)))
	wantErr(t, err, "AWS.SimpleQueueService.BatchRequestTooLong", "Batch requests cannot be longer than 1048576 bytes. You have sent 1200000 bytes.")

	// Entries that break a rule fail alone.
	out, err := batch(entry("ok1", "one"), entry("empty", ""), entry("ok2", "two"), entry("ctl", "\x01"),
		sqsapi.SendMessageBatchRequestEntry{Id: shape.Ptr("late"), MessageBody: shape.Ptr("x"), DelaySeconds: shape.Ptr(int32(-1))})
	if err != nil {
		t.Fatal(err)
	}
	var ok []string
	for _, s := range out.Successful {
		ok = append(ok, *s.Id+":"+*s.MD5OfMessageBody)
	}
	if fmt.Sprint(ok) != fmt.Sprintf("[ok1:%s ok2:%s]", md5Of("one"), md5Of("two")) {
		t.Fatalf("successful %v", ok)
	}
	var failed []string
	for _, e := range out.Failed {
		failed = append(failed, fmt.Sprint(*e.Id, " ", *e.Code, " ", *e.SenderFault))
	}
	if fmt.Sprint(failed) != "[empty MissingParameter true ctl InvalidMessageContents true late InvalidParameterValue true]" {
		t.Fatalf("failed %v", failed)
	}
	if got := f.receive(url, 10); len(got) != 2 {
		t.Fatalf("received %v", bodies(got))
	}
}

func TestDeleteMessageHandles(t *testing.T) {
	f := newFixture(t)
	url := f.create("handles", nil)
	other := f.create("other", nil)
	f.send(url, "m")
	f.send(other, "o")
	h := *f.receive(url, 1, withVisibility(0))[0].ReceiptHandle
	foreign := *f.receive(other, 1)[0].ReceiptHandle
	for _, bad := range []string{"", "garbage", foreign, h[:len(h)-1] + "A"} {
		err := f.svc.DeleteMessage(f.ctx(), &sqsapi.DeleteMessageRequest{QueueUrl: &url, ReceiptHandle: &bad})
		wantErr(t, err, "ReceiptHandleIsInvalid", "is not a valid receipt handle.")
	}
	// A newer receive does not stop the older handle from deleting (our
	// decision where AWS says it "might not").
	f.receive(url, 1)
	if err := f.svc.DeleteMessage(f.ctx(), &sqsapi.DeleteMessageRequest{QueueUrl: &url, ReceiptHandle: &h}); err != nil {
		t.Fatal(err)
	}
	f.advance(time.Hour)
	if got := f.receive(url, 10); len(got) != 0 {
		t.Fatalf("got %v", bodies(got))
	}

	// DeleteMessageBatch: per-entry failures.
	f.send(url, "a")
	f.send(url, "b")
	got := f.receive(url, 10)
	out, err := f.svc.DeleteMessageBatch(f.ctx(), &sqsapi.DeleteMessageBatchRequest{QueueUrl: &url, Entries: []sqsapi.DeleteMessageBatchRequestEntry{
		{Id: shape.Ptr("a"), ReceiptHandle: got[0].ReceiptHandle},
		{Id: shape.Ptr("bad"), ReceiptHandle: shape.Ptr("nope")},
		{Id: shape.Ptr("b"), ReceiptHandle: got[1].ReceiptHandle},
	}})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Successful) != 2 || len(out.Failed) != 1 || *out.Failed[0].Code != "ReceiptHandleIsInvalid" || *out.Failed[0].Id != "bad" {
		t.Fatalf("batch %+v", out)
	}
	f.advance(time.Hour)
	if got := f.receive(url, 10); len(got) != 0 {
		t.Fatalf("got %v", bodies(got))
	}
}

func TestChangeMessageVisibility(t *testing.T) {
	f := newFixture(t)
	url := f.create("cmv", map[string]string{"VisibilityTimeout": "30"})
	f.send(url, "m")
	h := f.receive(url, 1)[0].ReceiptHandle
	change := func(h *string, vt int32) error {
		return f.svc.ChangeMessageVisibility(f.ctx(), &sqsapi.ChangeMessageVisibilityRequest{QueueUrl: &url, ReceiptHandle: h, VisibilityTimeout: &vt})
	}
	// Counted from the change: 10 s after it, not 30 after the receive.
	f.advance(15 * time.Second)
	if err := change(h, 10); err != nil {
		t.Fatal(err)
	}
	f.advance(9 * time.Second)
	if got := f.receive(url, 1); len(got) != 0 {
		t.Fatal("visible early")
	}
	f.advance(time.Second)
	// Its timeout has passed: no longer in flight for that handle.
	wantErr(t, change(h, 10), "AWS.SimpleQueueService.MessageNotInflight", "")
	h2 := f.receive(url, 1, withVisibility(40000))[0].ReceiptHandle
	wantErr(t, change(h, 10), "InvalidParameterValue", "Reason: The receipt handle has expired.")
	// At most 12 hours from the receive.
	f.advance(time.Hour)
	wantErr(t, change(h2, 43200), "InvalidParameterValue", "Total VisibilityTimeout for the message is beyond the limit [43200 seconds]")
	if err := change(h2, 43200-3600); err != nil {
		t.Fatal(err)
	}
	wantErr(t, change(h2, 43201), "InvalidParameterValue", "Value 43201 for parameter VisibilityTimeout is invalid.")
	// Zero makes it visible at once.
	if err := change(h2, 0); err != nil {
		t.Fatal(err)
	}
	h3 := f.receive(url, 1)[0].ReceiptHandle
	if err := f.svc.DeleteMessage(f.ctx(), &sqsapi.DeleteMessageRequest{QueueUrl: &url, ReceiptHandle: h3}); err != nil {
		t.Fatal(err)
	}
	wantErr(t, change(h3, 5), "InvalidParameterValue", "Message does not exist or is not available for visibility timeout change.")

	// The batch form reports each entry.
	f.send(url, "n")
	h4 := f.receive(url, 1)[0].ReceiptHandle
	out, err := f.svc.ChangeMessageVisibilityBatch(f.ctx(), &sqsapi.ChangeMessageVisibilityBatchRequest{QueueUrl: &url,
		Entries: []sqsapi.ChangeMessageVisibilityBatchRequestEntry{
			{Id: shape.Ptr("ok"), ReceiptHandle: h4, VisibilityTimeout: shape.Ptr(int32(0))},
			{Id: shape.Ptr("gone"), ReceiptHandle: h3, VisibilityTimeout: shape.Ptr(int32(5))},
			{Id: shape.Ptr("junk"), ReceiptHandle: shape.Ptr("x"), VisibilityTimeout: shape.Ptr(int32(5))},
		}})
	if err != nil {
		t.Fatal(err)
	}
	var failed []string
	for _, e := range out.Failed {
		failed = append(failed, *e.Id+":"+*e.Code)
	}
	if len(out.Successful) != 1 || *out.Successful[0].Id != "ok" || fmt.Sprint(failed) != "[junk:ReceiptHandleIsInvalid gone:InvalidParameterValue]" {
		t.Fatalf("batch ok %v failed %v", out.Successful, failed)
	}
	if got := f.receive(url, 1); fmt.Sprint(bodies(got)) != "[n]" {
		t.Fatalf("got %v", bodies(got))
	}
}

func TestReceiveParameterRanges(t *testing.T) {
	f := newFixture(t)
	url := f.create("ranges", nil)
	for _, tc := range []struct {
		in   sqsapi.ReceiveMessageRequest
		want string
	}{
		{sqsapi.ReceiveMessageRequest{MaxNumberOfMessages: shape.Ptr(int32(11))}, "Value 11 for parameter MaxNumberOfMessages is invalid."},
		{sqsapi.ReceiveMessageRequest{MaxNumberOfMessages: shape.Ptr(int32(0))}, "MaxNumberOfMessages"},
		{sqsapi.ReceiveMessageRequest{VisibilityTimeout: shape.Ptr(int32(43201))}, "VisibilityTimeout"},
		{sqsapi.ReceiveMessageRequest{WaitTimeSeconds: shape.Ptr(int32(21))}, "Value 21 for parameter WaitTimeSeconds is invalid."},
	} {
		in := tc.in
		in.QueueUrl = &url
		_, err := f.svc.ReceiveMessage(f.ctx(), &in)
		wantErr(t, err, "InvalidParameterValue", tc.want)
	}
}

// A restart keeps every acknowledged message and each one's receive state:
// an in-flight message stays hidden until its timeout, then reappears.
func TestRestartKeepsMessagesAndVisibility(t *testing.T) {
	f := newFixture(t)
	url := f.create("durable", nil)
	for i := range 5 {
		f.send(url, fmt.Sprint("m", i))
	}
	inflight := f.receive(url, 2, withVisibility(60))
	f.reopen()
	if a := f.attrs(url, "All"); a["ApproximateNumberOfMessages"] != "3" || a["ApproximateNumberOfMessagesNotVisible"] != "2" {
		t.Fatalf("after restart %v", a)
	}
	got := f.receive(url, 10, withVisibility(3600))
	if fmt.Sprint(bodies(got)) != "[m2 m3 m4]" {
		t.Fatalf("visible after restart %v", bodies(got))
	}
	// The old handles still work, and the in-flight pair returns on time
	// with its receive count.
	if err := f.svc.DeleteMessage(f.ctx(), &sqsapi.DeleteMessageRequest{QueueUrl: &url, ReceiptHandle: got[0].ReceiptHandle}); err != nil {
		t.Fatal(err)
	}
	f.advance(60 * time.Second)
	back := f.receive(url, 10, withSystem("ApproximateReceiveCount"))
	if fmt.Sprint(bodies(back)) != fmt.Sprint(bodies(inflight)) || back[0].Attributes["ApproximateReceiveCount"] != "2" {
		t.Fatalf("reappeared %v %v", bodies(back), back[0].Attributes)
	}
	// New messages take sequence numbers after the stored ones (a reused
	// one would overwrite a stored message).
	f.send(url, "after")
	f.advance(time.Hour)
	if got := bodies(f.receive(url, 10)); fmt.Sprint(slices.Sorted(slices.Values(got))) != "[after m0 m1 m3 m4]" {
		t.Fatalf("after restart sends: %v", got)
	}
}

// Messages of a queue whose catalog row is gone (a crash inside
// DeleteQueue) are removed at start.
func TestOrphanedMessagesAreDropped(t *testing.T) {
	f := newFixture(t)
	url := f.create("orphan", nil)
	f.send(url, "x")
	q, _ := f.svc.queueByURL(callOf(f.ctx()), url)
	if err := f.svc.deleteQueueRow(f.ctx(), q); err != nil {
		t.Fatal(err)
	}
	f.reopen()
	f.reopen()
	n := 0
	f.svc.store.Load(func(int64, uint64, []byte, []byte) error { n++; return nil })
	if n != 0 {
		t.Fatalf("%d orphaned messages kept", n)
	}
}
