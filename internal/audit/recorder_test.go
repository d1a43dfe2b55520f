package audit

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/vigilhq/vigil/internal/clock"
	"github.com/vigilhq/vigil/internal/crashtest"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

type sinkFunc func(context.Context, []*Event) error

func (f sinkFunc) Deliver(ctx context.Context, evs []*Event) error { return f(ctx, evs) }

func TestRecorderFlushMakesEventsVisible(t *testing.T) {
	ctx := context.Background()
	s := NewPebbleStore(memPebble(t))
	var mu sync.Mutex
	var delivered []string
	managed := 0
	r := NewRecorder(s, RecorderOptions{Logger: quiet, Sink: sinkFunc(func(_ context.Context, evs []*Event) error {
		mu.Lock()
		defer mu.Unlock()
		for _, e := range evs {
			delivered = append(delivered, e.EventID)
		}
		return nil
	}), Management: sinkFunc(func(_ context.Context, evs []*Event) error {
		mu.Lock()
		defer mu.Unlock()
		for _, e := range evs {
			if !e.ManagementEvent {
				t.Errorf("data event %s sent as management", e.EventID)
			}
		}
		managed += len(evs)
		return nil
	})})
	defer r.Close()
	for i := 0; i < 100; i++ {
		e := mkEvent("1", "r", i, fmt.Sprintf("m%03d", i))
		r.Record(e)
	}
	d := mkEvent("1", "r", 0, "data")
	d.ManagementEvent, d.EventCategory = false, CategoryData
	r.Record(d)
	if err := r.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	p, err := s.Lookup(ctx, Query{Account: "1", Region: "r", Limit: 1000})
	if err != nil || len(p.Events) != 100 {
		t.Fatalf("visible: %d %v", len(p.Events), err)
	}
	mu.Lock()
	defer mu.Unlock()
	if !reflect.DeepEqual(delivered, []string{"data"}) {
		t.Fatalf("sink got %v", delivered)
	}
	if managed != 100 {
		t.Fatalf("management sink got %d events, want 100", managed)
	}
}

// slowStore blocks Append until released.
type slowStore struct {
	Store
	release chan struct{}
	calls   chan int
	fail    error
}

func (s *slowStore) Append(ctx context.Context, evs []*Event) error {
	s.calls <- len(evs)
	<-s.release
	if s.fail != nil {
		return s.fail
	}
	return s.Store.Append(ctx, evs)
}

func TestRecorderBackpressureAndClose(t *testing.T) {
	ctx := context.Background()
	slow := &slowStore{Store: NewPebbleStore(memPebble(t)), release: make(chan struct{}), calls: make(chan int, 100)}
	r := NewRecorder(slow, RecorderOptions{Logger: quiet, QueueSize: 2, MaxBatch: 4})
	r.Record(mkEvent("1", "r", 0, "e0"))
	<-slow.calls // the writer is now stuck in Append with e0
	r.Record(mkEvent("1", "r", 1, "e1"))
	r.Record(mkEvent("1", "r", 2, "e2")) // queue full now
	blocked := make(chan struct{})
	go func() {
		r.Record(mkEvent("1", "r", 3, "e3"))
		close(blocked)
	}()
	select {
	case <-blocked:
		t.Fatal("Record did not block on a full queue")
	case <-time.After(50 * time.Millisecond):
	}
	close(slow.release) // unblock every Append from now on
	<-blocked
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	// Close drained everything; the goroutine is gone and later calls are
	// refused without panicking.
	p, _ := slow.Store.Lookup(ctx, Query{Account: "1", Region: "r"})
	if !reflect.DeepEqual(ids(p), []string{"e3", "e2", "e1", "e0"}) {
		t.Fatalf("after close: %v", ids(p))
	}
	if err := r.Flush(ctx); !errors.Is(err, ErrClosed) {
		t.Fatalf("flush after close: %v", err)
	}
	r.Record(mkEvent("1", "r", 9, "late"))
	if err := r.Close(); err != nil {
		t.Fatal("second close:", err)
	}
}

func TestRecorderReportsWriteFailures(t *testing.T) {
	ctx := context.Background()
	bad := &slowStore{Store: NewPebbleStore(memPebble(t)), release: make(chan struct{}), calls: make(chan int, 100), fail: errors.New("disk on fire")}
	close(bad.release)
	r := NewRecorder(bad, RecorderOptions{Logger: quiet})
	defer r.Close()
	r.Record(mkEvent("1", "r", 0, "e0"))
	if err := r.Flush(ctx); err == nil || r.Failed() != 1 {
		t.Fatalf("flush: %v, failed %d", err, r.Failed())
	}
	// The error is reported once; the next flush starts clean.
	if err := r.Flush(ctx); err != nil {
		t.Fatalf("second flush: %v", err)
	}
}

func TestRecorderFlushHonoursContext(t *testing.T) {
	slow := &slowStore{Store: NewPebbleStore(memPebble(t)), release: make(chan struct{}), calls: make(chan int, 100)}
	r := NewRecorder(slow, RecorderOptions{Logger: quiet})
	r.Record(mkEvent("1", "r", 0, "e0"))
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if err := r.Flush(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("flush: %v", err)
	}
	close(slow.release)
	r.Close()
}

func TestRecorderSweepOnce(t *testing.T) {
	ctx := context.Background()
	s := NewPebbleStore(memPebble(t))
	clk := clock.NewFake(t0)
	r := NewRecorder(s, RecorderOptions{Logger: quiet, Clock: clk})
	defer r.Close()
	r.Record(mkEvent("1", "r", 0, "old"))
	r.Record(mkEvent("1", "r", 3600, "new"))
	if err := r.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if n, err := r.SweepOnce(ctx); n != 0 || err != nil {
		t.Fatalf("early sweep: %d %v", n, err)
	}
	clk.Advance(Retention + time.Second)
	if n, err := r.SweepOnce(ctx); n != 1 || err != nil {
		t.Fatalf("sweep: %d %v", n, err)
	}
	p, _ := s.Lookup(ctx, Query{Account: "1", Region: "r"})
	if !reflect.DeepEqual(ids(p), []string{"new"}) {
		t.Fatalf("left: %v", ids(p))
	}
}

// TestRecorderSurvivesKill9 records and flushes in a child process that then
// kills itself with SIGKILL; the parent reopens the directory.
func TestRecorderSurvivesKill9(t *testing.T) {
	dir := crashtest.Run(t, func(dir string) {
		db := openPebble(t, dir)
		r := NewRecorder(NewPebbleStore(db), RecorderOptions{Logger: quiet})
		for i := 0; i < 10; i++ {
			r.Record(mkEvent("1", "r", i, fmt.Sprintf("k%d", i)))
		}
		if err := r.Flush(context.Background()); err != nil {
			t.Fatal(err)
		}
	})
	db := openPebble(t, dir)
	defer db.Close()
	p, err := NewPebbleStore(db).Lookup(context.Background(), Query{Account: "1", Region: "r"})
	if err != nil || len(p.Events) != 10 {
		t.Fatalf("after kill -9: %v %v", ids(p), err)
	}
}
