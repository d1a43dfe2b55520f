package eventpattern

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
)

// checkScan runs the fast scanner and the reference scanner on ev over t and
// fails when the fast one accepts something the reference rejects or
// flattens it differently.
func checkScan(t *testing.T, pt *pathTable, ev []byte) {
	t.Helper()
	var fast, ref flat
	fast.reset(pt, ev)
	ok := fast.fastScan()
	ref.reset(pt, ev)
	err := ref.scanRef()
	if !ok {
		return // the reference scanner decides
	}
	if err != nil {
		t.Fatalf("fast scanner accepted %q; reference: %v", ev, err)
	}
	if a, b := dumpFlat(&fast), dumpFlat(&ref); a != b {
		t.Fatalf("event %q\nfast:\n%s\nreference:\n%s", ev, a, b)
	}
}

func dumpFlat(f *flat) string {
	var b strings.Builder
	for i := range f.leaves {
		l := &f.leaves[i]
		fmt.Fprintf(&b, "%d next=%d kind=%d q=%d,%v %q trail=%v\n", l.fid, l.next, l.kind, l.q, l.qOK, l.str, f.trail(l))
	}
	for fid := range f.t.names {
		if fid < len(f.head) {
			fmt.Fprintf(&b, "head[%d]=%d ", fid, f.head[fid])
		}
	}
	return b.String()
}

func scanTable(paths ...string) *pathTable {
	pt := newPathTable()
	for _, p := range paths {
		pt.add(p)
	}
	pt.build()
	return pt
}

var scanPaths = []string{"a", "b.c", "b.d", "a.b", "c.a.b", "", ".a", "d.", "x.y.z", "b", "é", "k\"q"}

func TestFastScanAgreesWithReference(t *testing.T) {
	pt := scanTable(scanPaths...)
	g := gen{rand.New(rand.NewPCG(3, 4))}
	events := [][]byte{
		[]byte(`{"a":"x\"y","b":{"c":[1,2,{"d":3}],"d":"\u00e9\\"},"":{"a":{"b":true}}}`),
		[]byte(` { "a" : [ "x" , [ null , false ] ] , "d" : { "" : 1.5e3 } } `),
		[]byte(`{"a.b":"dot","b":{"c.x":1},"x":{"y":{"z":"deep"}},"k\"q":"esc"}`),
		[]byte(`{"é":"\t"}`), []byte(`{"a":"` + "\x01" + `"}`), []byte(`{"z":"` + "\x01" + `"}`),
		[]byte(strings.Repeat(`{"a":`, 600) + "1" + strings.Repeat("}", 600)),
		[]byte(`{"z":` + strings.Repeat(`[`, 520) + strings.Repeat(`]`, 520) + `}`),
		[]byte(`{"z":` + strings.Repeat(`[`, 511) + `"s"` + strings.Repeat(`]`, 511) + `}`),
		[]byte(`{"z":` + strings.Repeat(`[`, 512) + `"s"` + strings.Repeat(`]`, 512) + `}`),
		[]byte(`{"z":` + strings.Repeat(`{"q":`, 511) + `"s"` + strings.Repeat(`}`, 511) + `}`),
		[]byte(`{"z":` + strings.Repeat(`{"q":`, 512) + `"s"` + strings.Repeat(`}`, 512) + `}`),
		[]byte(`{"a":` + strings.Repeat(`[`, 511) + `"s"` + strings.Repeat(`]`, 511) + `}`),
		[]byte(`{"a":` + strings.Repeat(`[`, 513) + `"s"` + strings.Repeat(`]`, 513) + `}`),
	}
	for i := 0; i < 200; i++ {
		events = append(events, mustJSON(g.eventObject(0)))
	}
	for _, ev := range events {
		checkScan(t, pt, ev)
		// Mutations: every single-byte deletion and a few substitutions.
		if len(ev) < 150 {
			for j := range ev {
				mut := append(append([]byte{}, ev[:j]...), ev[j+1:]...)
				checkScan(t, pt, mut)
				for _, c := range []byte(`"\{}[]:, 0-e.tx` + "\x00") {
					mut := bytes.Clone(ev)
					mut[j] = c
					checkScan(t, pt, mut)
				}
			}
		}
	}
}

func FuzzScan(f *testing.F) {
	f.Add([]byte(`{"a":"x\"y","b":{"c":[1,2,{"d":3}]},"":{"a":{"b":true}}}`))
	f.Add([]byte(` { "a" : [ "x" , [ null , false ] ] , "d" : { "" : -0.5e-3 } } `))
	f.Add([]byte(`{"a.b":"dot","z":{"q":["\\","\""]},"x":{"y":{"z":"deep"}}}`))
	pt := scanTable(scanPaths...)
	f.Fuzz(func(t *testing.T, ev []byte) {
		checkScan(t, pt, ev)
	})
}

// BenchmarkScan measures flattening alone, for the paths of 1,000 benchmark
// rules: the floor under BenchmarkMatcher/rules=1000. "reference" is the
// reference scanner on the same events.
func BenchmarkScan(b *testing.B) {
	m := benchMatcher(b, 1000)
	events := make([][]byte, 256)
	for i := range events {
		events[i] = benchEvent(i * 7919)
	}
	for _, name := range []string{"fast", "reference"} {
		b.Run(name, func(b *testing.B) {
			var f flat
			b.SetBytes(int64(len(events[0])))
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				f.reset(m.index().paths, events[i%len(events)])
				var err error
				if name == "fast" {
					err = f.scan()
				} else {
					err = f.scanRef()
				}
				if err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
