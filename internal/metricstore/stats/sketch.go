package stats

import "math"

// RelativeAccuracy is the Sketch's guaranteed relative error: every value v
// it summarises is represented by a value r with |r−v| ≤ RelativeAccuracy·|v|
// (up to float64 rounding), as long as |v| is no more than MaxBucketSpan
// buckets (a factor of about 6·10^17) below the largest magnitude of the same
// sign in the sketch. Values that small are folded into the sketch's
// smallest kept bucket.
const RelativeAccuracy = 0.01

// MaxBucketSpan bounds the buckets a Sketch keeps per sign, so a Sketch is at
// most 2·MaxBucketSpan·8 bytes of counts whatever it is fed.
const MaxBucketSpan = 2048

var (
	gamma       = (1 + RelativeAccuracy) / (1 - RelativeAccuracy)
	invLogGamma = 1 / math.Log(gamma)
	// repFactor maps a bucket's upper edge γ^i to the point 2γ^i/(γ+1) whose
	// relative distance to both edges is RelativeAccuracy.
	repFactor = 2 / (gamma + 1)
)

// Sketch is a mergeable quantile sketch with relative error guarantees.
// Magnitudes are counted in logarithmic buckets: bucket i holds values whose
// magnitude lies in (γ^(i−1), γ^i], γ = (1+α)/(1−α), α = RelativeAccuracy;
// positive and negative values have separate buckets and zero has its own
// count. Counts are float64 (CloudWatch counts may be fractional). Merging
// two sketches adds bucket counts, so merging is exact, associative and
// commutative. The zero value is an empty sketch; a Sketch is not safe for
// concurrent use.
type Sketch struct {
	pos, neg bucketStore
	zero     float64
}

// bucketStore holds dense counts for bucket indexes off, off+1, ….
type bucketStore struct {
	counts []float64
	off    int32
}

// Add records value v count times. NaN, infinite values and non-positive
// counts are ignored.
func (s *Sketch) Add(v, count float64) {
	if !finite(v) || !(count > 0) || math.IsInf(count, 0) {
		return
	}
	switch {
	case v > 0:
		s.pos.add(bucketIndex(v), count)
	case v < 0:
		s.neg.add(bucketIndex(-v), count)
	default:
		s.zero += count
	}
}

// Merge adds every count of o to s. o is not modified.
func (s *Sketch) Merge(o *Sketch) {
	if o == nil {
		return
	}
	s.zero += o.zero
	s.pos.merge(&o.pos)
	s.neg.merge(&o.neg)
}

// Count returns the total count recorded.
func (s *Sketch) Count() float64 {
	return s.zero + s.pos.total() + s.neg.total()
}

// Reset empties s, keeping its memory.
func (s *Sketch) Reset() {
	s.zero = 0
	s.pos.reset()
	s.neg.reset()
}

// Clone returns a deep copy of s.
func (s *Sketch) Clone() *Sketch {
	c := &Sketch{zero: s.zero}
	c.pos = s.pos.clone()
	c.neg = s.neg.clone()
	return c
}

// appendValues appends each non-empty bucket's representative value,
// clamped to [lo, hi], and count to dst in ascending value order.
// Consecutive representatives are computed by multiplying by γ, which adds
// a relative error below 1e-12 over MaxBucketSpan buckets.
func (s *Sketch) appendValues(dst []ValueCount, lo, hi float64) []ValueCount {
	clamp := func(v float64) float64 { return min(max(v, lo), hi) }
	if n := len(s.neg.counts); n > 0 {
		m := bucketValue(s.neg.off + int32(n) - 1)
		for k := n - 1; k >= 0; k-- {
			if c := s.neg.counts[k]; c > 0 {
				dst = append(dst, ValueCount{clamp(-m), c})
			}
			m /= gamma
		}
	}
	if s.zero > 0 {
		dst = append(dst, ValueCount{clamp(0), s.zero})
	}
	if len(s.pos.counts) > 0 {
		m := bucketValue(s.pos.off)
		for _, c := range s.pos.counts {
			if c > 0 {
				dst = append(dst, ValueCount{clamp(m), c})
			}
			m *= gamma
		}
	}
	return dst
}

// addSorted adds values in ascending order. It computes a bucket index with
// a logarithm only when a value leaves the current bucket by more than a
// rounding margin, and otherwise gives the same indexes as Add.
func (s *Sketch) addSorted(vals []ValueCount) {
	var cur int32
	var curLo, curHi float64 // magnitudes strictly inside bucket cur
	const margin = 1e-12
	for _, vc := range vals {
		v, c := vc.Value, vc.Count
		if !finite(v) || !(c > 0) {
			continue
		}
		if v <= 0 {
			s.Add(v, c)
			continue
		}
		if !(v > curLo && v < curHi) {
			cur = bucketIndex(v)
			e := math.Exp(float64(cur) / invLogGamma)
			curHi = e * (1 - margin)
			curLo = e / gamma * (1 + margin)
		}
		s.pos.add(cur, c)
	}
}

// bucketIndex returns i with γ^(i−1) < m ≤ γ^i for a magnitude m > 0.
func bucketIndex(m float64) int32 {
	return int32(math.Ceil(math.Log(m) * invLogGamma))
}

// bucketValue is the representative of bucket i.
func bucketValue(i int32) float64 {
	return math.Exp(float64(i)/invLogGamma) * repFactor
}

func (b *bucketStore) add(i int32, c float64) {
	if len(b.counts) == 0 {
		b.counts = append(b.counts[:0], c)
		b.off = i
		return
	}
	b.grow(i)
	if i < b.off { // folded: below the kept span
		i = b.off
	}
	b.counts[i-b.off] += c
}

// grow extends the store so that index i fits, folding the lowest indexes
// into the lowest kept bucket when the span would exceed MaxBucketSpan.
func (b *bucketStore) grow(i int32) {
	lo, hi := b.off, b.off+int32(len(b.counts))-1
	if i >= lo && i <= hi {
		return
	}
	if i < lo {
		if hi-i+1 > MaxBucketSpan {
			i = hi - MaxBucketSpan + 1
			if i >= lo {
				return
			}
		}
		n := int(lo - i)
		b.counts = append(b.counts, make([]float64, n)...)
		copy(b.counts[n:], b.counts[:len(b.counts)-n])
		clear(b.counts[:n])
		b.off = i
		return
	}
	// i > hi
	newLo := lo
	if i-lo+1 > MaxBucketSpan {
		newLo = i - MaxBucketSpan + 1
	}
	if newLo > lo {
		// fold counts below newLo into newLo.
		var folded float64
		k := int(newLo - lo)
		if k > len(b.counts) {
			k = len(b.counts)
		}
		for _, c := range b.counts[:k] {
			folded += c
		}
		rest := b.counts[k:]
		n := copy(b.counts, rest)
		b.counts = b.counts[:n]
		b.off = newLo
		if len(b.counts) == 0 {
			b.counts = append(b.counts, 0)
		}
		b.counts[0] += folded
		lo = newLo
	}
	need := int(i-lo) + 1
	if need > len(b.counts) {
		b.counts = append(b.counts, make([]float64, need-len(b.counts))...)
	}
}

func (b *bucketStore) merge(o *bucketStore) {
	if len(o.counts) == 0 {
		return
	}
	if len(b.counts) == 0 {
		b.counts = append(b.counts[:0], o.counts...)
		b.off = o.off
		return
	}
	b.grow(o.off + int32(len(o.counts)) - 1)
	b.grow(o.off)
	for k, c := range o.counts {
		if c == 0 {
			continue
		}
		i := o.off + int32(k)
		if i < b.off {
			i = b.off
		}
		b.counts[i-b.off] += c
	}
}

func (b *bucketStore) total() float64 {
	var t float64
	for _, c := range b.counts {
		t += c
	}
	return t
}

func (b *bucketStore) reset() {
	b.counts = b.counts[:0]
	b.off = 0
}

func (b *bucketStore) clone() bucketStore {
	if len(b.counts) == 0 {
		return bucketStore{}
	}
	return bucketStore{counts: append([]float64(nil), b.counts...), off: b.off}
}

// rankLE returns the count of the buckets that hold values ≤ x, counting the
// bucket that contains x as wholly ≤ x: a bound that equals an observed
// value (a threshold such as PR(:300) over integer data) then classifies
// that value as CloudWatch does; values in the same bucket above x (within
// 2·RelativeAccuracy of x) are misclassified.
func (s *Sketch) rankLE(x float64) float64 {
	var r float64
	if x >= 0 {
		r += s.neg.total() + s.zero
		if x > 0 {
			bi := bucketIndex(x)
			for k, c := range s.pos.counts {
				if s.pos.off+int32(k) > bi {
					break
				}
				r += c
			}
		}
		return r
	}
	bi := bucketIndex(-x)
	for k, c := range s.neg.counts {
		if s.neg.off+int32(k) >= bi {
			r += c
		}
	}
	return r
}
