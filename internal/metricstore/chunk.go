package metricstore

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"slices"

	"github.com/vigilhq/vigil/internal/metricstore/stats"
)

// Tiers, finest first. Raw tiers (1 s, 60 s) keep every value with its
// count, so percentiles stay exact; aggregate tiers (5 min, 1 h) keep one
// compacted stats.Agg per (cell, unit).
const (
	tier1s = iota
	tier1m
	tier5m
	tier1h
	numTiers
)

const (
	second = int64(1000)
	minute = 60 * second
	hour   = 60 * minute
	day    = 24 * hour
)

var (
	// tierRes is each tier's resolution in ms.
	tierRes = [numTiers]int64{second, minute, 5 * minute, hour}
	// tierKeep is how long data stays at each tier's resolution (CloudWatch:
	// < 60 s for 3 h, 60 s for 15 d, 5 min for 63 d, 1 h for 455 d).
	tierKeep = [numTiers]int64{3 * hour, 15 * day, 63 * day, 455 * day}
	// tierWindow is the time span of one chunk key; rollups and retention
	// work on whole windows.
	tierWindow = [numTiers]int64{hour, day, 7 * day, 28 * day}
)

// Sample meta byte: unit id in the low 5 bits, then flags.
const (
	metaUnit  = 0x1f
	metaHigh  = 0x20 // high resolution (1 s)
	metaCount = 0x40 // count ≠ 1: one extra float (the count)
	metaSet   = 0x80 // statistic set: v is Sum; extras: count, min, max
)

// extras returns how many extra floats a sample with meta m carries.
func extras(m uint8) int {
	switch {
	case m&metaSet != 0:
		return 3
	case m&metaCount != 0:
		return 1
	}
	return 0
}

// samples is a columnar list of raw datapoints in arrival order.
type samples struct {
	t []int64
	v []float64
	m []uint8
	x []float64
}

func (s *samples) len() int { return len(s.t) }

// maxReserve caps reserve: a series written in bursts does not keep a
// large head allocated for the calm that follows.
const maxReserve = 4096

// reserve gives an empty head room for n samples (at least a few), in one
// allocation per column instead of append's doublings.
func (s *samples) reserve(n int) {
	n = max(n, 4)
	s.t, s.v, s.m = make([]int64, 0, n), make([]float64, 0, n), make([]uint8, 0, n)
}

func (s *samples) reset() {
	s.t, s.v, s.m, s.x = s.t[:0], s.v[:0], s.m[:0], s.x[:0]
}

// addTo records sample i (whose extras start at xi) into a.
func addTo(a *stats.Agg, m uint8, v float64, x []float64) {
	switch {
	case m&metaSet != 0:
		a.AddSet(x[0], v, x[1], x[2])
	case m&metaCount != 0:
		a.AddValue(v, x[0])
	default:
		a.AddValue(v, 1)
	}
}

const (
	chunkRaw   = 1
	chunkCells = 2
)

// appendRawChunk encodes s's samples selected by keep (nil: all):
//
//	kind 1, uvarint n, n zigzag varint time deltas, n meta bytes,
//	n float64 values, uvarint len(extras), extras float64s.
func appendRawChunk(b []byte, s *samples, keep func(i int) bool) []byte {
	n := 0
	for i := range s.t {
		if keep == nil || keep(i) {
			n++
		}
	}
	b = append(b, chunkRaw)
	b = binary.AppendUvarint(b, uint64(n))
	var prev int64
	for i, t := range s.t {
		if keep == nil || keep(i) {
			b = binary.AppendVarint(b, t-prev)
			prev = t
		}
	}
	for i, m := range s.m {
		if keep == nil || keep(i) {
			b = append(b, m)
		}
	}
	for i, v := range s.v {
		if keep == nil || keep(i) {
			b = binary.LittleEndian.AppendUint64(b, math.Float64bits(v))
		}
	}
	nx, xi := 0, 0
	for i, m := range s.m {
		if keep == nil || keep(i) {
			nx += extras(m)
		}
	}
	b = binary.AppendUvarint(b, uint64(nx))
	for i, m := range s.m {
		e := extras(m)
		if keep == nil || keep(i) {
			for j := 0; j < e; j++ {
				b = binary.LittleEndian.AppendUint64(b, math.Float64bits(s.x[xi+j]))
			}
		}
		xi += e
	}
	return b
}

var errCorruptChunk = errors.New("metricstore: corrupt chunk")

// decodeRawChunk appends the samples of a raw chunk to s.
func decodeRawChunk(b []byte, s *samples) error {
	if len(b) < 1 || b[0] != chunkRaw {
		return errCorruptChunk
	}
	b = b[1:]
	n, k := binary.Uvarint(b)
	if k <= 0 || n > uint64(len(b)) {
		return errCorruptChunk
	}
	b = b[k:]
	var t int64
	for i := uint64(0); i < n; i++ {
		d, k := binary.Varint(b)
		if k <= 0 {
			return errCorruptChunk
		}
		b = b[k:]
		t += d
		s.t = append(s.t, t)
	}
	if uint64(len(b)) < n*9 {
		return errCorruptChunk
	}
	s.m = append(s.m, b[:n]...)
	b = b[n:]
	for i := uint64(0); i < n; i++ {
		s.v = append(s.v, math.Float64frombits(binary.LittleEndian.Uint64(b)))
		b = b[8:]
	}
	nx, k := binary.Uvarint(b)
	if k <= 0 || uint64(len(b)-k) != nx*8 {
		return errCorruptChunk
	}
	b = b[k:]
	for i := uint64(0); i < nx; i++ {
		s.x = append(s.x, math.Float64frombits(binary.LittleEndian.Uint64(b)))
		b = b[8:]
	}
	return nil
}

// cell is one aggregate of a coarse tier.
type cell struct {
	t    int64
	unit uint8
	agg  stats.Agg
}

// appendCellChunk encodes cells sorted by (t, unit):
//
//	kind 2, uvarint n, n × (zigzag varint time delta, unit byte, uvarint len, agg).
func appendCellChunk(b []byte, cells []cell) []byte {
	b = append(b, chunkCells)
	b = binary.AppendUvarint(b, uint64(len(cells)))
	var prev int64
	var tmp []byte
	for i := range cells {
		c := &cells[i]
		b = binary.AppendVarint(b, c.t-prev)
		prev = c.t
		b = append(b, c.unit)
		tmp = c.agg.AppendBinary(tmp[:0])
		b = binary.AppendUvarint(b, uint64(len(tmp)))
		b = append(b, tmp...)
	}
	return b
}

// eachCell decodes a cell chunk, calling fn with each cell; agg is reused
// between calls.
func eachCell(b []byte, fn func(t int64, unit uint8, agg *stats.Agg)) error {
	if len(b) < 1 || b[0] != chunkCells {
		return errCorruptChunk
	}
	b = b[1:]
	n, k := binary.Uvarint(b)
	if k <= 0 {
		return errCorruptChunk
	}
	b = b[k:]
	var t int64
	var agg stats.Agg
	for i := uint64(0); i < n; i++ {
		d, k := binary.Varint(b)
		if k <= 0 || len(b) < k+1 {
			return errCorruptChunk
		}
		t += d
		unit := b[k]
		b = b[k+1:]
		l, k := binary.Uvarint(b)
		if k <= 0 || uint64(len(b)-k) < l {
			return errCorruptChunk
		}
		if _, err := agg.Decode(b[k : k+int(l)]); err != nil {
			return fmt.Errorf("%w: %v", errCorruptChunk, err)
		}
		b = b[k+int(l):]
		fn(t, unit, &agg)
	}
	return nil
}

// cellsOf aggregates raw samples into cells of res ms (sorted, compacted
// when compact is set).
func cellsOf(s *samples, res int64, compact bool) []cell {
	type ck struct {
		t int64
		u uint8
	}
	idx := make(map[ck]int)
	var cells []cell
	xi := 0
	for i, t := range s.t {
		m := s.m[i]
		k := ck{floorDiv(t, res), m & metaUnit}
		j, ok := idx[k]
		if !ok {
			j = len(cells)
			idx[k] = j
			cells = append(cells, cell{t: k.t, unit: k.u})
		}
		addTo(&cells[j].agg, m, s.v[i], s.x[xi:])
		xi += extras(m)
	}
	sortCells(cells)
	if compact {
		for i := range cells {
			cells[i].agg.Compact()
		}
	}
	return cells
}

func sortCells(cells []cell) {
	slices.SortFunc(cells, func(a, b cell) int {
		switch {
		case a.t != b.t:
			if a.t < b.t {
				return -1
			}
			return 1
		case a.unit != b.unit:
			return int(a.unit) - int(b.unit)
		}
		return 0
	})
}

// mergeCells merges cells with equal (t, unit) after flooring t to res.
func mergeCells(in []cell, res int64, compact bool) []cell {
	for i := range in {
		in[i].t = floorDiv(in[i].t, res)
	}
	sortCells(in)
	out := in[:0]
	for _, c := range in {
		if n := len(out); n > 0 && out[n-1].t == c.t && out[n-1].unit == c.unit {
			out[n-1].agg.Merge(&c.agg)
			continue
		}
		out = append(out, c)
	}
	if compact {
		for i := range out {
			out[i].agg.Compact()
		}
	}
	return out
}

// normalizeRaw sorts samples by (time, meta, value) and merges plain values
// observed more than once at the same time and unit into one sample with
// their total count, so compacted raw chunks stay small. It returns a new
// samples.
func normalizeRaw(s *samples) *samples {
	n := s.len()
	xs := make([]int, n) // extras offset of each sample
	xi := 0
	for i := 0; i < n; i++ {
		xs[i] = xi
		xi += extras(s.m[i])
	}
	order := make([]int, n)
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int {
		switch {
		case s.t[a] != s.t[b]:
			if s.t[a] < s.t[b] {
				return -1
			}
			return 1
		case s.m[a]&^metaCount != s.m[b]&^metaCount:
			return int(s.m[a]&^metaCount) - int(s.m[b]&^metaCount)
		case s.v[a] < s.v[b]:
			return -1
		case s.v[a] > s.v[b]:
			return 1
		}
		return 0
	})
	out := &samples{t: make([]int64, 0, n), v: make([]float64, 0, n), m: make([]uint8, 0, n)}
	for _, i := range order {
		m := s.m[i]
		if m&metaSet == 0 {
			c := 1.0
			if m&metaCount != 0 {
				c = s.x[xs[i]]
			}
			last := out.len() - 1
			if last >= 0 && out.t[last] == s.t[i] && out.m[last]&^metaCount == m&^metaCount && out.v[last] == s.v[i] {
				if out.m[last]&metaCount != 0 {
					out.x[len(out.x)-1] += c
				} else {
					out.m[last] |= metaCount
					out.x = append(out.x, 1+c)
				}
				continue
			}
		}
		out.t = append(out.t, s.t[i])
		out.v = append(out.v, s.v[i])
		out.m = append(out.m, m)
		out.x = append(out.x, s.x[xs[i]:xs[i]+extras(m)]...)
	}
	return out
}
