package logs

import (
	"context"
	"errors"
)

// SweepRetention deletes the events older than their log group's retention
// period: the scheduler runs it hourly. Until a sweep an expired event may
// still be read, as in CloudWatch Logs, where deletion "can take up to 72
// hours". A group is only swept when one of its streams holds events older
// than the cutoff, so an idle group adds nothing to the store's deletion log.
func (s *Service) SweepRetention(ctx context.Context) error {
	type target struct {
		p       partition
		group   string
		cutoff  int64
		streams []*stream
	}
	now := s.clock.Now().UnixMilli()
	var ts []target
	s.cat.mu.RLock()
	for p, gs := range s.cat.groups {
		for name, g := range gs {
			if g.doc.RetentionDays == 0 {
				continue
			}
			t := target{p: p, group: name, cutoff: now - int64(g.doc.RetentionDays)*day.Milliseconds()}
			for _, st := range g.streams {
				if first := st.snapshot().FirstEvent; first != 0 && first < t.cutoff {
					t.streams = append(t.streams, st)
				}
			}
			if len(t.streams) > 0 {
				ts = append(ts, t)
			}
		}
	}
	s.cat.mu.RUnlock()
	var errs []error
	for _, t := range ts {
		if err := s.events.DeleteBefore(ctx, t.p, t.group, t.cutoff); err != nil {
			errs = append(errs, err)
			continue
		}
		// The first event left is at or after the cutoff.
		for _, st := range t.streams {
			st.mu.Lock()
			st.doc.FirstEvent = max(st.doc.FirstEvent, t.cutoff)
			st.dirty = true
			st.mu.Unlock()
		}
	}
	return errors.Join(errs...)
}
