package emf

import (
	"strconv"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
	"unsafe"
)

// The JSON scanner: a strict RFC 8259 validator that records where values
// are instead of building them. parseRoot validates the whole message once
// and keeps the root's members as spans; what EMF reads inside them (the
// _aws tape, a target's array of values) is read again from those spans
// with the trusted skip, which only finds where values end.

type kind uint8

const (
	kMissing kind = iota // no such member
	kString
	kNumber
	kTrue
	kFalse
	kNull
	kObject
	kArray
)

// span locates a value in the message: for strings the content between the
// quotes (esc: it holds backslash escapes), for other kinds the whole value.
type span struct {
	kind       kind
	esc        bool
	start, end int
}

// maxDepth is the deepest nesting accepted, encoding/json's limit, so that
// Extract and json.Valid agree on every message.
const maxDepth = 10000

type parser struct {
	b     []byte
	i     int
	depth int
	// trusted: b is known valid from p.i on (a value parseRoot accepted), so
	// values are skipped without being checked.
	trusted bool
}

func (p *parser) ws() {
	for p.i < len(p.b) {
		switch p.b[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

// value scans the value at p.i (after blanks) and returns its span.
func (p *parser) value() (span, bool) {
	p.ws()
	if p.i >= len(p.b) {
		return span{}, false
	}
	start := p.i
	if p.trusted {
		return p.skipTrusted(), true
	}
	switch c := p.b[p.i]; c {
	case '"':
		esc, ok := p.str()
		return span{kind: kString, esc: esc, start: start + 1, end: p.i - 1}, ok
	case '{':
		ok := p.object(nil)
		return span{kind: kObject, start: start, end: p.i}, ok
	case '[':
		ok := p.array(nil)
		return span{kind: kArray, start: start, end: p.i}, ok
	case 't':
		return p.literal("true", kTrue)
	case 'f':
		return p.literal("false", kFalse)
	case 'n':
		return p.literal("null", kNull)
	default:
		if c == '-' || c >= '0' && c <= '9' {
			ok := p.num()
			return span{kind: kNumber, start: start, end: p.i}, ok
		}
	}
	return span{}, false
}

func (p *parser) literal(lit string, k kind) (span, bool) {
	start := p.i
	if len(p.b)-p.i < len(lit) || string(p.b[p.i:p.i+len(lit)]) != lit {
		return span{}, false
	}
	p.i += len(lit)
	return span{kind: k, start: start, end: p.i}, true
}

// object scans the object whose '{' is at p.i, calling fn (when not nil)
// for every member in order.
func (p *parser) object(fn func(k, v span)) bool {
	if p.depth++; p.depth > maxDepth {
		return false
	}
	p.i++
	p.ws()
	if p.i < len(p.b) && p.b[p.i] == '}' {
		p.i++
		p.depth--
		return true
	}
	for {
		p.ws()
		if p.i >= len(p.b) || p.b[p.i] != '"' {
			return false
		}
		ks := p.i + 1
		esc, ok := p.str()
		if !ok {
			return false
		}
		k := span{kind: kString, esc: esc, start: ks, end: p.i - 1}
		p.ws()
		if p.i >= len(p.b) || p.b[p.i] != ':' {
			return false
		}
		p.i++
		v, ok := p.value()
		if !ok {
			return false
		}
		if fn != nil {
			fn(k, v)
		}
		p.ws()
		if p.i >= len(p.b) {
			return false
		}
		switch p.b[p.i] {
		case ',':
			p.i++
		case '}':
			p.i++
			p.depth--
			return true
		default:
			return false
		}
	}
}

// array scans the array whose '[' is at p.i, calling fn (when not nil) for
// every element in order.
func (p *parser) array(fn func(v span)) bool {
	if p.depth++; p.depth > maxDepth {
		return false
	}
	p.i++
	p.ws()
	if p.i < len(p.b) && p.b[p.i] == ']' {
		p.i++
		p.depth--
		return true
	}
	for {
		v, ok := p.value()
		if !ok {
			return false
		}
		if fn != nil {
			fn(v)
		}
		p.ws()
		if p.i >= len(p.b) {
			return false
		}
		switch p.b[p.i] {
		case ',':
			p.i++
		case ']':
			p.i++
			p.depth--
			return true
		default:
			return false
		}
	}
}

// str scans the string whose opening quote is at p.i and leaves p.i after
// the closing quote. esc reports backslash escapes. Control characters must
// be escaped; other bytes are taken as they are.
func (p *parser) str() (esc, ok bool) {
	b := p.b
	for i := p.i + 1; i < len(b); {
		switch c := b[i]; {
		case c == '"':
			p.i = i + 1
			return esc, true
		case c == '\\':
			esc = true
			if i+1 >= len(b) {
				return esc, false
			}
			switch b[i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i += 2
			case 'u':
				if hex4(b[i+2:]) < 0 {
					return esc, false
				}
				i += 6
			default:
				return esc, false
			}
		case c < 0x20:
			return esc, false
		default:
			i++
			for i < len(b) && plain[b[i]] {
				i++
			}
		}
	}
	return esc, false
}

// plain marks the bytes a string holds as they are: not '"', '\\' or a
// control character.
var plain = func() (t [256]bool) {
	for c := 0x20; c < 256; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// skipTrusted skips the value at p.i, known valid, finding only where it
// ends.
func (p *parser) skipTrusted() span {
	b, start := p.b, p.i
	switch c := b[start]; {
	case c == '"':
		i, esc := start+1, false
		for {
			for plain[b[i]] {
				i++
			}
			if b[i] == '"' {
				break
			}
			esc = true // a backslash: skip it and the byte it escapes
			i += 2
		}
		p.i = i + 1
		return span{kind: kString, esc: esc, start: start + 1, end: i}
	case c == '{' || c == '[':
		depth := 0
		for i := start; ; i++ {
			for !structural[b[i]] {
				i++
			}
			switch b[i] {
			case '"':
				i = closingQuote(b, i)
			case '{', '[':
				depth++
			case '}', ']':
				if depth--; depth == 0 {
					p.i = i + 1
					k := kObject
					if c == '[' {
						k = kArray
					}
					return span{kind: k, start: start, end: p.i}
				}
			}
		}
	case c == 't':
		p.i += 4
		return span{kind: kTrue, start: start, end: p.i}
	case c == 'f':
		p.i += 5
		return span{kind: kFalse, start: start, end: p.i}
	case c == 'n':
		p.i += 4
		return span{kind: kNull, start: start, end: p.i}
	default:
		i := start + 1
		for i < len(b) && numByte[b[i]] {
			i++
		}
		p.i = i
		return span{kind: kNumber, start: start, end: i}
	}
}

// closingQuote returns the index of the quote closing the valid string
// opened at b[i].
func closingQuote(b []byte, i int) int {
	for i++; ; i++ {
		for plain[b[i]] {
			i++
		}
		switch b[i] {
		case '"':
			return i
		case '\\':
			i++ // the escaped byte; \uXXXX's digits are plain
		}
	}
}

// structural marks the bytes skipTrusted stops at inside containers.
var structural = func() (t [256]bool) {
	for _, c := range []byte(`"{}[]`) {
		t[c] = true
	}
	return t
}()

// numByte marks the bytes a number may hold after its first.
var numByte = func() (t [256]bool) {
	for _, c := range []byte("0123456789.eE+-") {
		t[c] = true
	}
	return t
}()

// num scans a number at p.i: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func (p *parser) num() bool {
	b, i := p.b, p.i
	if b[i] == '-' {
		i++
	}
	switch {
	case i < len(b) && b[i] == '0':
		i++
	case i < len(b) && b[i] >= '1' && b[i] <= '9':
		i = digits(b, i)
	default:
		return false
	}
	if i < len(b) && b[i] == '.' {
		d := i + 1
		if i = digits(b, d); i == d {
			return false
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		d := i
		if i = digits(b, d); i == d {
			return false
		}
	}
	p.i = i
	return true
}

func digits(b []byte, i int) int {
	for i < len(b) && b[i] >= '0' && b[i] <= '9' {
		i++
	}
	return i
}

// hex4 decodes the 4 hex digits starting b, or returns -1.
func hex4(b []byte) rune {
	if len(b) < 4 {
		return -1
	}
	var r rune
	for _, c := range b[:4] {
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c >= 'a' && c <= 'f':
			c = c - 'a' + 10
		case c >= 'A' && c <= 'F':
			c = c - 'A' + 10
		default:
			return -1
		}
		r = r<<4 | rune(c)
	}
	return r
}

// raw is the bytes of s as written (a string's content without its quotes).
func raw(msg []byte, s span) []byte { return msg[s.start:s.end] }

// unescape decodes a string's content known to be valid. Escaped lone
// surrogates become U+FFFD, as encoding/json decodes them.
func unescape(s []byte) []byte {
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); {
		c := s[i]
		if c != '\\' {
			out = append(out, c)
			i++
			continue
		}
		switch s[i+1] {
		case 'b':
			out = append(out, '\b')
		case 'f':
			out = append(out, '\f')
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 't':
			out = append(out, '\t')
		case 'u':
			r := hex4(s[i+2:])
			i += 6
			if utf16.IsSurrogate(r) {
				r2 := rune(-1)
				if i+1 < len(s) && s[i] == '\\' && s[i+1] == 'u' {
					r2 = hex4(s[i+2:])
				}
				if dec := utf16.DecodeRune(r, r2); dec != unicode.ReplacementChar {
					r = dec
					i += 6
				} else {
					r = unicode.ReplacementChar
				}
			}
			out = utf8.AppendRune(out, r)
			continue
		default: // " \ /
			out = append(out, s[i+1])
		}
		i += 2
	}
	return out
}

// view is a string value's content. Without escapes it aliases msg: the
// extractor copies what it returns (own).
func view(msg []byte, s span) string {
	if s.esc {
		return string(unescape(raw(msg, s)))
	}
	if s.end == s.start {
		return ""
	}
	return unsafe.String(&msg[s.start], s.end-s.start)
}

// is reports whether the string s reads lit.
func is(msg []byte, s span, lit string) bool {
	if !s.esc {
		return string(raw(msg, s)) == lit
	}
	return string(unescape(raw(msg, s))) == lit
}

// number parses a number value. Magnitudes beyond float64 give ±Inf.
func number(msg []byte, s span) float64 {
	b := raw(msg, s)
	// The string does not outlive the call: strconv copies it into any error.
	f, _ := strconv.ParseFloat(unsafe.String(unsafe.SliceData(b), len(b)), 64)
	return f
}
