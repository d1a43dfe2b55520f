package stats

import (
	"bytes"
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

func sketchBuckets(s *Sketch) map[int32]float64 {
	m := map[int32]float64{}
	if s == nil {
		return m
	}
	for k, c := range s.pos.counts {
		if c != 0 {
			m[s.pos.off+int32(k)] += c
		}
	}
	for k, c := range s.neg.counts {
		if c != 0 {
			m[-(1<<30)-(s.neg.off+int32(k))] += c
		}
	}
	if s.zero != 0 {
		m[1<<30] = s.zero
	}
	return m
}

func sameAgg(t *testing.T, what string, x, y *Agg) {
	t.Helper()
	tol := 1e-9 * (math.Abs(x.Sum) + math.Max(math.Abs(x.Min), math.Abs(x.Max))*x.Count)
	if x.Count != y.Count || x.Min != y.Min || x.Max != y.Max || !close(x.Sum, y.Sum, tol) || x.NoDistribution != y.NoDistribution {
		t.Fatalf("%s: summaries differ: %v/%v/%v/%v vs %v/%v/%v/%v", what, x.Count, x.Sum, x.Min, x.Max, y.Count, y.Sum, y.Min, y.Max)
	}
	if !slices.Equal(x.Exact, y.Exact) {
		t.Fatalf("%s: exact values differ", what)
	}
	bx, by := sketchBuckets(x.Sketch), sketchBuckets(y.Sketch)
	if (x.Sketch == nil) != (y.Sketch == nil) || len(bx) != len(by) {
		t.Fatalf("%s: sketches differ", what)
	}
	for k, v := range bx {
		if by[k] != v {
			t.Fatalf("%s: bucket %d: %v vs %v", what, k, v, by[k])
		}
	}
}

func merged(aggs ...*Agg) *Agg {
	var out Agg
	for _, a := range aggs {
		out.Merge(a)
	}
	return &out
}

// TestMergeLaws: merging is associative and commutative and equals adding
// everything to one aggregate, for exact aggregates, sketches and mixes.
func TestMergeLaws(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for iter := range 200 {
		var parts [3][]ValueCount
		var all []ValueCount
		size := 1 + r.IntN(900)
		for _, vc := range genData(r, size) {
			i := r.IntN(3)
			parts[i] = append(parts[i], vc)
			all = append(all, vc)
		}
		var aggs [3]*Agg
		for i := range parts {
			aggs[i] = aggOf(parts[i])
			if iter%3 == 1 && i == 1 || iter%3 == 2 {
				aggs[i].Compact()
			}
		}
		a, b, c := aggs[0], aggs[1], aggs[2]
		ab := merged(a, b)
		left := merged(ab, c)
		bc := merged(b, c)
		right := merged(a, bc)
		swapped := merged(c, b, a)
		sameAgg(t, "associativity", left, right)
		sameAgg(t, "commutativity", left, swapped)
		whole := aggOf(all)
		if left.Sketch != nil {
			whole.Compact()
		}
		sameAgg(t, "merge vs one aggregate", left, whole)
		// Merge must not alias its argument.
		before := a.AppendBinary(nil)
		x := merged(a)
		x.AddValue(12345, 1)
		if !bytes.Equal(before, a.AppendBinary(nil)) {
			t.Fatal("Merge aliased its argument")
		}
	}
}

func TestSelfMerge(t *testing.T) {
	a := aggOf([]ValueCount{{1, 1}, {2, 3}})
	a.Merge(a)
	if a.Count != 8 || !slices.Equal(a.Exact, []ValueCount{{1, 2}, {2, 6}}) {
		t.Fatalf("%+v", a)
	}
}

func TestReset(t *testing.T) {
	a := aggOf(genData(rand.New(rand.NewPCG(1, 1)), 2000))
	a.Reset()
	if !a.Empty() || a.Sketch != nil || len(a.Exact) != 0 || a.NoDistribution {
		t.Fatalf("%+v", a)
	}
	a.AddValue(3, 1)
	if v, ok := Compute(a, Statistic{Kind: Percentile, P: 50}); !ok || v != 3 {
		t.Fatal(v, ok)
	}
	a.Compact()
	if a.Sketch.Count() != 1 {
		t.Fatal("reused sketch not empty")
	}
}

func randomAgg(r *rand.Rand) *Agg {
	var a Agg
	switch r.IntN(8) {
	case 0:
		return &a
	case 1:
		a.AddSet(10, 55, 1, 10)
		return &a
	}
	data := genData(r, 1+r.IntN(300))
	if r.IntN(3) == 0 {
		for i := range data {
			data[i].Count = r.Float64()*5 + 0.001 // fractional counts
		}
	}
	if r.IntN(5) == 0 {
		data = append(data, ValueCount{math.Copysign(0, -1), 1}, ValueCount{0, 2})
	}
	for _, vc := range data {
		a.AddValue(vc.Value, vc.Count)
	}
	if r.IntN(2) == 0 {
		a.Compact()
	}
	return &a
}

func TestEncodeRoundTrip(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	var dec Agg
	for iter := range 2000 {
		a := randomAgg(r)
		buf := a.AppendBinary([]byte("prefix"))[len("prefix"):]
		rest, err := dec.Decode(append(buf, "tail"...))
		if err != nil {
			t.Fatalf("decode: %v", err)
		}
		if string(rest) != "tail" {
			t.Fatalf("rest %q", rest)
		}
		if math.Float64bits(dec.Sum) != math.Float64bits(a.Sum) {
			t.Fatal("sum bits differ")
		}
		sameAgg(t, "round trip", a, &dec)
		if again := dec.AppendBinary(nil); !bytes.Equal(again, buf) {
			t.Fatal("re-encoding differs")
		}
		// Every strict prefix is an error, never a panic or a silent success.
		for i := range len(buf) {
			if iter%10 != 0 {
				break
			}
			var x Agg
			if _, err := x.Decode(buf[:i]); err == nil {
				t.Fatalf("prefix %d/%d decoded", i, len(buf))
			} else if !errors.Is(err, ErrCorrupt) {
				t.Fatalf("error %v does not wrap ErrCorrupt", err)
			}
		}
	}
}

func TestEncodedSize(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 9))
	var a Agg
	for range MaxExact {
		a.AddValue(math.Round(math.Exp(r.NormFloat64()+4)*1000)/1000, 1)
	}
	exact := len(a.AppendBinary(nil))
	a.Compact()
	sk := len(a.AppendBinary(nil))
	t.Logf("%d log-normal values (ms, 3 decimals): exact %d bytes, sketch %d bytes (%d buckets)", MaxExact, exact, sk, len(sketchBuckets(a.Sketch)))
	var one Agg
	one.AddValue(42, 1)
	if n := len(one.AppendBinary(nil)); n > 32 {
		t.Errorf("single value encodes to %d bytes", n)
	}
}
