package insights

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/vigilhq/vigil/internal/logstore"
)

// gateExec reports one partial row, then waits for release (or the end of
// the query's context) and answers rows.
type gateExec struct {
	release chan struct{}
	fail    error
}

func (g *gateExec) Run(ctx context.Context, spec Spec, partial func([]Row, Stats)) ([]Row, Stats, error) {
	partial([]Row{{{"n", "partial"}}}, Stats{RecordsScanned: 1})
	select {
	case <-g.release:
	case <-ctx.Done():
		return nil, Stats{}, ctx.Err()
	}
	return []Row{{{"n", "1"}}, {{"n", "2"}}}, Stats{RecordsMatched: 2, RecordsScanned: 10}, g.fail
}

type manualClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *manualClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *manualClock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

var p1 = logstore.Partition{Account: "111111111111", Region: "us-east-1"}

func waitStatus(t *testing.T, m *Manager, id string, want Status) Info {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		q, ok := m.Get(p1, id)
		if ok && q.Status == want {
			return q
		}
		if time.Now().After(deadline) {
			t.Fatalf("query %s is %s, want %s", id, q.Status, want)
		}
		time.Sleep(time.Millisecond)
	}
}

func TestQueryLifecycle(t *testing.T) {
	exec := &gateExec{release: make(chan struct{})}
	clk := &manualClock{t: time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)}
	m := NewManager(exec, ManagerOptions{Clock: clk})
	defer m.Close()

	id, err := m.Start(Spec{Partition: p1, QueryString: "fields @message", Groups: []string{"g"}})
	if err != nil {
		t.Fatal(err)
	}
	// Partial rows are visible while it runs.
	deadline := time.Now().Add(10 * time.Second)
	for {
		q, _ := m.Get(p1, id)
		if q.Status == Running && len(q.Rows) == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no partial results: %+v", q)
		}
		time.Sleep(time.Millisecond)
	}
	// Other partitions do not see it.
	if _, ok := m.Get(logstore.Partition{Account: "222222222222", Region: "us-east-1"}, id); ok {
		t.Fatal("another account sees the query")
	}
	close(exec.release)
	q := waitStatus(t, m, id, Complete)
	if len(q.Rows) != 2 || q.Stats.RecordsMatched != 2 {
		t.Fatalf("result %+v", q)
	}
	if stopped, ok := m.Stop(p1, id); stopped || !ok {
		t.Fatalf("stopping a finished query: %v %v", stopped, ok)
	}
	if got := m.List(p1, Complete, "g"); len(got) != 1 || got[0].ID != id {
		t.Fatalf("list: %+v", got)
	}
	// Results are kept seven days.
	clk.add(ResultRetention + time.Minute)
	m.Sweep(context.Background())
	if _, ok := m.Get(p1, id); ok {
		t.Fatal("result kept past its retention")
	}
}

func TestQueryStopTimeoutFailureAndLimit(t *testing.T) {
	exec := &gateExec{release: make(chan struct{})}
	m := NewManager(exec, ManagerOptions{Timeout: time.Hour})
	var ids []string
	for range MaxConcurrent {
		id, err := m.Start(Spec{Partition: p1})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	if _, err := m.Start(Spec{Partition: p1}); !errors.Is(err, ErrTooMany) {
		t.Fatalf("query %d: %v, want ErrTooMany", MaxConcurrent+1, err)
	}
	// Another account has its own limit.
	if _, err := m.Start(Spec{Partition: logstore.Partition{Account: "222222222222", Region: "us-east-1"}}); err != nil {
		t.Fatal(err)
	}
	if stopped, ok := m.Stop(p1, ids[0]); !stopped || !ok {
		t.Fatal("stop a running query")
	}
	waitStatus(t, m, ids[0], Cancelled)
	// A slot is free again once the stopped query's goroutine is done.
	deadline := time.Now().Add(10 * time.Second)
	for {
		if _, err := m.Start(Spec{Partition: p1}); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("no slot after stopping a query")
		}
		time.Sleep(time.Millisecond)
	}
	m.Close() // cancels the rest and waits for their goroutines
	if q, _ := m.Get(p1, ids[1]); q.Status != Cancelled {
		t.Fatalf("after Close: %s", q.Status)
	}

	short := NewManager(&gateExec{release: make(chan struct{})}, ManagerOptions{Timeout: 10 * time.Millisecond})
	defer short.Close()
	id, _ := short.Start(Spec{Partition: p1})
	waitStatus(t, short, id, Timeout)

	failing := &gateExec{release: make(chan struct{}), fail: errors.New("boom")}
	close(failing.release)
	fm := NewManager(failing, ManagerOptions{})
	defer fm.Close()
	id, _ = fm.Start(Spec{Partition: p1})
	if q := waitStatus(t, fm, id, Failed); q.Err == nil {
		t.Fatal("failed query without its error")
	}
}
