package transform

// Error is a target input setting PutTargets rejects, or an event Apply
// cannot transform. Message is the ValidationException message; where AWS
// does not document one the wording is ours.
type Error struct {
	Message string
}

func (e *Error) Error() string { return e.Message }

func invalid(msg string) *Error { return &Error{Message: msg} }
