package sqs

import (
	"fmt"
	"sync"
	"testing"

	"github.com/vigilhq/vigil/internal/api/shape"
	sqsapi "github.com/vigilhq/vigil/internal/api/sqs"
	"github.com/vigilhq/vigil/internal/clock"
)

// Senders, receivers and deleters at once: every message is received, none
// is lost, and once all are deleted the queue is empty, also after a
// restart.
func TestConcurrentSendReceiveDelete(t *testing.T) {
	f := newFixtureOn(t, clock.System{})
	url := f.create("busy", nil)
	const senders, perSender = 4, 250
	var wg sync.WaitGroup
	for s := range senders {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < perSender; i += 10 {
				var es []sqsapi.SendMessageBatchRequestEntry
				for j := range 10 {
					es = append(es, sqsapi.SendMessageBatchRequestEntry{Id: shape.Ptr(fmt.Sprint("e", j)), MessageBody: shape.Ptr(fmt.Sprint(s, "-", i+j))})
				}
				out, err := f.svc.SendMessageBatch(f.ctx(), &sqsapi.SendMessageBatchRequest{QueueUrl: &url, Entries: es})
				if err != nil || len(out.Failed) > 0 {
					t.Errorf("send: %v %v", err, out)
					return
				}
			}
		}()
	}
	seen := make(map[string]int)
	var mu sync.Mutex
	done := make(chan struct{})
	var rwg sync.WaitGroup
	for range 3 {
		rwg.Add(1)
		go func() {
			defer rwg.Done()
			for {
				out, err := f.svc.ReceiveMessage(f.ctx(), &sqsapi.ReceiveMessageRequest{QueueUrl: &url,
					MaxNumberOfMessages: shape.Ptr(int32(10)), WaitTimeSeconds: shape.Ptr(int32(1))})
				if err != nil {
					t.Errorf("receive: %v", err)
					return
				}
				if len(out.Messages) == 0 {
					select {
					case <-done:
						return
					default:
						continue
					}
				}
				var es []sqsapi.DeleteMessageBatchRequestEntry
				mu.Lock()
				for i, m := range out.Messages {
					seen[*m.Body]++
					es = append(es, sqsapi.DeleteMessageBatchRequestEntry{Id: shape.Ptr(fmt.Sprint("d", i)), ReceiptHandle: m.ReceiptHandle})
				}
				mu.Unlock()
				if _, err := f.svc.DeleteMessageBatch(f.ctx(), &sqsapi.DeleteMessageBatchRequest{QueueUrl: &url, Entries: es}); err != nil {
					t.Errorf("delete: %v", err)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(done)
	rwg.Wait()
	if len(seen) != senders*perSender {
		t.Fatalf("received %d distinct messages, want %d", len(seen), senders*perSender)
	}
	for b, n := range seen {
		if n != 1 {
			t.Errorf("%s received %d times within its visibility timeout", b, n)
		}
	}
	f.reopen()
	if a := f.attrs(url, "All"); a["ApproximateNumberOfMessages"] != "0" || a["ApproximateNumberOfMessagesNotVisible"] != "0" {
		t.Fatalf("after restart: %v", a)
	}
}
