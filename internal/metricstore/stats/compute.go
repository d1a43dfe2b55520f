package stats

import "sync"

// Compute returns statistic s of a. ok is false when CloudWatch would return
// no value: a is empty; s needs the distribution of values and a has none
// (NoDistribution); s is a percentile and a holds a negative value
// ("Percentile statistics are not available for metrics when any of the
// metric values are negative numbers"); s is a trimmed or winsorized mean
// whose range holds no data.
//
// The semantics, for data points x₁ ≤ … ≤ x_N (counts are weights):
//
//   - Percentile pP is nearest rank: the smallest xᵢ such that at least P% of
//     the data points are ≤ xᵢ (rank ⌈P·N/100⌉, at least 1). p0 is Minimum and
//     p100 Maximum; the result is always an observed value.
//   - A range a:b selects a slice of the data in rank order. Data point i
//     occupies the rank interval [i−1, i); a percentage bound q% is rank
//     q·N/100; an absolute bound v is the rank of the last point ≤ v, so the
//     range holds exactly the points with a < x ≤ b (lower bound exclusive,
//     upper inclusive, as documented for PR and TC). A percentage bound may
//     cut a data point: the part inside the range counts, which is why
//     trimmed counts can be fractional ("an interpolated approximation").
//   - TC is the data in the range (ranks), TS the sum of the values in the
//     range (each point weighted by its part inside), TM = TS/TC, IQM =
//     TM(25%:75%). TC and TS of an empty range are 0.
//   - WM replaces the points below the range by the lower edge and those
//     above it by the upper edge, then averages over all N points. The edge
//     of a percentage bound is the value at that rank (the upper edge of wm98
//     is p98); the edge of an absolute bound is the bound itself.
//   - PR(a:b) is 100 × (points with a < x ≤ b) / N.
//
// Aggregates summarised by a Sketch answer from its bucket representatives
// (clamped to [Minimum, Maximum]): percentiles, and the values summed by TM,
// TS and WM, are within RelativeAccuracy of the exact answer. With absolute
// bounds the bucket that holds a bound counts as ≤ the bound, so the only
// points a sketch can misplace are those above a bound by less than
// 2·RelativeAccuracy of it (the error of TC and PR is at most their count).
func Compute(a *Agg, s Statistic) (v float64, ok bool) {
	if a == nil || a.Count == 0 {
		return 0, false
	}
	switch s.Kind {
	case SampleCount:
		return a.Count, true
	case Average:
		return a.Sum / a.Count, true
	case Sum:
		return a.Sum, true
	case Minimum:
		return a.Min, true
	case Maximum:
		return a.Max, true
	}
	if a.NoDistribution {
		return 0, false
	}
	var d dist
	if a.Sketch == nil {
		d = a.Exact
	} else {
		buf := scratch.Get().(*[]ValueCount)
		d = a.Sketch.appendValues((*buf)[:0], a.Min, a.Max)
		defer func() {
			*buf = d[:0]
			scratch.Put(buf)
		}()
	}
	return compute(a, d, s)
}

// scratch holds buffers for a sketch's values while Compute runs.
var scratch = sync.Pool{New: func() any { return new([]ValueCount) }}

func compute(a *Agg, d dist, s Statistic) (float64, bool) {
	n := d.total()
	if !(n > 0) {
		return 0, false
	}
	switch s.Kind {
	case Percentile:
		if a.Min < 0 {
			return 0, false
		}
		return d.upperValueAt(s.P * n / 100), true
	case PercentileRank:
		r1, r2 := d.rank(a, s.Lo, n, 0), d.rank(a, s.Hi, n, n)
		if r2 < r1 {
			r2 = r1
		}
		return 100 * (r2 - r1) / n, true
	case TrimmedMean, IQM, TrimmedCount, TrimmedSum, WinsorizedMean:
	default:
		return 0, false
	}
	r1, r2 := d.rank(a, s.Lo, n, 0), d.rank(a, s.Hi, n, n)
	switch s.Kind {
	case TrimmedCount:
		if r2 <= r1 {
			return 0, true
		}
		return r2 - r1, true
	case TrimmedSum:
		if r2 <= r1 {
			return 0, true
		}
		return d.rangeSum(r1, r2), true
	case TrimmedMean, IQM:
		if r2 <= r1 {
			return 0, false
		}
		return d.rangeSum(r1, r2) / (r2 - r1), true
	}
	// WinsorizedMean
	if r2 < r1 {
		return 0, false
	}
	sum := d.rangeSum(r1, r2)
	if r1 > 0 {
		lo := s.Lo.Value
		if s.Lo.Percent {
			lo = d.lowerValueAt(r1)
		}
		sum += r1 * lo
	}
	if r2 < n {
		hi := s.Hi.Value
		if s.Hi.Percent {
			hi = d.upperValueAt(r2)
		}
		sum += (n - r2) * hi
	}
	return sum / n, true
}

// dist is a distribution in ascending value order.
type dist []ValueCount

func (d dist) total() float64 {
	var n float64
	for _, vc := range d {
		n += vc.Count
	}
	return n
}

// rank converts a bound to a rank in [0, n]; open is the rank of an open
// bound.
func (d dist) rank(a *Agg, b Bound, n, open float64) float64 {
	switch {
	case !b.Set:
		return open
	case b.Percent:
		return b.Value * n / 100
	}
	if a.Sketch != nil {
		return min(a.Sketch.rankLE(b.Value), n)
	}
	var r float64
	for _, vc := range d {
		v, w := vc.Value, vc.Count
		if v > b.Value {
			break
		}
		r += w
	}
	if r > n {
		r = n
	}
	return r
}

// upperValueAt is the value of the first point whose cumulative count
// reaches r (nearest rank).
func (d dist) upperValueAt(r float64) float64 {
	var cum, last float64
	for _, vc := range d {
		v, w := vc.Value, vc.Count
		cum += w
		last = v
		if cum >= r {
			return v
		}
	}
	return last
}

// lowerValueAt is the value of the first point whose cumulative count
// exceeds r: the lowest point a range starting at rank r keeps.
func (d dist) lowerValueAt(r float64) float64 {
	var cum, last float64
	for _, vc := range d {
		v, w := vc.Value, vc.Count
		cum += w
		last = v
		if cum > r {
			return v
		}
	}
	return last
}

// rangeSum sums the values in rank interval [r1, r2], each point weighted by
// the length of its rank interval inside it.
func (d dist) rangeSum(r1, r2 float64) float64 {
	var cum, sum float64
	for _, vc := range d {
		v, w := vc.Value, vc.Count
		lo, hi := cum, cum+w
		cum = hi
		if hi <= r1 {
			continue
		}
		if lo >= r2 {
			break
		}
		if lo < r1 {
			lo = r1
		}
		if hi > r2 {
			hi = r2
		}
		sum += v * (hi - lo)
	}
	return sum
}
