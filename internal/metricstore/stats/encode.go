package stats

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
)

// Encoding (version 1), all integers little-endian or varint:
//
//	version   byte (1)
//	flags     byte: 1 no distribution, 2 sketch, 4 integral counts, 8 integral values
//	count     uvarint if flags&4, else float64 bits; nothing follows when 0
//	sum min max  float64 bits each
//	exact     (no flags 1|2) uvarint n, then n × (value, count):
//	            value: flags&8 → zigzag varint delta of the integer value,
//	                   else uvarint delta of the order-preserving uint64 of
//	                   the float (strictly increasing, so deltas are > 0)
//	            count: uvarint if flags&4, else float64 bits
//	sketch    (flags&2) zero count, then positive store, negative store:
//	            uvarint n = non-empty buckets (0 = empty store); then n ×
//	            (index, count): the first index as zigzag varint, each next
//	            one as uvarint gap−1 after the previous
//
// Counts are integral (flag 4) when every count is a whole number below
// 2^53 — the common case — and then cost one or two bytes each.
const encodingVersion = 1

const (
	flagNoDist   = 1
	flagSketch   = 2
	flagIntCount = 4
	flagIntValue = 8
	knownFlags   = flagNoDist | flagSketch | flagIntCount | flagIntValue
)

// ErrCorrupt is wrapped by every error Decode returns.
var ErrCorrupt = errors.New("stats: corrupt aggregate encoding")

// AppendBinary appends the encoding of a to b and returns the extended
// buffer.
func (a *Agg) AppendBinary(b []byte) []byte {
	flags := byte(0)
	switch {
	case a.NoDistribution:
		flags |= flagNoDist
	case a.Sketch != nil:
		flags |= flagSketch
	}
	if a.integralCounts() {
		flags |= flagIntCount
	}
	if flags&(flagNoDist|flagSketch) == 0 && integralValues(a.Exact) {
		flags |= flagIntValue
	}
	if a.Count == 0 {
		return append(b, encodingVersion, flagIntCount, 0)
	}
	b = append(b, encodingVersion, flags)
	intCount := flags&flagIntCount != 0
	b = appendCount(b, a.Count, intCount)
	b = binary.LittleEndian.AppendUint64(b, math.Float64bits(a.Sum))
	b = binary.LittleEndian.AppendUint64(b, math.Float64bits(a.Min))
	b = binary.LittleEndian.AppendUint64(b, math.Float64bits(a.Max))
	switch {
	case flags&flagNoDist != 0:
	case flags&flagSketch != 0:
		s := a.Sketch
		b = appendCount(b, s.zero, intCount)
		b = appendStore(b, &s.pos, intCount)
		b = appendStore(b, &s.neg, intCount)
	default:
		b = binary.AppendUvarint(b, uint64(len(a.Exact)))
		var prevI int64
		var prevU uint64
		for _, vc := range a.Exact {
			if flags&flagIntValue != 0 {
				iv := int64(vc.Value)
				b = binary.AppendVarint(b, iv-prevI)
				prevI = iv
			} else {
				u := orderedBits(vc.Value)
				b = binary.AppendUvarint(b, u-prevU)
				prevU = u
			}
			b = appendCount(b, vc.Count, intCount)
		}
	}
	return b
}

// Decode replaces a with the aggregate encoded at the start of b and returns
// the bytes after it. It reuses a's memory. On error a is empty.
func (a *Agg) Decode(b []byte) (rest []byte, err error) {
	a.Reset()
	rest, err = a.decode(b)
	if err != nil {
		a.Reset()
		return b, err
	}
	return rest, nil
}

func corrupt(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrCorrupt, fmt.Sprintf(format, args...))
}

func (a *Agg) decode(b []byte) ([]byte, error) {
	if len(b) < 2 {
		return nil, corrupt("truncated header")
	}
	if b[0] != encodingVersion {
		return nil, corrupt("unknown version %d", b[0])
	}
	flags := b[1]
	b = b[2:]
	if flags&^knownFlags != 0 || flags&(flagNoDist|flagSketch) == flagNoDist|flagSketch {
		return nil, corrupt("bad flags %#x", flags)
	}
	intCount := flags&flagIntCount != 0
	d := decoder{b: b}
	count := d.count(intCount, true)
	if d.err != nil {
		return nil, d.err
	}
	if count == 0 {
		return d.b, nil
	}
	sum, min, max := d.float(), d.float(), d.float()
	if d.err != nil {
		return nil, d.err
	}
	if !finite(sum) || !finite(min) || !finite(max) || min > max {
		return nil, corrupt("bad summary")
	}
	a.Count, a.Sum, a.Min, a.Max = count, sum, min, max
	switch {
	case flags&flagNoDist != 0:
		a.NoDistribution = true
	case flags&flagSketch != 0:
		s := a.spare
		a.spare = nil
		if s == nil {
			s = &Sketch{}
		}
		s.zero = d.count(intCount, true)
		d.store(&s.pos, intCount)
		d.store(&s.neg, intCount)
		a.Sketch = s
	default:
		n := d.uvarint()
		if d.err == nil && (n == 0 || n > uint64(len(d.b))/2) {
			return nil, corrupt("bad exact length %d", n)
		}
		ex := a.Exact[:0]
		var prevI int64
		var prevU uint64
		for i := uint64(0); i < n && d.err == nil; i++ {
			var v float64
			if flags&flagIntValue != 0 {
				delta := d.varint()
				if i > 0 && delta <= 0 {
					d.fail("values not increasing")
				}
				prevI += delta
				if prevI > 1<<53 || prevI < -(1<<53) {
					d.fail("integral value out of range")
				}
				v = float64(prevI)
			} else {
				delta := d.uvarint()
				if i > 0 && delta == 0 || prevU+delta < prevU {
					d.fail("values not increasing")
				}
				prevU += delta
				v = fromOrderedBits(prevU)
				if !finite(v) {
					d.fail("non-finite value")
				}
			}
			c := d.count(intCount, false)
			ex = append(ex, ValueCount{v, c})
		}
		a.Exact = ex
	}
	if d.err != nil {
		return nil, d.err
	}
	return d.b, nil
}

type decoder struct {
	b   []byte
	err error
}

func (d *decoder) fail(format string, args ...any) {
	if d.err == nil {
		d.err = corrupt(format, args...)
	}
}

func (d *decoder) uvarint() uint64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.fail("bad uvarint")
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *decoder) varint() int64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Varint(d.b)
	if n <= 0 {
		d.fail("bad varint")
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *decoder) float() float64 {
	if d.err != nil {
		return 0
	}
	if len(d.b) < 8 {
		d.fail("truncated float")
		return 0
	}
	v := math.Float64frombits(binary.LittleEndian.Uint64(d.b))
	d.b = d.b[8:]
	return v
}

// count reads a count: finite, and positive unless zeroOK.
func (d *decoder) count(integral, zeroOK bool) float64 {
	var c float64
	if integral {
		u := d.uvarint()
		if u > 1<<53 {
			d.fail("count out of range")
		}
		c = float64(u)
	} else {
		c = d.float()
	}
	if d.err == nil && (!finite(c) || c < 0 || (c == 0 && !zeroOK)) {
		d.fail("bad count")
	}
	return c
}

func (d *decoder) store(s *bucketStore, integral bool) {
	s.reset()
	n := d.uvarint()
	if d.err != nil || n == 0 {
		return
	}
	if n > MaxBucketSpan || n > uint64(len(d.b)) {
		d.fail("bad bucket count %d", n)
		return
	}
	first := d.varint()
	if first < -(1<<24) || first > 1<<24 {
		d.fail("bucket index out of range")
		return
	}
	s.off = int32(first)
	i := first
	for k := uint64(0); k < n && d.err == nil; k++ {
		if k > 0 {
			gap := d.uvarint()
			if gap >= MaxBucketSpan {
				d.fail("bucket gap out of range")
				return
			}
			i += int64(gap) + 1
			if i-first >= MaxBucketSpan {
				d.fail("bucket span out of range")
				return
			}
		}
		c := d.count(integral, false)
		for int64(len(s.counts)) < i-first {
			s.counts = append(s.counts, 0)
		}
		s.counts = append(s.counts, c)
	}
}

func appendCount(b []byte, c float64, integral bool) []byte {
	if integral {
		return binary.AppendUvarint(b, uint64(c))
	}
	return binary.LittleEndian.AppendUint64(b, math.Float64bits(c))
}

func appendStore(b []byte, s *bucketStore, integral bool) []byte {
	nz := 0
	for _, c := range s.counts {
		if c != 0 {
			nz++
		}
	}
	b = binary.AppendUvarint(b, uint64(nz))
	if nz == 0 {
		return b
	}
	var prev int64
	first := true
	for k, c := range s.counts {
		if c == 0 {
			continue
		}
		i := int64(s.off) + int64(k)
		if first {
			first = false
			b = binary.AppendVarint(b, i)
		} else {
			b = binary.AppendUvarint(b, uint64(i-prev-1))
		}
		prev = i
		b = appendCount(b, c, integral)
	}
	return b
}

func isIntegral(c float64) bool { return c >= 0 && c <= 1<<53 && c == math.Trunc(c) }

func (a *Agg) integralCounts() bool {
	if !isIntegral(a.Count) {
		return false
	}
	if a.NoDistribution {
		return true
	}
	if s := a.Sketch; s != nil {
		if !isIntegral(s.zero) {
			return false
		}
		for _, c := range s.pos.counts {
			if !isIntegral(c) {
				return false
			}
		}
		for _, c := range s.neg.counts {
			if !isIntegral(c) {
				return false
			}
		}
		return true
	}
	for _, vc := range a.Exact {
		if !isIntegral(vc.Count) {
			return false
		}
	}
	return true
}

func integralValues(ex []ValueCount) bool {
	for _, vc := range ex {
		v := vc.Value
		if v != math.Trunc(v) || v > 1<<53 || v < -(1<<53) || (v == 0 && math.Signbit(v)) {
			return false
		}
	}
	return true
}

// orderedBits maps float64 to uint64 preserving order.
func orderedBits(v float64) uint64 {
	u := math.Float64bits(v)
	if u>>63 != 0 {
		return ^u
	}
	return u | 1<<63
}

func fromOrderedBits(u uint64) float64 {
	if u>>63 != 0 {
		return math.Float64frombits(u &^ (1 << 63))
	}
	return math.Float64frombits(^u)
}
