package metricmath

import (
	"strings"
)

type tokKind uint8

const (
	tokEOF tokKind = iota
	tokNumber
	tokIdent  // starts with a letter; ids, function names, keywords
	tokString // "…" or '…'; text holds the unescaped value
	tokOp     // + - * / ^ == != <= >= < > && || ( ) [ ] ,
)

type token struct {
	kind  tokKind
	pos   int
	text  string // operator, identifier, number text, or string value
	quote byte   // for strings: '"' or '\''
	raw   string // for strings: the text between the quotes, escapes kept
}

// lexer turns an expression into tokens. It is hand-written and never
// panics on any input (FuzzParse checks that).
type lexer struct {
	src string
	pos int
}

func isLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
func isDigit(c byte) bool  { return c >= '0' && c <= '9' }
func isSpace(c byte) bool  { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

func (l *lexer) next() (token, *Error) {
	for l.pos < len(l.src) && isSpace(l.src[l.pos]) {
		l.pos++
	}
	if l.pos >= len(l.src) {
		return token{kind: tokEOF, pos: l.pos}, nil
	}
	start := l.pos
	c := l.src[l.pos]
	switch {
	case isLetter(c) || c == '_':
		for l.pos < len(l.src) && (isLetter(l.src[l.pos]) || isDigit(l.src[l.pos]) || l.src[l.pos] == '_') {
			l.pos++
		}
		return token{kind: tokIdent, pos: start, text: l.src[start:l.pos]}, nil
	case isDigit(c) || c == '.' && l.pos+1 < len(l.src) && isDigit(l.src[l.pos+1]):
		for l.pos < len(l.src) && isDigit(l.src[l.pos]) {
			l.pos++
		}
		if l.pos < len(l.src) && l.src[l.pos] == '.' {
			l.pos++
			for l.pos < len(l.src) && isDigit(l.src[l.pos]) {
				l.pos++
			}
		}
		if l.pos < len(l.src) && (l.src[l.pos] == 'e' || l.src[l.pos] == 'E') {
			p := l.pos + 1
			if p < len(l.src) && (l.src[p] == '+' || l.src[p] == '-') {
				p++
			}
			if p < len(l.src) && isDigit(l.src[p]) {
				for p < len(l.src) && isDigit(l.src[p]) {
					p++
				}
				l.pos = p
			}
		}
		if l.pos < len(l.src) && (isLetter(l.src[l.pos]) || l.src[l.pos] == '_') {
			return token{}, errorf(start, "Invalid number %q", l.src[start:l.pos+1])
		}
		return token{kind: tokNumber, pos: start, text: l.src[start:l.pos]}, nil
	case c == '"' || c == '\'':
		l.pos++
		var b strings.Builder
		for {
			if l.pos >= len(l.src) {
				return token{}, errorf(start, "Unterminated string")
			}
			ch := l.src[l.pos]
			if ch == '\\' && l.pos+1 < len(l.src) {
				// Keep the escape for SEARCH strings (they have their own
				// escapes); the unescaped value drops the backslash only
				// before the quote itself or another backslash.
				nx := l.src[l.pos+1]
				if nx == c || nx == '\\' {
					b.WriteByte(nx)
				} else {
					b.WriteByte('\\')
					b.WriteByte(nx)
				}
				l.pos += 2
				continue
			}
			if ch == c {
				l.pos++
				return token{kind: tokString, pos: start, text: b.String(), quote: c, raw: l.src[start+1 : l.pos-1]}, nil
			}
			b.WriteByte(ch)
			l.pos++
		}
	}
	two := ""
	if l.pos+1 < len(l.src) {
		two = l.src[l.pos : l.pos+2]
	}
	switch two {
	case "==", "!=", "<=", ">=", "&&", "||":
		l.pos += 2
		return token{kind: tokOp, pos: start, text: two}, nil
	}
	switch c {
	case '+', '-', '*', '/', '^', '<', '>', '(', ')', '[', ']', ',':
		l.pos++
		return token{kind: tokOp, pos: start, text: string(c)}, nil
	case '=':
		return token{}, errorf(start, "Unexpected character '=' (use == to compare)")
	case '!':
		return token{}, errorf(start, "Unexpected character '!' (use != to compare, NOT for negation)")
	}
	if c >= 0x80 {
		return token{}, errorf(start, "Unexpected non-ASCII character")
	}
	return token{}, errorf(start, "Unexpected character %q", string(c))
}

// tokenize lexes the whole expression.
func tokenize(src string) ([]token, *Error) {
	l := lexer{src: src}
	var toks []token
	for {
		t, err := l.next()
		if err != nil {
			return nil, err
		}
		toks = append(toks, t)
		if t.kind == tokEOF {
			return toks, nil
		}
	}
}
