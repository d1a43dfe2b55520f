package outbox

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/vigilhq/vigil/internal/clock"
	"github.com/vigilhq/vigil/internal/crashtest"
	"github.com/vigilhq/vigil/internal/wal"
)

var t0 = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

// recorder delivers through fn and remembers every attempt.
type recorder struct {
	mu   sync.Mutex
	got  []Entry
	fn   func(e Entry) Outcome
	seen chan Entry
}

func newRecorder(fn func(Entry) Outcome) *recorder {
	return &recorder{fn: fn, seen: make(chan Entry, 1000)}
}

func (r *recorder) Deliver(_ context.Context, e Entry) Outcome {
	r.mu.Lock()
	r.got = append(r.got, e)
	r.mu.Unlock()
	r.seen <- e
	return r.fn(e)
}

func done(Entry) Outcome { return Outcome{Done: true} }

// next waits for the next attempt (the deadline only guards a hung test).
func (r *recorder) next(t *testing.T) Entry {
	t.Helper()
	select {
	case e := <-r.seen:
		return e
	case <-time.After(20 * time.Second):
		t.Fatal("no attempt")
		return Entry{}
	}
}

func quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func open(t *testing.T, dir string, clk clock.Clock, d map[string]Deliverer, o Options) *Outbox {
	t.Helper()
	o.Clock, o.Logger = clk, quiet()
	if o.Poll == 0 {
		o.Poll = time.Hour // tests wake the dispatcher with kick
	}
	b, err := Open(dir, o, d)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// waitIdle waits until no entry is in flight and returns the pending count.
func waitIdle(t *testing.T, b *Outbox) int {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		b.mu.Lock()
		busy := false
		for _, it := range b.pending {
			busy = busy || it.inFlight || it.staged
		}
		n := len(b.pending)
		b.mu.Unlock()
		if !busy {
			return n
		}
		time.Sleep(time.Millisecond)
	}
	t.Fatal("outbox never idle")
	return 0
}

func TestDeliversEveryEntry(t *testing.T) {
	clk := clock.NewFake(t0)
	r := newRecorder(done)
	b := open(t, t.TempDir(), clk, map[string]Deliverer{"k": r}, Options{})
	defer b.Close()
	if err := b.Enqueue(context.Background(), "k", []byte("a"), []byte("b"), []byte("c")); err != nil {
		t.Fatal(err)
	}
	got := map[string]bool{}
	for range 3 {
		e := r.next(t)
		got[string(e.Payload)] = true
		if e.Kind != "k" || e.Attempts != 0 || !e.Enqueued.Equal(t0) {
			t.Fatalf("entry %+v", e)
		}
	}
	if len(got) != 3 {
		t.Fatalf("delivered %v", got)
	}
	if n := waitIdle(t, b); n != 0 {
		t.Fatalf("%d pending after delivery", n)
	}
}

func TestRetryWaitsForTheClock(t *testing.T) {
	clk := clock.NewFake(t0)
	r := newRecorder(func(e Entry) Outcome {
		if e.Attempts < 2 {
			return Outcome{RetryAt: clk.Now().Add(time.Minute)}
		}
		return Outcome{Done: true}
	})
	b := open(t, t.TempDir(), clk, map[string]Deliverer{"k": r}, Options{})
	defer b.Close()
	if err := b.Enqueue(context.Background(), "k", []byte("x")); err != nil {
		t.Fatal(err)
	}
	r.next(t)
	waitIdle(t, b)
	clk.Advance(59 * time.Second)
	b.startDue() // not yet due: nothing starts
	if len(r.seen) != 0 || waitIdle(t, b) != 1 {
		t.Fatal("retried before its time")
	}
	clk.Advance(time.Second)
	b.kick()
	if e := r.next(t); e.Attempts != 1 {
		t.Fatalf("second attempt saw Attempts=%d", e.Attempts)
	}
	waitIdle(t, b)
	clk.Advance(time.Minute)
	b.kick()
	if e := r.next(t); e.Attempts != 2 {
		t.Fatalf("third attempt saw Attempts=%d", e.Attempts)
	}
	if n := waitIdle(t, b); n != 0 {
		t.Fatalf("%d pending after the last attempt", n)
	}
}

// An entry enqueued as a retry keeps its attempt count and waits for its
// due time, across a reopen too.
func TestEnqueueRetriesKeepsAttemptsAndDue(t *testing.T) {
	dir := t.TempDir()
	clk := clock.NewFake(t0)
	never := newRecorder(done)
	b := open(t, dir, clk, map[string]Deliverer{"k": never}, Options{})
	if err := b.EnqueueRetries(context.Background(), "k", Retry{Payload: []byte("x"), Attempts: 3, Due: t0.Add(time.Minute)}); err != nil {
		t.Fatal(err)
	}
	b.startDue() // not yet due: nothing starts
	if waitIdle(t, b) != 1 || len(never.seen) != 0 {
		t.Fatal("attempted before its due time")
	}
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	r := newRecorder(done)
	b = open(t, dir, clk, map[string]Deliverer{"k": r}, Options{})
	defer b.Close()
	b.startDue()
	if waitIdle(t, b) != 1 || len(r.seen) != 0 {
		t.Fatal("attempted before its due time after a reopen")
	}
	clk.Advance(time.Minute)
	b.kick()
	if e := r.next(t); e.Attempts != 3 || string(e.Payload) != "x" {
		t.Fatalf("attempt saw %+v, want Attempts=3", e)
	}
}

func TestReplayAfterReopen(t *testing.T) {
	dir := t.TempDir()
	clk := clock.NewFake(t0)
	first := newRecorder(func(e Entry) Outcome {
		if string(e.Payload) == "ok" {
			return Outcome{Done: true}
		}
		return Outcome{RetryAt: clk.Now().Add(time.Hour)}
	})
	b := open(t, dir, clk, map[string]Deliverer{"k": first}, Options{})
	if err := b.Enqueue(context.Background(), "k", []byte("ok"), []byte("later")); err != nil {
		t.Fatal(err)
	}
	first.next(t)
	first.next(t)
	waitIdle(t, b)
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	if err := b.Enqueue(context.Background(), "k", []byte("z")); err != ErrClosed {
		t.Fatalf("enqueue after close: %v", err)
	}

	second := newRecorder(done)
	b = open(t, dir, clk, map[string]Deliverer{"k": second}, Options{})
	defer b.Close()
	if n := b.Len(); n != 1 {
		t.Fatalf("%d pending after reopen, want 1", n)
	}
	b.startDue() // due in an hour: nothing yet
	if len(second.seen) != 0 {
		t.Fatal("replayed entry ran before its retry time")
	}
	clk.Advance(time.Hour)
	b.kick()
	e := second.next(t)
	if string(e.Payload) != "later" || e.Attempts != 1 {
		t.Fatalf("replayed %q attempts=%d", e.Payload, e.Attempts)
	}
	if n := waitIdle(t, b); n != 0 {
		t.Fatalf("%d pending", n)
	}
	// IDs keep growing across reopen.
	if err := b.Enqueue(context.Background(), "k", []byte("new")); err != nil {
		t.Fatal(err)
	}
	if e := second.next(t); e.ID <= 2 {
		t.Fatalf("new entry reused id %d", e.ID)
	}
}

func TestCompactionKeepsOnlyLiveEntries(t *testing.T) {
	dir := t.TempDir()
	clk := clock.NewFake(t0)
	r := newRecorder(func(e Entry) Outcome {
		if string(e.Payload) == "keep" {
			return Outcome{RetryAt: clk.Now().Add(time.Hour)}
		}
		return Outcome{Done: true}
	})
	b := open(t, dir, clk, map[string]Deliverer{"k": r}, Options{CompactBytes: 1 << 10})
	ctx := context.Background()
	if err := b.Enqueue(ctx, "k", []byte("keep")); err != nil {
		t.Fatal(err)
	}
	for i := range 50 {
		if err := b.Enqueue(ctx, "k", fmt.Appendf(nil, "gone-%03d-%s", i, make([]byte, 100))); err != nil {
			t.Fatal(err)
		}
	}
	for range 51 {
		r.next(t)
	}
	waitIdle(t, b)
	// The dispatcher compacts on its own once 1 KiB was appended; an
	// explicit Compact may run alongside. Either way one segment remains.
	if err := b.Compact(); err != nil {
		t.Fatal(err)
	}
	var segs []uint64
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(time.Millisecond) {
		if segs, _ = wal.Segments(dir); len(segs) == 1 {
			break
		}
		b.kick()
	}
	if len(segs) != 1 {
		t.Fatalf("segments after compaction: %v", segs)
	}
	b.Close()
	b = open(t, dir, clk, map[string]Deliverer{"k": r}, Options{})
	defer b.Close()
	if n := b.Len(); n != 1 {
		t.Fatalf("%d pending after compaction and reopen, want 1", n)
	}
}

func TestCloseWaitsForAttemptsInFlight(t *testing.T) {
	dir := t.TempDir()
	clk := clock.NewFake(t0)
	started := make(chan struct{})
	var ended sync.WaitGroup
	ended.Add(1)
	slow := DelivererFunc(func(ctx context.Context, e Entry) Outcome {
		defer ended.Done()
		close(started)
		<-ctx.Done() // a slow endpoint: only Close ends it
		return Outcome{RetryAt: clk.Now()}
	})
	b := open(t, dir, clk, map[string]Deliverer{"k": slow}, Options{})
	if err := b.Enqueue(context.Background(), "k", []byte("x")); err != nil {
		t.Fatal(err)
	}
	<-started
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	ended.Wait() // returned, so Close did wait for it
	r := newRecorder(done)
	b = open(t, dir, clk, map[string]Deliverer{"k": r}, Options{})
	defer b.Close()
	if e := r.next(t); string(e.Payload) != "x" || e.Attempts != 1 {
		t.Fatalf("after reopen: %q attempts=%d", e.Payload, e.Attempts)
	}
}

func TestPerKindLimitLeavesRoomForOtherKinds(t *testing.T) {
	clk := clock.NewFake(t0)
	release := make(chan struct{})
	slow := DelivererFunc(func(ctx context.Context, e Entry) Outcome {
		select {
		case <-release:
		case <-ctx.Done():
		}
		return Outcome{Done: true}
	})
	fast := newRecorder(done)
	b := open(t, t.TempDir(), clk, map[string]Deliverer{"slow": slow, "fast": fast}, Options{Workers: 4, PerKind: 2})
	defer b.Close()
	defer close(release)
	ctx := context.Background()
	if err := b.Enqueue(ctx, "slow", []byte("1"), []byte("2"), []byte("3"), []byte("4")); err != nil {
		t.Fatal(err)
	}
	if err := b.Enqueue(ctx, "fast", []byte("f")); err != nil {
		t.Fatal(err)
	}
	if e := fast.next(t); string(e.Payload) != "f" {
		t.Fatalf("fast got %q", e.Payload)
	}
	b.mu.Lock()
	n := b.inFlight["slow"]
	b.mu.Unlock()
	if n > 2 {
		t.Fatalf("%d slow attempts in flight, limit 2", n)
	}
}

func TestResetDropsEverything(t *testing.T) {
	dir := t.TempDir()
	clk := clock.NewFake(t0)
	r := newRecorder(func(Entry) Outcome { return Outcome{RetryAt: clk.Now().Add(time.Hour)} })
	b := open(t, dir, clk, map[string]Deliverer{"k": r}, Options{})
	b.Enqueue(context.Background(), "k", []byte("x"))
	r.next(t)
	waitIdle(t, b)
	if err := b.Reset(context.Background()); err != nil {
		t.Fatal(err)
	}
	b.Close()
	b = open(t, dir, clk, map[string]Deliverer{"k": r}, Options{})
	defer b.Close()
	if n := b.Len(); n != 0 {
		t.Fatalf("%d pending after reset", n)
	}
}

// TestKill9KeepsEnqueued: an entry Enqueue acknowledged survives SIGKILL.
func TestKill9KeepsEnqueued(t *testing.T) {
	dir := crashtest.Run(t, func(dir string) {
		never := DelivererFunc(func(context.Context, Entry) Outcome { return Outcome{RetryAt: t0.Add(time.Hour)} })
		b, err := Open(dir, Options{Clock: clock.NewFake(t0), Logger: quiet()}, map[string]Deliverer{"k": never})
		if err != nil {
			t.Fatal(err)
		}
		for i := range 20 {
			if err := b.Enqueue(context.Background(), "k", fmt.Appendf(nil, "m%d", i)); err != nil {
				t.Fatal(err)
			}
		}
	})
	// Attempts after the restart fail, so that none of them races Len by
	// finishing an entry.
	r := newRecorder(func(Entry) Outcome { return Outcome{RetryAt: t0.Add(3 * time.Hour)} })
	b := open(t, dir, clock.NewFake(t0.Add(2*time.Hour)), map[string]Deliverer{"k": r}, Options{})
	defer b.Close()
	if n := b.Len(); n != 20 {
		t.Fatalf("%d entries after kill -9, want 20", n)
	}
}

// FuzzReplay: no log record, however corrupt, panics the replay, and an
// enqueue record round-trips.
func FuzzReplay(f *testing.F) {
	it := &item{Entry: Entry{ID: 7, Kind: "sns-http", Payload: []byte(`{"x":1}`), Attempts: 2, Enqueued: t0}, due: t0.Add(time.Minute)}
	f.Add(encodeEnqueue(it)[wal.HeaderLen:])
	f.Add(encodeAttempt(it)[wal.HeaderLen:])
	f.Add(encodeDone(7)[wal.HeaderLen:])
	f.Add([]byte{recEnqueue, 1, 2, 3})
	f.Fuzz(func(t *testing.T, rec []byte) {
		b := &Outbox{pending: map[uint64]*item{}}
		b.replay(rec)
		if len(rec) > 0 && rec[0] == recEnqueue {
			if got, ok := decodeEnqueue(rec); ok {
				again, ok := decodeEnqueue(encodeEnqueue(got)[wal.HeaderLen:])
				if !ok || again.ID != got.ID || again.Kind != got.Kind || string(again.Payload) != string(got.Payload) || again.Attempts != got.Attempts {
					t.Fatalf("round trip %+v != %+v", again, got)
				}
			}
		}
	})
}
