package schedule

// Message is the text PutRule returns in ValidationException for any
// schedule expression it rejects.
const Message = "Parameter ScheduleExpression is not valid."

// Error is an expression Parse rejects. Error() is AWS's message, which
// never says what is wrong; Reason does, for logs and tests.
type Error struct {
	Reason string
}

func (e *Error) Error() string { return Message }

func invalid(reason string) *Error { return &Error{Reason: reason} }
