package sqs

import (
	"encoding/binary"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/cockroachdb/pebble/v2"

	"github.com/vigilhq/vigil/internal/api/shape"
	sqsapi "github.com/vigilhq/vigil/internal/api/sqs"
	"github.com/vigilhq/vigil/internal/storage"
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
	for ok := it.SeekGE([]byte(keyPrefix)); ok; ok = it.Next() {
		if q, seq, kind, ok := parseKey(it.Key()); ok {
			t.Errorf("key of kind %d (queue %d, message %d) left behind", kind, q, seq)
		}
	}
}

// storedKeys counts the store's message and state keys in either layout.
func storedKeys(t *testing.T, f *fixture) (current, legacy int) {
	t.Helper()
	it, err := f.st.Pebble.NewIter(&pebble.IterOptions{LowerBound: []byte("sqs/"), UpperBound: []byte("sqs/\xff")})
	if err != nil {
		t.Fatal(err)
	}
	defer it.Close()
	for ok := it.First(); ok; ok = it.Next() {
		switch string(it.Key()[:len(keyPrefix)]) {
		case keyPrefix:
			current++
		case legacyMessage, legacyState:
			legacy++
		}
	}
	return current, legacy
}

// PurgeQueue and DeleteQueue delete a queue's messages key by key (they are
// not one key range): every key goes, and no other queue's.
func TestPurgeAndDeleteQueueLeaveNoKeys(t *testing.T) {
	f := newFixture(t)
	purged, deleted, kept := f.create("purged", nil), f.create("deleted", nil), f.create("kept", nil)
	for i := range 5 {
		for _, url := range []string{purged, deleted, kept} {
			f.send(url, fmt.Sprint("m", i))
		}
	}
	for _, url := range []string{purged, deleted, kept} {
		f.receive(url, 2, withVisibility(600)) // some with a state key
	}
	if err := f.svc.PurgeQueue(f.ctx(), &sqsapi.PurgeQueueRequest{QueueUrl: &purged}); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.DeleteQueue(f.ctx(), &sqsapi.DeleteQueueRequest{QueueUrl: &deleted}); err != nil {
		t.Fatal(err)
	}
	if n, _ := storedKeys(t, f); n != 5+2 {
		t.Fatalf("%d keys stored, want the kept queue's 5 messages and 2 states", n)
	}
	f.reopen()
	if a := f.attrs(kept, "All"); a["ApproximateNumberOfMessages"] != "3" || a["ApproximateNumberOfMessagesNotVisible"] != "2" {
		t.Fatalf("kept queue after restart %v", a)
	}
	if a := f.attrs(purged, "All"); a["ApproximateNumberOfMessages"] != "0" || a["ApproximateNumberOfMessagesNotVisible"] != "0" {
		t.Fatalf("purged queue after restart %v", a)
	}
}

// A data directory written in the first key layout, (queue, seq), is moved
// to the current one at start: every message with its receive state, none
// left behind in the old layout, more keys than one migration batch holds,
// and from a store a crash left half migrated.
func TestLegacyKeyLayoutIsMigrated(t *testing.T) {
	f := newFixture(t)
	a, b := f.create("a", nil), f.create("b", nil)
	for i := range 3 {
		f.send(a, fmt.Sprint("a", i))
		f.send(b, fmt.Sprint("b", i))
	}
	inflight := f.receive(a, 1, withVisibility(600))
	f.close()

	// Rewrite the store as the first layout wrote it.
	st, err := storage.Open(f.dir)
	if err != nil {
		t.Fatal(err)
	}
	it, err := st.Pebble.NewIter(&pebble.IterOptions{LowerBound: []byte(keyPrefix), UpperBound: []byte(keyPrefix + "\xff")})
	if err != nil {
		t.Fatal(err)
	}
	legacyKey := func(prefix string, q int64, seq uint64) []byte {
		k := binary.BigEndian.AppendUint64([]byte(prefix), uint64(q))
		return binary.BigEndian.AppendUint64(k, seq)
	}
	batch := st.Pebble.NewBatch()
	moved := 0
	const copies = 5000
	for ok := it.First(); ok; ok = it.Next() {
		q, seq, kind, _ := parseKey(it.Key())
		if kind == keyRecord && seq == 6 {
			continue // b2 stays where it is: already migrated
		}
		if kind == keyRecord && q == 2 && seq == 2 { // b0's record, copied as further messages of b
			for i := range copies {
				batch.Set(legacyKey(legacyMessage, q, 100+uint64(i)), it.Value(), nil)
			}
		}
		prefix := legacyMessage
		if kind == keyState {
			prefix = legacyState
		}
		batch.Set(legacyKey(prefix, q, seq), it.Value(), nil)
		batch.Delete(it.Key(), nil)
		moved++
	}
	if err := errors.Join(it.Close(), batch.Commit(pebble.Sync), st.Close()); err != nil {
		t.Fatal(err)
	}
	if moved != 6 {
		t.Fatalf("rewrote %d keys, want 5 messages and 1 state", moved)
	}

	f.open()
	if current, legacy := storedKeys(t, f); current != 7+copies || legacy != 0 {
		t.Fatalf("after start: %d keys in the current layout, %d in the first; want %d and 0", current, legacy, 7+copies)
	}
	if got := bodies(f.receive(a, 10)); fmt.Sprint(got) != "[a1 a2]" {
		t.Fatalf("queue a: %v (a0 is in flight)", got)
	}
	if n := f.attrs(b, "ApproximateNumberOfMessages")["ApproximateNumberOfMessages"]; n != fmt.Sprint(3+copies) {
		t.Fatalf("queue b holds %s messages, want %d", n, 3+copies)
	}
	if seq := f.svc.seq.Load(); seq != 100+copies-1 {
		t.Fatalf("next sequence number after %d, want after %d", seq, 100+copies-1)
	}
	f.svc.PurgeQueue(f.ctx(), &sqsapi.PurgeQueueRequest{QueueUrl: &b})
	f.send(b, "b0")
	f.send(b, "b1")
	f.send(b, "b2")
	// The message in flight kept its state and its receipt handle.
	if err := f.svc.DeleteMessage(f.ctx(), &sqsapi.DeleteMessageRequest{QueueUrl: &a, ReceiptHandle: inflight[0].ReceiptHandle}); err != nil {
		t.Fatal(err)
	}
	f.advance(time.Hour)
	if got := bodies(f.receive(a, 10)); fmt.Sprint(got) != "[a1 a2]" {
		t.Fatalf("queue a an hour later: %v", got)
	}
	f.send(b, "b3")
	f.advance(time.Hour)
	if got := bodies(f.receive(b, 10)); fmt.Sprint(got) != "[b0 b1 b2 b3]" {
		t.Fatalf("queue b after a send: %v", got)
	}
}
