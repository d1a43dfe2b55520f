package eventpattern

import (
	"encoding/binary"
	"math"
	"strconv"
)

// This file is the event scanner's fast path. It accepts exactly what the
// reference scanner in flatten.go accepts and produces the same leaves, but
// it walks a tree of path nodes keyed by raw key bytes instead of building
// and hashing every full path, finds the end of a string with one bit scan
// of the event's stop-byte masks (stopmask.go), and points leaf strings into
// the event instead of copying them. It gives up on
// anything unusual — an escape in a key, a control character in a string it
// must check, a malformed event — and the caller then runs the reference
// scanner, which alone produces error values. So the fast path never has to
// reproduce an error, only to never accept what the reference rejects.

// pathNode is one entry of a pathTable seen from the scanner: the leaf id
// and object flag of the path, and, when the path is an object on the way to
// leaf paths, the table of keys leading on from it.
type pathNode struct {
	fid    int32
	prefix bool
	kids   keyTable
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
	for ctx, k := range kids {
		t.nodes[ctx].kids.build(k.keys, k.nodes)
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
	src := f.src
	f.stops = stopMasks(src, f.stops)
	i := 0
	if i < len(src) && src[i] <= ' ' {
		i = skipWS(src, i)
	}
	if i >= len(src) || src[i] != '{' {
		return false
	}
	if i = f.fObject(0, i, 0); i < 0 {
		return false
	}
	if i < len(src) && src[i] <= ' ' {
		i = skipWS(src, i)
	}
	if i != len(src) {
		return false
	}
	f.pos = i
	f.link()
	return true
}

// fObject reads the object at src[i] ('{') whose keys are looked up in node
// ctx, and returns the index after it or -1.
func (f *flat) fObject(ctx int32, i, depth int) int {
	if depth > maxEventDepth {
		return -1
	}
	src := f.src
	i++
	if i < len(src) && src[i] <= ' ' {
		i = skipWS(src, i)
	}
	if i < len(src) && src[i] == '}' {
		return i + 1
	}
	kt := &f.t.nodes[ctx].kids
	for {
		if i >= len(src) || src[i] != '"' {
			return -1
		}
		e := nextStop(f.stops, i+1)
		if e >= len(src) || src[e] != '"' {
			return -1 // escaped or invalid key: leave it to the reference scanner
		}
		node := int32(-1)
		if kt.mayHave(keyBitIn(src, i+1, e)) {
			node = kt.findIn(src, i+1, e)
		}
		i = e + 1
		if node < 0 && i+1 < len(src) && binary.LittleEndian.Uint16(src[i:]) == ':'|'"'<<8 && depth < maxEventDepth {
			// The common case, a string nobody refers to right after the
			// colon: f.skipStr with its own common case inlined.
			if e := nextStop(f.stops, i+2); e < len(src) && src[e] == '"' {
				i = e + 1
			} else if i = f.skipStr(i + 2); i < 0 {
				return -1
			}
		} else {
			if i < len(src) && src[i] <= ' ' {
				i = skipWS(src, i)
			}
			if i >= len(src) || src[i] != ':' {
				return -1
			}
			i++
			if i < len(src) && src[i] <= ' ' {
				i = skipWS(src, i)
			}
			if node < 0 {
				if i < len(src) && src[i] == '"' && depth < maxEventDepth {
					i = f.skipStr(i + 1)
				} else {
					i = f.fSkip(i, depth+1)
				}
			} else {
				i = f.fValue(node, i, depth+1)
			}
			if i < 0 {
				return -1
			}
		}
		if i+1 < len(src) && binary.LittleEndian.Uint16(src[i:]) == ','|'"'<<8 {
			i++ // compact: the next key follows the comma
			continue
		}
		if i < len(src) && src[i] <= ' ' {
			i = skipWS(src, i)
		}
		if i >= len(src) {
			return -1
		}
		switch src[i] {
		case ',':
			i++
			if i < len(src) && src[i] <= ' ' {
				i = skipWS(src, i)
			}
		case '}':
			return i + 1
		default:
			return -1
		}
	}
}

// fValue reads a value at a path the patterns refer to (node).
func (f *flat) fValue(node int32, i, depth int) int {
	src := f.src
	if i >= len(src) {
		return -1
	}
	nd := &f.t.nodes[node]
	c := src[i]
	switch c {
	case '{':
		if !nd.prefix {
			return f.fSkip(i, depth)
		}
		return f.fObject(node, i, depth)
	case '[':
		if depth > maxEventDepth {
			return -1
		}
		i++
		arr := f.nextArr
		f.nextArr++
		f.stack = append(f.stack, arrPos{arr: arr})
		si := len(f.stack) - 1
		if i < len(src) && src[i] <= ' ' {
			i = skipWS(src, i)
		}
		if i < len(src) && src[i] == ']' {
			f.stack = f.stack[:si]
			return i + 1
		}
		for idx := uint32(0); ; idx++ {
			f.stack[si].idx = idx
			if i < len(src) && src[i] <= ' ' {
				i = skipWS(src, i)
			}
			if i = f.fValue(node, i, depth+1); i < 0 {
				return -1
			}
			if i < len(src) && src[i] <= ' ' {
				i = skipWS(src, i)
			}
			if i >= len(src) {
				return -1
			}
			switch src[i] {
			case ',':
				i++
			case ']':
				f.stack = f.stack[:si]
				return i + 1
			default:
				return -1
			}
		}
	}
	if nd.fid < 0 {
		return f.fSkip(i, depth)
	}
	// The leaf is filled in place; on failure the whole scan is discarded.
	// (Not append(f.leaves, leaf{...}): that builds the leaf on the stack
	// and copies it.)
	n := len(f.leaves)
	if n == cap(f.leaves) {
		f.leaves = append(f.leaves, leaf{})
	}
	f.leaves = f.leaves[:n+1]
	l := &f.leaves[n]
	*l = leaf{fid: nd.fid}
	switch {
	case c == '"':
		e := nextStop(f.stops, i+1)
		if e < len(src) && src[e] == '"' {
			l.str = src[i+1 : e : e]
			i = e + 1
		} else {
			// Escapes (or an error): decode as the reference does.
			f.pos = i
			start := len(f.buf)
			var ok bool
			if f.buf, ok = f.appendString(f.buf); !ok {
				return -1
			}
			l.str = f.buf[start:len(f.buf):len(f.buf)]
			i = f.pos
		}
		l.kind = kString
	case c == '-' || (c >= '0' && c <= '9'):
		n := scanNumber(src[i:])
		if n <= 0 {
			return -1
		}
		l.kind = kNumber
		l.str = src[i : i+n : i+n]
		i += n
		l.q, l.qOK = numberQ(l.str)
	case c == 't' && hasLit(src[i:], "true"):
		l.kind = kTrue
		i += 4
	case c == 'f' && hasLit(src[i:], "false"):
		l.kind = kFalse
		i += 5
	case c == 'n' && hasLit(src[i:], "null"):
		l.kind = kNull
		i += 4
	default:
		return -1
	}
	if len(f.stack) > 0 {
		l.trailOff = int32(len(f.trails))
		l.trailLen = int32(len(f.stack))
		f.trails = append(f.trails, f.stack...)
	}
	return i
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

// fSkip skips one value nobody refers to, checking its structure as the
// reference skipValue does.
func (f *flat) fSkip(i, depth int) int {
	if depth > maxEventDepth {
		return -1
	}
	src := f.src
	if i >= len(src) {
		return -1
	}
	switch c := src[i]; c {
	case '"':
		return f.skipStr(i + 1)
	case '{':
		i++
		if i < len(src) && src[i] <= ' ' {
			i = skipWS(src, i)
		}
		if i < len(src) && src[i] == '}' {
			return i + 1
		}
		for {
			if i >= len(src) || src[i] != '"' {
				return -1
			}
			if i = f.skipStr(i + 1); i < 0 {
				return -1
			}
			if i < len(src) && src[i] <= ' ' {
				i = skipWS(src, i)
			}
			if i >= len(src) || src[i] != ':' {
				return -1
			}
			i++
			if i < len(src) && src[i] <= ' ' {
				i = skipWS(src, i)
			}
			if i < len(src) && src[i] == '"' && depth < maxEventDepth {
				i = f.skipStr(i + 1)
			} else {
				i = f.fSkip(i, depth+1)
			}
			if i < 0 {
				return -1
			}
			if i < len(src) && src[i] <= ' ' {
				i = skipWS(src, i)
			}
			if i >= len(src) {
				return -1
			}
			switch src[i] {
			case ',':
				i++
				if i < len(src) && src[i] <= ' ' {
					i = skipWS(src, i)
				}
			case '}':
				return i + 1
			default:
				return -1
			}
		}
	case '[':
		i++
		if i < len(src) && src[i] <= ' ' {
			i = skipWS(src, i)
		}
		if i < len(src) && src[i] == ']' {
			return i + 1
		}
		for {
			if i < len(src) && src[i] <= ' ' {
				i = skipWS(src, i)
			}
			if i < len(src) && src[i] == '"' && depth < maxEventDepth {
				i = f.skipStr(i + 1)
			} else {
				i = f.fSkip(i, depth+1)
			}
			if i < 0 {
				return -1
			}
			if i < len(src) && src[i] <= ' ' {
				i = skipWS(src, i)
			}
			if i >= len(src) {
				return -1
			}
			switch src[i] {
			case ',':
				i++
			case ']':
				return i + 1
			default:
				return -1
			}
		}
	case 't':
		if hasLit(src[i:], "true") {
			return i + 4
		}
	case 'f':
		if hasLit(src[i:], "false") {
			return i + 5
		}
	case 'n':
		if hasLit(src[i:], "null") {
			return i + 4
		}
	default:
		if c == '-' || (c >= '0' && c <= '9') {
			if n := scanNumber(src[i:]); n > 0 {
				return i + n
			}
		}
	}
	return -1
}
