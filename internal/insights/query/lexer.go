package query

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

type tokKind uint8

const (
	tEOF tokKind = iota
	tIdent
	tNumber
	tDuration
	tString
	tRegex
	tPipe
	tLParen
	tRParen
	tLBrack
	tRBrack
	tComma
	tColon
	tDot
	tPlus
	tMinus
	tStar
	tSlash
	tPercent
	tCaret
	tEq
	tNe
	tLt
	tLe
	tGt
	tGe
	tMatch
)

// token is one lexeme. Pos and End are byte offsets into the query.
type token struct {
	kind tokKind
	pos  int
	end  int
	// tIdent: the path segments; quoted reports whether any segment was
	// written in backquotes (a quoted word is never a keyword).
	segs   []PathElem
	quoted bool
	// tString: the decoded value. tRegex: the source between the slashes.
	str string
	// tNumber, tDuration: the numeric value; tDuration: the canonical unit.
	num  float64
	unit string
}

// lexer scans tokens on demand from an offset; the parser drives it (see
// parser.next), which lets a '/' be rescanned as a regex literal where an
// operand is expected.
type lexer struct {
	src string
}

func isIdentStart(r rune) bool {
	return r == '_' || r == '@' || unicode.IsLetter(r)
}

func isIdentChar(r rune) bool {
	return r == '_' || r == '@' || unicode.IsLetter(r) || unicode.IsDigit(r)
}

// skipSpace skips whitespace and # comments (to the end of the line).
func (l *lexer) skipSpace(i int) int {
	for i < len(l.src) {
		c := l.src[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v':
			i++
		case c == '#':
			for i < len(l.src) && l.src[i] != '\n' {
				i++
			}
		case c >= utf8.RuneSelf:
			r, n := utf8.DecodeRuneInString(l.src[i:])
			if !unicode.IsSpace(r) {
				return i
			}
			i += n
		default:
			return i
		}
	}
	return i
}

func (l *lexer) fail(pos int, msg string) {
	panic(bail{newError(l.src, pos, msg)})
}

// scan returns the token starting at or after offset i.
func (l *lexer) scan(i int) token {
	i = l.skipSpace(i)
	if i >= len(l.src) {
		return token{kind: tEOF, pos: len(l.src), end: len(l.src)}
	}
	c := l.src[i]
	one := func(k tokKind) token { return token{kind: k, pos: i, end: i + 1} }
	two := func(k tokKind) token { return token{kind: k, pos: i, end: i + 2} }
	next := byte(0)
	if i+1 < len(l.src) {
		next = l.src[i+1]
	}
	switch c {
	case '|':
		return one(tPipe)
	case '(':
		return one(tLParen)
	case ')':
		return one(tRParen)
	case '[':
		return one(tLBrack)
	case ']':
		return one(tRBrack)
	case ',':
		return one(tComma)
	case ':':
		return one(tColon)
	case '.':
		return one(tDot)
	case '+':
		return one(tPlus)
	case '-':
		return one(tMinus)
	case '*':
		return one(tStar)
	case '/':
		return one(tSlash)
	case '%':
		return one(tPercent)
	case '^':
		return one(tCaret)
	case '=':
		if next == '~' {
			return two(tMatch)
		}
		if next == '=' {
			l.fail(i, "unexpected symbol found '==', use '=' to compare")
		}
		return one(tEq)
	case '!':
		if next == '=' {
			return two(tNe)
		}
		l.fail(i, "unexpected symbol found '!'")
	case '<':
		if next == '=' {
			return two(tLe)
		}
		return one(tLt)
	case '>':
		if next == '=' {
			return two(tGe)
		}
		return one(tGt)
	case '"', '\'':
		return l.scanString(i)
	case '`':
		return l.scanPath(i)
	}
	if c >= '0' && c <= '9' {
		return l.scanNumber(i)
	}
	r, n := utf8.DecodeRuneInString(l.src[i:])
	if r == utf8.RuneError && n == 1 {
		l.fail(i, "invalid UTF-8 in query")
	}
	if isIdentStart(r) {
		return l.scanPath(i)
	}
	l.fail(i, "unexpected symbol found '"+string(r)+"'")
	return token{}
}

// scanString scans a single- or double-quoted string. A backslash escapes
// the quote character and itself; any other escape is kept as written (so
// "\d" stays a backslash and a d, which regex-like patterns rely on).
func (l *lexer) scanString(start int) token {
	q := l.src[start]
	var b strings.Builder
	i := start + 1
	for i < len(l.src) {
		c := l.src[i]
		switch {
		case c == '\\' && i+1 < len(l.src):
			e := l.src[i+1]
			if e == q || e == '\\' {
				b.WriteByte(e)
			} else {
				b.WriteByte('\\')
				b.WriteByte(e)
			}
			i += 2
		case c == q:
			return token{kind: tString, pos: start, end: i + 1, str: b.String()}
		default:
			b.WriteByte(c)
			i++
		}
	}
	l.fail(start, "unterminated string literal")
	return token{}
}

// scanRegex scans /source/ starting at the slash at start. A backslash
// escapes the next character (kept in the source, so \/ is a literal slash).
func (l *lexer) scanRegex(start int) token {
	i := start + 1
	for i < len(l.src) {
		switch l.src[i] {
		case '\\':
			i += 2
		case '/':
			return token{kind: tRegex, pos: start, end: i + 1, str: l.src[start+1 : i]}
		default:
			i++
		}
	}
	l.fail(start, "unterminated regular expression")
	return token{}
}

// scanPath scans a field name: segments of identifier characters or
// backquoted text joined by dots ("a.b", "@entity.KeyAttributes.Type",
// "map.`special.char`", "items.0.id"). The first segment is never all
// digits (that is a number).
func (l *lexer) scanPath(start int) token {
	t := token{kind: tIdent, pos: start}
	i := start
	for {
		if i < len(l.src) && l.src[i] == '`' {
			j := strings.IndexByte(l.src[i+1:], '`')
			if j < 0 {
				l.fail(i, "unterminated backquoted field name")
			}
			if j == 0 {
				l.fail(i, "empty backquoted field name")
			}
			t.segs = append(t.segs, PathElem{Name: l.src[i+1 : i+1+j]})
			t.quoted = true
			i += j + 2
		} else {
			j := i
			for j < len(l.src) {
				r, n := utf8.DecodeRuneInString(l.src[j:])
				if !isIdentChar(r) {
					break
				}
				j += n
			}
			t.segs = append(t.segs, PathElem{Name: l.src[i:j]})
			i = j
		}
		// Continue with ".segment" only when the dot is directly followed
		// by the start of another segment.
		if i+1 < len(l.src) && l.src[i] == '.' {
			r, _ := utf8.DecodeRuneInString(l.src[i+1:])
			if r == '`' || isIdentChar(r) {
				i++
				continue
			}
		}
		break
	}
	t.end = i
	return t
}

// durationUnits maps every unit spelling the bin() documentation lists
// (CWL_QuerySyntax-Stats: "millisecond ms msec, second s sec, minute m min,
// hour h hr, day d, week w, month mo mon, quarter q qtr, year y yr; adding s
// to pluralize is supported for units of more than one character") to its
// canonical short form.
var durationUnits = func() map[string]string {
	m := map[string]string{}
	add := func(canon string, names ...string) {
		for _, n := range names {
			m[n] = canon
			if len(n) > 1 {
				m[n+"s"] = canon
			}
		}
	}
	add("ms", "millisecond", "ms", "msec")
	add("s", "second", "s", "sec")
	add("m", "minute", "m", "min")
	add("h", "hour", "h", "hr")
	add("d", "day", "d")
	add("w", "week", "w")
	add("mo", "month", "mo", "mon")
	add("q", "quarter", "q", "qtr")
	add("y", "year", "y", "yr")
	return m
}()

// scanNumber scans an integer or decimal number with an optional exponent;
// letters directly after it make it a duration ("5m", "1.5h").
func (l *lexer) scanNumber(start int) token {
	i := start
	digits := func() {
		for i < len(l.src) && l.src[i] >= '0' && l.src[i] <= '9' {
			i++
		}
	}
	digits()
	if i+1 < len(l.src) && l.src[i] == '.' && l.src[i+1] >= '0' && l.src[i+1] <= '9' {
		i++
		digits()
	}
	if i < len(l.src) && (l.src[i] == 'e' || l.src[i] == 'E') {
		j := i + 1
		if j < len(l.src) && (l.src[j] == '+' || l.src[j] == '-') {
			j++
		}
		if j < len(l.src) && l.src[j] >= '0' && l.src[j] <= '9' {
			i = j
			digits()
		}
	}
	text := l.src[start:i]
	v, err := strconv.ParseFloat(text, 64)
	if err != nil {
		l.fail(start, "invalid number "+text)
	}
	t := token{kind: tNumber, pos: start, end: i, num: v}
	// A unit follows directly: letters only.
	j := i
	for j < len(l.src) {
		r, n := utf8.DecodeRuneInString(l.src[j:])
		if !isIdentChar(r) {
			break
		}
		j += n
	}
	if j > i {
		unit := l.src[i:j]
		canon, ok := durationUnits[unit]
		if !ok {
			l.fail(start, "invalid time unit '"+unit+"' in "+l.src[start:j])
		}
		t.kind, t.unit, t.end = tDuration, canon, j
	}
	return t
}

// describe renders a token for an error message.
func (l *lexer) describe(t token) string {
	if t.kind == tEOF {
		return "'<EOF>'"
	}
	return "'" + l.src[t.pos:t.end] + "'"
}
