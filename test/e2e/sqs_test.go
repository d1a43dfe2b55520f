package e2e

import (
	"context"
	"crypto/md5"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"os/exec"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
)

// --- helpers -----------------------------------------------------------------

func sqsQueue(t *testing.T, c *clients, name string, attrs map[string]string) string {
	t.Helper()
	out, err := c.sqs.CreateQueue(ctxT(t), &sqs.CreateQueueInput{QueueName: aws.String(name), Attributes: attrs})
	if err != nil {
		t.Fatalf("CreateQueue %s: %v", name, err)
	}
	return aws.ToString(out.QueueUrl)
}

// sqsAttrMD5 is MD5OfMessageAttributes computed here, independently of the
// server, from SQS's documented algorithm: attributes sorted by name; each
// its name, data type and value preceded by 4-byte big-endian lengths, with
// a transport byte (1 String/Number, 2 Binary) before the value.
func sqsAttrMD5(attrs map[string]sqstypes.MessageAttributeValue) string {
	names := make([]string, 0, len(attrs))
	for n := range attrs {
		names = append(names, n)
	}
	sort.Strings(names)
	var b []byte
	lp := func(s []byte) {
		b = binary.BigEndian.AppendUint32(b, uint32(len(s)))
		b = append(b, s...)
	}
	for _, n := range names {
		v := attrs[n]
		lp([]byte(n))
		lp([]byte(aws.ToString(v.DataType)))
		if strings.HasPrefix(aws.ToString(v.DataType), "Binary") {
			b = append(b, 2)
			lp(v.BinaryValue)
		} else {
			b = append(b, 1)
			lp([]byte(aws.ToString(v.StringValue)))
		}
	}
	sum := md5.Sum(b)
	return hex.EncodeToString(sum[:])
}

// --- send, receive, delete ---------------------------------------------------------

func TestSQSSendReceiveDelete(t *testing.T) {
	p := startVigil(t, "")
	c := newClients(p.URL, "test", "test", "us-east-1")
	ctx := ctxT(t)
	url := sqsQueue(t, c, "orders", map[string]string{"VisibilityTimeout": "60"})
	if want := p.URL + "/000000000000/orders"; url != want {
		t.Fatalf("queue url %s, want %s", url, want)
	}
	attrs := map[string]sqstypes.MessageAttributeValue{
		"order.id": {DataType: aws.String("String"), StringValue: aws.String("A-17")},
		"total":    {DataType: aws.String("Number.float"), StringValue: aws.String("12.50")},
		"raw":      {DataType: aws.String("Binary"), BinaryValue: []byte{0, 1, 254, 255}},
	}
	// The SDK checks MD5OfMessageBody itself (it fails the call on a
	// mismatch); the attribute digest is checked here.
	sent, err := c.sqs.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: &url, MessageBody: aws.String("héllo wörld"), MessageAttributes: attrs})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := aws.ToString(sent.MD5OfMessageAttributes), sqsAttrMD5(attrs); got != want {
		t.Fatalf("MD5OfMessageAttributes %s, want %s", got, want)
	}
	out, err := c.sqs.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: &url, MaxNumberOfMessages: 10,
		MessageSystemAttributeNames: []sqstypes.MessageSystemAttributeName{sqstypes.MessageSystemAttributeNameAll},
		MessageAttributeNames:       []string{"All"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Messages) != 1 {
		t.Fatalf("received %d messages", len(out.Messages))
	}
	m := out.Messages[0]
	if aws.ToString(m.Body) != "héllo wörld" || aws.ToString(m.MessageId) != aws.ToString(sent.MessageId) {
		t.Fatalf("message %+v", m)
	}
	if got, want := aws.ToString(m.MD5OfMessageAttributes), sqsAttrMD5(m.MessageAttributes); got != want || len(m.MessageAttributes) != 3 {
		t.Fatalf("received attributes %v, md5 %s want %s", m.MessageAttributes, got, want)
	}
	if v := m.MessageAttributes["raw"]; string(v.BinaryValue) != "\x00\x01\xfe\xff" {
		t.Fatalf("binary attribute %v", v.BinaryValue)
	}
	sa := m.Attributes
	if sa["SenderId"] != "000000000000" || sa["ApproximateReceiveCount"] != "1" || sa["SentTimestamp"] == "" || sa["ApproximateFirstReceiveTimestamp"] == "" {
		t.Fatalf("system attributes %v", sa)
	}
	// Only the attributes asked for, by prefix.
	if _, err := c.sqs.ChangeMessageVisibility(ctx, &sqs.ChangeMessageVisibilityInput{QueueUrl: &url, ReceiptHandle: m.ReceiptHandle, VisibilityTimeout: 0}); err != nil {
		t.Fatal(err)
	}
	out, err = c.sqs.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: &url, MessageAttributeNames: []string{"order.*"}})
	if err != nil || len(out.Messages) != 1 || len(out.Messages[0].MessageAttributes) != 1 {
		t.Fatalf("prefix selection: %v %+v", err, out)
	}
	if got, want := aws.ToString(out.Messages[0].MD5OfMessageAttributes), sqsAttrMD5(out.Messages[0].MessageAttributes); got != want {
		t.Fatalf("subset md5 %s, want %s", got, want)
	}
	if _, err := c.sqs.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: &url, ReceiptHandle: out.Messages[0].ReceiptHandle}); err != nil {
		t.Fatal(err)
	}
	ga, err := c.sqs.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: &url, AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameAll}})
	if err != nil {
		t.Fatal(err)
	}
	if a := ga.Attributes; a["ApproximateNumberOfMessages"] != "0" || a["ApproximateNumberOfMessagesNotVisible"] != "0" || a["VisibilityTimeout"] != "60" {
		t.Fatalf("attributes %v", a)
	}

	// Batches: ten at once, each body's MD5 checked by the SDK.
	var entries []sqstypes.SendMessageBatchRequestEntry
	for i := range 10 {
		entries = append(entries, sqstypes.SendMessageBatchRequestEntry{Id: aws.String(fmt.Sprint("m", i)), MessageBody: aws.String(fmt.Sprint("batch-", i))})
	}
	bo, err := c.sqs.SendMessageBatch(ctx, &sqs.SendMessageBatchInput{QueueUrl: &url, Entries: entries})
	if err != nil || len(bo.Successful) != 10 || len(bo.Failed) != 0 {
		t.Fatalf("SendMessageBatch: %v %+v", err, bo)
	}
	var got []string
	for len(got) < 10 {
		out, err := c.sqs.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: &url, MaxNumberOfMessages: 10, WaitTimeSeconds: 1})
		if err != nil {
			t.Fatal(err)
		}
		var del []sqstypes.DeleteMessageBatchRequestEntry
		for i, m := range out.Messages {
			got = append(got, aws.ToString(m.Body))
			del = append(del, sqstypes.DeleteMessageBatchRequestEntry{Id: aws.String(fmt.Sprint("d", i)), ReceiptHandle: m.ReceiptHandle})
		}
		if len(del) > 0 {
			do, err := c.sqs.DeleteMessageBatch(ctx, &sqs.DeleteMessageBatchInput{QueueUrl: &url, Entries: del})
			if err != nil || len(do.Failed) != 0 {
				t.Fatalf("DeleteMessageBatch: %v %+v", err, do)
			}
		}
	}
	slices.Sort(got)
	if fmt.Sprint(got) != "[batch-0 batch-1 batch-2 batch-3 batch-4 batch-5 batch-6 batch-7 batch-8 batch-9]" {
		t.Fatalf("batch bodies %v", got)
	}
}

func TestSQSErrors(t *testing.T) {
	p := startVigil(t, "")
	c := newClients(p.URL, "test", "test", "us-east-1")
	ctx := ctxT(t)
	url := sqsQueue(t, c, "errs", nil)

	// Batch errors: whole-request ones as typed exceptions with their
	// awsQuery codes (the query-compatible header), entry ones in Failed.
	var eleven []sqstypes.SendMessageBatchRequestEntry
	for i := range 11 {
		eleven = append(eleven, sqstypes.SendMessageBatchRequestEntry{Id: aws.String(fmt.Sprint("e", i)), MessageBody: aws.String("x")})
	}
	_, err := c.sqs.SendMessageBatch(ctx, &sqs.SendMessageBatchInput{QueueUrl: &url, Entries: eleven})
	var tooMany *sqstypes.TooManyEntriesInBatchRequest
	if !errors.As(err, &tooMany) {
		t.Fatalf("11 entries: %v", err)
	}
	wantAPIError(t, "11 entries", err, "AWS.SimpleQueueService.TooManyEntriesInBatchRequest", 400)
	_, err = c.sqs.SendMessageBatch(ctx, &sqs.SendMessageBatchInput{QueueUrl: &url, Entries: []sqstypes.SendMessageBatchRequestEntry{
		{Id: aws.String("same"), MessageBody: aws.String("a")}, {Id: aws.String("same"), MessageBody: aws.String("b")}}})
	wantAPIError(t, "repeated ids", err, "AWS.SimpleQueueService.BatchEntryIdsNotDistinct", 400)
	bo, err := c.sqs.SendMessageBatch(ctx, &sqs.SendMessageBatchInput{QueueUrl: &url, Entries: []sqstypes.SendMessageBatchRequestEntry{
		{Id: aws.String("good"), MessageBody: aws.String("fine")},
		{Id: aws.String("late"), MessageBody: aws.String("x"), DelaySeconds: 901},
	}})
	if err != nil || len(bo.Successful) != 1 || len(bo.Failed) != 1 || aws.ToString(bo.Failed[0].Code) != "InvalidParameterValue" || !bo.Failed[0].SenderFault {
		t.Fatalf("partial batch: %v %+v", err, bo)
	}
	do, err := c.sqs.DeleteMessageBatch(ctx, &sqs.DeleteMessageBatchInput{QueueUrl: &url, Entries: []sqstypes.DeleteMessageBatchRequestEntry{
		{Id: aws.String("x"), ReceiptHandle: aws.String("not-a-handle")}}})
	if err != nil || len(do.Failed) != 1 || aws.ToString(do.Failed[0].Code) != "ReceiptHandleIsInvalid" {
		t.Fatalf("delete batch: %v %+v", err, do)
	}

	_, err = c.sqs.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String("absent")})
	var noQueue *sqstypes.QueueDoesNotExist
	if !errors.As(err, &noQueue) {
		t.Fatalf("absent queue: %v", err)
	}
	wantAPIError(t, "absent queue", err, "AWS.SimpleQueueService.NonExistentQueue", 400)
	_, err = c.sqs.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("errs"), Attributes: map[string]string{"VisibilityTimeout": "31"}})
	var exists *sqstypes.QueueNameExists
	if !errors.As(err, &exists) {
		t.Fatalf("different attributes: %v", err)
	}
	wantAPIError(t, "different attributes", err, "QueueAlreadyExists", 400)
	_, err = c.sqs.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("x"), Attributes: map[string]string{"Colour": "blue"}})
	wantAPIError(t, "unknown attribute", err, "InvalidAttributeName", 400)
	_, err = c.sqs.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("x"), Attributes: map[string]string{"VisibilityTimeout": "43201"}})
	wantAPIError(t, "out of range", err, "InvalidAttributeValue", 400)
	_, err = c.sqs.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("x"), Attributes: map[string]string{"FifoQueue": "true"}})
	wantAPIError(t, "FIFO queue without .fifo", err, "InvalidParameterValue", 400)
	_, err = c.sqs.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("x.fifo")})
	wantAPIError(t, ".fifo name of a standard queue", err, "InvalidParameterValue", 400)
	_, err = c.sqs.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: &url, MessageBody: aws.String("bad \x01")})
	wantAPIError(t, "control character", err, "InvalidMessageContents", 400)
	_, err = c.sqs.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: &url, MessageBody: aws.String(strings.Repeat("x", 1<<20+1))})
	wantAPIError(t, "too large", err, "InvalidParameterValue", 400)
	_, err = c.sqs.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: &url, ReceiptHandle: aws.String("junk")})
	wantAPIError(t, "bad handle", err, "ReceiptHandleIsInvalid", 400)
	_, err = c.sqs.PurgeQueue(ctx, &sqs.PurgeQueueInput{QueueUrl: &url})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.sqs.PurgeQueue(ctx, &sqs.PurgeQueueInput{QueueUrl: &url})
	wantAPIError(t, "second purge", err, "AWS.SimpleQueueService.PurgeQueueInProgress", 403)
	_, err = c.sqs.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("x"), Attributes: map[string]string{
		"RedrivePolicy": `{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:000000000000:absent","maxReceiveCount":3}`}})
	wantAPIError(t, "absent dead-letter queue", err, "InvalidParameterValue", 400)
}

// A received message that is not deleted comes back after its visibility
// timeout, with its receive count.
func TestSQSVisibilityTimeoutReappears(t *testing.T) {
	p := startVigil(t, "")
	c := newClients(p.URL, "test", "test", "us-east-1")
	ctx := ctxT(t)
	url := sqsQueue(t, c, "vt", map[string]string{"VisibilityTimeout": "1"})
	if _, err := c.sqs.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: &url, MessageBody: aws.String("again")}); err != nil {
		t.Fatal(err)
	}
	first, err := c.sqs.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: &url})
	if err != nil || len(first.Messages) != 1 {
		t.Fatalf("first receive: %v %+v", err, first)
	}
	start := time.Now()
	// A long poll wakes when the timeout ends.
	second, err := c.sqs.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: &url, WaitTimeSeconds: 5,
		MessageSystemAttributeNames: []sqstypes.MessageSystemAttributeName{sqstypes.MessageSystemAttributeNameApproximateReceiveCount}})
	if err != nil || len(second.Messages) != 1 {
		t.Fatalf("second receive: %v %+v", err, second)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Fatalf("reappeared after %v", d)
	}
	if m := second.Messages[0]; m.Attributes["ApproximateReceiveCount"] != "2" || aws.ToString(m.ReceiptHandle) == aws.ToString(first.Messages[0].ReceiptHandle) {
		t.Fatalf("second receive %+v", m)
	}
}

// A message received maxReceiveCount times without being deleted moves to
// the dead-letter queue, keeping its id and body, and the dead-letter queue
// lists its source.
func TestSQSDeadLetterQueue(t *testing.T) {
	p := startVigil(t, "")
	c := newClients(p.URL, "test", "test", "us-east-1")
	ctx := ctxT(t)
	dlq := sqsQueue(t, c, "orders-dlq", nil)
	da, err := c.sqs.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: &dlq,
		AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameQueueArn}})
	if err != nil {
		t.Fatal(err)
	}
	dlqArn := da.Attributes["QueueArn"]
	src := sqsQueue(t, c, "orders-src", map[string]string{"VisibilityTimeout": "0",
		"RedrivePolicy": `{"deadLetterTargetArn":"` + dlqArn + `","maxReceiveCount":"3"}`})
	sent, err := c.sqs.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: &src, MessageBody: aws.String("poison")})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		out, err := c.sqs.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: &src})
		if err != nil || len(out.Messages) != 1 {
			t.Fatalf("receive %d: %v %+v", i+1, err, out)
		}
	}
	out, err := c.sqs.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: &src})
	if err != nil || len(out.Messages) != 0 {
		t.Fatalf("fourth receive: %v %+v", err, out)
	}
	dead, err := c.sqs.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: &dlq, WaitTimeSeconds: 1,
		MessageSystemAttributeNames: []sqstypes.MessageSystemAttributeName{sqstypes.MessageSystemAttributeNameAll}})
	if err != nil || len(dead.Messages) != 1 {
		t.Fatalf("dead-letter receive: %v %+v", err, dead)
	}
	m := dead.Messages[0]
	if aws.ToString(m.Body) != "poison" || aws.ToString(m.MessageId) != aws.ToString(sent.MessageId) ||
		!strings.HasSuffix(m.Attributes["DeadLetterQueueSourceArn"], ":orders-src") {
		t.Fatalf("dead-letter message %+v", m)
	}
	ra, err := c.sqs.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: &src,
		AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameRedrivePolicy}})
	if want := `{"deadLetterTargetArn":"` + dlqArn + `","maxReceiveCount":3}`; err != nil || ra.Attributes["RedrivePolicy"] != want {
		t.Fatalf("RedrivePolicy: %v %v", err, ra)
	}
	ls, err := c.sqs.ListDeadLetterSourceQueues(ctx, &sqs.ListDeadLetterSourceQueuesInput{QueueUrl: &dlq})
	if err != nil || fmt.Sprint(ls.QueueUrls) != "["+src+"]" {
		t.Fatalf("ListDeadLetterSourceQueues: %v %+v", err, ls)
	}
}

// A FIFO queue through the Go SDK: each group's messages come in send
// order, a group with a message in flight hands out nothing more, and a
// duplicate deduplication id is accepted without a second delivery.
func TestSQSFifoQueue(t *testing.T) {
	p := startVigil(t, "")
	c := newClients(p.URL, "test", "test", "us-east-1")
	ctx := ctxT(t)
	url := sqsQueue(t, c, "orders.fifo", map[string]string{"FifoQueue": "true", "ContentBasedDeduplication": "true"})
	var seqs []string
	for _, s := range []string{"a1", "b1", "a2", "b2", "a3"} {
		out, err := c.sqs.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: &url, MessageBody: aws.String(s), MessageGroupId: aws.String(s[:1])})
		if err != nil {
			t.Fatal(err)
		}
		seqs = append(seqs, aws.ToString(out.SequenceNumber))
	}
	if !slices.IsSorted(seqs) || seqs[0] == "" {
		t.Fatalf("sequence numbers %v", seqs)
	}
	// Same body: a duplicate under content-based deduplication.
	dup, err := c.sqs.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: &url, MessageBody: aws.String("a1"), MessageGroupId: aws.String("a")})
	if err != nil || aws.ToString(dup.SequenceNumber) != seqs[0] {
		t.Fatalf("duplicate: %v %+v", err, dup)
	}
	_, err = c.sqs.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: &url, MessageBody: aws.String("x")})
	wantAPIError(t, "no group", err, "MissingParameter", 400)
	_, err = c.sqs.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: &url, MessageBody: aws.String("x"), MessageGroupId: aws.String("a"), DelaySeconds: 1})
	wantAPIError(t, "per-message delay", err, "InvalidParameterValue", 400)

	attempts := 0
	receive := func(n int32) []sqstypes.Message {
		t.Helper()
		attempts++
		out, err := c.sqs.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: &url, MaxNumberOfMessages: n,
			ReceiveRequestAttemptId:     aws.String(fmt.Sprint("attempt-", attempts)),
			MessageSystemAttributeNames: []sqstypes.MessageSystemAttributeName{sqstypes.MessageSystemAttributeNameAll}})
		if err != nil {
			t.Fatal(err)
		}
		return out.Messages
	}
	body := func(ms []sqstypes.Message) []string {
		var out []string
		for _, m := range ms {
			out = append(out, aws.ToString(m.Body))
		}
		return out
	}
	first := receive(2)
	if got := body(first); !slices.Equal(got, []string{"a1", "a2"}) {
		t.Fatalf("first receive %v", got)
	}
	if m := first[0].Attributes; m["MessageGroupId"] != "a" || m["SequenceNumber"] != seqs[0] || len(m["MessageDeduplicationId"]) != 64 {
		t.Fatalf("system attributes %v", m)
	}
	if got := body(receive(10)); !slices.Equal(got, []string{"b1", "b2"}) {
		t.Fatalf("group a in flight: got %v, want [b1 b2]", got)
	}
	for _, m := range first {
		if _, err := c.sqs.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: &url, ReceiptHandle: m.ReceiptHandle}); err != nil {
			t.Fatal(err)
		}
	}
	if got := body(receive(10)); !slices.Equal(got, []string{"a3"}) {
		t.Fatalf("after deleting a1 a2: got %v, want [a3]", got)
	}
	ga, err := c.sqs.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: &url,
		AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameAll}})
	if err != nil || ga.Attributes["FifoQueue"] != "true" || ga.Attributes["DeduplicationScope"] != "queue" {
		t.Fatalf("attributes: %v %v", err, ga)
	}
}

// A long poll on an empty queue returns as soon as a message is sent.
func TestSQSLongPollWakeUp(t *testing.T) {
	p := startVigil(t, "")
	c := newClients(p.URL, "test", "test", "us-east-1")
	ctx := ctxT(t)
	url := sqsQueue(t, c, "lp", nil)
	var lat []time.Duration
	for i := range 20 {
		type result struct {
			out *sqs.ReceiveMessageOutput
			err error
			at  time.Time
		}
		ch := make(chan result, 1)
		go func() {
			out, err := c.sqs.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: &url, WaitTimeSeconds: 20})
			ch <- result{out, err, time.Now()}
		}()
		time.Sleep(100 * time.Millisecond) // the poll is waiting
		sentAt := time.Now()
		if _, err := c.sqs.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: &url, MessageBody: aws.String(fmt.Sprint("wake-", i))}); err != nil {
			t.Fatal(err)
		}
		select {
		case r := <-ch:
			if r.err != nil || len(r.out.Messages) != 1 || aws.ToString(r.out.Messages[0].Body) != fmt.Sprint("wake-", i) {
				t.Fatalf("poll: %v %+v", r.err, r.out)
			}
			lat = append(lat, r.at.Sub(sentAt))
			if _, err := c.sqs.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: &url, ReceiptHandle: r.out.Messages[0].ReceiptHandle}); err != nil {
				t.Fatal(err)
			}
		case <-time.After(5 * time.Second):
			t.Fatal("the long poll did not wake on send")
		}
	}
	slices.Sort(lat)
	t.Logf("send → long-poll answer (SendMessage call to ReceiveMessage return, 20 polls): median %v, max %v", lat[len(lat)/2], lat[len(lat)-1])
}

// An acknowledged SendMessage survives kill -9; so do receives (in-flight
// messages stay hidden until their timeout, then come back) and deletes.
func TestSQSKill9Durability(t *testing.T) {
	p := startVigil(t, "")
	c := newClients(p.URL, "test", "test", "us-east-1")
	ctx := ctxT(t)
	url := sqsQueue(t, c, "durable", nil)

	// Messages deleted before the crash stay deleted.
	for i := range 3 {
		if _, err := c.sqs.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: &url, MessageBody: aws.String(fmt.Sprint("deleted-", i))}); err != nil {
			t.Fatal(err)
		}
	}
	rm, err := c.sqs.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: &url, MaxNumberOfMessages: 10})
	if err != nil || len(rm.Messages) != 3 {
		t.Fatalf("receive: %v %+v", err, rm)
	}
	for _, m := range rm.Messages {
		if _, err := c.sqs.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: &url, ReceiptHandle: m.ReceiptHandle}); err != nil {
			t.Fatal(err)
		}
	}
	// Two in flight for 3 seconds at the crash.
	for i := range 2 {
		if _, err := c.sqs.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: &url, MessageBody: aws.String(fmt.Sprint("inflight-", i))}); err != nil {
			t.Fatal(err)
		}
	}
	inflight, err := c.sqs.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: &url, MaxNumberOfMessages: 10, VisibilityTimeout: 3})
	if err != nil || len(inflight.Messages) != 2 {
		t.Fatalf("in flight: %v %+v", err, inflight)
	}
	receivedAt := time.Now()

	// Senders run until the kill; what was acknowledged must be there.
	var mu sync.Mutex
	acked := map[string]bool{}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				body := fmt.Sprintf("w%d-%d", w, i)
				if _, err := c.sqs.SendMessage(context.Background(), &sqs.SendMessageInput{QueueUrl: &url, MessageBody: &body}); err != nil {
					return // the server is gone
				}
				mu.Lock()
				acked[body] = true
				mu.Unlock()
			}
		}()
	}
	time.Sleep(700 * time.Millisecond)
	p.Kill9()
	close(stop)
	wg.Wait()
	if len(acked) < 50 {
		t.Fatalf("only %d sends acknowledged before the kill", len(acked))
	}

	p2 := startVigil(t, p.DataDir)
	c2 := newClients(p2.URL, "test", "test", "us-east-1")
	url2 := p2.URL + "/000000000000/durable"
	found := map[string]int{}
	var inflightBack time.Duration
	deadline := time.Now().Add(30 * time.Second)
	complete := func() bool {
		if found["inflight-0"] == 0 || found["inflight-1"] == 0 {
			return false
		}
		for b := range acked {
			if found[b] == 0 {
				return false
			}
		}
		return true
	}
	for time.Now().Before(deadline) && !complete() {
		out, err := c2.sqs.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: &url2, MaxNumberOfMessages: 10, WaitTimeSeconds: 1, VisibilityTimeout: 300})
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range out.Messages {
			b := aws.ToString(m.Body)
			found[b]++
			if strings.HasPrefix(b, "inflight-") && inflightBack == 0 {
				inflightBack = time.Since(receivedAt)
			}
		}
	}
	for b := range acked {
		if found[b] == 0 {
			t.Errorf("acknowledged message %s lost", b)
		}
	}
	for b, n := range found {
		if strings.HasPrefix(b, "deleted-") {
			t.Errorf("deleted message %s came back", b)
		}
		if n > 1 {
			t.Errorf("%s received %d times within a 300 s visibility timeout", b, n)
		}
	}
	if found["inflight-0"] != 1 || found["inflight-1"] != 1 {
		t.Fatalf("in-flight messages after restart: %v %v", found["inflight-0"], found["inflight-1"])
	}
	if inflightBack < 2500*time.Millisecond {
		t.Fatalf("in-flight messages came back %v after their receive, before their 3 s timeout", inflightBack)
	}
	t.Logf("%d sends acknowledged before kill -9, all found after restart (%d messages in all)", len(acked), len(found))
}

// Over awsJson1_0 the aws CLI sees the same queue.
func TestSQSAWSCLI(t *testing.T) {
	needTool(t, "aws")
	p := startVigil(t, "")
	out, stderr, err := awsCLI(t, p.URL, "sqs", "create-queue", "--queue-name", "cli", "--attributes", "DelaySeconds=0")
	if err != nil || !strings.Contains(out, p.URL+"/000000000000/cli") {
		t.Fatalf("create-queue: %v %s %s", err, out, stderr)
	}
	url := p.URL + "/000000000000/cli"
	if _, stderr, err := awsCLI(t, p.URL, "sqs", "send-message", "--queue-url", url, "--message-body", "from the cli"); err != nil {
		t.Fatalf("send-message: %v %s", err, stderr)
	}
	out, stderr, err = awsCLI(t, p.URL, "sqs", "receive-message", "--queue-url", url, "--attribute-names", "All")
	if err != nil || !strings.Contains(out, `"Body": "from the cli"`) || !strings.Contains(out, `"ApproximateReceiveCount": "1"`) {
		t.Fatalf("receive-message: %v %s %s", err, out, stderr)
	}
	_, stderr, err = awsCLI(t, p.URL, "sqs", "get-queue-url", "--queue-name", "absent")
	if err == nil || !strings.Contains(stderr, "AWS.SimpleQueueService.NonExistentQueue") {
		t.Fatalf("get-queue-url absent: %v %s", err, stderr)
	}
}

// sqs_boto3_suite.py drives the same behaviour with boto3 (awsJson1_0).
func TestSQSBoto3(t *testing.T) {
	needTool(t, "python3")
	if exec.Command("python3", "-c", "import boto3").Run() != nil {
		t.Skip("boto3 is not installed (scripts/setup.sh installs it)")
	}
	p := startVigil(t, "")
	out, err := exec.Command("python3", "sqs_boto3_suite.py", p.URL).CombinedOutput()
	t.Logf("%s", out)
	if err != nil {
		t.Fatalf("boto3 SQS suite failed: %v", err)
	}
}

// A message move task through the Go SDK: the dead-letter queue's message
// goes back to the queue it came from, and the task is listed COMPLETED.
func TestSQSMessageMoveTask(t *testing.T) {
	p := startVigil(t, "")
	c := newClients(p.URL, "test", "test", "us-east-1")
	ctx := ctxT(t)
	sqsQueue(t, c, "move-dlq", nil)
	dlqArn := "arn:aws:sqs:us-east-1:000000000000:move-dlq"
	src := sqsQueue(t, c, "move-src", map[string]string{"VisibilityTimeout": "0",
		"RedrivePolicy": `{"deadLetterTargetArn":"` + dlqArn + `","maxReceiveCount":"1"}`})
	if _, err := c.sqs.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: &src, MessageBody: aws.String("retry me")}); err != nil {
		t.Fatal(err)
	}
	for range 2 { // the second receive moves it to the dead-letter queue
		if _, err := c.sqs.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: &src}); err != nil {
			t.Fatal(err)
		}
	}
	_, err := c.sqs.StartMessageMoveTask(ctx, &sqs.StartMessageMoveTaskInput{SourceArn: aws.String("arn:aws:sqs:us-east-1:000000000000:move-src")})
	wantAPIError(t, "StartMessageMoveTask from a queue that is no dead-letter queue", err, "InvalidParameterValue", 400)
	st, err := c.sqs.StartMessageMoveTask(ctx, &sqs.StartMessageMoveTaskInput{SourceArn: &dlqArn, MaxNumberOfMessagesPerSecond: aws.Int32(10)})
	if err != nil || aws.ToString(st.TaskHandle) == "" {
		t.Fatalf("StartMessageMoveTask: %v %+v", err, st)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		ls, err := c.sqs.ListMessageMoveTasks(ctx, &sqs.ListMessageMoveTasksInput{SourceArn: &dlqArn, MaxResults: aws.Int32(10)})
		if err != nil || len(ls.Results) != 1 {
			t.Fatalf("ListMessageMoveTasks: %v %+v", err, ls)
		}
		r := ls.Results[0]
		if aws.ToString(r.Status) == "COMPLETED" {
			if r.ApproximateNumberOfMessagesMoved != 1 || aws.ToString(r.SourceArn) != dlqArn || r.MaxNumberOfMessagesPerSecond == nil || *r.MaxNumberOfMessagesPerSecond != 10 {
				t.Fatalf("completed task %+v", r)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("task still %s", aws.ToString(r.Status))
		}
		time.Sleep(50 * time.Millisecond)
	}
	back, err := c.sqs.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: &src, WaitTimeSeconds: 1})
	if err != nil || len(back.Messages) != 1 || aws.ToString(back.Messages[0].Body) != "retry me" {
		t.Fatalf("back in the source: %v %+v", err, back)
	}
	_, err = c.sqs.CancelMessageMoveTask(ctx, &sqs.CancelMessageMoveTaskInput{TaskHandle: st.TaskHandle})
	wantAPIError(t, "CancelMessageMoveTask of a finished task", err, "ResourceNotFoundException", 404)
}
