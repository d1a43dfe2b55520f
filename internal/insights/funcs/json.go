package funcs

import (
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/vigilhq/vigil/internal/jsonscan"
)

// ParseJSON parses one JSON document (RFC 8259) into a Value: objects
// become maps with their members in input order (a repeated key keeps its
// first position and its last value), arrays become lists, strings
// strings, numbers numbers, true and false booleans, and null null.
// Numbers beyond the float64 range become null. It reports false for
// anything that is not exactly one JSON value, possibly surrounded by
// white space, or that nests deeper than 512 levels.
func ParseJSON(s string) (Value, bool) {
	p := jsonParser{s: s}
	p.space()
	v, ok := p.value(0)
	if !ok {
		return Null, false
	}
	p.space()
	if p.i != len(p.s) {
		return Null, false
	}
	return v, true
}

type jsonParser struct {
	s string
	i int
}

func (p *jsonParser) space() {
	for p.i < len(p.s) {
		switch p.s[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

func (p *jsonParser) value(depth int) (Value, bool) {
	if p.i >= len(p.s) || depth > jsonscan.MaxDepth {
		return Null, false
	}
	switch c := p.s[p.i]; {
	case c == '{':
		return p.object(depth)
	case c == '[':
		return p.array(depth)
	case c == '"':
		s, ok := p.str()
		return Str(s), ok
	case c == 't':
		return trueValue, p.word("true")
	case c == 'f':
		return falseValue, p.word("false")
	case c == 'n':
		return Null, p.word("null")
	case c == '-' || (c >= '0' && c <= '9'):
		return p.number()
	}
	return Null, false
}

func (p *jsonParser) word(w string) bool {
	if strings.HasPrefix(p.s[p.i:], w) {
		p.i += len(w)
		return true
	}
	return false
}

func (p *jsonParser) object(depth int) (Value, bool) {
	p.i++ // {
	var members []Member
	var index map[string]int // built once an object is large
	p.space()
	if p.i < len(p.s) && p.s[p.i] == '}' {
		p.i++
		return Map(members...), true
	}
	for {
		p.space()
		if p.i >= len(p.s) || p.s[p.i] != '"' {
			return Null, false
		}
		key, ok := p.str()
		if !ok {
			return Null, false
		}
		p.space()
		if p.i >= len(p.s) || p.s[p.i] != ':' {
			return Null, false
		}
		p.i++
		p.space()
		v, ok := p.value(depth + 1)
		if !ok {
			return Null, false
		}
		at := -1
		if index != nil {
			if k, ok := index[key]; ok {
				at = k
			}
		} else {
			for k := range members {
				if members[k].Key == key {
					at = k
					break
				}
			}
		}
		if at >= 0 {
			members[at].Value = v
		} else {
			members = append(members, Member{Key: key, Value: v})
			if index != nil {
				index[key] = len(members) - 1
			} else if len(members) > 16 {
				index = make(map[string]int, 2*len(members))
				for k, m := range members {
					index[m.Key] = k
				}
			}
		}
		p.space()
		if p.i >= len(p.s) {
			return Null, false
		}
		switch p.s[p.i] {
		case ',':
			p.i++
		case '}':
			p.i++
			return Map(members...), true
		default:
			return Null, false
		}
	}
}

func (p *jsonParser) array(depth int) (Value, bool) {
	p.i++ // [
	var elems []Value
	p.space()
	if p.i < len(p.s) && p.s[p.i] == ']' {
		p.i++
		return List(elems...), true
	}
	for {
		p.space()
		v, ok := p.value(depth + 1)
		if !ok {
			return Null, false
		}
		elems = append(elems, v)
		p.space()
		if p.i >= len(p.s) {
			return Null, false
		}
		switch p.s[p.i] {
		case ',':
			p.i++
		case ']':
			p.i++
			return List(elems...), true
		default:
			return Null, false
		}
	}
}

// str reads a string literal; without escapes it shares the input's
// memory.
func (p *jsonParser) str() (string, bool) {
	p.i++ // opening quote
	start := p.i
	for p.i < len(p.s) {
		c := p.s[p.i]
		switch {
		case c == '"':
			s := p.s[start:p.i]
			p.i++
			return s, true
		case c == '\\':
			return p.escaped(start)
		case c < 0x20:
			return "", false
		}
		p.i++
	}
	return "", false
}

func (p *jsonParser) escaped(start int) (string, bool) {
	var b strings.Builder
	b.WriteString(p.s[start:p.i])
	for p.i < len(p.s) {
		c := p.s[p.i]
		switch {
		case c == '"':
			p.i++
			return b.String(), true
		case c < 0x20:
			return "", false
		case c != '\\':
			b.WriteByte(c)
			p.i++
			continue
		}
		p.i++ // backslash
		if p.i >= len(p.s) {
			return "", false
		}
		e := p.s[p.i]
		p.i++
		switch e {
		case '"', '\\', '/':
			b.WriteByte(e)
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
			r, ok := p.hex4()
			if !ok {
				return "", false
			}
			if utf16.IsSurrogate(r) {
				r2 := utf8.RuneError
				if strings.HasPrefix(p.s[p.i:], `\u`) {
					save := p.i
					p.i += 2
					if lo, ok := p.hex4(); ok && utf16.DecodeRune(r, lo) != utf8.RuneError {
						r2 = utf16.DecodeRune(r, lo)
					} else {
						p.i = save
					}
				}
				r = r2
			}
			b.WriteRune(r)
		default:
			return "", false
		}
	}
	return "", false
}

func (p *jsonParser) hex4() (rune, bool) {
	if p.i+4 > len(p.s) {
		return 0, false
	}
	var r rune
	for _, c := range []byte(p.s[p.i : p.i+4]) {
		switch {
		case c >= '0' && c <= '9':
			r = r<<4 | rune(c-'0')
		case c >= 'a' && c <= 'f':
			r = r<<4 | rune(c-'a'+10)
		case c >= 'A' && c <= 'F':
			r = r<<4 | rune(c-'A'+10)
		default:
			return 0, false
		}
	}
	p.i += 4
	return r, true
}

func (p *jsonParser) number() (Value, bool) {
	start := p.i
	if p.s[p.i] == '-' {
		p.i++
	}
	digits := func() int {
		n := 0
		for p.i < len(p.s) && p.s[p.i] >= '0' && p.s[p.i] <= '9' {
			p.i++
			n++
		}
		return n
	}
	if p.i < len(p.s) && p.s[p.i] == '0' {
		p.i++
	} else if digits() == 0 {
		return Null, false
	}
	if p.i < len(p.s) && p.s[p.i] == '.' {
		p.i++
		if digits() == 0 {
			return Null, false
		}
	}
	if p.i < len(p.s) && (p.s[p.i] == 'e' || p.s[p.i] == 'E') {
		p.i++
		if p.i < len(p.s) && (p.s[p.i] == '+' || p.s[p.i] == '-') {
			p.i++
		}
		if digits() == 0 {
			return Null, false
		}
	}
	f, err := strconv.ParseFloat(p.s[start:p.i], 64)
	if err != nil {
		return Null, true // out of range: a valid document, an unusable number
	}
	return Num(f), true
}

// appendJSON appends v as compact JSON: maps and lists recursively,
// strings quoted, numbers as String prints them, booleans as true and
// false, null as null and timestamps as their printed string.
func appendJSON(dst []byte, v Value) []byte {
	switch v.kind {
	case KindNull:
		return append(dst, "null"...)
	case KindBool:
		if v.num != 0 {
			return append(dst, "true"...)
		}
		return append(dst, "false"...)
	case KindNumber:
		return appendNumber(dst, v.num)
	case KindString:
		return appendJSONString(dst, v.str)
	case KindTime:
		dst = append(dst, '"')
		dst = v.AppendTo(dst)
		return append(dst, '"')
	case KindMap:
		dst = append(dst, '{')
		for i, m := range v.ref.members {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = appendJSONString(dst, m.Key)
			dst = append(dst, ':')
			dst = appendJSON(dst, m.Value)
		}
		return append(dst, '}')
	case KindList:
		dst = append(dst, '[')
		for i, e := range v.ref.elems {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = appendJSON(dst, e)
		}
		return append(dst, ']')
	}
	return dst
}

const hexDigits = "0123456789abcdef"

// appendJSONString appends s as a JSON string: quotes, backslashes and
// control characters escaped, other text as UTF-8 (invalid bytes become
// U+FFFD).
func appendJSONString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				dst = append(dst, '\\', c)
			case c == '\n':
				dst = append(dst, '\\', 'n')
			case c == '\r':
				dst = append(dst, '\\', 'r')
			case c == '\t':
				dst = append(dst, '\\', 't')
			case c < 0x20 || c == 0x7f:
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			default:
				dst = append(dst, c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			dst = append(dst, "\ufffd"...)
		} else {
			dst = append(dst, s[i:i+size]...)
		}
		i += size
	}
	return append(dst, '"')
}
