package transform

import (
	"bytes"
	"encoding/json"
	"strconv"

	"github.com/vigilhq/vigil/internal/jsonscan"
)

// maxPathLen is the length limit on InputPath and on each InputPathsMap
// value (PutTargets: "Maximum length of 256").
const maxPathLen = 256

// path is a compiled JSON path of the subset EventBridge documents: `$`,
// then `.name`, `[index]` and the wildcards `.*` / `[*]`.
type path struct {
	segs       []segment
	indefinite bool // has a wildcard: the result is an array of matches
}

type segment struct {
	name     string
	index    int // >= 0 for [index]
	wildcard bool
}

// parsePath parses what AWS documents as supported: dot notation with
// names of letters, digits, dashes, underscores and slashes (our decision:
// any other character but . [ ] * quotes, < > and white space too, since
// event fields such as "aws:SourceIp" use them), array indices and
// wildcards. Bracketed names, filters, slices, unions and deep scan (..)
// are refused by name.
func parsePath(p string) (path, error) {
	bad := func(why string) (path, error) {
		return path{}, invalid("Invalid JSON path " + strconv.Quote(p) + ": " + why)
	}
	if len(p) > maxPathLen {
		return bad("longer than 256 characters")
	}
	if p == "" || p[0] != '$' {
		return bad("must start with $")
	}
	var out path
	for i := 1; i < len(p); {
		switch p[i] {
		case '.':
			i++
			if i < len(p) && p[i] == '.' {
				return bad("deep scan (..) is not supported")
			}
			if i < len(p) && p[i] == '*' {
				out.segs = append(out.segs, segment{index: -1, wildcard: true})
				out.indefinite = true
				i++
				continue
			}
			j := i
			for j < len(p) && nameChar(p[j]) {
				j++
			}
			if j == i {
				return bad("empty or invalid name after .")
			}
			out.segs = append(out.segs, segment{name: p[i:j], index: -1})
			i = j
		case '[':
			end := bytes.IndexByte([]byte(p[i:]), ']')
			if end < 0 {
				return bad("unclosed [")
			}
			in := p[i+1 : i+end]
			switch {
			case in == "*":
				out.segs = append(out.segs, segment{index: -1, wildcard: true})
				out.indefinite = true
			case in != "" && len(in) <= 9 && allDigits(in):
				n, _ := strconv.Atoi(in)
				out.segs = append(out.segs, segment{index: n})
			case in != "" && (in[0] == '\'' || in[0] == '"'):
				return bad("bracket notation for names is not supported; use dot notation")
			default:
				return bad("only array indices and [*] are supported in brackets")
			}
			i += end + 1
		default:
			return bad("unexpected " + strconv.QuoteRune(rune(p[i])))
		}
	}
	return out, nil
}

func nameChar(c byte) bool {
	switch c {
	case '.', '[', ']', '*', '"', '\'', '<', '>', ' ', '\t', '\n', '\r', '\\':
		return false
	}
	return c >= 0x20 && c != 0x7f
}

func allDigits(s string) bool {
	for _, c := range []byte(s) {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// eval returns the raw JSON text the path selects in doc (a valid JSON
// value) and whether it selected anything. A path with a wildcard selects
// the array of its matches, possibly empty.
func (p path) eval(doc []byte) ([]byte, bool) {
	vals := [][]byte{doc}
	for _, s := range p.segs {
		var next [][]byte
		for _, v := range vals {
			switch {
			case s.wildcard:
				next = append(next, children(v)...)
			case s.index >= 0:
				if c, ok := element(v, s.index); ok {
					next = append(next, c)
				}
			default:
				if c, ok := member(v, s.name); ok {
					next = append(next, c)
				}
			}
		}
		vals = next
	}
	if p.indefinite {
		return append(append([]byte("["), bytes.Join(vals, []byte(","))...), ']'), true
	}
	if len(vals) == 0 {
		return nil, false
	}
	return vals[0], true
}

// members calls f for each member of the object v (raw key token, raw
// value); v is valid JSON. It does nothing if v is not an object.
func members(v []byte, f func(key, val []byte)) {
	if len(v) == 0 || v[0] != '{' {
		return
	}
	i := jsonscan.Space(v, 1)
	for i < len(v) && v[i] == '"' {
		kend, _, _ := jsonscan.String(v, i)
		key := v[i:kend]
		i = jsonscan.Space(v, kend) + 1 // past ':'
		i = jsonscan.Space(v, i)
		vend, ok := jsonscan.Value(v, i, 1)
		if !ok {
			return // only for nesting past jsonscan.MaxDepth; callers check first
		}
		f(key, v[i:vend])
		i = jsonscan.Space(v, vend)
		if i < len(v) && v[i] == ',' {
			i = jsonscan.Space(v, i+1)
		}
	}
}

// elements calls f for each element of the array v.
func elements(v []byte, f func(val []byte)) {
	if len(v) == 0 || v[0] != '[' {
		return
	}
	i := jsonscan.Space(v, 1)
	for i < len(v) && v[i] != ']' {
		end, ok := jsonscan.Value(v, i, 1)
		if !ok {
			return
		}
		f(v[i:end])
		i = jsonscan.Space(v, end)
		if i < len(v) && v[i] == ',' {
			i = jsonscan.Space(v, i+1)
		}
	}
}

// keyString decodes a raw key token.
func keyString(raw []byte) string {
	if bytes.IndexByte(raw, '\\') < 0 {
		return string(raw[1 : len(raw)-1])
	}
	var s string
	_ = json.Unmarshal(raw, &s)
	return s
}

// member returns the value of name in object v; with duplicate names the
// last wins (our decision, as most JSON parsers).
func member(v []byte, name string) (out []byte, ok bool) {
	members(v, func(key, val []byte) {
		if keyString(key) == name {
			out, ok = val, true
		}
	})
	return out, ok
}

func element(v []byte, n int) (out []byte, ok bool) {
	i := 0
	elements(v, func(val []byte) {
		if i == n {
			out, ok = val, true
		}
		i++
	})
	return out, ok
}

// children returns an object's member values or an array's elements.
func children(v []byte) (out [][]byte) {
	members(v, func(_, val []byte) { out = append(out, val) })
	elements(v, func(val []byte) { out = append(out, val) })
	return out
}
