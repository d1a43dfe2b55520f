package query

import (
	"fmt"
	"unicode/utf8"
)

// ParseError is the one error type Parse returns. Msg says what is wrong,
// Pos where: a byte offset into the query string, with Line and Col (both
// 1-based, Col counted in characters) derived from it. StartQuery answers
// MalformedQueryException with Error() as the message.
type ParseError struct {
	Msg  string
	Pos  int
	Line int
	Col  int
}

// Error renders the message the way CloudWatch Logs does for its ANTLR-based
// parser ("... at line 1 and position 17"); the position is the 0-based
// character offset within the line, as ANTLR reports it.
func (e *ParseError) Error() string {
	return fmt.Sprintf("%s at line %d and position %d", e.Msg, e.Line, e.Col-1)
}

// newError builds a ParseError for offset pos in src.
func newError(src string, pos int, msg string) *ParseError {
	if pos < 0 {
		pos = 0
	}
	if pos > len(src) {
		pos = len(src)
	}
	line, col := 1, 1
	for i := 0; i < pos; {
		r, n := utf8.DecodeRuneInString(src[i:])
		if i+n > pos {
			break
		}
		if r == '\n' {
			line++
			col = 1
		} else {
			col++
		}
		i += n
	}
	return &ParseError{Msg: msg, Pos: pos, Line: line, Col: col}
}

// bail is the panic value the parser uses to unwind on the first error;
// Parse recovers it and returns the *ParseError inside. No other panic is
// recovered.
type bail struct{ err *ParseError }
