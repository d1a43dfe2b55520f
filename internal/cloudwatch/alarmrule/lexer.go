package alarmrule

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

type tokKind uint8

const (
	tEOF tokKind = iota
	tLParen
	tRParen
	tComma
	tWord   // a run of anything but space, parentheses, commas and quotes
	tString // a double-quoted reference; text is its unescaped value
)

type token struct {
	kind     tokKind
	pos, end int // byte offsets of the token in the source
	text     string
}

type lexer struct {
	src string
	pos int
}

func (lx *lexer) next() (token, *Error) {
	for lx.pos < len(lx.src) {
		r, size := utf8.DecodeRuneInString(lx.src[lx.pos:])
		if !unicode.IsSpace(r) {
			break
		}
		lx.pos += size
	}
	start := lx.pos
	if start == len(lx.src) {
		return token{kind: tEOF, pos: start, end: start}, nil
	}
	switch lx.src[start] {
	case '(':
		lx.pos++
		return token{kind: tLParen, pos: start, end: lx.pos, text: "("}, nil
	case ')':
		lx.pos++
		return token{kind: tRParen, pos: start, end: lx.pos, text: ")"}, nil
	case ',':
		lx.pos++
		return token{kind: tComma, pos: start, end: lx.pos, text: ","}, nil
	case '"':
		return lx.quoted()
	}
	for lx.pos < len(lx.src) {
		r, size := utf8.DecodeRuneInString(lx.src[lx.pos:])
		if unicode.IsSpace(r) || r == '(' || r == ')' || r == ',' || r == '"' {
			break
		}
		lx.pos += size
	}
	return token{kind: tWord, pos: start, end: lx.pos, text: lx.src[start:lx.pos]}, nil
}

func (lx *lexer) quoted() (token, *Error) {
	start := lx.pos
	lx.pos++ // opening quote
	var b strings.Builder
	for lx.pos < len(lx.src) {
		c := lx.src[lx.pos]
		switch c {
		case '"':
			lx.pos++
			return token{kind: tString, pos: start, end: lx.pos, text: b.String()}, nil
		case '\\':
			if lx.pos+1 < len(lx.src) && (lx.src[lx.pos+1] == '"' || lx.src[lx.pos+1] == '\\') {
				b.WriteByte(lx.src[lx.pos+1])
				lx.pos += 2
				continue
			}
			if lx.pos+1 == len(lx.src) {
				return token{}, errAt(lx.src, start, "Unterminated quoted alarm name starting")
			}
			_, size := utf8.DecodeRuneInString(lx.src[lx.pos+1:])
			return token{}, errAt(lx.src, lx.pos, `Unsupported escape sequence '%s' {at} (only \" and \\ may be escaped)`,
				lx.src[lx.pos:lx.pos+1+size])
		default:
			b.WriteByte(c)
			lx.pos++
		}
	}
	return token{}, errAt(lx.src, start, "Unterminated quoted alarm name starting")
}

var keywords = []string{"AND", "OR", "NOT", "TRUE", "FALSE", "ALARM", "OK", "INSUFFICIENT_DATA", "AT_LEAST"}

// isLowerKeyword reports whether word is a keyword spelt in the wrong case.
func isLowerKeyword(word string) bool {
	up := strings.ToUpper(word)
	if up == word {
		return false
	}
	for _, k := range keywords {
		if k == up {
			return true
		}
	}
	return false
}
