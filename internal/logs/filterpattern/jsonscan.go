package filterpattern

import (
	"strings"
)

// The JSON scanner: one pass over the event that validates it as JSON and records,
// without allocating, where the values the pattern's selectors point to are.

type jkind uint8

const (
	jMissing jkind = iota
	jString
	jStringEsc // a string with backslash escapes: unescape before comparing
	jNumber
	jTrue
	jFalse
	jNull
	jObject
	jArray
)

// jval locates a value in the event: for strings, the content between the quotes.
type jval struct {
	kind       jkind
	start, end int32
}

// text is the value as a comparison sees it: a string's unescaped content, a
// number's text as written, true/false/null as such.
func (v jval) text(msg string) string {
	s := msg[v.start:v.end]
	if v.kind == jStringEsc {
		return unescapeJSON(s)
	}
	return s
}

// jnode is a node of the selector trie: children by key and by array index, and
// the leaf id when a selector ends here.
type jnode struct {
	keys  []string
	kkids []int32
	idxs  []int
	ikids []int32
	leaf  int32
}

type jtrie struct {
	nodes []jnode
	nleaf int
}

func (t *jtrie) init() { t.nodes = []jnode{{leaf: -1}} }

// add inserts path and returns its leaf id (the same id for the same path).
func (t *jtrie) add(path []pathElem) int {
	n := int32(0)
	for _, p := range path {
		nd := &t.nodes[n]
		next := int32(-1)
		if p.isIdx {
			for k, x := range nd.idxs {
				if x == p.index {
					next = nd.ikids[k]
				}
			}
		} else {
			for k, x := range nd.keys {
				if x == p.key {
					next = nd.kkids[k]
				}
			}
		}
		if next < 0 {
			next = int32(len(t.nodes))
			if p.isIdx {
				nd.idxs = append(nd.idxs, p.index)
				nd.ikids = append(nd.ikids, next)
			} else {
				nd.keys = append(nd.keys, p.key)
				nd.kkids = append(nd.kkids, next)
			}
			t.nodes = append(t.nodes, jnode{leaf: -1})
		}
		n = next
	}
	if t.nodes[n].leaf < 0 {
		t.nodes[n].leaf = int32(t.nleaf)
		t.nleaf++
	}
	return int(t.nodes[n].leaf)
}

// maxJSONDepth bounds nesting; deeper events are treated as not JSON (no match).
const maxJSONDepth = 512

type jscan struct {
	s     string
	t     *jtrie
	out   []jval
	depth int
}

// scanJSON validates msg as one JSON object (surrounding whitespace allowed) and
// fills out[leaf] for every selector of t found in it; out must be len t.nleaf.
// Duplicate keys: the last occurrence wins.
func scanJSON(msg string, t *jtrie, out []jval) bool {
	for k := range out {
		out[k] = jval{}
	}
	sc := jscan{s: msg, t: t, out: out}
	i := skipWS(msg, 0)
	if i >= len(msg) || msg[i] != '{' {
		return false
	}
	i, ok := sc.value(i, 0)
	if !ok {
		return false
	}
	return skipWS(msg, i) == len(msg)
}

func skipWS(s string, i int) int {
	for i < len(s) && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r') {
		i++
	}
	return i
}

func (sc *jscan) record(node int32, kind jkind, start, end int) {
	if node < 0 {
		return
	}
	if l := sc.t.nodes[node].leaf; l >= 0 {
		sc.out[l] = jval{kind: kind, start: int32(start), end: int32(end)}
	}
}

func (sc *jscan) value(i int, node int32) (int, bool) {
	s := sc.s
	if i >= len(s) {
		return i, false
	}
	switch c := s[i]; c {
	case '{':
		return sc.object(i, node)
	case '[':
		return sc.array(i, node)
	case '"':
		end, esc, ok := scanString(s, i+1)
		if !ok {
			return i, false
		}
		k := jString
		if esc {
			k = jStringEsc
		}
		sc.record(node, k, i+1, end)
		return end + 1, true
	case 't':
		if strings.HasPrefix(s[i:], "true") {
			sc.record(node, jTrue, i, i+4)
			return i + 4, true
		}
	case 'f':
		if strings.HasPrefix(s[i:], "false") {
			sc.record(node, jFalse, i, i+5)
			return i + 5, true
		}
	case 'n':
		if strings.HasPrefix(s[i:], "null") {
			sc.record(node, jNull, i, i+4)
			return i + 4, true
		}
	default:
		if c == '-' || isDigit(c) {
			end, ok := scanNumber(s, i)
			if !ok {
				return i, false
			}
			sc.record(node, jNumber, i, end)
			return end, true
		}
	}
	return i, false
}

func (sc *jscan) object(i int, node int32) (int, bool) {
	sc.depth++
	if sc.depth > maxJSONDepth {
		return i, false
	}
	start := i
	s := sc.s
	i = skipWS(s, i+1)
	if i < len(s) && s[i] == '}' {
		sc.record(node, jObject, start, i+1)
		sc.depth--
		return i + 1, true
	}
	var nd *jnode
	if node >= 0 {
		nd = &sc.t.nodes[node]
		if len(nd.keys) == 0 {
			nd = nil
		}
	}
	for {
		if i >= len(s) || s[i] != '"' {
			return i, false
		}
		kend, esc, ok := scanString(s, i+1)
		if !ok {
			return i, false
		}
		child := int32(-1)
		if nd != nil {
			key := s[i+1 : kend]
			if esc {
				key = unescapeJSON(key)
			}
			for k, x := range nd.keys {
				if x == key {
					child = nd.kkids[k]
					break
				}
			}
		}
		i = skipWS(s, kend+1)
		if i >= len(s) || s[i] != ':' {
			return i, false
		}
		i = skipWS(s, i+1)
		i, ok = sc.value(i, child)
		if !ok {
			return i, false
		}
		i = skipWS(s, i)
		if i >= len(s) {
			return i, false
		}
		if s[i] == ',' {
			i = skipWS(s, i+1)
			continue
		}
		if s[i] == '}' {
			sc.record(node, jObject, start, i+1)
			sc.depth--
			return i + 1, true
		}
		return i, false
	}
}

func (sc *jscan) array(i int, node int32) (int, bool) {
	sc.depth++
	if sc.depth > maxJSONDepth {
		return i, false
	}
	start := i
	s := sc.s
	i = skipWS(s, i+1)
	if i < len(s) && s[i] == ']' {
		sc.record(node, jArray, start, i+1)
		sc.depth--
		return i + 1, true
	}
	var nd *jnode
	if node >= 0 {
		nd = &sc.t.nodes[node]
		if len(nd.idxs) == 0 {
			nd = nil
		}
	}
	for n := 0; ; n++ {
		child := int32(-1)
		if nd != nil {
			for k, x := range nd.idxs {
				if x == n {
					child = nd.ikids[k]
					break
				}
			}
		}
		var ok bool
		i, ok = sc.value(i, child)
		if !ok {
			return i, false
		}
		i = skipWS(s, i)
		if i >= len(s) {
			return i, false
		}
		if s[i] == ',' {
			i = skipWS(s, i+1)
			continue
		}
		if s[i] == ']' {
			sc.record(node, jArray, start, i+1)
			sc.depth--
			return i + 1, true
		}
		return i, false
	}
}

// scanString scans a string body starting after the opening quote; it returns the
// index of the closing quote and whether the body has escapes.
func scanString(s string, i int) (int, bool, bool) {
	// Most keys and values are short: a plain loop beats IndexByte's setup there.
	lim := min(i+24, len(s))
	for k := i; k < lim; k++ {
		switch s[k] {
		case '"':
			return k, false, true
		case '\\':
			return scanEscaped(s, k)
		}
	}
	j := strings.IndexByte(s[lim:], '"')
	if j < 0 {
		return 0, false, false
	}
	if b := strings.IndexByte(s[lim:lim+j], '\\'); b >= 0 {
		return scanEscaped(s, lim+b)
	}
	return lim + j, false, true
}

// scanEscaped continues a string scan at s[k] == '\\' up to the unescaped closing
// quote, validating the escapes.
func scanEscaped(s string, k int) (int, bool, bool) {
	for k < len(s) {
		switch s[k] {
		case '"':
			return k, true, true
		case '\\':
			if k+1 >= len(s) {
				return 0, false, false
			}
			switch s[k+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				k += 2
			case 'u':
				if k+5 >= len(s) || !isHex(s[k+2]) || !isHex(s[k+3]) || !isHex(s[k+4]) || !isHex(s[k+5]) {
					return 0, false, false
				}
				k += 6
			default:
				return 0, false, false
			}
		default:
			k++
		}
	}
	return 0, false, false
}

// scanNumber scans a JSON number starting at s[i].
func scanNumber(s string, i int) (int, bool) {
	n := len(s)
	if i < n && s[i] == '-' {
		i++
	}
	if i >= n || !isDigit(s[i]) {
		return i, false
	}
	if s[i] == '0' {
		i++
	} else {
		for i < n && isDigit(s[i]) {
			i++
		}
	}
	if i < n && s[i] == '.' {
		i++
		if i >= n || !isDigit(s[i]) {
			return i, false
		}
		for i < n && isDigit(s[i]) {
			i++
		}
	}
	if i < n && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < n && (s[i] == '+' || s[i] == '-') {
			i++
		}
		if i >= n || !isDigit(s[i]) {
			return i, false
		}
		for i < n && isDigit(s[i]) {
			i++
		}
	}
	return i, true
}

// unescapeJSON decodes the escapes of a validated JSON string body.
func unescapeJSON(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '\\' || i+1 >= len(s) {
			b.WriteByte(c)
			continue
		}
		i++
		switch s[i] {
		case 'b':
			b.WriteByte('\b')
		case 'f':
			b.WriteByte('\f')
		case 'n':
			b.WriteByte('\n')
		case 'r':
			b.WriteByte('\r')
		case 't':
			b.WriteByte('\t')
		case 'u':
			if i+4 >= len(s) {
				b.WriteByte('u')
				continue
			}
			r := rune(hexVal(s[i+1])<<12 | hexVal(s[i+2])<<8 | hexVal(s[i+3])<<4 | hexVal(s[i+4]))
			i += 4
			if r >= 0xD800 && r < 0xDC00 && i+6 < len(s) && s[i+1] == '\\' && s[i+2] == 'u' {
				r2 := rune(hexVal(s[i+3])<<12 | hexVal(s[i+4])<<8 | hexVal(s[i+5])<<4 | hexVal(s[i+6]))
				if r2 >= 0xDC00 && r2 < 0xE000 {
					r = (r-0xD800)<<10 + (r2 - 0xDC00) + 0x10000
					i += 6
				}
			}
			b.WriteRune(r)
		default:
			b.WriteByte(s[i])
		}
	}
	return b.String()
}

func hexVal(c byte) int {
	switch {
	case isDigit(c):
		return int(c - '0')
	case c >= 'a' && c <= 'f':
		return int(c-'a') + 10
	case c >= 'A' && c <= 'F':
		return int(c-'A') + 10
	}
	return 0
}
