package sqs

import (
	"context"
	"maps"
	"slices"
)

// sweepChunk bounds how long a sweep holds a queue's lock.
const sweepChunk = 10000

// SweepRetention deletes the messages every queue has kept longer than its
// MessageRetentionPeriod; the scheduler runs it every minute. Receives and
// the message counts already skip expired messages, so a late sweep only
// costs disk space.
func (s *Service) SweepRetention(ctx context.Context) error {
	s.mu.RLock()
	qs := slices.Collect(maps.Values(s.byID))
	s.mu.RUnlock()
	now := s.clock.Now().UnixMilli()
	for _, q := range qs {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := s.sweep(q, now); err != nil {
			return err
		}
	}
	return nil
}

func (s *Service) sweep(q *queue, now int64) error {
	expiry := now - int64(q.settings.Load().MessageRetentionPeriod)*1000
	q.mu.Lock()
	expired := q.idx.expired(expiry)
	q.mu.Unlock()
	for len(expired) > 0 {
		chunk := expired[:min(sweepChunk, len(expired))]
		expired = expired[len(chunk):]
		var w Writes
		q.mu.Lock()
		if q.gone {
			q.mu.Unlock()
			return nil
		}
		for _, m := range chunk {
			if q.idx.get(m.seq) == m { // not deleted or purged meanwhile
				q.idx.remove(m)
				w.Delete(q.id, m)
			}
		}
		var wait func() error
		var err error
		if w.Len() > 0 {
			wait, err = s.store.Apply(&w, unsynced)
		}
		q.mu.Unlock()
		if err == nil && wait != nil {
			err = wait()
		}
		if err != nil {
			return err
		}
	}
	return nil
}
