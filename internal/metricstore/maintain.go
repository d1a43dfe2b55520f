package metricstore

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"

	"github.com/cockroachdb/pebble/v2"

	"github.com/vigilhq/vigil/internal/metricstore/stats"
)

// Maintain does the background work that is due by the store's clock:
// it persists the head when its oldest datum is FlushInterval old (or the
// head is over MaxHeadSamples), compacts the chunks of ended windows that
// were written to since the last run, rolls data up (1 s → 60 s after 3
// hours, 60 s → 5 min after 15 days, 5 min → 1 h after 63 days, whole
// chunk windows at a time) and deletes 1-hour data older than 455 days.
// The scheduler calls it every minute; it is safe for concurrent use (runs
// are serialised) and returns the first error, having tried every step.
func (s *Store) Maintain(ctx context.Context) error {
	s.maintMu.Lock()
	defer s.maintMu.Unlock()
	now := s.clock.Now().UnixMilli()
	var errs []error
	if since := s.headSince.Load(); s.headSamples.Load() > int64(s.opts.MaxHeadSamples) ||
		(since != 0 && since <= now-s.opts.FlushInterval.Milliseconds()) {
		if err := s.flush(); err != nil {
			errs = append(errs, err)
		}
	}
	if err := s.compactDirty(ctx, now); err != nil {
		errs = append(errs, err)
	}
	for from := tier1s; from < tier1h; from++ {
		if err := s.rollup(ctx, from, now-tierKeep[from]); err != nil {
			errs = append(errs, err)
		}
	}
	if err := s.expire(now - tierKeep[tier1h]); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// Flush persists the whole head to Pebble now (tests, graceful shutdown).
func (s *Store) Flush(ctx context.Context) error {
	s.maintMu.Lock()
	defer s.maintMu.Unlock()
	return s.flush()
}

func putUint(b *pebble.Batch, key string, v uint64) error {
	return b.Set([]byte(key), binary.BigEndian.AppendUint64(nil, v), nil)
}

// flush moves the head to Pebble. maintMu must be held.
func (s *Store) flush() error {
	s.appendMu.Lock()
	if s.closed {
		s.appendMu.Unlock()
		return ErrClosed
	}
	seg, err := s.wal.Rotate()
	if err != nil {
		s.appendMu.Unlock()
		return err
	}
	s.dirtyMu.Lock()
	dirty := s.dirty
	s.dirty = nil
	s.dirtyMu.Unlock()
	gen := s.gen + 1
	for _, ser := range dirty {
		ser.mu.Lock()
		h := ser.head
		ser.frozen = &h
		ser.frozenGen = gen
		ser.head = samples{}
		ser.lastLen = int32(min(len(h.t), maxReserve))
		ser.inDirty = false
		ser.mu.Unlock()
	}
	s.mapMu.RLock()
	var unindexed []*series
	for ser := range s.unindexed {
		unindexed = append(unindexed, ser)
	}
	s.mapMu.RUnlock()
	s.headSamples.Store(0)
	s.headSince.Store(0)
	s.appendMu.Unlock()

	b := s.db.NewBatch()
	defer b.Close()
	s.gen = gen
	// In key order: chunks (metrics/d/), metrics/m/, then the index
	// (metrics/r/, metrics/s/); see flushorder.go.
	windows, err := s.persistChunks(b, dirty)
	if err != nil {
		return err
	}
	if err := errors.Join(putUint(b, keyGen, s.gen), putUint(b, keyWALSeg, seg)); err != nil {
		return err
	}
	if err := s.persistIndex(b, dirty, unindexed); err != nil {
		return err
	}
	if err := b.Commit(pebble.Sync); err != nil {
		// The frozen heads stay visible and in the WAL; a later flush or
		// the next Open's replay persists them.
		s.restoreFrozen(dirty)
		return fmt.Errorf("metricstore: persist head: %w", err)
	}
	s.viewMu.Lock()
	for _, ser := range dirty {
		ser.mu.Lock()
		ser.frozen = nil
		ser.mu.Unlock()
	}
	s.viewMu.Unlock()
	s.mapMu.Lock()
	for _, ser := range dirty {
		ser.indexed.Store(true)
		delete(s.unindexed, ser)
	}
	for _, ser := range unindexed {
		ser.indexed.Store(true)
		delete(s.unindexed, ser)
	}
	s.mapMu.Unlock()
	for g := range windows {
		s.dirtyWindows[g] = struct{}{}
	}
	if err := s.wal.RemoveThrough(seg); err != nil {
		s.log.Warn("metricstore: remove persisted wal segments", "err", err)
	}
	return nil
}

// restoreFrozen puts frozen samples back in front of the heads after a
// failed persist.
func (s *Store) restoreFrozen(dirty []*series) {
	s.appendMu.Lock()
	defer s.appendMu.Unlock()
	for _, ser := range dirty {
		ser.mu.Lock()
		fr := ser.frozen
		ser.frozen = nil
		h := ser.head
		ser.head = samples{
			t: append(fr.t, h.t...), v: append(fr.v, h.v...),
			m: append(fr.m, h.m...), x: append(fr.x, h.x...),
		}
		n := len(fr.t)
		s.markDirty(ser)
		ser.mu.Unlock()
		s.headSamples.Add(int64(n))
	}
}

func sampleGroup(t int64, m uint8) tierWindowKey {
	tier := tier1m
	if m&metaHigh != 0 {
		tier = tier1s
	}
	return tierWindowKey{tier, floorDiv(t, tierWindow[tier])}
}

// indexStaleness is how far the last write time kept in the Pebble index may
// lag behind the one in memory (Series reads memory first; after a crash
// RecentlyActive may see a series up to this much older).
const indexStaleness = 5 * minute

// indexDue reports whether ser's index entry must be written: it has none
// yet, or the last write time in it is indexStaleness behind.
func (s *Store) indexDue(ser *series) bool {
	return !ser.indexed.Load() || ser.lastWrite.Load()-ser.persistedLast >= indexStaleness
}

// putIndex writes ser's index entry (its reverse entry is persistIndex's).
func (s *Store) putIndex(b *pebble.Batch, ser *series) error {
	last := ser.lastWrite.Load()
	ser.persistedLast = last
	k := append([]byte(prefixIndex), ser.key...)
	v := binary.BigEndian.AppendUint64(make([]byte, 0, 16), ser.id)
	v = binary.BigEndian.AppendUint64(v, uint64(last))
	return b.Set(k, v, nil)
}

// windowRun is the chunks of one series in one window.
type windowRun struct {
	sid    uint64
	keys   [][]byte
	chunks [][]byte
}

// scanWindows iterates the chunks of tier with window in [lo, hi), calling
// fn once per window with its runs (one per series, in sid order).
func (s *Store) scanWindows(ctx context.Context, tier int, lo, hi int64, fn func(window int64, runs []windowRun) error) error {
	it, err := s.db.NewIter(&pebble.IterOptions{
		LowerBound: dataKey(nil, tier, lo, 0, 0)[:len(prefixData)+9],
		UpperBound: dataKey(nil, tier, hi, 0, 0)[:len(prefixData)+9],
	})
	if err != nil {
		return err
	}
	defer it.Close()
	var runs []windowRun
	curW := int64(0)
	have := false
	for ok := it.First(); ok; ok = it.Next() {
		_, w, sid, _, valid := parseDataKey(it.Key())
		if !valid {
			continue
		}
		if have && w != curW {
			if err := fn(curW, runs); err != nil {
				return err
			}
			runs = runs[:0]
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		curW, have = w, true
		if n := len(runs); n == 0 || runs[n-1].sid != sid {
			runs = append(runs, windowRun{sid: sid})
		}
		r := &runs[len(runs)-1]
		r.keys = append(r.keys, slices.Clone(it.Key()))
		r.chunks = append(r.chunks, slices.Clone(it.Value()))
	}
	if err := it.Error(); err != nil {
		return err
	}
	if have {
		return fn(curW, runs)
	}
	return nil
}

// compactDirty merges, per series, the chunks of raw windows that have
// ended and were written to since the last run into one chunk (seq 0).
func (s *Store) compactDirty(ctx context.Context, now int64) error {
	var errs []error
	for g := range s.dirtyWindows {
		if g.window+tierWindow[g.tier] > now {
			continue
		}
		delete(s.dirtyWindows, g)
		err := s.scanWindows(ctx, g.tier, g.window, g.window+1, func(_ int64, runs []windowRun) error {
			b := s.db.NewBatch()
			defer b.Close()
			for _, r := range runs {
				if len(r.chunks) < 2 {
					continue
				}
				var all samples
				for _, c := range r.chunks {
					if err := decodeRawChunk(c, &all); err != nil {
						return err
					}
				}
				for _, k := range r.keys {
					if err := b.Delete(k, nil); err != nil {
						return err
					}
				}
				if err := b.Set(dataKey(nil, g.tier, g.window, r.sid, 0), appendRawChunk(nil, normalizeRaw(&all), nil), nil); err != nil {
					return err
				}
			}
			if b.Empty() {
				return nil
			}
			return b.Commit(pebble.NoSync)
		})
		if err != nil {
			errs = append(errs, fmt.Errorf("metricstore: compact tier %d window %d: %w", g.tier, g.window, err))
		}
	}
	return errors.Join(errs...)
}

// rollup moves the windows of tier from that ended by cutoff into the next
// tier, one window per atomic batch. Writes use NoSync: a crash replays
// nothing here, and Pebble's own WAL orders the batch before later ones.
func (s *Store) rollup(ctx context.Context, from int, cutoff int64) error {
	to := from + 1
	W := tierWindow[from]
	hi := floorDiv(cutoff, W) // windows w < hi end by cutoff
	return s.scanWindows(ctx, from, -1<<62, hi, func(w int64, runs []windowRun) error {
		b := s.db.NewBatch()
		defer b.Close()
		s.gen++
		for _, r := range runs {
			var vals map[int64][]byte
			var err error
			if from <= tier1m {
				var all samples
				for _, c := range r.chunks {
					if err := decodeRawChunk(c, &all); err != nil {
						return err
					}
				}
				if from == tier1s {
					vals = rollRawToRaw(&all)
				} else {
					vals = rollCells(cellsOf(&all, tierRes[to], true), to)
				}
			} else {
				var cells []cell
				for _, c := range r.chunks {
					err = eachCell(c, func(t int64, unit uint8, agg *stats.Agg) {
						cells = append(cells, cell{t: t, unit: unit, agg: agg.Clone()})
					})
					if err != nil {
						return err
					}
				}
				vals = rollCells(mergeCells(cells, tierRes[to], true), to)
			}
			for tw, v := range vals {
				if err := b.Set(dataKey(nil, to, tw, r.sid, s.gen), v, nil); err != nil {
					return err
				}
			}
		}
		if err := b.DeleteRange(dataKey(nil, from, w, 0, 0)[:len(prefixData)+9], dataKey(nil, from, w+W, 0, 0)[:len(prefixData)+9], nil); err != nil {
			return err
		}
		if err := putUint(b, keyGen, s.gen); err != nil {
			return err
		}
		return b.Commit(pebble.NoSync)
	})
}

// rollRawToRaw re-times 1 s samples to the minute and encodes them per
// 60 s window.
func rollRawToRaw(all *samples) map[int64][]byte {
	for i := range all.t {
		all.t[i] = floorDiv(all.t[i], minute)
		all.m[i] &^= metaHigh
	}
	n := normalizeRaw(all)
	out := map[int64][]byte{}
	for _, t := range n.t {
		w := floorDiv(t, tierWindow[tier1m])
		if _, ok := out[w]; !ok {
			out[w] = appendRawChunk(nil, n, func(i int) bool { return floorDiv(n.t[i], tierWindow[tier1m]) == w })
		}
	}
	return out
}

// rollCells encodes cells per window of tier to.
func rollCells(cells []cell, to int) map[int64][]byte {
	out := map[int64][]byte{}
	for i := 0; i < len(cells); {
		w := floorDiv(cells[i].t, tierWindow[to])
		j := i
		for j < len(cells) && floorDiv(cells[j].t, tierWindow[to]) == w {
			j++
		}
		out[w] = appendCellChunk(out[w], cells[i:j])
		i = j
	}
	return out
}

// expire deletes the 1-hour windows that ended by cutoff.
func (s *Store) expire(cutoff int64) error {
	hi := floorDiv(cutoff, tierWindow[tier1h])
	return s.db.DeleteRange(tierStart(tier1h), dataKey(nil, tier1h, hi, 0, 0)[:len(prefixData)+9], pebble.NoSync)
}
