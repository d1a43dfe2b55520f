package metricmath

import (
	"errors"
	"fmt"
)

// Error is the error type of Parse, ParseSearch and Eval. Pos is the 0-based
// byte offset in the expression text where the problem was found.
type Error struct {
	Pos int
	Msg string
	// Unsupported is set when the expression uses syntax or a function that
	// CloudWatch documents but Vigil does not implement yet.
	Unsupported bool
}

// Error formats the message in CloudWatch's style with a 1-based position.
func (e *Error) Error() string {
	return fmt.Sprintf("%s at position %d", e.Msg, e.Pos+1)
}

// ErrInsightsQuery is returned (wrapped in an *Error) by Parse when the
// expression is a Metrics Insights query (it starts with SELECT).
var ErrInsightsQuery = errors.New("metricmath: expression is a Metrics Insights query")

// Is lets errors.Is(err, ErrInsightsQuery) work on the *Error returned for a
// SELECT query.
func (e *Error) Is(target error) bool {
	return target == ErrInsightsQuery && e.Msg == insightsMsg
}

const insightsMsg = "A Metrics Insights query is not a metric math expression"

func errorf(pos int, format string, args ...any) *Error {
	return &Error{Pos: pos, Msg: fmt.Sprintf(format, args...)}
}

func unsupportedf(pos int, format string, args ...any) *Error {
	return &Error{Pos: pos, Msg: fmt.Sprintf(format, args...), Unsupported: true}
}
