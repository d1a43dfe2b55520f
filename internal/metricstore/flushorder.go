package metricstore

import (
	"cmp"
	"slices"
	"strings"

	"github.com/cockroachdb/pebble/v2"
)

// A flush's batch holds a chunk per dirty series (100,000 of them with as
// many series), and Pebble sorts a batch that large by key before it
// commits it (a flushable batch). Written in random order, that sort was
// about a third of the flush; written in key order, it is one linear pass
// that finds nothing to move. So persistChunks and persistIndex write
// their keys sorted, and flush calls them in the order of their prefixes:
// metrics/d/ (chunks), metrics/m/, metrics/r/, metrics/s/.

// flushChunk is one chunk to persist: the frozen samples of ser in group g.
type flushChunk struct {
	g   tierWindowKey
	sid uint64
	ser *series
	// whole: every frozen sample of ser is in g (the common case), so the
	// chunk needs no filter.
	whole bool
}

// persistChunks adds the frozen samples of dirty to b as chunks, in key
// order, and returns the windows they were written to.
func (s *Store) persistChunks(b *pebble.Batch, dirty []*series) (map[tierWindowKey]struct{}, error) {
	chunks := make([]flushChunk, 0, len(dirty))
	for _, ser := range dirty {
		fr := ser.frozen
		first := len(chunks)
		for i, t := range fr.t {
			g := sampleGroup(t, fr.m[i])
			if !slices.ContainsFunc(chunks[first:], func(c flushChunk) bool { return c.g == g }) {
				chunks = append(chunks, flushChunk{g: g, sid: ser.id, ser: ser})
			}
		}
		if len(chunks) == first+1 {
			chunks[first].whole = true
		}
	}
	// dataKey order.
	slices.SortFunc(chunks, func(a, b flushChunk) int {
		return cmp.Or(cmp.Compare(a.g.tier, b.g.tier), cmp.Compare(ordTime(a.g.window), ordTime(b.g.window)), cmp.Compare(a.sid, b.sid))
	})
	windows := map[tierWindowKey]struct{}{}
	var key, val []byte
	for i := range chunks {
		c := &chunks[i]
		fr := c.ser.frozen
		var keep func(int) bool
		if !c.whole {
			keep = func(i int) bool { return sampleGroup(fr.t[i], fr.m[i]) == c.g }
		}
		val = appendRawChunk(val[:0], fr, keep)
		key = dataKey(key[:0], c.g.tier, c.g.window, c.sid, s.gen)
		if err := b.Set(key, val, nil); err != nil {
			return nil, err
		}
		if i == 0 || chunks[i-1].g != c.g {
			windows[c.g] = struct{}{}
		}
	}
	return windows, nil
}

// persistIndex adds the index entries that are due for dirty (written to)
// and unindexed (created) series to b: reverse entries in id order, then
// index entries in key order. The sorts compare copies of the ids and key
// headers, not the series they would otherwise each load (with 100,000
// series, mostly cache misses).
func (s *Store) persistIndex(b *pebble.Batch, dirty, unindexed []*series) error {
	type dueEntry struct {
		key string
		id  uint64
		ser *series
	}
	var due []dueEntry
	for _, ser := range dirty {
		if s.indexDue(ser) {
			due = append(due, dueEntry{ser.key, ser.id, ser})
		}
	}
	for _, ser := range unindexed {
		if ser.frozen == nil && s.indexDue(ser) { // not written to since creation
			due = append(due, dueEntry{ser.key, ser.id, ser})
		}
	}
	slices.SortFunc(due, func(a, b dueEntry) int { return cmp.Compare(a.id, b.id) })
	for _, e := range due {
		if !e.ser.indexed.Load() {
			if err := b.Set(revKey(e.id), []byte(e.key), nil); err != nil {
				return err
			}
		}
	}
	slices.SortFunc(due, func(a, b dueEntry) int { return strings.Compare(a.key, b.key) })
	for _, e := range due {
		if err := s.putIndex(b, e.ser); err != nil {
			return err
		}
	}
	return nil
}
