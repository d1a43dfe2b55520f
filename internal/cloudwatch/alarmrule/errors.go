package alarmrule

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Error is the error type of Parse. Msg is the complete client-facing
// message, "Error in AlarmRule [...]"; Pos is the 0-based byte offset in the
// rule where the problem was found and Char the same place counted in
// characters (the index the message shows).
type Error struct {
	Pos  int
	Char int
	Msg  string
}

func (e *Error) Error() string { return e.Msg }

// errAt builds an *Error for the problem at byte offset pos of src. The
// position is written where the message says {at}, or appended.
func errAt(src string, pos int, format string, args ...any) *Error {
	ch := utf8.RuneCountInString(src[:pos])
	inner := fmt.Sprintf(format, args...)
	at := fmt.Sprintf("at char %d", ch)
	if strings.Contains(inner, "{at}") {
		inner = strings.Replace(inner, "{at}", at, 1)
	} else {
		inner += " " + at
	}
	return &Error{Pos: pos, Char: ch, Msg: "Error in AlarmRule [" + inner + "]"}
}

// errExpected is the "Unsupported token" error CloudWatch returns, naming
// what may appear at that place.
func errExpected(src string, t token, expected string) *Error {
	ch := utf8.RuneCountInString(src[:t.pos])
	var msg string
	if t.kind == tEOF {
		msg = fmt.Sprintf("Error in AlarmRule [Unexpected end of AlarmRule at char %d, must be: %s]", ch, expected)
	} else {
		hint := ""
		if t.kind == tWord && isLowerKeyword(t.text) {
			hint = " (keywords are written in upper case)"
		}
		msg = fmt.Sprintf("Error in AlarmRule [Unsupported token '%s' at char %d, must be: %s%s]",
			truncate(src[t.pos:t.end]), ch, expected, hint)
	}
	return &Error{Pos: t.pos, Char: ch, Msg: msg}
}

// What may appear where; the first is CloudWatch's own wording.
const (
	expectOperand  = "'(', 'NOT', AT_LEAST, TRUE or FALSE, ALARM, OK, or INSUFFICIENT_DATA"
	expectTopOp    = "'AND', 'OR', or end of AlarmRule"
	expectParenOp  = "'AND', 'OR', or ')'"
	expectLParen   = "'('"
	expectRParen   = "')'"
	expectComma    = "','"
	expectRef      = "an alarm name or ARN"
	expectListNext = "',' or ')'"
	expectThresh   = "a count (such as 2) or a percentage (such as 50%)"
	expectState    = "ALARM, OK, INSUFFICIENT_DATA, NOT ALARM, NOT OK, or NOT INSUFFICIENT_DATA"
)

// truncate keeps error messages readable when a token is huge.
func truncate(s string) string {
	const max = 100
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	i, n := 0, 0
	for i = range s {
		if n == max {
			break
		}
		n++
	}
	return s[:i] + "..."
}
