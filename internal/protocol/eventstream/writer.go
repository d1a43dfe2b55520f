package eventstream

import "io"

// Writer writes messages to an io.Writer, one Write call per message, and
// flushes after each one when the io.Writer has a Flush() method (as
// http.ResponseWriter implementations do) or a Flush() error method (as
// *bufio.Writer does), so that each event reaches the client as soon as it is
// written.
//
// A Writer is not safe for concurrent use: one goroutine at a time owns it.
// It reuses one buffer, so after the first few messages writing allocates
// nothing unless a message is larger than any before it; a buffer grown past
// 1 MiB by an unusually large message is dropped after that message.
//
// Errors are sticky: once a write or flush fails, the stream's framing can no
// longer be trusted, and every later call returns the same error without
// writing. An encoding error (a header too long, a message too large) writes
// nothing and is not sticky.
type Writer struct {
	w     io.Writer
	flush func() error
	buf   []byte
	hdrs  [3]Header
	err   error
}

// keepBufLen is the largest buffer a Writer keeps between messages.
const keepBufLen = 1 << 20

// NewWriter returns a Writer that writes to w.
func NewWriter(w io.Writer) *Writer {
	ew := &Writer{w: w}
	switch f := w.(type) {
	case interface{ Flush() error }:
		ew.flush = f.Flush
	case interface{ Flush() }:
		ew.flush = func() error { f.Flush(); return nil }
	}
	return ew
}

// Header values of the AWS event stream message types.
var (
	messageTypeEvent     = StringValue("event")
	messageTypeException = StringValue("exception")
	messageTypeError     = StringValue("error")
	contentTypeJSON      = StringValue("application/json")
)

// Event writes an event message: headers :message-type "event",
// :event-type eventType and :content-type "application/json", then payload,
// the JSON serialisation of the event's member structure.
func (w *Writer) Event(eventType string, payload []byte) error {
	w.hdrs = [3]Header{
		{":message-type", messageTypeEvent},
		{":event-type", StringValue(eventType)},
		{":content-type", contentTypeJSON},
	}
	return w.WriteMessage(Message{Headers: w.hdrs[:], Payload: payload})
}

// Exception writes a modeled error of the stream: headers :message-type
// "exception", :exception-type exceptionType (the error shape's member name
// in the event stream union) and :content-type "application/json", then
// payload, the JSON serialisation of the error structure. A client treats it
// as the end of the stream.
func (w *Writer) Exception(exceptionType string, payload []byte) error {
	w.hdrs = [3]Header{
		{":message-type", messageTypeException},
		{":exception-type", StringValue(exceptionType)},
		{":content-type", contentTypeJSON},
	}
	return w.WriteMessage(Message{Headers: w.hdrs[:], Payload: payload})
}

// Error writes an unmodeled error: headers :message-type "error",
// :error-code code and :error-message message, and no payload. A client
// treats it as the end of the stream.
func (w *Writer) Error(code, message string) error {
	w.hdrs = [3]Header{
		{":message-type", messageTypeError},
		{":error-code", StringValue(code)},
		{":error-message", StringValue(message)},
	}
	return w.WriteMessage(Message{Headers: w.hdrs[:]})
}

// WriteMessage writes any message and flushes.
func (w *Writer) WriteMessage(m Message) error {
	if w.err != nil {
		return w.err
	}
	buf, err := AppendMessage(w.buf[:0], m)
	if err != nil {
		return err
	}
	if w.buf = buf; cap(buf) > keepBufLen {
		w.buf = nil
	}
	if _, err := w.w.Write(buf); err != nil {
		w.err = err
		return err
	}
	if w.flush != nil {
		if err := w.flush(); err != nil {
			w.err = err
			return err
		}
	}
	return nil
}
