package insights

import (
	"strconv"
	"sync"

	"github.com/vigilhq/vigil/internal/insights/funcs"
	"github.com/vigilhq/vigil/internal/jsonscan"
)

// discoverJSON flattens a JSON object message into dotted field names
// (nested objects a.b.c, array elements a.0, a.1: "Supported logs and
// discovered fields"), keeping only the names env wants. Only the first
// maxJSONFields leaves, in document order, are discovered.
//
// It scans the message once, validating all of it the way funcs.ParseJSON
// does but building only the wanted values. An object with a repeated key
// (which ParseJSON merges: first position, last value) changes the leaf
// order, so such documents take the tree path, discoverJSONTree.
func discoverJSON(msg string, env *fieldEnv) []namedVal {
	if len(env.want) == 0 || !looksLikeObject(msg) {
		return nil
	}
	sc := scanners.Get().(*jsonScanner)
	sc.s, sc.env = msg, env
	out, ok := sc.run()
	dup := sc.dup
	sc.release()
	switch {
	case ok:
		return out
	case dup:
		return discoverJSONTree(msg, env)
	}
	return nil
}

func looksLikeObject(s string) bool {
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case ' ', '\t', '\r', '\n':
			continue
		case '{':
			return true
		}
		return false
	}
	return false
}

// How the tree walker would treat a value the scanner is reading.
const (
	modeVisit = iota // visited at the scanner's path
	modeCount        // inside a container counted, not visited
	modeSkip         // past the leaf limit: only validated
)

// dupIndexAt is how many keys an object holds before duplicate detection
// switches from a linear search to a map.
const dupIndexAt = 32

// scanners holds jsonScanners with their scratch space.
var scanners = sync.Pool{New: func() any { return new(jsonScanner) }}

// jsonScanner is a single-pass equivalent of funcs.ParseJSON followed by
// jsonWalker, for documents without repeated keys.
type jsonScanner struct {
	s     string
	i     int
	env   *fieldEnv
	count int // leaves counted, as jsonWalker counts them
	out   []namedVal
	path  []byte
	keys  []string // keys of the open objects, innermost last
	dup   bool     // a repeated key was seen (the scan stops there)
}

// release resets s and returns it to the pool, unless a large document
// grew its scratch space.
func (s *jsonScanner) release() {
	if cap(s.keys) > 256 || cap(s.path) > 1024 {
		return
	}
	clear(s.keys[:cap(s.keys)]) // let go of the message
	*s = jsonScanner{keys: s.keys[:0], path: s.path[:0]}
	scanners.Put(s)
}

// run scans the whole message, which starts with '{' after white space.
// It reports false for invalid JSON and for a repeated key (dup set).
func (s *jsonScanner) run() ([]namedVal, bool) {
	s.space()
	if !s.object(0, modeVisit) {
		return nil, false
	}
	s.space()
	if s.i != len(s.s) {
		return nil, false
	}
	return s.out, true
}

func (s *jsonScanner) space() { s.i = jsonscan.Space(s.s, s.i) }

// pushPath extends the path as jsonWalker.child does and returns the old
// length.
func (s *jsonScanner) pushPath(key string) int {
	n := len(s.path)
	if n > 0 {
		s.path = append(s.path, '.')
	}
	s.path = append(s.path, key...)
	return n
}

func (s *jsonScanner) pushIndex(i int) int {
	n := len(s.path)
	if n > 0 {
		s.path = append(s.path, '.')
	}
	s.path = strconv.AppendInt(s.path, int64(i), 10)
	return n
}

// value scans one value at depth; mode says how the walker treats it.
func (s *jsonScanner) value(depth, mode int) bool {
	if s.i >= len(s.s) || depth > jsonscan.MaxDepth {
		return false
	}
	if mode == modeVisit && s.count >= maxJSONFields {
		mode = modeSkip
	}
	c := s.s[s.i]
	if c == '{' || c == '[' {
		if mode == modeVisit && !s.env.prefix[string(s.path)] {
			mode = modeCount
		}
		if c == '{' {
			return s.object(depth, mode)
		}
		return s.array(depth, mode)
	}
	start := s.i
	escaped := false
	switch {
	case c == '"':
		var ok bool
		if escaped, ok = s.str(); !ok {
			return false
		}
	case c == 't':
		if !s.word("true") {
			return false
		}
	case c == 'f':
		if !s.word("false") {
			return false
		}
	case c == 'n':
		if !s.word("null") {
			return false
		}
	case c == '-' || (c >= '0' && c <= '9'):
		if !s.number() {
			return false
		}
	default:
		return false
	}
	switch mode {
	case modeCount:
		s.count++
	case modeVisit:
		s.count++
		if s.env.want[string(s.path)] {
			s.emit(c, s.s[start:s.i], escaped)
		}
	}
	return true
}

// emit records the wanted leaf whose text is raw (c its first byte) the
// way jsonWalker.visit records what funcs.ParseJSON made of it.
func (s *jsonScanner) emit(c byte, raw string, escaped bool) {
	var v funcs.Value
	if c == '"' {
		v = jsonStringValue(raw[1:len(raw)-1], escaped)
	} else {
		v = jsonScalarValue(raw)
	}
	if v.Kind() == funcs.KindNull {
		return
	}
	s.out = append(s.out, namedVal{string(s.path), v})
}

// jsonStringValue is the field value of a JSON string leaf, given its
// content between the quotes (escaped: it holds a backslash escape).
func jsonStringValue(content string, escaped bool) funcs.Value {
	if escaped {
		v, _ := funcs.ParseJSON(`"` + content + `"`)
		return v
	}
	return funcs.Str(content)
}

// jsonScalarValue is the field value of a JSON number, true, false or null
// leaf: null (no field) for null and for numbers out of range, as
// funcs.ParseJSON.
func jsonScalarValue(raw string) funcs.Value {
	switch raw {
	case "true", "false":
		return funcs.Str(raw)
	case "null":
		return funcs.Null
	}
	f, err := strconv.ParseFloat(raw, 64)
	if err != nil {
		return funcs.Null
	}
	return funcs.Num(f)
}

func (s *jsonScanner) word(w string) bool {
	var ok bool
	s.i, ok = jsonscan.Word(s.s, s.i, w)
	return ok
}

// object scans an object at depth whose members the walker treats as
// mode says.
func (s *jsonScanner) object(depth, mode int) bool {
	s.i++ // {
	s.space()
	if s.i < len(s.s) && s.s[s.i] == '}' {
		s.i++
		return true
	}
	mark := len(s.keys)
	defer func() { s.keys = s.keys[:mark] }()
	var index map[string]struct{}
	for {
		s.space()
		if s.i >= len(s.s) || s.s[s.i] != '"' {
			return false
		}
		start := s.i
		escaped, ok := s.str()
		if !ok {
			return false
		}
		var key string
		if escaped {
			k, _ := funcs.ParseJSON(s.s[start:s.i])
			key = k.Text()
		} else {
			key = s.s[start+1 : s.i-1]
		}
		if index != nil {
			if _, ok := index[key]; ok {
				s.dup = true
				return false
			}
			index[key] = struct{}{}
		} else {
			for _, k := range s.keys[mark:] {
				if k == key {
					s.dup = true
					return false
				}
			}
			s.keys = append(s.keys, key)
			if len(s.keys)-mark > dupIndexAt {
				index = make(map[string]struct{}, 2*dupIndexAt)
				for _, k := range s.keys[mark:] {
					index[k] = struct{}{}
				}
			}
		}
		s.space()
		if s.i >= len(s.s) || s.s[s.i] != ':' {
			return false
		}
		s.i++
		s.space()
		if mode == modeVisit {
			n := s.pushPath(key)
			ok = s.value(depth+1, mode)
			s.path = s.path[:n]
		} else {
			ok = s.value(depth+1, mode)
		}
		if !ok {
			return false
		}
		s.space()
		if s.i >= len(s.s) {
			return false
		}
		switch s.s[s.i] {
		case ',':
			s.i++
		case '}':
			s.i++
			return true
		default:
			return false
		}
	}
}

// array scans an array at depth whose elements the walker treats as mode
// says.
func (s *jsonScanner) array(depth, mode int) bool {
	s.i++ // [
	s.space()
	if s.i < len(s.s) && s.s[s.i] == ']' {
		s.i++
		return true
	}
	for idx := 0; ; idx++ {
		s.space()
		var ok bool
		if mode == modeVisit {
			n := s.pushIndex(idx)
			ok = s.value(depth+1, mode)
			s.path = s.path[:n]
		} else {
			ok = s.value(depth+1, mode)
		}
		if !ok {
			return false
		}
		s.space()
		if s.i >= len(s.s) {
			return false
		}
		switch s.s[s.i] {
		case ',':
			s.i++
		case ']':
			s.i++
			return true
		default:
			return false
		}
	}
}

// str validates a string literal as funcs.ParseJSON reads it and reports
// whether it holds escapes.
func (s *jsonScanner) str() (escaped, ok bool) {
	s.i, escaped, ok = jsonscan.String(s.s, s.i)
	return escaped, ok
}

func (s *jsonScanner) number() bool {
	var ok bool
	s.i, ok = jsonscan.Number(s.s, s.i)
	return ok
}

// discoverJSONTree is discoverJSON by way of funcs.ParseJSON's tree: the
// path for documents with repeated keys, and the reference the scanner is
// tested against.
func discoverJSONTree(msg string, env *fieldEnv) []namedVal {
	if len(env.want) == 0 || !looksLikeObject(msg) {
		return nil
	}
	v, ok := funcs.ParseJSON(msg)
	if !ok || v.Kind() != funcs.KindMap {
		return nil
	}
	w := jsonWalker{env: env}
	w.walk(v, nil)
	return w.out
}

type jsonWalker struct {
	env   *fieldEnv
	count int
	out   []namedVal
}

func (w *jsonWalker) child(path []byte, key string) []byte {
	if len(path) > 0 {
		path = append(path, '.')
	}
	return append(path, key...)
}

// walk visits v at path; leaves past the limit are not discovered.
func (w *jsonWalker) walk(v funcs.Value, path []byte) {
	switch v.Kind() {
	case funcs.KindMap:
		for _, m := range v.Members() {
			w.visit(m.Value, w.child(path, m.Key))
		}
	case funcs.KindList:
		for i, e := range v.Elems() {
			w.visit(e, w.child(path, strconv.Itoa(i)))
		}
	}
}

func (w *jsonWalker) visit(v funcs.Value, path []byte) {
	if w.count >= maxJSONFields {
		return
	}
	switch v.Kind() {
	case funcs.KindMap, funcs.KindList:
		if w.env.prefix[string(path)] {
			w.walk(v, path)
		} else {
			w.count += countLeaves(v)
		}
		return
	}
	w.count++
	if !w.env.want[string(path)] {
		return
	}
	switch v.Kind() {
	case funcs.KindBool:
		// A JSON boolean shows as written, true or false.
		if v.Float() != 0 {
			v = funcs.Str("true")
		} else {
			v = funcs.Str("false")
		}
	case funcs.KindNull:
		return
	}
	w.out = append(w.out, namedVal{string(path), v})
}

func countLeaves(v funcs.Value) int {
	switch v.Kind() {
	case funcs.KindMap:
		n := 0
		for _, m := range v.Members() {
			n += countLeaves(m.Value)
		}
		return n
	case funcs.KindList:
		n := 0
		for _, e := range v.Elems() {
			n += countLeaves(e)
		}
		return n
	}
	return 1
}
