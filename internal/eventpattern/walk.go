package eventpattern

import (
	"math/bits"
	"unsafe"
)

// This file is the fast scanner's reader: one loop over the event, its
// nesting kept on an explicit stack instead of in recursive calls. The
// recursive reader it replaced spent much of its time on what the calls
// cost in Go (every live value is spilled around a call: there are no
// callee-saved registers) and on bounds checks; here the loop keeps little
// more than its position in registers (the innermost object or array is
// f.cur), and the event is read from a copy padded with zero bytes
// (padWithStops), so that looking a few bytes ahead never needs a length check:
// a zero byte is no JSON token, so reading the padding fails like reading
// past the end would.
//
// Like the reader it replaced it gives up (returns false) on anything
// unusual — an escaped or invalid key in an object it reads, a string it
// must check that has a control character, nesting deeper than
// maxWalkDepth, any syntax error — and the reference scanner then reads the
// event and alone reports errors.

// maxWalkDepth bounds the walker's stack. Deeper events are left to the
// reference scanner, whose own limit (maxEventDepth) is higher: the walker
// never decides that an event is too deep.
const maxWalkDepth = 256

// walkPad is the number of zero bytes padWithStops puts after an event, at
// least: enough for the reads ahead of a position at most at the end
// (a key's eight-byte loads, hasLit's five), and for the stop masks' word
// after the one of the end, which nextStopAt reads.
const walkPad = 64

// wframe is an object or array the walker is inside of.
type wframe struct {
	// kt holds the keys of an object read along the patterns' paths; nil
	// for an object being skipped (and for arrays).
	kt *keyTable
	// node is the node of an array's elements, -1 when the array is
	// skipped.
	node int32
	// si is the index in f.stack of an array read along a path (its
	// position goes into the leaves' trails), else -1.
	si  int32
	arr bool
}

// walk flattens the event f.src from its padded copy f.pad, whose stop
// masks are f.stops, and reports whether it could.
//
// The loop reads bytes through unsafe pointers, without bounds checks: a
// position never passes len(f.src) (every byte consumed was compared with a
// nonzero byte, and the padding is zero), nothing reads more than eight
// bytes past a position, so every read stays inside f.pad (walkPad), and
// nextStopAt and stopWindow are only called from a position at most
// len(f.src), so their windows stay inside f.stops; a key's direct slot is
// indexed without a check, as directIndex is below the slots' count. The
// few values the common path needs are all it keeps in locals, so that Go's
// register allocator does not shuffle a dozen of them at every label.
func (f *flat) walk() bool {
	f.frames = f.frames[:0]
	var (
		i, e int
		c    byte
		node int32
		// ks is where the key being read starts, km its stopWindow.
		ks int
		km uint64
	)
	if i = skipWS(f.pad, 0); f.at(i) != '{' {
		return false
	}
	f.cur = wframe{kt: f.t.nodes[0].kids, node: -1, si: -1}
	i++

objStart: // after '{'
	if f.at(i) <= ' ' {
		i = skipWS(f.pad, i)
	}
	if f.at(i) == '}' {
		i++
		goto closed
	}

key: // at the opening quote of a key
	if f.at(i) != '"' {
		return false
	}
	ks = i + 1
	if km = stopWindow(unsafe.Pointer(unsafe.SliceData(f.stops)), ks); km != 0 {
		e = ks + bits.TrailingZeros64(km)
	} else {
		e = f.nextStopAt(ks)
	}
	node = -1
	if f.at(e) == '"' {
		if f.cur.kt != nil {
			// Most keys miss on an empty slot (keydirect.go).
			kn := e - i - 1
			// The key's first two bytes (its byte and the closing
			// quote when it has one; the empty key's are two quotes,
			// as buildDirect has it, not its quote and what follows).
			w := *(*uint16)(unsafe.Add(unsafe.Pointer(unsafe.SliceData(f.pad)), i+1))
			if kn == 0 {
				w = '"'<<8 | '"'
			}
			// Unchecked: directIndex is below 1<<(32-dshift), the
			// length of direct (buildDirect).
			kt := f.cur.kt
			sl := (*directSlot)(unsafe.Add(unsafe.Pointer(unsafe.SliceData(kt.direct)),
				uintptr(directIndex(kn, w, f.at(e-1), kt.dseed, kt.dshift))*unsafe.Sizeof(directSlot{})))
			if sl.n == int32(kn) {
				// The key's keyWords, read from the padded event:
				// the eight bytes from the key's start are in it.
				a := *(*uint64)(unsafe.Add(unsafe.Pointer(unsafe.SliceData(f.pad)), i+1))
				b := a
				if kn < 8 {
					a &= 1<<(uint(8*kn)&63) - 1
					b = a
				} else {
					b = *(*uint64)(unsafe.Add(unsafe.Pointer(unsafe.SliceData(f.pad)), e-8))
				}
				// A key of 17 to 24 bytes: its bytes 8 to 16 too
				// (read inside the key).
				if a == sl.a && b == sl.b && (kn <= 16 || *(*uint64)(unsafe.Add(unsafe.Pointer(unsafe.SliceData(f.pad)), i+9)) == sl.c) {
					node = sl.node
				}
			} else if sl.n == slotProbe {
				node = f.cur.kt.findIn(f.pad, i+1, e)
			}
		}
		i = e + 1
		if node < 0 {
			// "key":"value" with a value nobody refers to: the value's
			// quotes are most often the next two stop bytes after the
			// key's, within km (stopWindow: its bits up to its lowest set
			// one are exact), and the value is skipped here as skipVal
			// would, without finding the string's end again. (Taking a
			// string leaf here the same way cost more than it saved.)
			if km &= km - 1; km != 0 && ks+bits.TrailingZeros64(km) == i+1 && f.at(i) == ':' && f.at(i+1) == '"' {
				if km &= km - 1; km != 0 {
					if e = ks + bits.TrailingZeros64(km); f.at(e) == '"' {
						i = e + 1
						goto afterVal
					}
				}
			}
		}
	} else if f.cur.kt != nil {
		return false // escaped or invalid key: leave it to the reference scanner
	} else if i = f.skipStrPad(e); i < 0 {
		return false
	}
	if f.at(i) == ':' {
		i++
	} else {
		if i = skipWS(f.pad, i); f.at(i) != ':' {
			return false
		}
		i++
	}
	if f.at(i) <= ' ' {
		i = skipWS(f.pad, i)
	}
	if node >= 0 {
		goto nodeVal
	}

skipVal: // a value nobody refers to: only its syntax is checked
	switch c = f.at(i); c {
	case '"':
		// Strings are only checked for their end, as the reference
		// scanner's skipString does.
		if e = f.nextStopAt(i + 1); f.at(e) == '"' {
			i = e + 1
		} else if i = f.skipStrPad(e); i < 0 {
			return false
		}
		goto afterVal
	case '{':
		if !f.push(f.cur) {
			return false
		}
		f.cur = wframe{node: -1, si: -1}
		i++
		goto objStart
	case '[':
		if !f.push(f.cur) {
			return false
		}
		f.cur = wframe{node: -1, si: -1, arr: true}
		if i = skipWS(f.pad, i+1); f.at(i) == ']' {
			i++
			goto closed
		}
		goto skipVal
	default:
		if i = f.skipScalar(i); i < 0 {
			return false
		}
		goto afterVal
	}

nodeVal: // a value at a path the patterns refer to (node)
	switch c = f.at(i); c {
	case '{':
		nd := &f.t.nodes[node]
		if !nd.prefix {
			goto skipVal
		}
		if !f.push(f.cur) {
			return false
		}
		f.cur = wframe{kt: nd.kids, node: -1, si: -1}
		i++
		goto objStart
	case '[':
		if !f.push(f.cur) {
			return false
		}
		f.cur = wframe{node: node, si: int32(len(f.stack)), arr: true}
		f.stack = append(f.stack, arrPos{arr: f.nextArr})
		f.nextArr++
		if i = skipWS(f.pad, i+1); f.at(i) == ']' {
			f.stack = f.stack[:f.cur.si]
			i++
			goto closed
		}
		goto nodeVal
	}
	if fid := f.t.nodes[node].fid; fid < 0 {
		goto skipVal
	} else if c != '"' || len(f.stack) != 0 || len(f.leaves) == cap(f.leaves) {
		if i = f.leafAt(i, fid); i < 0 {
			return false
		}
	} else if e = f.nextStopAt(i + 1); f.at(e) == '"' {
		// The common leaf, a string without escapes outside arrays, here
		// rather than in leafAt: a call costs the loop its registers.
		k := len(f.leaves)
		f.leaves = f.leaves[:k+1]
		f.leaves[k].setString(fid, f.pad[i+1:e:e])
		f.leaves[k].next = f.chain(fid, k)
		i = e + 1
	} else if i = f.leafAt(i, fid); i < 0 {
		return false
	}

afterVal: // after a value: a comma and the next member or element, or the end
	if c = f.at(i); c <= ' ' {
		i = skipWS(f.pad, i)
		c = f.at(i)
	}
	if c == ',' {
		if i++; f.at(i) <= ' ' {
			i = skipWS(f.pad, i)
		}
		if !f.cur.arr {
			goto key
		}
		if f.cur.si >= 0 {
			f.stack[f.cur.si].idx++
		}
		if node = f.cur.node; node >= 0 {
			goto nodeVal
		}
		goto skipVal
	}
	if f.cur.arr {
		if c != ']' {
			return false
		}
		if f.cur.si >= 0 {
			f.stack = f.stack[:f.cur.si]
		}
	} else if c != '}' {
		return false
	}
	i++

closed: // after the '}' or ']' closing f.cur
	if len(f.frames) > 0 {
		f.cur = f.pop()
		goto afterVal
	}
	if f.at(i) <= ' ' {
		i = skipWS(f.pad, i)
	}
	f.pos = i
	return i == len(f.src)
}

// at returns the byte at i of the buffer at p; the caller guarantees that
// it is inside the buffer.
func at(p unsafe.Pointer, i int) byte {
	return *(*byte)(unsafe.Add(p, i))
}

// at is at over f.pad.
func (f *flat) at(i int) byte {
	return at(unsafe.Pointer(unsafe.SliceData(f.pad)), i)
}

// nextStopAt is nextStopAt over f.stops.
func (f *flat) nextStopAt(i int) int {
	return nextStopAt(unsafe.Pointer(unsafe.SliceData(f.stops)), i)
}

// push saves the frame being left for a nested one; false when the nesting
// is deeper than the walker goes.
func (f *flat) push(cur wframe) bool {
	if len(f.frames) >= maxWalkDepth {
		return false
	}
	f.frames = append(f.frames, cur)
	return true
}

func (f *flat) pop() wframe {
	cur := f.frames[len(f.frames)-1]
	f.frames = f.frames[:len(f.frames)-1]
	return cur
}

// skipScalar checks the number or literal at f.pad[i] and returns the index
// after it, or -1.
func (f *flat) skipScalar(i int) int {
	src := f.pad
	switch c := src[i]; c {
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
			if m := scanNumber(src[i:len(f.src)]); m > 0 {
				return i + m
			}
		}
	}
	return -1
}

// setString makes l the string leaf str of path fid. Field by field: the
// composite literal costs a temporary and a copy of the whole leaf. next is
// left to chain; foldOff and foldLen mean nothing while fold is foldUnknown.
func (l *leaf) setString(fid int32, str []byte) {
	l.fid, l.kind, l.qOK, l.fold, l.q = fid, kString, false, foldUnknown, 0
	l.str = str
	l.trailOff, l.trailLen = 0, 0
}

// leafAt reads the scalar at f.pad[i] as a leaf of path fid and returns the
// index after it, or -1. A string without escapes, the common leaf inside
// arrays, is taken first, with no call on its way, so that little of the
// function's state is spilled for it; anything else is leafSlow's.
func (f *flat) leafAt(i int, fid int32) int {
	p := unsafe.Pointer(unsafe.SliceData(f.pad))
	if at(p, i) == '"' && len(f.leaves) < cap(f.leaves) {
		if e := nextStopAt(unsafe.Pointer(unsafe.SliceData(f.stops)), i+1); at(p, e) == '"' {
			k := len(f.leaves)
			f.leaves = f.leaves[:k+1]
			l := &f.leaves[k]
			l.setString(fid, f.pad[i+1:e:e])
			l.next = f.chain(fid, k)
			if len(f.stack) > 0 {
				f.addTrail(l)
			}
			return e + 1
		}
	}
	return f.leafSlow(i, fid)
}

// addTrail gives the leaf l the positions of the arrays it is in (f.stack).
func (f *flat) addTrail(l *leaf) {
	l.trailOff = int32(len(f.trails))
	l.trailLen = int32(len(f.stack))
	// Element by element: the trail is one or two positions, which
	// append(f.trails, f.stack...) copied with a call to memmove.
	for _, p := range f.stack {
		f.trails = append(f.trails, p)
	}
}

// leafSlow is leafAt for any scalar.
func (f *flat) leafSlow(i int, fid int32) int {
	src, n := f.pad, len(f.src)
	// The leaf is filled in place; on failure the whole scan is discarded.
	// (Not append(f.leaves, leaf{...}): that builds the leaf on the stack
	// and copies it.)
	k := len(f.leaves)
	if k == cap(f.leaves) {
		f.leaves = append(f.leaves, leaf{})
	}
	f.leaves = f.leaves[:k+1]
	l := &f.leaves[k]
	*l = leaf{fid: fid, next: f.chain(fid, k)}
	switch c := src[i]; {
	case c == '"':
		if e := nextStopAt(unsafe.Pointer(unsafe.SliceData(f.stops)), i+1); src[e] == '"' {
			l.str = src[i+1 : e : e]
			i = e + 1
		} else {
			// Escapes (or an error): decode as the reference does, from
			// the event itself (the same offsets).
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
		m := scanNumber(src[i:n])
		if m <= 0 {
			return -1
		}
		l.kind = kNumber
		l.str = src[i : i+m : i+m]
		i += m
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
		f.addTrail(l)
	}
	return i
}

// skipStrPad skips the rest of a string from its first stop byte e (one
// that is not its closing quote) in f.pad, as the reference skipString
// does: a backslash escapes the next byte, control characters are let
// through. It returns the index after the closing quote, or -1 when the
// string does not end within the event.
func (f *flat) skipStrPad(e int) int {
	src, n := f.pad, len(f.src)
	for {
		if e >= n {
			return -1
		}
		switch src[e] {
		case '"':
			return e + 1
		case '\\':
			e += 2 // a backslash escapes the next byte
			if e > n {
				return -1
			}
		default:
			e++
		}
		e = nextStopAt(unsafe.Pointer(unsafe.SliceData(f.stops)), e)
	}
}
