package metricstore

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/cockroachdb/pebble/v2"

	"github.com/vigilhq/vigil/internal/metricstore/stats"
)

// maxDenseBuckets is the most periods a query indexes with a slice; longer
// queries use a map.
const maxDenseBuckets = 1 << 16

// acc accumulates datapoints into period buckets, one slot per (bucket,
// unit).
type acc struct {
	start, end, period int64
	unit               int // -1: any
	// age boundaries: data older than each is seen at a coarser resolution
	cut3h, cut15d, cut63d, cut455d int64

	dense  []int32
	sparse map[int64]int32
	slots  []slot
	arena  []stats.ValueCount // first exact value of each new slot, to save an allocation each
}

type slot struct {
	unit uint8
	next int32
	agg  stats.Agg
}

func newAcc(start, end, period, now int64, unit int) *acc {
	a := &acc{
		start: start, end: end, period: period, unit: unit,
		cut3h: now - tierKeep[tier1s], cut15d: now - tierKeep[tier1m],
		cut63d: now - tierKeep[tier5m], cut455d: now - tierKeep[tier1h],
	}
	nb := (end - start + period - 1) / period
	if nb <= maxDenseBuckets {
		a.dense = make([]int32, nb)
		for i := range a.dense {
			a.dense[i] = -1
		}
	} else {
		a.sparse = make(map[int64]int32)
	}
	a.slots = make([]slot, 0, min(nb, 4096))
	return a
}

// at returns the aggregate for a datapoint of unit stored at t, or nil when
// it falls outside the query. A datapoint is seen at the resolution its age
// allows (CloudWatch rolls data up as it ages), whether or not Maintain has
// rolled it up yet, and not at all after 455 days.
func (a *acc) at(t int64, unit uint8) *stats.Agg {
	if a.unit >= 0 && int(unit) != a.unit {
		return nil
	}
	switch {
	case t >= a.cut3h:
	case t >= a.cut15d:
		t = floorDiv(t, minute)
	case t >= a.cut63d:
		t = floorDiv(t, 5*minute)
	case t >= a.cut455d:
		t = floorDiv(t, hour)
	default:
		return nil
	}
	if t < a.start || t >= a.end {
		return nil
	}
	b := (t - a.start) / a.period
	var head int32
	if a.dense != nil {
		head = a.dense[b]
	} else if h, ok := a.sparse[b]; ok {
		head = h
	} else {
		head = -1
	}
	for i := head; i >= 0; i = a.slots[i].next {
		if a.slots[i].unit == unit {
			return &a.slots[i].agg
		}
	}
	if len(a.arena) == 0 {
		a.arena = make([]stats.ValueCount, min(max(cap(a.slots), 64), 4096))
	}
	a.slots = append(a.slots, slot{unit: unit, next: head, agg: stats.Agg{Exact: a.arena[:0:1]}})
	a.arena = a.arena[1:]
	n := int32(len(a.slots) - 1)
	if a.dense != nil {
		a.dense[b] = n
	} else {
		a.sparse[b] = n
	}
	return &a.slots[n].agg
}

func (a *acc) addSamples(s *samples) {
	xi := 0
	for i, t := range s.t {
		m := s.m[i]
		if g := a.at(t, m&metaUnit); g != nil {
			addTo(g, m, s.v[i], s.x[xi:])
		}
		xi += extras(m)
	}
}

func (a *acc) buckets() []Bucket {
	out := make([]Bucket, 0, len(a.slots))
	emit := func(b int64, head int32) {
		first := len(out)
		for i := head; i >= 0; i = a.slots[i].next {
			sl := &a.slots[i]
			out = append(out, Bucket{T: time.UnixMilli(a.start + b*a.period).UTC(), Unit: units[sl.unit], Agg: sl.agg})
		}
		if len(out)-first > 1 {
			sort.Slice(out[first:], func(i, j int) bool { return out[first+i].Unit < out[first+j].Unit })
		}
	}
	if a.dense != nil {
		for b, h := range a.dense {
			if h >= 0 {
				emit(int64(b), h)
			}
		}
		return out
	}
	keys := make([]int64, 0, len(a.sparse))
	for b := range a.sparse {
		keys = append(keys, b)
	}
	slices.Sort(keys)
	for _, b := range keys {
		emit(b, a.sparse[b])
	}
	return out
}

// Query returns the aggregates of one series over [q.Start, q.End), one
// Bucket per period and unit that has data, in time order (units of one
// period by name). It answers from every tier (each datum lives in exactly
// one), seeing data at the resolution its age allows: raw tiers answer
// exact percentiles, rolled-up cells answer from compacted aggregates. A
// period that is not a multiple of the data's resolution puts a rolled-up
// cell in the bucket holding the cell's start; the handler enforces
// CloudWatch's period rules. Safe for concurrent use; the returned buckets
// are the caller's.
func (s *Store) Query(ctx context.Context, p Partition, q Query) ([]Bucket, error) {
	if q.Period < time.Second || q.Period%time.Second != 0 {
		return nil, ErrBadQuery
	}
	start, end, period := q.Start.UnixMilli(), q.End.UnixMilli(), q.Period.Milliseconds()
	if end <= start {
		return nil, nil
	}
	unit := -1
	if q.Unit != nil {
		id, ok := unitID(*q.Unit)
		if !ok {
			return nil, fmt.Errorf("%w: %q", ErrUnknownUnit, *q.Unit)
		}
		unit = int(id)
	}
	key := s.encodeKey(nil, p, &q.Key)
	s.mapMu.RLock()
	ser := s.series.get(key, s.series.hash(key))
	s.mapMu.RUnlock()
	var sid uint64
	if ser != nil {
		sid = ser.id
	} else {
		id, _, found, err := s.indexGet(key)
		if err != nil || !found {
			return nil, err
		}
		sid = id
	}
	now := s.clock.Now().UnixMilli()
	a := newAcc(start, end, period, now, unit)

	// The series' frozen samples and the iterator are taken together under
	// appendMu, under which flush freezes heads: chunks of a flush that
	// freezes the series later are not in the iterator (their samples are
	// counted from memory below), and those of a flush that froze it
	// before are skipped whether or not they are committed yet (its frozen
	// samples stay until the view is released). appendMu comes before
	// viewMu, as in Reset.
	s.appendMu.RLock()
	s.viewMu.RLock()
	defer s.viewMu.RUnlock()
	var skipSeq uint64 // chunks of a flush still in flight: counted from frozen
	if ser != nil {
		ser.mu.Lock()
		if ser.frozen != nil {
			skipSeq = ser.frozenGen
		}
		ser.mu.Unlock()
	}
	it, err := s.db.NewIter(&pebble.IterOptions{LowerBound: []byte(prefixData), UpperBound: tierStart(numTiers)})
	s.appendMu.RUnlock()
	if err != nil {
		return nil, err
	}
	defer it.Close()
	var raw samples
	for tier := 0; tier < numTiers; tier++ {
		if tier > tier1m && start >= now-tierKeep[tier-1] {
			// A rolled-up tier holds only whole windows that were older
			// than the tier below keeps when Maintain rolled them up:
			// nothing as recent as start (the alarms' and dashboards'
			// usual range) can be there, so its seek is saved.
			continue
		}
		err := scanSeries(it, tier, sid, start, end+hour, func(seq uint64, v []byte) error {
			if tier <= tier1m {
				if skipSeq != 0 && seq == skipSeq {
					return nil
				}
				raw.reset()
				if err := decodeRawChunk(v, &raw); err != nil {
					return err
				}
				a.addSamples(&raw)
				return nil
			}
			return eachCell(v, func(t int64, unit uint8, agg *stats.Agg) {
				if g := a.at(t, unit); g != nil {
					g.Merge(agg)
				}
			})
		})
		if err != nil {
			return nil, fmt.Errorf("metricstore: query: %w", err)
		}
		if err := ctx.Err(); err != nil {
			return nil, err
		}
	}
	if err := it.Error(); err != nil {
		return nil, err
	}
	if ser != nil {
		ser.mu.Lock()
		a.addSamples(&ser.head)
		if ser.frozen != nil {
			a.addSamples(ser.frozen)
		}
		ser.mu.Unlock()
	}
	return a.buckets(), nil
}

// scanSeries calls fn with every chunk of sid in tier whose window overlaps
// [lo, hi), seeking from one non-empty window to the next.
func scanSeries(it *pebble.Iterator, tier int, sid uint64, lo, hi int64, fn func(seq uint64, v []byte) error) error {
	W := tierWindow[tier]
	w := floorDiv(lo, W)
	var key []byte
	for w < hi {
		key = dataKey(key[:0], tier, w, sid, 0)
		if !it.SeekGE(key) {
			return nil
		}
		kt, kw, ksid, seq, ok := parseDataKey(it.Key())
		if !ok || kt != tier || kw >= hi {
			return nil
		}
		if kw != w || ksid != sid {
			if kw == w { // sid has nothing in this window
				w += W
			} else {
				w = kw
			}
			continue
		}
		for {
			if err := fn(seq, it.Value()); err != nil {
				return err
			}
			if !it.Next() {
				return nil
			}
			kt2, kw2, ksid2, seq2, ok := parseDataKey(it.Key())
			if !ok || kt2 != tier || kw2 != w || ksid2 != sid {
				break
			}
			seq = seq2
		}
		w += W
	}
	return nil
}

// Series lists the series of partition p matching f in (namespace, metric
// name, dimensions) order, starting after the series after (nil: from the
// first), at most limit (≤ 0: no limit). It sees series as soon as an
// Append creating them has started. Safe for concurrent use.
func (s *Store) Series(ctx context.Context, p Partition, f SeriesFilter, after *SeriesKey, limit int) ([]SeriesInfo, error) {
	part := appendPartition(nil, p)
	scope := slices.Clone(part)
	if f.Namespace != nil {
		scope = appendOrd(scope, *f.Namespace)
		if f.MetricName != nil {
			scope = appendOrd(scope, *f.MetricName)
		}
	}
	var from []byte
	if after != nil {
		from = append(s.encodeKey(nil, p, after), 0)
		if bytes.Compare(from, scope) < 0 {
			from = scope
		}
	} else {
		from = scope
	}
	activeSince := int64(-1 << 63)
	if !f.ActiveSince.IsZero() {
		activeSince = f.ActiveSince.UnixMilli()
	}
	match := func(k *SeriesKey, last int64) bool {
		if last < activeSince {
			return false
		}
		if f.Namespace != nil && k.Namespace != *f.Namespace {
			return false
		}
		if f.MetricName != nil && k.MetricName != *f.MetricName {
			return false
		}
	next:
		for _, df := range f.Dims {
			for _, d := range k.Dims {
				if d.Name == df.Name && (df.Value == nil || d.Value == *df.Value) {
					continue next
				}
			}
			return false
		}
		return true
	}

	// Series not yet in the Pebble index (created since the last flush).
	type pending struct {
		key  string
		info SeriesInfo
	}
	var mem []pending
	s.mapMu.RLock()
	for ser := range s.unindexed {
		if strings.HasPrefix(ser.key, string(scope)) && ser.key >= string(from) {
			mem = append(mem, pending{key: ser.key})
		}
	}
	s.mapMu.RUnlock()
	keep := mem[:0]
	for _, m := range mem {
		_, k, err := decodeSeriesKey([]byte(m.key))
		if err != nil {
			continue
		}
		s.mapMu.RLock()
		last := s.series.getString(m.key).lastWriteOr(0)
		s.mapMu.RUnlock()
		if match(&k, last) {
			keep = append(keep, pending{key: m.key, info: SeriesInfo{Key: k, LastWrite: time.UnixMilli(last).UTC()}})
		}
	}
	mem = keep
	slices.SortFunc(mem, func(a, b pending) int { return strings.Compare(a.key, b.key) })

	it, err := s.db.NewIter(&pebble.IterOptions{
		LowerBound: append([]byte(prefixIndex), scope...),
		UpperBound: prefixEnd(append([]byte(prefixIndex), scope...)),
	})
	if err != nil {
		return nil, err
	}
	defer it.Close()
	var out []SeriesInfo
	full := func() bool { return limit > 0 && len(out) >= limit }
	mi := 0
	for ok := it.SeekGE(append([]byte(prefixIndex), from...)); ok && !full(); ok = it.Next() {
		kb := it.Key()[len(prefixIndex):]
		for mi < len(mem) && mem[mi].key < string(kb) && !full() {
			out = append(out, mem[mi].info)
			mi++
		}
		if full() {
			break
		}
		if mi < len(mem) && mem[mi].key == string(kb) {
			mi++ // indexed meanwhile: take the index's entry
		}
		v := it.Value()
		if len(v) != 16 {
			continue
		}
		last := int64(binary.BigEndian.Uint64(v[8:]))
		s.mapMu.RLock()
		last = s.series.get(kb, s.series.hash(kb)).lastWriteOr(last)
		s.mapMu.RUnlock()
		_, k, err := decodeSeriesKey(kb)
		if err != nil {
			continue
		}
		if match(&k, last) {
			out = append(out, SeriesInfo{Key: k, LastWrite: time.UnixMilli(last).UTC()})
		}
		if err := ctx.Err(); err != nil {
			return nil, err
		}
	}
	if err := it.Error(); err != nil {
		return nil, err
	}
	for ; mi < len(mem) && !full(); mi++ {
		out = append(out, mem[mi].info)
	}
	return out, nil
}

func (ser *series) lastWriteOr(def int64) int64 {
	if ser == nil {
		return def
	}
	if v := ser.lastWrite.Load(); v > def {
		return v
	}
	return def
}

// prefixEnd returns the smallest key greater than every key with prefix b.
func prefixEnd(b []byte) []byte {
	e := slices.Clone(b)
	for i := len(e) - 1; i >= 0; i-- {
		if e[i] < 0xff {
			e[i]++
			return e[:i+1]
		}
	}
	return nil
}
