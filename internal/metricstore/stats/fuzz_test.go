package stats

import (
	"bytes"
	"math/rand/v2"
	"testing"
)

func FuzzParseStatistic(f *testing.F) {
	for _, s := range []string{"p99", "p0.0", "p100", "P99.99", "tm90", "TM(10%:90%)", "tm(:0.5)", "PR(:300)",
		"PR(100:2000)", "wm98", "WM(10%:90%)", "TC(0.005:0.030)", "TS(80%:)", "IQM", "iqm", "Average", "p101",
		"TM(10%:500)", "PR(-5:-1)", "TM(:)", "p", "tm0", "p99.12345678901"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		st, err := ParseStatistic(s)
		if err != nil {
			if pe, ok := err.(*ParseError); !ok || pe.Input != s || pe.Message("ExtendedStatistics") == "" {
				t.Fatalf("bad error %v", err)
			}
			return
		}
		canon := st.String()
		st2, err := ParseStatistic(canon)
		if err != nil {
			t.Fatalf("%q → %q does not parse: %v", s, canon, err)
		}
		if st2 != st {
			t.Fatalf("%q → %q → %+v, want %+v", s, canon, st2, st)
		}
		var a Agg
		a.AddValue(1, 1)
		a.AddValue(2, 3)
		Compute(&a, st)
	})
}

func FuzzDecode(f *testing.F) {
	r := rand.New(rand.NewPCG(1, 1))
	for range 20 {
		f.Add(randomAgg(r).AppendBinary(nil))
	}
	f.Add([]byte{})
	f.Add([]byte{1, 4, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		var a Agg
		rest, err := a.Decode(b)
		if err != nil {
			if !a.Empty() {
				t.Fatal("aggregate not empty after an error")
			}
			return
		}
		if len(rest) > len(b) {
			t.Fatal("rest longer than input")
		}
		for i := 1; i < len(a.Exact); i++ {
			if !(a.Exact[i-1].Value < a.Exact[i].Value) {
				t.Fatal("decoded values not sorted")
			}
		}
		enc := a.AppendBinary(nil)
		var c Agg
		if _, err := c.Decode(enc); err != nil {
			t.Fatalf("re-decode: %v", err)
		}
		if !bytes.Equal(c.AppendBinary(nil), enc) {
			t.Fatal("encoding not stable")
		}
		for _, s := range []string{"p99", "TM(10%:90%)", "wm90", "PR(:5)", "tc50", "Average"} {
			st, _ := ParseStatistic(s)
			Compute(&a, st)
		}
		a.AddValue(3, 1)
		a.Merge(&c)
		a.Compact()
	})
}
