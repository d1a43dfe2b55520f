package filterpattern

import (
	"strconv"
	"strings"
)

// cmpOp is a comparison operator of a JSON or space-delimited condition.
type cmpOp uint8

const (
	opEq cmpOp = iota
	opNe
	opLt
	opLe
	opGt
	opGe
)

var opText = [...]string{"=", "!=", "<", "<=", ">", ">="}

func (o cmpOp) String() string { return opText[o] }

// wildKind is how a string value with '*' wildcards compares.
type wildKind uint8

const (
	wildNone     wildKind = iota // exact comparison
	wildAny                      // "*": any value
	wildPrefix                   // "abc*"
	wildSuffix                   // "*abc"
	wildContains                 // "*abc*"
)

// literal is the right-hand side of a condition.
type literal struct {
	text   string // unescaped text (without quotes or the regex's %)
	quoted bool
	regex  *regexTerm
	isNum  bool // unquoted and a valid number: = and != compare numerically when they can
	num    float64
	wild   wildKind
	needle string // text without the wildcards
}

func (l *literal) String() string {
	switch {
	case l.regex != nil:
		return "%" + l.regex.src + "%"
	case l.quoted:
		return quote(l.text)
	default:
		return l.text
	}
}

func newLiteral(text string, quoted bool) literal {
	l := literal{text: text, quoted: quoted}
	if !quoted && isNumber(text) {
		l.isNum = true
		l.num, _ = strconv.ParseFloat(text, 64)
		return l
	}
	// Wildcards: a '*' at the start and/or the end of the value; one in the middle is
	// literal (AWS: "Ev*ent will only match the actual string Ev*ent").
	n := len(text)
	switch {
	case text == "*":
		l.wild = wildAny
	case n >= 2 && text[0] == '*' && text[n-1] == '*':
		l.wild, l.needle = wildContains, text[1:n-1]
	case n >= 1 && text[0] == '*':
		l.wild, l.needle = wildSuffix, text[1:]
	case n >= 1 && text[n-1] == '*':
		l.wild, l.needle = wildPrefix, text[:n-1]
	}
	return l
}

// comparison is "<op> <literal>".
type comparison struct {
	op  cmpOp
	lit literal
}

func (c *comparison) String() string { return c.op.String() + " " + c.lit.String() }

// test compares the value v (the text of a JSON string or number, or a
// space-delimited field) with the literal.
func (c *comparison) test(v string) bool {
	if c.op >= opLt {
		f, ok := parseNumber(v)
		if !ok {
			return false
		}
		switch c.op {
		case opLt:
			return f < c.lit.num
		case opLe:
			return f <= c.lit.num
		case opGt:
			return f > c.lit.num
		default:
			return f >= c.lit.num
		}
	}
	eq := c.equal(v)
	if c.op == opNe {
		return !eq
	}
	return eq
}

func (c *comparison) equal(v string) bool {
	l := &c.lit
	if l.regex != nil {
		return l.regex.match(v)
	}
	switch l.wild {
	case wildAny:
		return true
	case wildPrefix:
		return strings.HasPrefix(v, l.needle)
	case wildSuffix:
		return strings.HasSuffix(v, l.needle)
	case wildContains:
		return strings.Contains(v, l.needle)
	}
	if l.isNum {
		if f, ok := parseNumber(v); ok {
			return f == l.num
		}
	}
	return v == l.text
}

// isNumber reports whether s is a number as the docs define one: an integer or a
// decimal with an optional sign, optionally followed by e and a signed integer.
func isNumber(s string) bool {
	i, n := 0, len(s)
	if i < n && (s[i] == '+' || s[i] == '-') {
		i++
	}
	digits := 0
	for i < n && isDigit(s[i]) {
		i++
		digits++
	}
	if i < n && s[i] == '.' {
		i++
		for i < n && isDigit(s[i]) {
			i++
			digits++
		}
	}
	if digits == 0 {
		return false
	}
	if i < n && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < n && (s[i] == '+' || s[i] == '-') {
			i++
		}
		d := 0
		for i < n && isDigit(s[i]) {
			i++
			d++
		}
		if d == 0 {
			return false
		}
	}
	return i == n
}

func parseNumber(s string) (float64, bool) {
	if !isNumber(s) {
		return 0, false
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		// Out of range: ParseFloat returns ±Inf with ErrRange, which still orders correctly.
		if ne, ok := err.(*strconv.NumError); ok && ne.Err == strconv.ErrRange {
			return f, true
		}
		return 0, false
	}
	return f, true
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func isAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// isWordChar: the characters an unquoted term may contain.
func isWordChar(c byte) bool { return isAlnum(c) || c == '_' }

// isBareValueChar: the characters an unquoted JSON or space-delimited value may
// contain (alphanumerics and '_' per the docs, plus '.', '*', '+', '-' which the
// documented examples use unquoted: 123.123.*, 4*, *.html*, +1000, 1e-3).
func isBareValueChar(c byte) bool {
	return isWordChar(c) || c == '.' || c == '*' || c == '+' || c == '-'
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// quote renders s as a double-quoted pattern string: '\' and '"' are escaped with a
// backslash, as the AWS CDK does when it quotes terms.
func quote(s string) string {
	if !strings.ContainsAny(s, `"\`) {
		return `"` + s + `"`
	}
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		if s[i] == '"' || s[i] == '\\' {
			b.WriteByte('\\')
		}
		b.WriteByte(s[i])
	}
	b.WriteByte('"')
	return b.String()
}

// readQuoted reads a double-quoted string starting at s[i] == '"'. It returns the
// unescaped content and the index after the closing quote. Inside quotes, \" is a
// quote and \\ a backslash; any other backslash is kept as it is.
func readQuoted(s string, i int) (string, int, *Error) {
	start := i
	i++
	j := i
	simple := true
	for j < len(s) && s[j] != '"' {
		if s[j] == '\\' {
			simple = false
			j++
		}
		j++
	}
	if j >= len(s) {
		return "", 0, errorf(start, "unterminated quoted string")
	}
	if simple {
		return s[i:j], j + 1, nil
	}
	var b strings.Builder
	for k := i; k < j; k++ {
		if s[k] == '\\' && k+1 < j && (s[k+1] == '"' || s[k+1] == '\\') {
			k++
		}
		b.WriteByte(s[k])
	}
	return b.String(), j + 1, nil
}
