package shape

import "fmt"

// Error is an AWS error that is not a modeled exception of the operation:
// authentication failures, validation errors, NotImplemented, throttling and
// internal failures. The protocol layer alone decides how it looks on the
// wire.
type Error struct {
	Code    string // e.g. "ValidationException"
	Message string
	Status  int  // HTTP status
	Sender  bool // Sender (client) fault; false means Receiver
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

// ModeledError is implemented by the generated exception types.
type ModeledError interface {
	error
	ErrorShape() *Shape
}

// NotImplemented is the error of an operation no Vigil service implements yet.
func NotImplemented(service, operation string) *Error {
	return &Error{
		Code:    "NotImplemented",
		Message: fmt.Sprintf("%s is not implemented by Vigil's %s service yet", operation, service),
		Status:  501,
		Sender:  false,
	}
}

// Errorf builds a client (Sender) error with HTTP status 400.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...), Status: 400, Sender: true}
}
