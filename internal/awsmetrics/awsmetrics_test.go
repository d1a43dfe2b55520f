package awsmetrics

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vigilhq/vigil/internal/clock"
	"github.com/vigilhq/vigil/internal/metricstore"
)

var t0 = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

type sink struct {
	mu    sync.Mutex
	calls int
	lines []string
	err   error
}

func (s *sink) Append(_ context.Context, p metricstore.Partition, ds []metricstore.Datum) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls++
	if s.err != nil {
		return s.err
	}
	for _, d := range ds {
		var dims []string
		for _, dm := range d.Key.Dims {
			dims = append(dims, dm.Name+"="+dm.Value)
		}
		s.lines = append(s.lines, fmt.Sprintf("%s %s %s{%s} t=%d n=%g sum=%g min=%g max=%g %s hr=%v", p.Account, d.Key.Namespace, d.Key.MetricName,
			strings.Join(dims, ","), d.T, d.SetCount, d.Sum, d.Min, d.Max, d.Unit, d.HighRes))
	}
	return nil
}

func (s *sink) take() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := s.lines
	s.lines = nil
	sort.Strings(out)
	return strings.Join(out, "\n")
}

// TestAggregate: values of a series and second merge into one statistic
// set; each partition is one Append; Collect runs first, at the clock's
// time; a failed Append drops its datapoints.
func TestAggregate(t *testing.T) {
	clk := clock.NewFake(t0.Add(1500 * time.Millisecond))
	s := &sink{}
	var a *Aggregator
	a = New(s, Options{Namespace: "AWS/Test", Clock: clk, Every: -1, HighRes: true, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Collect: func(at time.Time) {
			a.Add(metricstore.Partition{Account: "2", Region: "r"}, "Gauge", "Count", 7, at, Dim("Q", "x"))
		}})
	p := metricstore.Partition{Account: "1", Region: "r"}
	a.Add(p, "Calls", "Count", 1, t0, "", Dim("Q", "x"))
	a.Add(p, "Calls", "Count", 1, t0.Add(900*time.Millisecond), "")
	a.Add(p, "Size", "Bytes", 10, t0, "")
	a.AddSet(p, "Size", "Bytes", 2, 6, 1, 5, t0, "")
	a.AddSet(p, "Size", "Bytes", 0, 0, 0, 0, t0, "") // nothing
	a.Flush(context.Background())
	want := strings.Join([]string{
		"1 AWS/Test Calls{Q=x} t=1795608000000 n=1 sum=1 min=1 max=1 Count hr=true",
		"1 AWS/Test Calls{} t=1795608000000 n=2 sum=2 min=1 max=1 Count hr=true",
		"1 AWS/Test Size{} t=1795608000000 n=3 sum=16 min=1 max=10 Bytes hr=true",
		"2 AWS/Test Gauge{Q=x} t=1795608001000 n=1 sum=7 min=7 max=7 Count hr=true",
	}, "\n")
	if got := s.take(); got != want {
		t.Fatalf("got\n%s\nwant\n%s", got, want)
	}
	if s.calls != 2 {
		t.Fatalf("%d Appends, want one per partition", s.calls)
	}
	s.err = errors.New("full")
	a.Flush(context.Background())
	s.err = nil
	a.Flush(context.Background())
	if got := s.take(); !strings.HasPrefix(got, "2 AWS/Test Gauge") || strings.Contains(got, "\n") {
		t.Fatalf("after a failed write: %q", got)
	}
}

// TestCloseFlushes: Close stops the goroutine and flushes what is
// pending; a nil Aggregator does nothing.
func TestCloseFlushes(t *testing.T) {
	s := &sink{}
	a := New(s, Options{Namespace: "AWS/Test", Every: time.Hour})
	a.Add(metricstore.Partition{Account: "1", Region: "r"}, "Calls", "Count", 1, t0, "")
	a.Close()
	if got := s.take(); got == "" {
		t.Fatal("nothing flushed")
	}
	var nilA *Aggregator
	nilA.Flush(context.Background())
	nilA.Close()
}

// TestLoopFlushes: the goroutine flushes by itself, before the end of
// each interval.
func TestLoopFlushes(t *testing.T) {
	s := &sink{}
	flushed := make(chan struct{}, 10)
	a := New(s, Options{Namespace: "AWS/Test", Every: 20 * time.Millisecond, Collect: func(time.Time) {
		select {
		case flushed <- struct{}{}:
		default:
		}
	}})
	defer a.Close()
	select {
	case <-flushed:
	case <-time.After(10 * time.Second): // guards a hung test only
		t.Fatal("no flush")
	}
}

// A batch's datapoints are those of the same adds made directly, however
// many series it holds (past maxBatch it commits early); a nil batch
// records nothing.
func TestBatchMatchesDirectAdds(t *testing.T) {
	record := func(r Recorder) {
		p := metricstore.Partition{Account: "111111111111", Region: "us-east-1"}
		for i := range 3 * maxBatch {
			at := t0.Add(time.Duration(i%3) * time.Second)
			r.Add(p, fmt.Sprint("m", i%(2*maxBatch)), "Count", float64(i), at, "", Dim("Rule", fmt.Sprint(i%5)))
		}
	}
	run := func(batched bool) string {
		s := &sink{}
		a := New(s, Options{Namespace: "AWS/Test", Clock: clock.NewFake(t0), Every: -1, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
		if batched {
			b := a.NewBatch()
			record(b)
			b.Commit()
			b.Commit() // empty: nothing more
		} else {
			record(a)
		}
		a.Flush(context.Background())
		return s.take()
	}
	direct, batched := run(false), run(true)
	if direct == "" || batched != direct {
		t.Fatalf("batched adds differ from direct ones:\n%s\n---\n%s", batched, direct)
	}
	var nilBatch *Batch
	nilBatch.Add(metricstore.Partition{}, "m", "Count", 1, t0, "")
	nilBatch.Commit()
}
