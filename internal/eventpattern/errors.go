package eventpattern

import (
	"errors"
	"fmt"
	"unicode/utf8"
)

// PatternError is a pattern rejected by Compile. Its Error text is the
// message EventBridge puts in InvalidEventPatternException: "Event pattern is
// not valid. Reason: <reason>\n at [Source: (String)\"<pattern>\"; line: L,
// column: C]", where the location is just after the last character read.
type PatternError struct {
	Reason string
	Line   int // 1-based
	Column int // 1-based, counted in characters
	source string
}

func (e *PatternError) Error() string {
	return fmt.Sprintf("Event pattern is not valid. Reason: %s\n at [Source: (String)%s; line: %d, column: %d]",
		e.Reason, e.source, e.Line, e.Column)
}

// maxSourceInError is how much of the pattern the location quotes; longer
// patterns are cut with a "[truncated N chars]" marker as Jackson does.
const maxSourceInError = 500

func newPatternError(src []byte, pos int, reason string) *PatternError {
	line, col := 1, 1
	for i := 0; i < pos && i < len(src); {
		r, n := utf8.DecodeRune(src[i:])
		if r == '\n' {
			line++
			col = 1
		} else {
			col++
		}
		i += n
	}
	s := string(src)
	if n := utf8.RuneCountInString(s); n > maxSourceInError {
		s = "\"" + string([]rune(s)[:maxSourceInError]) + fmt.Sprintf("\"[truncated %d chars]", n-maxSourceInError)
	} else {
		s = "\"" + s + "\""
	}
	return &PatternError{Reason: reason, Line: line, Column: col, source: s}
}

// ErrEventNotObject is returned by matching when the event is not a JSON object.
var ErrEventNotObject = errors.New("eventpattern: event is not a JSON object")

// EventError is a malformed event.
type EventError struct {
	Offset int
	Msg    string
}

func (e *EventError) Error() string {
	return fmt.Sprintf("eventpattern: invalid event JSON at offset %d: %s", e.Offset, e.Msg)
}
