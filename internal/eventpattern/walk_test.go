package eventpattern

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"strings"
	"testing"
)

// TestWalkReadsBenchEvents checks that the benchmark's events, and the
// same events pretty-printed, are read by the fast scanner: a fast path
// that quietly gave up on them would leave every test passing and every
// event to the reference scanner.
func TestWalkReadsBenchEvents(t *testing.T) {
	pt := benchMatcher(t, 100).index().paths
	for i := 0; i < 20; i++ {
		ev := benchEvent(i * 7919)
		var pretty bytes.Buffer
		if err := json.Indent(&pretty, ev, "", "\t"); err != nil {
			t.Fatal(err)
		}
		for _, e := range [][]byte{ev, pretty.Bytes()} {
			var f flat
			f.reset(pt, e)
			if !f.fastScan() {
				t.Fatalf("fast scanner gave up on %s", e)
			}
			checkScan(t, pt, e)
		}
	}
}

// TestWalkEventEnds checks every truncation of events whose ends fall on
// every position of a 64-byte block, and the same events followed by white
// space: the walker reads the padding after the event in place of length
// checks, and its stop masks end there.
func TestWalkEventEnds(t *testing.T) {
	pt := scanTable(scanPaths...)
	g := gen{rand.New(rand.NewPCG(21, 22))}
	for n := 0; n < 64; n++ {
		ev := mustJSON(g.eventObject(0))
		if len(ev) == 2 {
			ev = []byte(`{"a":1}`)
		}
		// A filler member makes the event's length n modulo 64.
		k := ((n-len(ev)-8)%64 + 64) % 64
		ev = append(ev[:len(ev)-1], `,"zz":"`+strings.Repeat("y", k)+`"}`...)
		if len(ev)%64 != n {
			t.Fatalf("length %d, want %d modulo 64", len(ev), n)
		}
		checkScan(t, pt, ev)
		for k := 0; k < len(ev); k++ {
			checkScan(t, pt, ev[:k])
		}
		for _, ws := range []string{" ", "\n\t", strings.Repeat(" ", 70)} {
			checkScan(t, pt, append(bytes.Clone(ev), ws...))
		}
	}
}

// TestWalkDepth checks nesting around the walker's own limit, which is
// below the reference scanner's: deeper events go to the reference.
func TestWalkDepth(t *testing.T) {
	pt := scanTable(scanPaths...)
	for _, d := range []int{maxWalkDepth - 2, maxWalkDepth - 1, maxWalkDepth, maxWalkDepth + 1} {
		for _, ev := range []string{
			`{"z":` + strings.Repeat(`[`, d) + `"s"` + strings.Repeat(`]`, d) + `}`,
			`{"a":` + strings.Repeat(`[`, d) + `"s"` + strings.Repeat(`]`, d) + `}`,
			`{"z":` + strings.Repeat(`{"q":`, d) + `1` + strings.Repeat(`}`, d) + `}`,
			`{"x":` + strings.Repeat(`{"y":`, d) + `1` + strings.Repeat(`}`, d) + `}`,
		} {
			checkScan(t, pt, []byte(ev))
		}
	}
}

// TestWalkWithoutPaths reads events for a matcher without rules, whose
// path table has no keys at all.
func TestWalkWithoutPaths(t *testing.T) {
	m := NewMatcher()
	for _, ev := range []string{`{}`, `{"a":1,"b":{"c":"d"},"":[]}`} {
		out, err := m.MatchEvent([]byte(ev), nil)
		if err != nil || len(out) != 0 {
			t.Fatalf("MatchEvent(%s) = %v, %v", ev, out, err)
		}
	}
	pt := scanTable()
	var f flat
	f.reset(pt, []byte(`{"a":{"b":[1,"x"]}}`))
	if ok := f.fastScan(); !ok || len(f.leaves) != 0 {
		t.Fatalf("fast scan without paths: %v, %d leaves", ok, len(f.leaves))
	}
}

// TestWalkMutatedBenchEvents checks the fast scanner against the reference
// on every single-byte deletion and a few substitutions of a benchmark
// event, over the paths of the benchmark's rules: many keys per object,
// keys longer than 16 bytes, key slots shared by two keys.
func TestWalkMutatedBenchEvents(t *testing.T) {
	pt := benchMatcher(t, 1000).index().paths
	ev := benchEvent(12345)
	for j := range ev {
		checkScan(t, pt, append(append([]byte{}, ev[:j]...), ev[j+1:]...))
		for _, c := range []byte(`"\{]:, x` + "\x00") {
			mut := bytes.Clone(ev)
			mut[j] = c
			checkScan(t, pt, mut)
		}
	}
}
