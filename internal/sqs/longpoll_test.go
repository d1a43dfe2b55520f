package sqs

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/vigilhq/vigil/internal/api/shape"
	sqsapi "github.com/vigilhq/vigil/internal/api/sqs"
	"github.com/vigilhq/vigil/internal/clock"
)

// poll starts a long poll and returns a channel with its outcome.
func (f *fixture) poll(ctx context.Context, url string, wait *int32) <-chan pollResult {
	ch := make(chan pollResult, 1)
	go func() {
		start := time.Now()
		out, err := f.svc.ReceiveMessage(ctx, &sqsapi.ReceiveMessageRequest{QueueUrl: &url, WaitTimeSeconds: wait})
		r := pollResult{err: err, took: time.Since(start)}
		if out != nil {
			r.bodies = bodies(out.Messages)
			for _, m := range out.Messages {
				r.handles = append(r.handles, *m.ReceiptHandle)
			}
		}
		ch <- r
	}()
	return ch
}

type pollResult struct {
	bodies  []string
	handles []string
	err     error
	took    time.Duration
}

func waitResult(t *testing.T, ch <-chan pollResult) pollResult {
	t.Helper()
	select {
	case r := <-ch:
		if r.err != nil {
			t.Fatalf("long poll: %v", r.err)
		}
		return r
	case <-time.After(10 * time.Second):
		t.Fatal("long poll did not return")
	}
	return pollResult{}
}

// waitForPollers gives long polls just started time to park on the queue
// before the test acts. The assertions do not depend on it: a send that
// comes first is found by the poll's first look.
func waitForPollers() { time.Sleep(50 * time.Millisecond) }

func TestLongPollIsWokenBySend(t *testing.T) {
	f := newFixtureOn(t, clock.System{})
	url := f.create("lp", nil)
	ch := f.poll(f.ctx(), url, shape.Ptr(int32(20)))
	waitForPollers()
	f.send(url, "wake")
	r := waitResult(t, ch)
	if fmt.Sprint(r.bodies) != "[wake]" || r.took > 5*time.Second {
		t.Fatalf("got %v after %v", r.bodies, r.took)
	}
}

func TestLongPollTimesOutEmpty(t *testing.T) {
	f := newFixtureOn(t, clock.System{})
	url := f.create("lp", map[string]string{"ReceiveMessageWaitTimeSeconds": "1"})
	// The queue's wait time applies when the request names none.
	r := waitResult(t, f.poll(f.ctx(), url, nil))
	if len(r.bodies) != 0 || r.took < 900*time.Millisecond {
		t.Fatalf("got %v after %v", r.bodies, r.took)
	}
	// The request's WaitTimeSeconds=0 overrides it: a short poll.
	r = waitResult(t, f.poll(f.ctx(), url, shape.Ptr(int32(0))))
	if r.took > 500*time.Millisecond {
		t.Fatalf("short poll took %v", r.took)
	}
}

// A delayed message (or one whose visibility timeout ends) wakes a waiting
// receive when it becomes visible, without a send.
func TestLongPollWakesWhenAMessageBecomesVisible(t *testing.T) {
	f := newFixtureOn(t, clock.System{})
	url := f.create("lp", nil)
	_, err := f.svc.SendMessage(f.ctx(), &sqsapi.SendMessageRequest{QueueUrl: &url, MessageBody: shape.Ptr("later"), DelaySeconds: shape.Ptr(int32(1))})
	if err != nil {
		t.Fatal(err)
	}
	r := waitResult(t, f.poll(f.ctx(), url, shape.Ptr(int32(10))))
	if fmt.Sprint(r.bodies) != "[later]" || r.took < 500*time.Millisecond || r.took > 5*time.Second {
		t.Fatalf("got %v after %v", r.bodies, r.took)
	}
	// A visibility change to 0 wakes it too (the message is in flight for
	// 30 s after that receive).
	ch := f.poll(f.ctx(), url, shape.Ptr(int32(10)))
	waitForPollers()
	if err := f.svc.ChangeMessageVisibility(f.ctx(), &sqsapi.ChangeMessageVisibilityRequest{QueueUrl: &url,
		ReceiptHandle: &r.handles[0], VisibilityTimeout: shape.Ptr(int32(0))}); err != nil {
		t.Fatal(err)
	}
	if r := waitResult(t, ch); fmt.Sprint(r.bodies) != "[later]" || r.took > 5*time.Second {
		t.Fatalf("after the change: %v after %v", r.bodies, r.took)
	}
}

// One message, many waiters: exactly one gets it.
func TestLongPollOneMessageOneReceiver(t *testing.T) {
	f := newFixtureOn(t, clock.System{})
	url := f.create("lp", nil)
	var chs []<-chan pollResult
	for range 5 {
		chs = append(chs, f.poll(f.ctx(), url, shape.Ptr(int32(1))))
	}
	waitForPollers()
	f.send(url, "one")
	got := 0
	for _, ch := range chs {
		got += len(waitResult(t, ch).bodies)
	}
	if got != 1 {
		t.Fatalf("%d receivers got the message", got)
	}
}

// Close (server shutdown) ends every long poll at once; so does the client
// going away. A queue deleted under a poll answers it as gone.
func TestLongPollEnds(t *testing.T) {
	f := newFixtureOn(t, clock.System{})
	url := f.create("lp", nil)
	ctx, cancel := context.WithCancel(f.ctx())
	byClient := f.poll(ctx, url, shape.Ptr(int32(20)))
	var polls []<-chan pollResult
	for range 3 {
		polls = append(polls, f.poll(f.ctx(), url, shape.Ptr(int32(20))))
	}
	waitForPollers()
	cancel()
	if r := waitResult(t, byClient); r.took > 5*time.Second {
		t.Fatalf("cancelled poll took %v", r.took)
	}
	f.svc.Close()
	var wg sync.WaitGroup
	for _, ch := range polls {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if r := <-ch; r.err != nil || r.took > 5*time.Second {
				t.Errorf("poll after Close: %v %v", r.err, r.took)
			}
		}()
	}
	wg.Wait()

	g := newFixtureOn(t, clock.System{})
	url = g.create("doomed", nil)
	ch := g.poll(g.ctx(), url, shape.Ptr(int32(20)))
	waitForPollers()
	if err := g.svc.DeleteQueue(g.ctx(), &sqsapi.DeleteQueueRequest{QueueUrl: &url}); err != nil {
		t.Fatal(err)
	}
	select {
	case r := <-ch:
		wantErr(t, r.err, "AWS.SimpleQueueService.NonExistentQueue", "")
	case <-time.After(5 * time.Second):
		t.Fatal("poll on a deleted queue did not end")
	}
}
