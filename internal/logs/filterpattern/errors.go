package filterpattern

import "fmt"

// Messages CloudWatch Logs puts in the InvalidParameterException it returns for a
// pattern it rejects. MsgInvalid is the general one (FilterLogEvents, StartLiveTail,
// TestMetricFilter); PutMetricFilter and PutSubscriptionFilter have been seen to say
// MsgInvalidMetric instead, so a handler for those operations may substitute it when
// Error.Message == MsgInvalid.
const (
	MsgInvalid          = "Invalid filter pattern"
	MsgInvalidMetric    = "Invalid metric filter pattern"
	MsgInvalidCharacter = "Invalid character(s) in term"
	MsgUnclosedBrace    = "If a filter pattern starts with '{' it must end with '}'"
	// MsgUnclosedBracket mirrors MsgUnclosedBrace for space-delimited patterns; the
	// wording is inferred by analogy, not observed.
	MsgUnclosedBracket = "If a filter pattern starts with '[' it must end with ']'"
	// MsgNoDimensions is what PutMetricFilter answers when a metric transformation
	// has dimensions but the pattern is neither JSON nor space-delimited.
	MsgNoDimensions = "The specified filter pattern does not support dimensions"
)

// Error is the error Parse returns for a pattern CloudWatch Logs would reject.
// The handler maps it to InvalidParameterException carrying Message; Reason is our
// more precise explanation (for logs and Vigil's own diagnostics), Offset the byte
// offset in the pattern where the problem was found (-1 when it concerns the whole
// pattern).
type Error struct {
	Message string
	Reason  string
	Offset  int
}

func (e *Error) Error() string {
	if e.Reason == "" {
		return e.Message
	}
	if e.Offset >= 0 {
		return fmt.Sprintf("%s (%s at offset %d)", e.Message, e.Reason, e.Offset)
	}
	return fmt.Sprintf("%s (%s)", e.Message, e.Reason)
}

func errorf(off int, format string, args ...any) *Error {
	return &Error{Message: MsgInvalid, Reason: fmt.Sprintf(format, args...), Offset: off}
}

func charErrorf(off int, format string, args ...any) *Error {
	return &Error{Message: MsgInvalidCharacter, Reason: fmt.Sprintf(format, args...), Offset: off}
}
