package events

import (
	"context"
	"maps"
	"slices"
	"time"
)

// schedulePoll is how often, in real time, the schedule loop reads the
// injected clock; a fire is late by at most this much.
const schedulePoll = 200 * time.Millisecond

// Start runs scheduled rules until Close: one goroutine polls the injected
// clock and fires every enabled schedule rule of every default bus that
// came due.
func (s *Service) Start() {
	s.startReplays() // replays.go
	s.stop, s.stopped = make(chan struct{}), make(chan struct{})
	go func() {
		defer close(s.stopped)
		t := time.NewTicker(schedulePoll)
		defer t.Stop()
		for {
			select {
			case <-s.stop:
				return
			case <-t.C:
				if err := s.FireSchedules(context.Background()); err != nil {
					s.log.Warn("events: scheduled events not enqueued; retrying", "err", err)
				}
			}
		}
	}()
}

// Close stops what Start started and waits for it.
func (s *Service) Close() {
	s.closeReplays()
	if s.stop == nil {
		return
	}
	close(s.stop)
	<-s.stopped
	s.stop = nil
}

// FireSchedules puts a "Scheduled Event" for every schedule rule due at
// the clock's now and enqueues its deliveries to the rule's own targets
// (a scheduled event is not matched against other rules). Decisions, where
// AWS is silent: a rule first seen (created, changed, or after a restart)
// fires at its next time strictly after now, so fires missed while Vigil
// was down are not caught up; a rule that missed several fires (the clock
// jumped) fires once, at the latest. If enqueueing fails nothing advances,
// so the next pass fires again.
func (s *Service) FireSchedules(ctx context.Context) error {
	s.schedMu.Lock()
	defer s.schedMu.Unlock()
	now := s.clock.Now()
	next := make(map[*rule]time.Time, len(s.nextFire))
	var ds []delivery
	s.mu.RLock()
	for p, reg := range s.parts {
		b := reg.buses[defaultBus]
		if b == nil {
			continue
		}
		// By name, so that fires (and the ids they take) come in one order.
		for _, name := range slices.Sorted(maps.Keys(b.rules)) {
			r := b.rules[name]
			if r.sched == nil || !r.enabled() {
				continue
			}
			anchor := time.UnixMilli(r.doc.Since)
			if r.doc.Since == 0 {
				anchor = time.UnixMilli(r.doc.Created)
			}
			due, seen := s.nextFire[r]
			if !seen {
				due = r.sched.NextFrom(anchor, now)
			}
			var fire time.Time
			for !due.IsZero() && !due.After(now) {
				fire = due
				due = r.sched.NextFrom(anchor, due)
			}
			if !fire.IsZero() {
				id := s.ids.UUID()
				ev := appendEvent(nil, id, "Scheduled Event", "aws.events", p, fire, []string{r.arn}, []byte("{}"))
				ds = appendDeliveries(ds, p, b, r, id, fire, 0, now, ev)
			}
			next[r] = due
		}
	}
	s.mu.RUnlock()
	if err := s.dispatch(ctx, s.met, ds); err != nil {
		return err
	}
	s.nextFire = next
	return nil
}
