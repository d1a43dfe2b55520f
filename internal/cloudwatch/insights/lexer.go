package insights

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

type tokKind uint8

const (
	tEOF    tokKind = iota
	tWord           // unquoted run of letters, digits and underscores: keyword, identifier or number
	tQuoted         // "double-quoted identifier", unescaped
	tString         // 'single-quoted label value', unescaped
	tLParen
	tRParen
	tComma
	tEq    // =
	tNe    // !=
	tPunct // any other operator or punctuation; text holds it
)

type token struct {
	kind tokKind
	text string // unescaped text for tQuoted/tString, raw text otherwise
	pos  int    // 1-based character position of the token's first character
}

func (t token) describe() string {
	switch t.kind {
	case tEOF:
		return "end of query"
	case tQuoted:
		return `"` + t.text + `"`
	case tString:
		return "'" + t.text + "'"
	}
	return "'" + t.text + "'"
}

// lexer turns a query into tokens. Positions count characters (runes), from 1, as a user counts them.
type lexer struct {
	src  string
	off  int // byte offset
	rpos int // rune position of off, 0-based
}

func isWordRune(r rune) bool {
	return r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r)
}

func (l *lexer) next() (token, error) {
	// skip white space
	for l.off < len(l.src) {
		r, n := utf8.DecodeRuneInString(l.src[l.off:])
		if !unicode.IsSpace(r) {
			break
		}
		l.off += n
		l.rpos++
	}
	pos := l.rpos + 1
	if l.off >= len(l.src) {
		return token{kind: tEOF, pos: pos}, nil
	}
	r, n := utf8.DecodeRuneInString(l.src[l.off:])
	if r == utf8.RuneError && n == 1 {
		return token{}, errAt(pos, "Invalid syntax. The query is not valid UTF-8")
	}
	switch {
	case isWordRune(r):
		start := l.off
		for l.off < len(l.src) {
			r, n := utf8.DecodeRuneInString(l.src[l.off:])
			if !isWordRune(r) {
				break
			}
			l.off += n
			l.rpos++
		}
		return token{kind: tWord, text: l.src[start:l.off], pos: pos}, nil
	case r == '"' || r == '\'':
		return l.quoted(r, pos)
	}
	l.off += n
	l.rpos++
	switch r {
	case '(':
		return token{kind: tLParen, text: "(", pos: pos}, nil
	case ')':
		return token{kind: tRParen, text: ")", pos: pos}, nil
	case ',':
		return token{kind: tComma, text: ",", pos: pos}, nil
	case '=':
		if l.peekByte('=') { // '==' is not SQL; report it whole
			return token{kind: tPunct, text: "==", pos: pos}, nil
		}
		return token{kind: tEq, text: "=", pos: pos}, nil
	case '!':
		if l.peekByte('=') {
			return token{kind: tNe, text: "!=", pos: pos}, nil
		}
	case '<':
		if l.peekByte('>') {
			return token{kind: tPunct, text: "<>", pos: pos}, nil
		}
		if l.peekByte('=') {
			return token{kind: tPunct, text: "<=", pos: pos}, nil
		}
	case '>':
		if l.peekByte('=') {
			return token{kind: tPunct, text: ">=", pos: pos}, nil
		}
	}
	return token{kind: tPunct, text: string(r), pos: pos}, nil
}

func (l *lexer) peekByte(b byte) bool {
	if l.off < len(l.src) && l.src[l.off] == b {
		l.off++
		l.rpos++
		return true
	}
	return false
}

// quoted reads a "identifier" or 'label value'. A backslash escapes a quotation mark of either kind or
// a backslash; any other escape is refused rather than guessed.
func (l *lexer) quoted(q rune, pos int) (token, error) {
	l.off++
	l.rpos++
	var b strings.Builder
	for {
		if l.off >= len(l.src) {
			if q == '"' {
				return token{}, errAt(pos, "Invalid syntax. Unterminated double-quoted identifier")
			}
			return token{}, errAt(pos, "Invalid syntax. Unterminated single-quoted label value")
		}
		r, n := utf8.DecodeRuneInString(l.src[l.off:])
		if r == utf8.RuneError && n == 1 {
			return token{}, errAt(l.rpos+1, "Invalid syntax. The query is not valid UTF-8")
		}
		l.off += n
		l.rpos++
		switch r {
		case q:
			kind := tQuoted
			if q == '\'' {
				kind = tString
			}
			return token{kind: kind, text: b.String(), pos: pos}, nil
		case '\\':
			if l.off >= len(l.src) {
				continue // reported as unterminated on the next turn
			}
			e, n := utf8.DecodeRuneInString(l.src[l.off:])
			if e != '"' && e != '\'' && e != '\\' {
				return token{}, errAt(l.rpos, "Invalid syntax. Unsupported escape sequence '\\%c': only \\\", \\' and \\\\ are allowed", e)
			}
			l.off += n
			l.rpos++
			b.WriteRune(e)
		default:
			b.WriteRune(r)
		}
	}
}
