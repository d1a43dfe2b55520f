package eventpattern

import (
	"fmt"
	"strconv"
	"unicode/utf8"
)

// tok is a token of the pull parser used to read patterns. The parser behaves
// like a streaming JSON reader: commas and colons are consumed internally and
// every error carries the position just after the last consumed character,
// which is how EventBridge reports pattern errors.
type tok uint8

const (
	tEOF tok = iota
	tStartObject
	tEndObject
	tStartArray
	tEndArray
	tField
	tString
	tNumber
	tTrue
	tFalse
	tNull
)

type pctx struct {
	obj   bool // object (true) or array
	count int  // entries so far
	// expectValue: in an object, a field name was read and its value is next.
	expectValue bool
}

type lexer struct {
	src   []byte
	pos   int
	stack []pctx
	done  bool // the root value has been completely read
	text  string
	err   *PatternError
}

func (lx *lexer) fail(format string, args ...any) {
	if lx.err == nil {
		lx.err = newPatternError(lx.src, lx.pos, fmt.Sprintf(format, args...))
	}
	panic(lx.err)
}

func (lx *lexer) skipWS() {
	for lx.pos < len(lx.src) {
		switch lx.src[lx.pos] {
		case ' ', '\t', '\n', '\r':
			lx.pos++
		default:
			return
		}
	}
}

func (lx *lexer) unexpected(expecting string) {
	if lx.pos >= len(lx.src) {
		lx.fail("Unexpected end-of-input: %s", expecting)
	}
	r, n := utf8.DecodeRune(lx.src[lx.pos:])
	lx.pos += n
	lx.fail("Unexpected character ('%c' (code %d)): %s", r, r, expecting)
}

// next returns the next token.
func (lx *lexer) next() tok {
	lx.skipWS()
	if len(lx.stack) == 0 {
		if lx.done {
			if lx.pos < len(lx.src) {
				lx.unexpected("expected end of input")
			}
			return tEOF
		}
		return lx.value()
	}
	top := &lx.stack[len(lx.stack)-1]
	if top.obj {
		if top.expectValue {
			if lx.pos >= len(lx.src) || lx.src[lx.pos] != ':' {
				lx.unexpected("was expecting a colon to separate field name and value")
			}
			lx.pos++
			lx.skipWS()
			top.expectValue = false
			top.count++
			return lx.value()
		}
		if lx.pos < len(lx.src) && lx.src[lx.pos] == '}' {
			lx.pos++
			lx.pop()
			return tEndObject
		}
		if top.count > 0 {
			if lx.pos >= len(lx.src) || lx.src[lx.pos] != ',' {
				if lx.pos >= len(lx.src) {
					lx.fail("Unexpected end-of-input: expected close marker for Object")
				}
				lx.unexpected("was expecting comma to separate Object entries")
			}
			lx.pos++
			lx.skipWS()
		}
		if lx.pos >= len(lx.src) {
			lx.fail("Unexpected end-of-input: expected close marker for Object")
		}
		if lx.src[lx.pos] != '"' {
			lx.unexpected("was expecting double-quote to start field name")
		}
		lx.text = lx.readString()
		top = &lx.stack[len(lx.stack)-1]
		top.expectValue = true
		return tField
	}
	if lx.pos < len(lx.src) && lx.src[lx.pos] == ']' {
		lx.pos++
		lx.pop()
		return tEndArray
	}
	if top.count > 0 {
		if lx.pos >= len(lx.src) {
			lx.fail("Unexpected end-of-input: expected close marker for Array")
		}
		if lx.src[lx.pos] != ',' {
			lx.unexpected("was expecting comma to separate Array entries")
		}
		lx.pos++
		lx.skipWS()
	}
	top.count++
	return lx.value()
}

func (lx *lexer) pop() {
	lx.stack = lx.stack[:len(lx.stack)-1]
	if len(lx.stack) == 0 {
		lx.done = true
	}
}

func (lx *lexer) value() tok {
	if lx.pos >= len(lx.src) {
		if len(lx.stack) == 0 {
			lx.fail("No content to map due to end-of-input")
		}
		lx.fail("Unexpected end-of-input within/between %s entries", map[bool]string{true: "Object", false: "Array"}[lx.stack[len(lx.stack)-1].obj])
	}
	if len(lx.stack) >= maxPatternDepth {
		lx.fail("Event pattern nesting is too deep")
	}
	c := lx.src[lx.pos]
	switch {
	case c == '{':
		lx.pos++
		lx.stack = append(lx.stack, pctx{obj: true})
		return tStartObject
	case c == '[':
		lx.pos++
		lx.stack = append(lx.stack, pctx{})
		return tStartArray
	case c == '"':
		lx.text = lx.readString()
		lx.leaf()
		return tString
	case c == '-' || (c >= '0' && c <= '9'):
		lx.readNumber()
		lx.leaf()
		return tNumber
	default:
		start := lx.pos
		for lx.pos < len(lx.src) && isIdentByte(lx.src[lx.pos]) {
			lx.pos++
		}
		word := string(lx.src[start:lx.pos])
		switch word {
		case "true":
			lx.text = word
			lx.leaf()
			return tTrue
		case "false":
			lx.text = word
			lx.leaf()
			return tFalse
		case "null":
			lx.text = word
			lx.leaf()
			return tNull
		}
		if word == "" {
			if c == ']' || c == '}' || c == ',' {
				lx.unexpected("expected a value")
			}
			lx.unexpected("expected a valid value (JSON String, Number, Array, Object or token 'null', 'true' or 'false')")
		}
		lx.fail("Unrecognized token '%s': was expecting (JSON String, Number, Array, Object or token 'null', 'true' or 'false')", word)
	}
	return tEOF
}

func (lx *lexer) leaf() {
	if len(lx.stack) == 0 {
		lx.done = true
	}
}

func isIdentByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c >= 0x80
}

func (lx *lexer) readString() string {
	lx.pos++ // opening quote
	var buf []byte
	start := lx.pos
	for {
		if lx.pos >= len(lx.src) {
			lx.fail("Unexpected end-of-input: was expecting closing quote for a string value")
		}
		c := lx.src[lx.pos]
		switch {
		case c == '"':
			var s string
			if buf == nil {
				s = string(lx.src[start:lx.pos])
			} else {
				s = string(append(buf, lx.src[start:lx.pos]...))
			}
			lx.pos++
			return s
		case c == '\\':
			buf = append(buf, lx.src[start:lx.pos]...)
			n, out, ok := unescape(lx.src[lx.pos:], buf)
			if !ok {
				lx.pos += n
				lx.fail("Unrecognized character escape")
			}
			buf = out
			lx.pos += n
			start = lx.pos
		case c < 0x20:
			lx.pos++
			lx.fail("Illegal unquoted character ((CTRL-CHAR, code %d)): has to be escaped using backslash to be included in string value", c)
		default:
			lx.pos++
		}
	}
}

func (lx *lexer) readNumber() {
	start := lx.pos
	n := scanNumber(lx.src[lx.pos:])
	if n <= 0 {
		lx.pos += -n
		if lx.pos < len(lx.src) {
			lx.pos++
		}
		lx.fail("Invalid numeric value: malformed number")
	}
	lx.pos += n
	lx.text = string(lx.src[start:lx.pos])
}

// scanNumber returns the length of the JSON number at the start of b, or the
// negated length of the valid part if it is malformed (0 if nothing valid).
func scanNumber(b []byte) int {
	i := 0
	if i < len(b) && b[i] == '-' {
		i++
	}
	if i >= len(b) {
		return -i
	}
	if b[i] == '0' {
		i++
	} else if b[i] >= '1' && b[i] <= '9' {
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
	} else {
		return -i
	}
	if i < len(b) && b[i] == '.' {
		i++
		j := i
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
		if i == j {
			return -i
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		j := i
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
		if i == j {
			return -i
		}
	}
	return i
}

// unescape decodes the escape sequence at the start of b (b[0] == '\\'),
// appending the result to out. It returns the number of bytes consumed.
func unescape(b []byte, out []byte) (int, []byte, bool) {
	if len(b) < 2 {
		return len(b), out, false
	}
	switch b[1] {
	case '"', '\\', '/':
		return 2, append(out, b[1]), true
	case 'b':
		return 2, append(out, '\b'), true
	case 'f':
		return 2, append(out, '\f'), true
	case 'n':
		return 2, append(out, '\n'), true
	case 'r':
		return 2, append(out, '\r'), true
	case 't':
		return 2, append(out, '\t'), true
	case 'u':
		r, ok := hex4(b[2:])
		if !ok {
			return 2, out, false
		}
		n := 6
		if utf16IsSurrogate(r) {
			if len(b) >= 12 && b[6] == '\\' && b[7] == 'u' {
				if r2, ok := hex4(b[8:]); ok && r2 >= 0xDC00 && r2 <= 0xDFFF && r < 0xDC00 {
					r = 0x10000 + (r-0xD800)<<10 + (r2 - 0xDC00)
					n = 12
				} else {
					r = utf8.RuneError
				}
			} else {
				r = utf8.RuneError
			}
		}
		return n, utf8.AppendRune(out, r), true
	}
	return 2, out, false
}

func utf16IsSurrogate(r rune) bool { return r >= 0xD800 && r <= 0xDFFF }

func hex4(b []byte) (rune, bool) {
	if len(b) < 4 {
		return 0, false
	}
	v, err := strconv.ParseUint(string(b[:4]), 16, 32)
	if err != nil {
		return 0, false
	}
	return rune(v), true
}
