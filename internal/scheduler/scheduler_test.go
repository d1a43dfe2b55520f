package scheduler

import (
	"context"
	"io"
	"log/slog"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vigilhq/vigil/internal/clock"
)

func TestJobsRunWhenDueOnTheClock(t *testing.T) {
	clk := clock.NewFake(time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC))
	s := New(clk, slog.New(slog.NewTextHandler(io.Discard, nil)))
	var hourly, daily int
	s.Add(Job{Name: "hourly", Every: time.Hour, Run: func(context.Context) error { hourly++; return nil }})
	s.Add(Job{Name: "daily", Every: 24 * time.Hour, Run: func(context.Context) error { daily++; return nil }})
	ctx := context.Background()

	s.RunDue(ctx) // both due at start
	s.RunDue(ctx) // nothing new
	clk.Advance(59 * time.Minute)
	s.RunDue(ctx)
	if hourly != 1 || daily != 1 {
		t.Fatalf("after 59m: hourly=%d daily=%d", hourly, daily)
	}
	clk.Advance(time.Minute)
	s.RunDue(ctx)
	if hourly != 2 || daily != 1 {
		t.Fatalf("after 1h: hourly=%d daily=%d", hourly, daily)
	}
	// A jump over many intervals runs a job once, then on the new cadence.
	clk.Advance(10 * time.Hour)
	s.RunDue(ctx)
	s.RunDue(ctx)
	if hourly != 3 {
		t.Fatalf("after a 10h jump: hourly=%d", hourly)
	}
	clk.Advance(time.Hour)
	s.RunDue(ctx)
	if hourly != 4 {
		t.Fatalf("an hour after the jump: hourly=%d", hourly)
	}
}

func TestStartAndCloseStopTheGoroutine(t *testing.T) {
	s := New(clock.System{}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	var runs atomic.Int32
	started := make(chan struct{})
	s.Add(Job{Name: "blocking", Every: time.Hour, Run: func(ctx context.Context) error {
		runs.Add(1)
		close(started)
		<-ctx.Done() // a long job must see the cancellation
		return ctx.Err()
	}})
	s.Start(time.Millisecond)
	<-started
	done := make(chan struct{})
	go func() { s.Close(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Close did not stop the scheduler")
	}
	if runs.Load() != 1 {
		t.Fatalf("runs = %d", runs.Load())
	}
}
