// Package scheduler runs Vigil's periodic background work (retention sweeps
// now; alarm evaluation, trail rollover and schedules later) from one
// goroutine it owns, on the injected clock. Jobs are due by the clock's
// time, so tests move a fake clock and call RunDue instead of waiting.
package scheduler

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/vigilhq/vigil/internal/clock"
)

// Job is periodic work. Run is called from the scheduler's goroutine, one
// job at a time; it should return promptly when ctx is cancelled.
type Job struct {
	Name  string
	Every time.Duration
	Run   func(ctx context.Context) error
}

type entry struct {
	Job
	next time.Time
}

// Scheduler runs jobs when they are due. Add, RunDue, Start and Close are
// safe for concurrent use; Close must be called once after Start.
type Scheduler struct {
	clock clock.Clock
	log   *slog.Logger

	mu   sync.Mutex
	jobs []*entry

	runMu  sync.Mutex // one RunDue at a time
	cancel context.CancelFunc
	done   chan struct{}
}

// New returns a scheduler on clk.
func New(clk clock.Clock, log *slog.Logger) *Scheduler {
	return &Scheduler{clock: clk, log: log}
}

// Add registers a job; its first run is due at once.
func (s *Scheduler) Add(j Job) {
	s.mu.Lock()
	s.jobs = append(s.jobs, &entry{Job: j, next: s.clock.Now()})
	s.mu.Unlock()
}

// RunDue runs every job whose time has come, and schedules each one's next
// run one interval after this one was due (or after now, when the clock has
// jumped past several intervals, so a late job runs once, not in a burst).
func (s *Scheduler) RunDue(ctx context.Context) {
	s.runMu.Lock()
	defer s.runMu.Unlock()
	now := s.clock.Now()
	s.mu.Lock()
	var due []*entry
	for _, e := range s.jobs {
		if !now.Before(e.next) {
			due = append(due, e)
			e.next = e.next.Add(e.Every)
			if !e.next.After(now) {
				e.next = now.Add(e.Every)
			}
		}
	}
	s.mu.Unlock()
	for _, e := range due {
		if ctx.Err() != nil {
			return
		}
		start := time.Now()
		if err := e.Run(ctx); err != nil {
			s.log.Error("scheduled job failed", "job", e.Name, "err", err)
			continue
		}
		s.log.Debug("scheduled job ran", "job", e.Name, "took", time.Since(start))
	}
}

// Start runs due jobs every poll interval of real time until Close.
func (s *Scheduler) Start(poll time.Duration) {
	ctx, cancel := context.WithCancel(context.Background())
	s.cancel, s.done = cancel, make(chan struct{})
	go func() {
		defer close(s.done)
		t := time.NewTicker(poll)
		defer t.Stop()
		for {
			s.RunDue(ctx)
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
		}
	}()
}

// Close stops the goroutine started by Start, cancelling a running job's
// context, and waits for it.
func (s *Scheduler) Close() {
	if s.cancel == nil {
		return
	}
	s.cancel()
	<-s.done
}
