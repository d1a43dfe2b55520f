package eventpattern

import (
	"math"
	"strconv"
)

// This file is the event scanner's fast path: the tree of paths it reads
// along, and its entry point; the reader itself is walk.go. It accepts
// exactly what the reference scanner in flatten.go accepts and produces the
// same leaves, but it walks a tree of path nodes keyed by raw key bytes
// instead of building and hashing every full path, finds the end of a
// string with one bit scan of the event's stop-byte masks (stopmask.go), and
// points leaf strings into its copy of the event instead of copying them
// one by one. It gives up on anything unusual — an escape in a key, a
// control character in a string it must check, a malformed event — and the
// caller then runs the reference scanner, which alone produces error
// values. So the fast path never has to reproduce an error, only to never
// accept what the reference rejects.

// pathNode is one entry of a pathTable seen from the scanner: the leaf id
// and object flag of the path, and, when the path is an object on the way to
// leaf paths, the table of keys leading on from it. The table is behind a
// pointer so that a node is 16 bytes: the walker reads a node's fid at
// every value it reads along a path, and indexes nodes with a shift.
type pathNode struct {
	fid    int32
	prefix bool
	kids   *keyTable
}

// build derives the scanner's node tree from the path map. Node 0 is the
// event's root object; every map entry gets a node of its own. A key K under a context path C leads to the path C+"."+K
// (K alone at the root), whichever way it was spelled, so a key containing a
// dot reaches the same node the reference scanner's string join reaches.
func (t *pathTable) build() {
	paths := make([]string, 0, len(t.paths))
	for p := range t.paths {
		paths = append(paths, p)
	}
	id := make(map[string]int32, len(paths))
	t.nodes = make([]pathNode, len(paths)+1)
	t.nodes[0] = pathNode{fid: -1, prefix: true}
	for i, p := range paths {
		pi := t.paths[p]
		id[p] = int32(i + 1)
		t.nodes[i+1] = pathNode{fid: pi.fid, prefix: pi.prefix}
	}
	type kid struct {
		keys  []string
		nodes []int32
	}
	kids := make(map[int32]*kid)
	addKid := func(ctx int32, key string, node int32) {
		k := kids[ctx]
		if k == nil {
			k = &kid{}
			kids[ctx] = k
		}
		k.keys = append(k.keys, key)
		k.nodes = append(k.nodes, node)
	}
	for _, p := range paths {
		n := id[p]
		addKid(0, p, n)
		for i := 0; i < len(p); i++ {
			if p[i] != '.' {
				continue
			}
			if ctx, ok := id[p[:i]]; ok && t.nodes[ctx].prefix {
				addKid(ctx, p[i+1:], n)
			}
		}
	}
	// The root's keys get a table even when there are none: the walker
	// looks every key of the event up in it.
	t.nodes[0].kids = new(keyTable)
	t.nodes[0].kids.buildDirect(nil, nil)
	for ctx, k := range kids {
		kt := new(keyTable)
		kt.build(k.keys, k.nodes)
		kt.buildDirect(k.keys, k.nodes)
		t.nodes[ctx].kids = kt
	}
	// An object at the path "" is read with the root's keys, as the
	// reference scanner does (its path prefix is empty there too).
	if n, ok := id[""]; ok && t.nodes[n].prefix {
		t.nodes[n].kids = t.nodes[0].kids
	}
}

func skipWS(src []byte, i int) int {
	for ; i < len(src); i++ {
		switch src[i] {
		case ' ', '\t', '\n', '\r':
		default:
			return i
		}
	}
	return i
}

// fastScan flattens the event like scan, reporting false instead of an
// error; the caller then resets and runs scan.
func (f *flat) fastScan() bool {
	f.pad, f.stops = padWithStops(f.pad, f.stops, f.src)
	return f.walk()
}

// numberQ quantizes the JSON number literal t as the reference scanner does
// (strconv.ParseFloat, then quantize), without ParseFloat for integers of up
// to ten digits: those are exact in a float64, and so is their product with
// numericScale within the numeric range.
func numberQ(t []byte) (int64, bool) {
	d := t
	if len(d) > 0 && d[0] == '-' {
		d = d[1:]
	}
	if len(d) > 0 && len(d) <= 10 {
		var n int64
		for _, c := range d {
			if c < '0' || c > '9' {
				goto general
			}
			n = n*10 + int64(c-'0')
		}
		if n > numericLimit {
			return 0, false
		}
		if len(d) < len(t) {
			n = -n
		}
		return n * numericScale, true
	}
general:
	if v, err := strconv.ParseFloat(bstr(t), 64); err == nil || !math.IsInf(v, 0) {
		return quantize(v)
	}
	return 0, false
}

func hasLit(b []byte, lit string) bool {
	return len(b) >= len(lit) && bstr(b[:len(lit)]) == lit
}
