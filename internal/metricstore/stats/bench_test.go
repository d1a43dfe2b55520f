package stats

import (
	"math"
	"math/rand/v2"
	"testing"
)

func latencies(n int, seed uint64) []float64 {
	r := rand.New(rand.NewPCG(seed, seed))
	out := make([]float64, n)
	for i := range out {
		out[i] = math.Round(math.Exp(r.NormFloat64()+4)*1000) / 1000
	}
	return out
}

// BenchmarkAddValue: values from 100 distinct (exact aggregate).
func BenchmarkAddValue(b *testing.B) {
	vals := latencies(100, 1)
	var a Agg
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		a.AddValue(vals[i%len(vals)], 1)
	}
}

// BenchmarkAddValueSketch: distinct values into a sketch-backed aggregate.
func BenchmarkAddValueSketch(b *testing.B) {
	vals := latencies(4096, 2)
	var a Agg
	for _, v := range vals {
		a.AddValue(v, 1)
	}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		a.AddValue(vals[i%len(vals)], 1)
	}
}

func agg1024(seed uint64) *Agg {
	var a Agg
	r := rand.New(rand.NewPCG(seed, seed))
	for a.Count < MaxExact || len(a.Exact) < MaxExact {
		a.AddValue(math.Round(math.Exp(r.NormFloat64()+4)*1000)/1000, 1)
		if len(a.Exact) == MaxExact {
			break
		}
	}
	return &a
}

// BenchmarkMerge1024: two exact aggregates of 1024 distinct values each into
// an empty one (the result, 2048 distinct, converts to a sketch).
func BenchmarkMerge1024(b *testing.B) {
	x, y := agg1024(1), agg1024(2)
	var a Agg
	b.ReportAllocs()
	for b.Loop() {
		a.Reset()
		a.Merge(x)
		a.Merge(y)
	}
}

// BenchmarkMerge1024Overlap: as above with 1024 shared values (stays exact).
func BenchmarkMerge1024Overlap(b *testing.B) {
	x := agg1024(1)
	var a Agg
	b.ReportAllocs()
	for b.Loop() {
		a.Reset()
		a.Merge(x)
		a.Merge(x)
	}
}

// BenchmarkMergeSketch: a rollup step, one sketch merged into another.
func BenchmarkMergeSketch(b *testing.B) {
	x, y := agg1024(1), agg1024(2)
	x.Compact()
	y.Compact()
	b.ReportAllocs()
	for b.Loop() {
		x.Merge(y)
	}
}

func BenchmarkComputeP99Exact(b *testing.B) {
	a := agg1024(3)
	s, _ := ParseStatistic("p99")
	b.ReportAllocs()
	for b.Loop() {
		Compute(a, s)
	}
}

func BenchmarkComputeP99Sketch(b *testing.B) {
	a := agg1024(3)
	a.Compact()
	s, _ := ParseStatistic("p99")
	b.ReportAllocs()
	for b.Loop() {
		Compute(a, s)
	}
}

func BenchmarkComputeTMSketch(b *testing.B) {
	a := agg1024(3)
	a.Compact()
	s, _ := ParseStatistic("TM(10%:90%)")
	b.ReportAllocs()
	for b.Loop() {
		Compute(a, s)
	}
}

func BenchmarkParseStatistic(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		ParseStatistic("TM(10%:90%)")
	}
}

func BenchmarkEncodeDecodeSketch(b *testing.B) {
	a := agg1024(3)
	a.Compact()
	var buf []byte
	var d Agg
	b.ReportAllocs()
	for b.Loop() {
		buf = a.AppendBinary(buf[:0])
		d.Decode(buf)
	}
}
