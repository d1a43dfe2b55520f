package eventstream

import (
	"bytes"
	"io"
	"testing"
)

// discardFlusher is an http.ResponseWriter's shape as far as Writer cares: a
// Write and a Flush.
type discardFlusher struct{ flushes int }

func (d *discardFlusher) Write(p []byte) (int, error) { return len(p), nil }
func (d *discardFlusher) Flush()                      { d.flushes++ }

// BenchmarkWriterEvent writes a StartLiveTail-sized event: a 2 KiB JSON
// payload, flushed.
func BenchmarkWriterEvent(b *testing.B) {
	payload := bytes.Repeat([]byte{'x'}, 2048)
	w := NewWriter(&discardFlusher{})
	b.SetBytes(int64(len(payload)))
	b.ReportAllocs()
	for b.Loop() {
		if err := w.Event("sessionUpdate", payload); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecode(b *testing.B) {
	msg, err := AppendMessage(nil, Message{Headers: []Header{
		{":message-type", StringValue("event")}, {":event-type", StringValue("sessionUpdate")}, {":content-type", StringValue("application/json")},
	}, Payload: bytes.Repeat([]byte{'x'}, 2048)})
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(msg)))
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := Decode(msg); err != nil {
			b.Fatal(err)
		}
	}
}

var _ io.Writer = (*discardFlusher)(nil)
