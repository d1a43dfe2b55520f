package sqs

import (
	"fmt"
	"testing"
	"time"

	"github.com/vigilhq/vigil/internal/api/shape"
	sqsapi "github.com/vigilhq/vigil/internal/api/sqs"
)

// Deleting a message leaves nothing behind in the store, whatever its
// history: the record is removed with a single delete and the receive state
// with a single delete only when it was written once. A single delete over
// a state written more often would let an older write resurface once
// compactions meet them; a state never written needs no delete at all.
func TestDeletesLeaveNoKeysBehind(t *testing.T) {
	f := newFixture(t)
	url := f.create("gone", nil)
	handles := map[string]string{} // body → latest receipt handle
	receive := func(vt int32) {
		t.Helper()
		for _, m := range f.receive(url, 10, withVisibility(vt)) {
			handles[*m.Body] = *m.ReceiptHandle
		}
	}
	for i := range 6 {
		f.send(url, fmt.Sprint("m", i))
	}
	receive(0) // every message once, back to visible at once
	// Flushed in between, the two writes of each state live in different
	// tables, where no flush merges them.
	if err := f.st.Pebble.Flush(); err != nil {
		t.Fatal(err)
	}
	receive(30) // twice
	if err := f.svc.ChangeMessageVisibility(f.ctx(), &sqsapi.ChangeMessageVisibilityRequest{QueueUrl: &url,
		ReceiptHandle: shape.Ptr(handles["m0"]), VisibilityTimeout: shape.Ptr(int32(0))}); err != nil {
		t.Fatal(err)
	}
	f.reopen() // states loaded from the store: their history is unknown
	// Deleted with its handle from before the restart: no write since.
	if err := f.svc.DeleteMessage(f.ctx(), &sqsapi.DeleteMessageRequest{QueueUrl: &url, ReceiptHandle: shape.Ptr(handles["m1"])}); err != nil {
		t.Fatal(err)
	}
	delete(handles, "m1")
	f.advance(time.Minute)
	receive(0)
	f.send(url, "received once")
	got := f.receive(url, 10, withVisibility(600))
	for _, m := range got {
		handles[*m.Body] = *m.ReceiptHandle
	}
	if len(got) != 6 {
		t.Fatalf("received %v, want 6 messages", bodies(got))
	}
	f.send(url, "never received")
	var entries []sqsapi.DeleteMessageBatchRequestEntry
	for _, h := range handles {
		entries = append(entries, sqsapi.DeleteMessageBatchRequestEntry{Id: shape.Ptr(fmt.Sprint("d", len(entries))), ReceiptHandle: shape.Ptr(h)})
	}
	if out, err := f.svc.DeleteMessageBatch(f.ctx(), &sqsapi.DeleteMessageBatchRequest{QueueUrl: &url, Entries: entries}); err != nil || len(out.Failed) != 0 {
		t.Fatalf("DeleteMessageBatch: %v %+v", err, out)
	}
	// The message never received goes when its retention period is over:
	// the same delete.
	if err := f.svc.SetQueueAttributes(f.ctx(), &sqsapi.SetQueueAttributesRequest{QueueUrl: &url,
		Attributes: map[string]string{"MessageRetentionPeriod": "60"}}); err != nil {
		t.Fatal(err)
	}
	f.advance(2 * time.Minute)
	if got := f.receive(url, 10); len(got) != 0 {
		t.Fatalf("received after the deletes: %v", bodies(got))
	}

	db := f.st.Pebble
	if err := db.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := db.Compact(f.ctx(), []byte("sqs/"), []byte("sqs/\xff"), true); err != nil {
		t.Fatal(err)
	}
	it, err := db.NewIter(nil)
	if err != nil {
		t.Fatal(err)
	}
	defer it.Close()
	for ok := it.SeekGE([]byte(prefixMessage)); ok && it.Key()[0] == 's'; ok = it.Next() {
		if k := it.Key(); len(k) == keyLen {
			q, seq, _ := parseKey(k)
			t.Errorf("key %q (queue %d, message %d) left behind", k[:len(prefixMessage)], q, seq)
		}
	}
}
