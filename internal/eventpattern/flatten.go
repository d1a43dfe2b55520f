package eventpattern

import (
	"bytes"
	"math"
	"strconv"
	"unsafe"
)

// pathTable maps the leaf paths a set of patterns refers to onto small
// integers, and remembers every object path on the way to them, so that the
// event scanner can skip subtrees no pattern looks at.
type pathTable struct {
	paths map[string]pathInfo
	names []string
	// nodes is the fast scanner's view of paths (scan.go), set by build
	// once all paths are added; nil means only the reference scanner runs.
	nodes []pathNode
}

// pathInfo says what a path is to the patterns: a leaf path (fid >= 0), an
// object on the way to leaf paths (prefix), or both.
type pathInfo struct {
	fid    int32
	prefix bool
}

func newPathTable() *pathTable {
	return &pathTable{paths: map[string]pathInfo{}}
}

func (t *pathTable) add(path string) int32 {
	if pi, ok := t.paths[path]; ok && pi.fid >= 0 {
		return pi.fid
	}
	id := int32(len(t.names))
	pi := t.paths[path]
	pi.fid = id
	t.paths[path] = pi
	t.names = append(t.names, path)
	for i := 0; i < len(path); i++ {
		if path[i] == '.' {
			pi, ok := t.paths[path[:i]]
			if !ok {
				pi.fid = -1
			}
			pi.prefix = true
			t.paths[path[:i]] = pi
		}
	}
	return id
}

type valKind uint8

const (
	kString valKind = iota + 1
	kNumber
	kTrue
	kFalse
	kNull
)

// arrPos is one step of a leaf's array trail: which array, which element.
type arrPos struct{ arr, idx uint32 }

// leaf is one scalar value of the event at a path some pattern refers to.
type leaf struct {
	fid      int32
	next     int32 // next leaf with the same fid, -1 at the end
	kind     valKind
	qOK      bool
	fold     foldState
	q        int64
	str      []byte // string contents (unescaped) or number text
	foldOff  int32  // the case-folded str is f.buf[foldOff:][:foldLen] (foldInBuf)
	foldLen  int32
	trailOff int32
	trailLen int32
}

type foldState uint8

const (
	foldUnknown foldState = iota // not computed yet
	foldSame                     // str is its own fold
	foldInBuf                    // see foldOff
)

// flat is a flattened event: the leaves at interesting paths, grouped by path.
// It is scratch state, reused between events.
type flat struct {
	t       *pathTable
	src     []byte
	pos     int
	leaves  []leaf
	trails  []arrPos
	stack   []arrPos
	path    []byte
	buf     []byte  // unescaped strings
	head    []int32 // per fid: 1 + the index of its first leaf, or 0 (first)
	nextArr uint32
	err     *EventError
	stops   []uint64 // stop bytes of pad, for the fast scanner (stopmask.go)
	pad     []byte   // src padded with zero bytes, for the fast scanner (walk.go)
	frames  []wframe // the fast scanner's stack
	cur     wframe   // the fast scanner's innermost object or array
}

func (f *flat) reset(t *pathTable, src []byte) {
	// Only the heads of the last event's paths were set (chain). A few
	// dozen heads are cleared at once (a memclr: heads are kept plus one
	// so that none is zero), more through the leaves that set them,
	// rather than keeping a list of them while linking.
	if head, leaves := f.head, f.leaves; len(head) <= 64+16*len(leaves) {
		clear(head)
	} else {
		for i := range leaves {
			head[leaves[i].fid] = 0
		}
	}
	for len(f.head) < len(t.names) {
		f.head = append(f.head, 0)
	}
	f.t, f.src, f.pos = t, src, 0
	f.leaves = f.leaves[:0]
	f.trails = f.trails[:0]
	f.stack = f.stack[:0]
	f.path = f.path[:0]
	f.buf = f.buf[:0]
	f.nextArr = 0
	f.err = nil
}

const maxEventDepth = 512

// scan flattens the event: the fast path when the path table is built, the
// reference scanner when the fast path gives up (always so on errors).
func (f *flat) scan() error {
	if f.t.nodes != nil {
		if f.fastScan() {
			return nil
		}
		f.reset(f.t, f.src)
	}
	return f.scanRef()
}

// scanRef is the reference scanner: it flattens the event or returns the
// error describing the first problem.
func (f *flat) scanRef() error {
	f.ws()
	if f.pos >= len(f.src) || f.src[f.pos] != '{' {
		if f.pos >= len(f.src) {
			return &EventError{Offset: f.pos, Msg: "empty event"}
		}
		if f.skipValue(0) && f.ws() && f.pos == len(f.src) {
			return ErrEventNotObject
		}
		return f.errOr("malformed JSON")
	}
	if !f.object(0, 0) {
		return f.errOr("malformed JSON")
	}
	f.ws()
	if f.pos != len(f.src) {
		return &EventError{Offset: f.pos, Msg: "unexpected content after the event"}
	}
	f.link()
	return nil
}

// link chains the leaves per path as the fast scanner does while it reads
// (chain): the last leaf of a path first. Our decision: no order is
// promised, and so no second pass over the leaves is needed.
func (f *flat) link() {
	for i := range f.leaves {
		l := &f.leaves[i]
		l.next = f.chain(l.fid, i)
	}
}

// chain makes leaf k the first of path fid and returns the one it goes
// before, or -1.
func (f *flat) chain(fid int32, k int) int32 {
	h := &f.head[fid]
	next := *h - 1
	*h = int32(k) + 1
	return next
}

func (f *flat) errOr(msg string) error {
	if f.err != nil {
		return f.err
	}
	return &EventError{Offset: f.pos, Msg: msg}
}

func (f *flat) fail(msg string) bool {
	if f.err == nil {
		f.err = &EventError{Offset: f.pos, Msg: msg}
	}
	return false
}

func (f *flat) ws() bool {
	for f.pos < len(f.src) {
		switch f.src[f.pos] {
		case ' ', '\t', '\n', '\r':
			f.pos++
		default:
			return true
		}
	}
	return true
}

func bstr(b []byte) string { return unsafe.String(unsafe.SliceData(b), len(b)) }

// object parses an object at f.pos ('{'), whose path is f.path[:plen].
func (f *flat) object(plen int, depth int) bool {
	if depth > maxEventDepth {
		return f.fail("nesting too deep")
	}
	f.pos++
	f.ws()
	if f.pos < len(f.src) && f.src[f.pos] == '}' {
		f.pos++
		return true
	}
	for {
		if f.pos >= len(f.src) || f.src[f.pos] != '"' {
			return f.fail("expected a field name")
		}
		// Key: append to the path.
		f.path = f.path[:plen]
		if plen > 0 {
			f.path = append(f.path, '.')
		}
		var ok bool
		f.path, ok = f.appendString(f.path)
		if !ok {
			return false
		}
		klen := len(f.path)
		f.ws()
		if f.pos >= len(f.src) || f.src[f.pos] != ':' {
			return f.fail("expected ':'")
		}
		f.pos++
		f.ws()
		if !f.member(klen, depth+1) {
			return false
		}
		f.ws()
		if f.pos >= len(f.src) {
			return f.fail("unterminated object")
		}
		if f.src[f.pos] == ',' {
			f.pos++
			f.ws()
			continue
		}
		if f.src[f.pos] == '}' {
			f.pos++
			return true
		}
		return f.fail("expected ',' or '}'")
	}
}

// member parses the value of a member whose path is f.path[:plen].
func (f *flat) member(plen int, depth int) bool {
	if f.pos >= len(f.src) {
		return f.fail("expected a value")
	}
	pi, ok := f.t.paths[bstr(f.path[:plen])]
	if !ok {
		return f.skipValue(depth)
	}
	return f.value(plen, depth, pi.fid, pi.fid >= 0, pi.prefix)
}

func (f *flat) value(plen, depth int, fid int32, isLeaf, isPrefix bool) bool {
	if f.pos >= len(f.src) {
		return f.fail("expected a value")
	}
	c := f.src[f.pos]
	switch {
	case c == '{':
		if !isPrefix {
			return f.skipValue(depth)
		}
		return f.object(plen, depth)
	case c == '[':
		if depth > maxEventDepth {
			return f.fail("nesting too deep")
		}
		f.pos++
		arr := f.nextArr
		f.nextArr++
		f.stack = append(f.stack, arrPos{arr: arr})
		si := len(f.stack) - 1
		f.ws()
		if f.pos < len(f.src) && f.src[f.pos] == ']' {
			f.pos++
			f.stack = f.stack[:si]
			return true
		}
		for idx := uint32(0); ; idx++ {
			f.stack[si].idx = idx
			f.ws()
			if !f.value(plen, depth+1, fid, isLeaf, isPrefix) {
				return false
			}
			f.ws()
			if f.pos >= len(f.src) {
				return f.fail("unterminated array")
			}
			if f.src[f.pos] == ',' {
				f.pos++
				continue
			}
			if f.src[f.pos] == ']' {
				f.pos++
				f.stack = f.stack[:si]
				return true
			}
			return f.fail("expected ',' or ']'")
		}
	}
	if !isLeaf {
		return f.skipValue(depth)
	}
	l := leaf{fid: fid}
	switch {
	case c == '"':
		start := len(f.buf)
		var ok bool
		if f.buf, ok = f.appendString(f.buf); !ok {
			return false
		}
		l.kind = kString
		l.str = f.buf[start:len(f.buf):len(f.buf)]
	case c == '-' || (c >= '0' && c <= '9'):
		n := scanNumber(f.src[f.pos:])
		if n <= 0 {
			return f.fail("malformed number")
		}
		l.kind = kNumber
		l.str = f.src[f.pos : f.pos+n : f.pos+n]
		f.pos += n
		if v, err := strconv.ParseFloat(bstr(l.str), 64); err == nil || !math.IsInf(v, 0) {
			l.q, l.qOK = quantize(v)
		}
	default:
		switch {
		case bytes.HasPrefix(f.src[f.pos:], []byte("true")):
			l.kind = kTrue
			f.pos += 4
		case bytes.HasPrefix(f.src[f.pos:], []byte("false")):
			l.kind = kFalse
			f.pos += 5
		case bytes.HasPrefix(f.src[f.pos:], []byte("null")):
			l.kind = kNull
			f.pos += 4
		default:
			return f.fail("unexpected character")
		}
	}
	if len(f.stack) > 0 {
		l.trailOff = int32(len(f.trails))
		l.trailLen = int32(len(f.stack))
		f.trails = append(f.trails, f.stack...)
	}
	f.leaves = append(f.leaves, l)
	return true
}

// appendString decodes the string at f.pos (on its opening quote) onto dst.
func (f *flat) appendString(dst []byte) ([]byte, bool) {
	f.pos++
	for {
		rest := f.src[f.pos:]
		q := bytes.IndexByte(rest, '"')
		if q < 0 {
			return dst, f.fail("unterminated string")
		}
		bs := bytes.IndexByte(rest[:q], '\\')
		if bs < 0 {
			if !validStringBytes(rest[:q]) {
				return dst, f.fail("control character in string")
			}
			dst = append(dst, rest[:q]...)
			f.pos += q + 1
			return dst, true
		}
		if !validStringBytes(rest[:bs]) {
			return dst, f.fail("control character in string")
		}
		dst = append(dst, rest[:bs]...)
		f.pos += bs
		n, out, ok := unescape(f.src[f.pos:], dst)
		if !ok {
			return dst, f.fail("invalid escape")
		}
		dst = out
		f.pos += n
	}
}

func validStringBytes(b []byte) bool {
	for _, c := range b {
		if c < 0x20 {
			return false
		}
	}
	return true
}

// skipValue skips one JSON value, checking its structure. String contents
// are only checked for termination.
func (f *flat) skipValue(depth int) bool {
	if depth > maxEventDepth {
		return f.fail("nesting too deep")
	}
	if f.pos >= len(f.src) {
		return f.fail("expected a value")
	}
	switch c := f.src[f.pos]; {
	case c == '"':
		return f.skipString()
	case c == '{':
		f.pos++
		f.ws()
		if f.pos < len(f.src) && f.src[f.pos] == '}' {
			f.pos++
			return true
		}
		for {
			if f.pos >= len(f.src) || f.src[f.pos] != '"' || !f.skipString() {
				return f.fail("expected a field name")
			}
			f.ws()
			if f.pos >= len(f.src) || f.src[f.pos] != ':' {
				return f.fail("expected ':'")
			}
			f.pos++
			f.ws()
			if !f.skipValue(depth + 1) {
				return false
			}
			f.ws()
			if f.pos >= len(f.src) {
				return f.fail("unterminated object")
			}
			if f.src[f.pos] == ',' {
				f.pos++
				f.ws()
				continue
			}
			if f.src[f.pos] == '}' {
				f.pos++
				return true
			}
			return f.fail("expected ',' or '}'")
		}
	case c == '[':
		f.pos++
		f.ws()
		if f.pos < len(f.src) && f.src[f.pos] == ']' {
			f.pos++
			return true
		}
		for {
			f.ws()
			if !f.skipValue(depth + 1) {
				return false
			}
			f.ws()
			if f.pos >= len(f.src) {
				return f.fail("unterminated array")
			}
			if f.src[f.pos] == ',' {
				f.pos++
				continue
			}
			if f.src[f.pos] == ']' {
				f.pos++
				return true
			}
			return f.fail("expected ',' or ']'")
		}
	case c == '-' || (c >= '0' && c <= '9'):
		n := scanNumber(f.src[f.pos:])
		if n <= 0 {
			return f.fail("malformed number")
		}
		f.pos += n
		return true
	case bytes.HasPrefix(f.src[f.pos:], []byte("true")):
		f.pos += 4
		return true
	case bytes.HasPrefix(f.src[f.pos:], []byte("false")):
		f.pos += 5
		return true
	case bytes.HasPrefix(f.src[f.pos:], []byte("null")):
		f.pos += 4
		return true
	}
	return f.fail("unexpected character")
}

func (f *flat) skipString() bool {
	f.pos++
	for {
		rest := f.src[f.pos:]
		q := bytes.IndexByte(rest, '"')
		if q < 0 {
			return f.fail("unterminated string")
		}
		// The quote is escaped when preceded by an odd number of backslashes.
		n := 0
		for i := q - 1; i >= 0 && rest[i] == '\\'; i-- {
			n++
		}
		f.pos += q + 1
		if n%2 == 0 {
			return true
		}
	}
}

// first returns the index of the first leaf of path fid, or -1.
func (f *flat) first(fid int32) int32 { return f.head[fid] - 1 }

// trail returns the array trail of leaf l.
func (f *flat) trail(l *leaf) []arrPos {
	return f.trails[l.trailOff : l.trailOff+l.trailLen]
}

// folded returns the case fold of a string leaf, computing it once.
func (f *flat) folded(l *leaf) []byte {
	switch l.fold {
	case foldSame:
		return l.str
	case foldInBuf:
		return f.buf[l.foldOff : l.foldOff+l.foldLen : l.foldOff+l.foldLen]
	}
	if isFolded(l.str) {
		l.fold = foldSame
		return l.str
	}
	start := len(f.buf)
	f.buf = appendFold(f.buf, l.str)
	l.fold, l.foldOff, l.foldLen = foldInBuf, int32(start), int32(len(f.buf)-start)
	return f.buf[start:len(f.buf):len(f.buf)]
}

// consistent reports whether two leaves can be used together: they never sit
// in different elements of one array.
func consistent(a, b []arrPos) bool {
	n := min(len(a), len(b))
	for i := 0; i < n; i++ {
		if a[i].arr != b[i].arr {
			return true
		}
		if a[i].idx != b[i].idx {
			return false
		}
	}
	return true
}
