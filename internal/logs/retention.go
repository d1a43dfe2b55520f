package logs

import (
	"context"
	"errors"
)

// SweepRetention deletes the events older than their log group's retention
// period: the scheduler runs it hourly. Reads already hide nothing by
// retention, so until a sweep an expired event may still be read, as in
// CloudWatch Logs, where deletion "can take up to 72 hours".
func (s *Service) SweepRetention(ctx context.Context) error {
	type target struct {
		p     partition
		group string
		days  int32
	}
	var ts []target
	s.cat.mu.RLock()
	for p, gs := range s.cat.groups {
		for name, g := range gs {
			if g.doc.RetentionDays > 0 {
				ts = append(ts, target{p, name, g.doc.RetentionDays})
			}
		}
	}
	s.cat.mu.RUnlock()
	now := s.clock.Now().UnixMilli()
	var errs []error
	for _, t := range ts {
		if err := s.events.DeleteBefore(ctx, t.p, t.group, now-int64(t.days)*day.Milliseconds()); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
