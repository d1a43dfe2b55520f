package eventstream

import (
	"errors"
	"fmt"
	"io"
)

// Reader reads messages one at a time from an io.Reader, such as a response
// body. It reads exactly the bytes of each message, no further.
//
// A Reader is not safe for concurrent use. Errors are sticky: after the first
// error every call to Next returns it again, since a stream that lost its
// framing cannot be resynchronised.
type Reader struct {
	r   io.Reader
	err error
}

// NewReader returns a Reader that reads from r.
func NewReader(r io.Reader) *Reader { return &Reader{r: r} }

// Next reads and decodes the next message; the message owns its memory. It
// returns io.EOF when the stream ends cleanly between two messages. A stream
// that ends inside a message gives an error that matches both ErrTruncated
// and io.ErrUnexpectedEOF; the other errors are Decode's and the underlying
// reader's.
func (r *Reader) Next() (Message, error) {
	if r.err != nil {
		return Message{}, r.err
	}
	m, err := r.next()
	if err != nil {
		r.err = err
	}
	return m, err
}

func (r *Reader) next() (Message, error) {
	var p [preludeLen]byte
	if n, err := io.ReadFull(r.r, p[:]); err != nil {
		if errors.Is(err, io.ErrUnexpectedEOF) {
			return Message{}, fmt.Errorf("%w: %w: stream ended %d bytes into a prelude", ErrTruncated, io.ErrUnexpectedEOF, n)
		}
		return Message{}, err // io.EOF when n == 0, or the reader's error
	}
	total, _, err := parsePrelude(p[:])
	if err != nil {
		return Message{}, err
	}
	buf := make([]byte, total)
	copy(buf, p[:])
	if n, err := io.ReadFull(r.r, buf[preludeLen:]); err != nil {
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return Message{}, fmt.Errorf("%w: %w: stream ended after %d bytes of a %d-byte message", ErrTruncated, io.ErrUnexpectedEOF, preludeLen+n, total)
		}
		return Message{}, err
	}
	m, _, err := Decode(buf)
	return m, err
}
