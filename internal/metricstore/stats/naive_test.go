package stats

import (
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
)

// naive computes statistics the slow, obvious way from every data point
// written out one by one and sorted. It shares no code with Compute.
type naive struct{ xs []float64 }

func newNaive(vals []ValueCount) naive {
	var xs []float64
	for _, vc := range vals {
		for range int(vc.Count) {
			xs = append(xs, vc.Value)
		}
	}
	slices.Sort(xs)
	return naive{xs}
}

func (n naive) N() float64 { return float64(len(n.xs)) }

// rank: an open bound is `open`; q% is q·N/100; an absolute v counts the
// points ≤ v.
func (n naive) rank(b Bound, open float64) float64 {
	if !b.Set {
		return open
	}
	if b.Percent {
		return b.Value * n.N() / 100
	}
	c := 0
	for _, x := range n.xs {
		if x <= b.Value {
			c++
		}
	}
	return float64(c)
}

func overlap(a0, a1, b0, b1 float64) float64 {
	return math.Max(0, math.Min(a1, b1)-math.Max(a0, b0))
}

func (n naive) compute(s Statistic) (float64, bool) {
	N := n.N()
	if N == 0 {
		return 0, false
	}
	switch s.Kind {
	case SampleCount:
		return N, true
	case Sum, Average:
		var t float64
		for _, x := range n.xs {
			t += x
		}
		if s.Kind == Average {
			t /= N
		}
		return t, true
	case Minimum:
		return n.xs[0], true
	case Maximum:
		return n.xs[len(n.xs)-1], true
	case Percentile:
		if n.xs[0] < 0 {
			return 0, false
		}
		k := int(math.Ceil(s.P * N / 100))
		k = max(1, min(k, len(n.xs)))
		return n.xs[k-1], true
	case PercentileRank:
		c := 0
		for _, x := range n.xs {
			if (!s.Lo.Set || x > s.Lo.Value) && (!s.Hi.Set || x <= s.Hi.Value) {
				c++
			}
		}
		return 100 * float64(c) / N, true
	}
	r1, r2 := n.rank(s.Lo, 0), n.rank(s.Hi, N)
	var tc, ts, below, above float64
	for j, x := range n.xs {
		in := overlap(float64(j), float64(j+1), r1, r2)
		tc += in
		ts += x * in
		below += overlap(float64(j), float64(j+1), math.Inf(-1), r1)
		above += overlap(float64(j), float64(j+1), r2, math.Inf(1))
	}
	switch s.Kind {
	case TrimmedCount:
		return tc, true
	case TrimmedSum:
		return ts, true
	case TrimmedMean, IQM:
		if tc <= 0 {
			return 0, false
		}
		return ts / tc, true
	case WinsorizedMean:
		if r2 < r1 {
			return 0, false
		}
		lo, hi := s.Lo.Value, s.Hi.Value
		if s.Lo.Percent {
			lo = n.xs[min(int(math.Floor(r1)), len(n.xs)-1)]
		}
		if s.Hi.Percent {
			hi = n.xs[max(1, min(int(math.Ceil(r2)), len(n.xs)))-1]
		}
		return (ts + below*lo + above*hi) / N, true
	}
	return 0, false
}

// filterMean is a second, even plainer trimmed mean for absolute bounds.
func (n naive) filterMean(lo, hi Bound) (float64, float64, bool) {
	var c, t float64
	for _, x := range n.xs {
		if (!lo.Set || x > lo.Value) && (!hi.Set || x <= hi.Value) {
			c++
			t += x
		}
	}
	return t / c, c, c > 0
}

// genData draws a random dataset: few or many distinct values, ties,
// optional negatives and zeros, integer counts 1–3.
func genData(r *rand.Rand, n int) []ValueCount {
	mode := r.IntN(5)
	neg := r.IntN(3) == 0
	out := make([]ValueCount, 0, n)
	for range n {
		var v float64
		switch mode {
		case 0: // small integers, many ties
			v = float64(r.IntN(10))
		case 1: // uniform
			v = r.Float64() * 1000
		case 2: // log-normal latencies
			v = math.Exp(r.NormFloat64()*2 + 3)
		case 3: // decimals with few digits
			v = math.Round(r.Float64()*10000) / 100
		default: // wide range
			v = math.Pow(10, r.Float64()*16-8) // within MaxBucketSpan (~17.8 decades)
		}
		if neg && r.IntN(2) == 0 {
			v = -v
		}
		out = append(out, ValueCount{v, float64(1 + r.IntN(3))})
	}
	return out
}

// genStatistic draws a random statistic string, sometimes using values from
// the data as absolute bounds so that ties with bounds are exercised.
func genStatistic(r *rand.Rand, data []ValueCount) string {
	pct := func() string {
		switch r.IntN(4) {
		case 0:
			return strconv.Itoa(r.IntN(101))
		case 1:
			return strconv.FormatFloat(float64(r.IntN(10001))/100, 'f', -1, 64)
		case 2:
			return []string{"0", "100", "50", "99.9", "0.1", "25", "75"}[r.IntN(7)]
		default:
			return strconv.FormatFloat(r.Float64()*100, 'f', 4, 64)
		}
	}
	abs := func() string {
		if len(data) > 0 && r.IntN(2) == 0 {
			return strconv.FormatFloat(data[r.IntN(len(data))].Value, 'f', 10, 64)
		}
		return strconv.FormatFloat(r.NormFloat64()*500, 'f', 3, 64)
	}
	bound := func(allowPct bool) string {
		switch r.IntN(5) {
		case 0:
			return ""
		case 1, 2:
			if allowPct {
				return pct() + "%"
			}
		}
		return abs()
	}
	switch k := r.IntN(12); k {
	case 0:
		return []string{"SampleCount", "Average", "Sum", "Minimum", "Maximum", "IQM"}[r.IntN(6)]
	case 1, 2:
		return "p" + pct()
	case 3, 4:
		p := pct()
		if p == "0" {
			p = "100"
		}
		return []string{"tm", "wm", "tc", "ts"}[r.IntN(4)] + p
	case 5:
		return "PR(" + bound(false) + ":" + bound(false) + ")"
	default:
		return []string{"TM", "WM", "TC", "TS"}[r.IntN(4)] + "(" + bound(true) + ":" + bound(true) + ")"
	}
}

func aggOf(data []ValueCount) *Agg {
	var a Agg
	for _, vc := range data {
		a.AddValue(vc.Value, vc.Count)
	}
	return &a
}
