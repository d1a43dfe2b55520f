package stats

import (
	"math"
	"math/rand/v2"
	"testing"
)

func close(got, want, tol float64) bool {
	return math.Abs(got-want) <= tol
}

// TestComputeMatchesNaive compares Compute on exact aggregates with the naive
// implementation over random data and random statistics.
func TestComputeMatchesNaive(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	checked := map[Kind]int{}
	for iter := range 4000 {
		data := genData(r, 1+r.IntN(200))
		a := aggOf(data)
		if !a.IsExact() {
			t.Fatal("expected an exact aggregate")
		}
		nv := newNaive(data)
		var maxAbs float64
		for _, x := range nv.xs {
			maxAbs = math.Max(maxAbs, math.Abs(x))
		}
		for range 10 {
			str := genStatistic(r, data)
			s, err := ParseStatistic(str)
			if err != nil {
				continue // e.g. TM(5:3): the lower bound must be below the upper
			}
			got, gok := Compute(a, s)
			want, wok := nv.compute(s)
			if gok != wok {
				t.Fatalf("iter %d %s on %v: ok %v, naive ok %v (got %v want %v)", iter, str, data, gok, wok, got, want)
			}
			if !gok {
				continue
			}
			checked[s.Kind]++
			tol := 1e-9 * (math.Abs(want) + maxAbs*nv.N())
			if !close(got, want, tol) {
				t.Fatalf("iter %d %s: got %v, naive %v (data %v)", iter, str, got, want, data)
			}
			// Independent cross-checks of the rank model.
			if (s.Kind == TrimmedMean || s.Kind == TrimmedCount) && !s.Lo.Percent && !s.Hi.Percent {
				m, c, ok := nv.filterMean(s.Lo, s.Hi)
				if s.Kind == TrimmedCount && got != c {
					t.Fatalf("%s: got %v, filter count %v", str, got, c)
				}
				if s.Kind == TrimmedMean && (!ok || !close(got, m, tol)) {
					t.Fatalf("%s: got %v, filter mean %v", str, got, m)
				}
			}
		}
	}
	for k := SampleCount; k <= IQM; k++ {
		if checked[k] < 20 {
			t.Errorf("kind %d checked only %d times", k, checked[k])
		}
	}
}

// TestSketchWithinBound compares Compute on sketch-backed aggregates with
// the exact answer, within RelativeAccuracy.
func TestSketchWithinBound(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	const eps = 1e-9
	for iter := range 1500 {
		data := genData(r, 1+r.IntN(400))
		a := aggOf(data)
		a.Compact()
		if a.Sketch == nil || a.Exact != nil {
			t.Fatal("Compact did not convert to a sketch")
		}
		nv := newNaive(data)
		var maxAbs float64
		for _, x := range nv.xs {
			maxAbs = math.Max(maxAbs, math.Abs(x))
		}
		alpha := RelativeAccuracy * (1 + eps)
		for range 10 {
			str := genStatistic(r, data)
			s, err := ParseStatistic(str)
			if err != nil {
				continue
			}
			got, gok := Compute(a, s)
			want, wok := nv.compute(s)
			absolute := (s.Lo.Set && !s.Lo.Percent) || (s.Hi.Set && !s.Hi.Percent)
			if absolute {
				if s.Kind == PercentileRank || s.Kind == TrimmedCount {
					checkBracket(t, str, s, nv, got)
				}
				continue
			}
			if gok != wok {
				t.Fatalf("%s: ok %v, naive ok %v", str, gok, wok)
			}
			if !gok {
				continue
			}
			var tol float64
			switch s.Kind {
			case SampleCount, Sum, Average, Minimum, Maximum, TrimmedCount:
				tol = 1e-9 * (math.Abs(want) + maxAbs*nv.N())
			case Percentile:
				tol = alpha * math.Abs(want)
			case TrimmedSum:
				tc, _ := nv.compute(Statistic{Kind: TrimmedCount, Lo: s.Lo, Hi: s.Hi})
				tol = alpha*maxAbs*tc + 1e-9*maxAbs*nv.N()
			default:
				tol = alpha*maxAbs + 1e-9*maxAbs
			}
			if !close(got, want, tol) {
				t.Fatalf("iter %d %s: sketch %v, exact %v, tolerance %v", iter, str, got, want, tol)
			}
			if nv.xs[0] > 0 && (s.Kind == TrimmedMean || s.Kind == IQM || s.Kind == WinsorizedMean || s.Kind == TrimmedSum) {
				if !close(got, want, alpha*math.Abs(want)+1e-12*math.Abs(want)) {
					t.Fatalf("%s on positive data: sketch %v, exact %v: beyond relative accuracy", str, got, want)
				}
			}
		}
	}
}

// checkBracket: with absolute bounds a sketch may misplace only points
// within the relative accuracy of a bound, so its count lies between the
// counts over the range shrunk and widened by that much.
func checkBracket(t *testing.T, str string, s Statistic, nv naive, got float64) {
	t.Helper()
	w := 3 * RelativeAccuracy
	shift := func(b Bound, dir float64) Bound {
		if b.Set && !b.Percent {
			b.Value += dir * w * math.Abs(b.Value)
		}
		return b
	}
	inner := Statistic{Kind: s.Kind, Lo: shift(s.Lo, +1), Hi: shift(s.Hi, -1)}
	outer := Statistic{Kind: s.Kind, Lo: shift(s.Lo, -1), Hi: shift(s.Hi, +1)}
	lo, _ := nv.compute(inner)
	hi, _ := nv.compute(outer)
	if got < lo-1e-9 || got > hi+1e-9 {
		t.Fatalf("%s: sketch %v outside [%v, %v]", str, got, lo, hi)
	}
}

func TestAutoConvertAtMaxExact(t *testing.T) {
	var a Agg
	for i := range MaxExact {
		a.AddValue(float64(i+1), 1)
	}
	a.AddValue(1, 5) // existing value: stays exact
	if !a.IsExact() || len(a.Exact) != MaxExact {
		t.Fatalf("exact=%v len=%d", a.IsExact(), len(a.Exact))
	}
	a.AddValue(0.5, 1)
	if a.IsExact() || a.Sketch == nil || a.Exact != nil {
		t.Fatal("want a sketch beyond MaxExact distinct values")
	}
	if c := a.Sketch.Count(); c != a.Count {
		t.Fatalf("sketch count %v, Count %v", c, a.Count)
	}
}

func TestAddSet(t *testing.T) {
	p99 := Statistic{Kind: Percentile, P: 99}
	var a Agg
	a.AddSet(4, 20, 5, 5) // Min = Max: four 5s
	a.AddSet(1, 7, 7, 7)  // one value
	if v, ok := Compute(&a, p99); !ok || v != 7 {
		t.Fatalf("p99 = %v %v", v, ok)
	}
	if a.Count != 5 || a.Sum != 27 || a.Min != 5 || a.Max != 7 {
		t.Fatalf("summary %+v", a)
	}
	a.AddSet(3, 6, 1, 3) // a real set: no distribution any more
	if _, ok := Compute(&a, p99); ok {
		t.Fatal("percentile available after a non-expandable set")
	}
	if v, ok := Compute(&a, Statistic{Kind: Average}); !ok || v != 33.0/8 {
		t.Fatalf("Average = %v", v)
	}
	a.AddValue(100, 1)
	var b Agg
	b.AddValue(1, 1)
	b.Merge(&a)
	if !b.NoDistribution || b.Max != 100 || b.Count != 10 {
		t.Fatalf("merge with no-distribution aggregate: %+v", b)
	}
}

func TestNegativePercentile(t *testing.T) {
	a := aggOf([]ValueCount{{-1, 1}, {5, 1}})
	if _, ok := Compute(a, Statistic{Kind: Percentile, P: 50}); ok {
		t.Fatal("percentile of data with a negative value")
	}
	if v, ok := Compute(a, Statistic{Kind: TrimmedMean, Hi: Bound{true, true, 100}, Short: true}); !ok || v != 2 {
		t.Fatalf("tm100 = %v %v", v, ok)
	}
}

func TestEmpty(t *testing.T) {
	var a Agg
	for _, s := range []string{"SampleCount", "Sum", "p50", "TC(:5)", "PR(:1)"} {
		st, _ := ParseStatistic(s)
		if _, ok := Compute(&a, st); ok {
			t.Errorf("%s available on an empty aggregate", s)
		}
	}
	if !a.Empty() {
		t.Error("not Empty")
	}
	a.AddValue(math.NaN(), 1)
	a.AddValue(1, 0)
	a.AddValue(math.Inf(1), 1)
	if !a.Empty() {
		t.Error("non-finite values or zero counts were recorded")
	}
}

// TestSketchFolding: magnitudes more than MaxBucketSpan buckets below the
// largest are folded into the lowest kept bucket; the rest keep the bound.
func TestSketchFolding(t *testing.T) {
	var s Sketch
	s.Add(1e-30, 1)
	s.Add(1e-12, 1)
	s.Add(1e20, 1)
	if len(s.pos.counts) > MaxBucketSpan {
		t.Fatalf("%d buckets", len(s.pos.counts))
	}
	vals := s.appendValues(nil, 0, math.Inf(1))
	if len(vals) != 2 || s.Count() != 3 {
		t.Fatalf("buckets %v, count %v", vals, s.Count())
	}
	if math.Abs(vals[1].Value-1e20) > RelativeAccuracy*1e20 {
		t.Fatalf("largest %v", vals[1])
	}
	// Growing downwards past the span folds too.
	var d Sketch
	d.Add(1e20, 1)
	d.Add(1e-30, 2)
	if len(d.pos.counts) > MaxBucketSpan || d.Count() != 3 {
		t.Fatalf("%d buckets, count %v", len(d.pos.counts), d.Count())
	}
}

// TestAddSortedMatchesAdd: the bulk path gives the same buckets as Add.
func TestAddSortedMatchesAdd(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	for range 300 {
		a := aggOf(genData(r, 1+r.IntN(500)))
		var one, bulk Sketch
		for _, vc := range a.Exact {
			one.Add(vc.Value, vc.Count)
		}
		bulk.addSorted(a.Exact)
		x, y := sketchBuckets(&one), sketchBuckets(&bulk)
		if len(x) != len(y) {
			t.Fatal("bucket counts differ")
		}
		for k, v := range x {
			if y[k] != v {
				t.Fatalf("bucket %d: %v vs %v", k, v, y[k])
			}
		}
	}
	// Values on and next to bucket edges.
	var one, bulk Sketch
	var vals []ValueCount
	for i := int32(-50); i < 50; i++ {
		e := math.Exp(float64(i) / invLogGamma)
		for _, v := range []float64{math.Nextafter(e, 0), e, math.Nextafter(e, 2*e)} {
			if len(vals) == 0 || v > vals[len(vals)-1].Value {
				vals = append(vals, ValueCount{v, 1})
			}
		}
	}
	for _, vc := range vals {
		one.Add(vc.Value, 1)
	}
	bulk.addSorted(vals)
	x, y := sketchBuckets(&one), sketchBuckets(&bulk)
	for k, v := range x {
		if y[k] != v {
			t.Fatalf("edge bucket %d: %v vs %v", k, v, y[k])
		}
	}
}
