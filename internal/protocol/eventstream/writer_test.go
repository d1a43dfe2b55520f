package eventstream

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"net/http/httptest"
	"strings"
	"testing"
)

// flushRecorder records writes and flushes in order.
type flushRecorder struct {
	log []string
}

func (f *flushRecorder) Write(p []byte) (int, error) {
	m, _, err := Decode(p)
	if err != nil {
		f.log = append(f.log, "bad write: "+err.Error())
	} else {
		v, _ := m.Header(":message-type")
		f.log = append(f.log, "write "+v.Str())
	}
	return len(p), nil
}

func (f *flushRecorder) Flush() { f.log = append(f.log, "flush") }

func TestWriterFlushesEachMessage(t *testing.T) {
	var rec flushRecorder
	w := NewWriter(&rec)
	if err := w.Event("a", []byte("{}")); err != nil {
		t.Fatal(err)
	}
	if err := w.Exception("E", []byte("{}")); err != nil {
		t.Fatal(err)
	}
	if err := w.Error("C", "m"); err != nil {
		t.Fatal(err)
	}
	want := "write event,flush,write exception,flush,write error,flush"
	if got := strings.Join(rec.log, ","); got != want {
		t.Fatalf("got %s\nwant %s", got, want)
	}
}

// TestWriterResponseWriter: an http.ResponseWriter gets each message and a
// flush, so the client sees it at once.
func TestWriterResponseWriter(t *testing.T) {
	rw := httptest.NewRecorder()
	w := NewWriter(rw)
	if err := w.Event("sessionStart", []byte(`{"sessionId":"s"}`)); err != nil {
		t.Fatal(err)
	}
	if !rw.Flushed {
		t.Fatal("not flushed")
	}
	m, err := NewReader(rw.Body).Next()
	if err != nil {
		t.Fatal(err)
	}
	et, _ := m.Header(":event-type")
	if et.Str() != "sessionStart" || string(m.Payload) != `{"sessionId":"s"}` {
		t.Fatalf("got %v %s", et, m.Payload)
	}
}

// TestWriterBufio: a Flush() error method is called too, and its error is
// returned.
func TestWriterBufio(t *testing.T) {
	var out bytes.Buffer
	w := NewWriter(bufio.NewWriterSize(&out, 4096))
	if err := w.Event("e", []byte("{}")); err != nil {
		t.Fatal(err)
	}
	if out.Len() == 0 {
		t.Fatal("bufio.Writer not flushed")
	}
	bad := errors.New("disk full")
	w = NewWriter(bufio.NewWriterSize(failWriter{bad}, 4096))
	if err := w.Event("e", []byte("{}")); !errors.Is(err, bad) {
		t.Fatalf("err = %v, want the flush error", err)
	}
}

type failWriter struct{ err error }

func (f failWriter) Write([]byte) (int, error) { return 0, f.err }

// countWriter counts writes and fails from the second on.
type countWriter struct{ n int }

func (c *countWriter) Write(p []byte) (int, error) {
	c.n++
	if c.n > 1 {
		return 0, io.ErrClosedPipe
	}
	return len(p), nil
}

// TestWriterStickyError: after a failed write nothing more is written and
// every call returns the error; an encoding error is neither written nor
// sticky.
func TestWriterStickyError(t *testing.T) {
	cw := &countWriter{}
	w := NewWriter(cw)
	if err := w.Event(strings.Repeat("x", MaxHeaderValueLen+1), nil); !errors.Is(err, ErrHeaderValueTooLong) {
		t.Fatalf("err = %v", err)
	}
	if cw.n != 0 {
		t.Fatal("an invalid message was written")
	}
	if err := w.Event("ok", nil); err != nil {
		t.Fatalf("encoding error was sticky: %v", err)
	}
	if err := w.Event("fails", nil); err != io.ErrClosedPipe {
		t.Fatalf("err = %v", err)
	}
	if err := w.Exception("E", nil); err != io.ErrClosedPipe || cw.n != 2 {
		t.Fatalf("err = %v after %d writes; want the first error, no new write", err, cw.n)
	}
}

// TestWriterNoAllocs: once its buffer has grown, Event allocates nothing.
func TestWriterNoAllocs(t *testing.T) {
	w := NewWriter(io.Discard)
	payload := bytes.Repeat([]byte{'x'}, 2048)
	if err := w.Event("sessionUpdate", payload); err != nil {
		t.Fatal(err)
	}
	if n := testing.AllocsPerRun(100, func() { _ = w.Event("sessionUpdate", payload) }); n != 0 {
		t.Fatalf("%v allocations per Event", n)
	}
}

// TestWriterDropsLargeBuffer: a huge message does not pin its buffer.
func TestWriterDropsLargeBuffer(t *testing.T) {
	w := NewWriter(io.Discard)
	if err := w.Event("big", make([]byte, 2<<20)); err != nil {
		t.Fatal(err)
	}
	if w.buf != nil {
		t.Fatalf("kept a %d-byte buffer", cap(w.buf))
	}
	if err := w.Event("small", make([]byte, 100)); err != nil {
		t.Fatal(err)
	}
	if w.buf == nil {
		t.Fatal("small buffer not kept")
	}
}
