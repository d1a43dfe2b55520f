package stats

import (
	"math"
	"sort"
)

// MaxExact is the number of distinct values an exact aggregate keeps before
// it converts to a Sketch.
//
// An exact entry costs 16 bytes in memory (ValueCount) and typically 2–10
// bytes encoded, so an exact cell is at most 16 KiB in memory. A Sketch with
// RelativeAccuracy 1% needs about 115 buckets (8 bytes each) per decade of
// value range, so 1024 distinct values is where a sketch over a typical
// latency distribution (3–4 decades, 350–460 buckets, ~3.5 KiB) becomes
// clearly smaller than the exact list; below it, exact answers cost no more
// memory than approximate ones. Raw data rarely gets there: a PutMetricData
// datum carries at most 150 distinct values, and the engine calls Compact
// when it rolls data up, so only recent fine-grained cells hold exact lists.
const MaxExact = 1024

// AddValue records value v observed count times. Non-finite values and
// non-positive or non-finite counts are ignored (the API layer rejects them
// before they get here).
func (a *Agg) AddValue(v, count float64) {
	if !finite(v) || !(count > 0) || math.IsInf(count, 0) {
		return
	}
	a.addSummary(count, v*count, v, v)
	switch {
	case a.NoDistribution:
	case a.Sketch != nil:
		a.Sketch.Add(v, count)
	default:
		a.insertExact(v, count)
		if len(a.Exact) > MaxExact {
			a.Compact()
		}
	}
}

// AddSet records a statistic set (PutMetricData StatisticValues). CloudWatch
// can only derive percentile-style statistics from a set whose values are
// known: when SampleCount is 1 or Minimum equals Maximum (GetMetricStatistics
// documentation). Such a set is added as count copies of Minimum; Count and
// Sum still take the reported SampleCount and Sum. Any other set makes the
// aggregate NoDistribution: only SampleCount, Sum, Minimum, Maximum and
// Average remain available. A set with SampleCount 1 but Minimum ≠ Maximum is
// self-contradictory and is treated as one without a distribution. Sets
// with a non-positive or non-finite field are ignored.
func (a *Agg) AddSet(count, sum, min, max float64) {
	if !(count > 0) || math.IsInf(count, 0) || !finite(sum) || !finite(min) || !finite(max) {
		return
	}
	if min > max {
		min, max = max, min
	}
	a.addSummary(count, sum, min, max)
	if a.NoDistribution {
		return
	}
	if min != max {
		a.dropDistribution()
		return
	}
	switch {
	case a.Sketch != nil:
		a.Sketch.Add(min, count)
	default:
		a.insertExact(min, count)
		if len(a.Exact) > MaxExact {
			a.Compact()
		}
	}
}

// Merge adds every observation of b to a. b is not modified and a does not
// share memory with b afterwards. a and b may be the same aggregate.
func (a *Agg) Merge(b *Agg) {
	if b == nil || b.Count == 0 {
		return
	}
	if a == b {
		c := b.Clone()
		b = &c
	}
	a.addSummary(b.Count, b.Sum, b.Min, b.Max)
	if a.NoDistribution {
		return
	}
	if b.NoDistribution {
		a.dropDistribution()
		return
	}
	switch {
	case a.Sketch == nil && b.Sketch == nil:
		a.mergeExact(b.Exact)
		if len(a.Exact) > MaxExact {
			a.Compact()
		}
	default:
		if a.Sketch == nil {
			a.Compact()
		}
		if b.Sketch != nil {
			a.Sketch.Merge(b.Sketch)
		} else {
			a.Sketch.addSorted(b.Exact)
		}
	}
}

// Reset empties a, keeping the capacity of Exact and the Sketch's buckets for
// reuse.
func (a *Agg) Reset() {
	ex, sk := a.Exact[:0], a.Sketch
	*a = Agg{Exact: ex}
	if sk != nil {
		sk.Reset()
		a.spare = sk
	} else {
		a.spare = nil
	}
}

// Empty reports whether a holds no observation.
func (a *Agg) Empty() bool { return a.Count == 0 }

// IsExact reports whether distribution statistics computed from a are exact:
// true while a keeps every distinct value.
func (a *Agg) IsExact() bool { return !a.NoDistribution && a.Sketch == nil }

// Compact converts an exact aggregate to a Sketch, bounding its size. The
// engine calls it when it rolls data up. It does nothing to an empty
// aggregate, to one already summarised by a Sketch, or to one without a
// distribution.
func (a *Agg) Compact() {
	if a.Count == 0 || a.NoDistribution || a.Sketch != nil {
		return
	}
	sk := a.spare
	a.spare = nil
	if sk == nil {
		sk = &Sketch{}
	}
	sk.addSorted(a.Exact)
	a.Sketch = sk
	a.Exact = nil
}

// Clone returns a deep copy of a.
func (a *Agg) Clone() Agg {
	c := Agg{Count: a.Count, Sum: a.Sum, Min: a.Min, Max: a.Max, NoDistribution: a.NoDistribution}
	if len(a.Exact) > 0 {
		c.Exact = append([]ValueCount(nil), a.Exact...)
	}
	if a.Sketch != nil {
		c.Sketch = a.Sketch.Clone()
	}
	return c
}

func (a *Agg) addSummary(count, sum, min, max float64) {
	if a.Count == 0 {
		a.Min, a.Max = min, max
	} else {
		if min < a.Min {
			a.Min = min
		}
		if max > a.Max {
			a.Max = max
		}
	}
	a.Count += count
	a.Sum += sum
}

func (a *Agg) dropDistribution() {
	a.NoDistribution = true
	a.Exact = nil
	a.Sketch = nil
}

func (a *Agg) insertExact(v, count float64) {
	ex := a.Exact
	n := len(ex)
	if n == 0 || v > ex[n-1].Value {
		a.Exact = append(ex, ValueCount{v, count})
		return
	}
	i := sort.Search(n, func(i int) bool { return ex[i].Value >= v })
	if ex[i].Value == v {
		ex[i].Count += count
		return
	}
	ex = append(ex, ValueCount{})
	copy(ex[i+1:], ex[i:])
	ex[i] = ValueCount{v, count}
	a.Exact = ex
}

func (a *Agg) mergeExact(b []ValueCount) {
	if len(b) == 0 {
		return
	}
	x := a.Exact
	out := make([]ValueCount, 0, len(x)+len(b))
	i, j := 0, 0
	for i < len(x) && j < len(b) {
		switch {
		case x[i].Value < b[j].Value:
			out = append(out, x[i])
			i++
		case x[i].Value > b[j].Value:
			out = append(out, b[j])
			j++
		default:
			out = append(out, ValueCount{x[i].Value, x[i].Count + b[j].Count})
			i++
			j++
		}
	}
	out = append(out, x[i:]...)
	out = append(out, b[j:]...)
	a.Exact = out
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }
