package eventstream

import (
	"bytes"
	"fmt"
	"io"
	"math/rand/v2"
	"strconv"
	"testing"
	"time"

	sdk "github.com/aws/aws-sdk-go-v2/aws/protocol/eventstream"
)

// The tests in this file check the codec against the aws-sdk-go-v2 event
// stream package, the decoder the real CloudWatch Logs client runs on
// StartLiveTail responses: the SDK must decode what we encode, we must decode
// what it encodes, and both must produce the same bytes.

// toSDK converts a message to the SDK's representation.
func toSDK(t testing.TB, m Message) sdk.Message {
	var s sdk.Message
	for _, h := range m.Headers {
		var v sdk.Value
		switch h.Value.Type() {
		case TypeBool:
			v = sdk.BoolValue(h.Value.Bool())
		case TypeByte:
			v = sdk.Int8Value(h.Value.Int64())
		case TypeInt16:
			v = sdk.Int16Value(h.Value.Int64())
		case TypeInt32:
			v = sdk.Int32Value(h.Value.Int64())
		case TypeInt64:
			v = sdk.Int64Value(h.Value.Int64())
		case TypeBytes:
			v = sdk.BytesValue(h.Value.Bytes())
		case TypeString:
			v = sdk.StringValue(h.Value.Str())
		case TypeTimestamp:
			v = sdk.TimestampValue(h.Value.Time())
		case TypeUUID:
			v = sdk.UUIDValue(h.Value.UUID())
		default:
			t.Fatalf("header %q: type %v", h.Name, h.Value.Type())
		}
		s.Headers = append(s.Headers, sdk.Header{Name: h.Name, Value: v})
	}
	s.Payload = m.Payload
	return s
}

// fromSDK converts a message from the SDK's representation.
func fromSDK(t testing.TB, s sdk.Message) Message {
	var m Message
	for _, h := range s.Headers {
		var v HeaderValue
		switch sv := h.Value.(type) {
		case sdk.BoolValue:
			v = BoolValue(bool(sv))
		case sdk.Int8Value:
			v = ByteValue(int8(sv))
		case sdk.Int16Value:
			v = Int16Value(int16(sv))
		case sdk.Int32Value:
			v = Int32Value(int32(sv))
		case sdk.Int64Value:
			v = Int64Value(int64(sv))
		case sdk.BytesValue:
			v = BytesValue(sv)
		case sdk.StringValue:
			v = StringValue(string(sv))
		case sdk.TimestampValue:
			v = TimestampValue(time.Time(sv))
		case sdk.UUIDValue:
			v = UUIDValue(sv)
		default:
			t.Fatalf("header %q: SDK value %T", h.Name, h.Value)
		}
		m.Headers = append(m.Headers, Header{Name: h.Name, Value: v})
	}
	if len(s.Payload) > 0 {
		m.Payload = s.Payload
	}
	return m
}

// randomMessage returns a message with distinct header names (the SDK
// decoder keeps only the last header of a name) of every type, and a payload
// of up to 4 KiB. Timestamps stay within time.Time.UnixNano's range, which
// the SDK's encoder goes through.
func randomMessage(r *rand.Rand) Message {
	var m Message
	for i := range r.IntN(12) {
		name := fmt.Sprintf(":h%d-%s", i, bytes.Repeat([]byte{'n'}, r.IntN(40)))
		var v HeaderValue
		switch ValueType(1 + r.IntN(9)) {
		case TypeBool:
			v = BoolValue(r.IntN(2) == 0)
		case TypeByte:
			v = ByteValue(int8(r.Uint32()))
		case TypeInt16:
			v = Int16Value(int16(r.Uint32()))
		case TypeInt32:
			v = Int32Value(int32(r.Uint32()))
		case TypeInt64:
			v = Int64Value(int64(r.Uint64()))
		case TypeBytes:
			b := make([]byte, r.IntN(300))
			for j := range b {
				b[j] = byte(r.Uint32())
			}
			v = BytesValue(b)
		case TypeString:
			v = StringValue(string(bytes.Repeat([]byte("é"), r.IntN(100))))
		case TypeTimestamp:
			v = TimestampValue(time.UnixMilli(r.Int64N(2*9_000_000_000_000) - 9_000_000_000_000))
		case TypeUUID:
			var u [16]byte
			for j := range u {
				u[j] = byte(r.Uint32())
			}
			v = UUIDValue(u)
		}
		m.Headers = append(m.Headers, Header{Name: name, Value: v})
	}
	if n := r.IntN(4096); n > 0 {
		m.Payload = make([]byte, n)
		for j := range m.Payload {
			m.Payload[j] = byte(r.Uint32())
		}
	}
	return m
}

func interopMessages() []Message {
	ms := []Message{
		{},
		{Payload: []byte(`{"sessionStart":{}}`)},
		{Headers: []Header{{":message-type", StringValue("event")}, {":event-type", StringValue("sessionStart")}, {":content-type", StringValue("application/json")}}, Payload: []byte(`{"requestId":"r","sessionId":"s"}`)},
		{Headers: []Header{
			{"t", BoolValue(true)}, {"f", BoolValue(false)}, {"b", ByteValue(-1)}, {"s", Int16Value(-2)},
			{"i", Int32Value(-3)}, {"l", Int64Value(-4)}, {"ba", BytesValue([]byte{0, 1, 2})}, {"str", StringValue("ünïcode")},
			{"ts", TimestampValue(time.Date(2026, 1, 2, 3, 4, 5, 6_000_000, time.UTC))}, {"ts0", TimestampValue(time.UnixMilli(-1))},
			{"id", UUIDValue([16]byte{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16})},
			{"max", StringValue(string(bytes.Repeat([]byte{'v'}, MaxHeaderValueLen)))},
		}, Payload: bytes.Repeat([]byte{0xff}, 70000)},
	}
	r := rand.New(rand.NewPCG(1, 2))
	for range 500 {
		ms = append(ms, randomMessage(r))
	}
	return ms
}

// TestInteropSDKDecodesOurs: the SDK decodes every message we encode, and
// its encoder writes the very same bytes.
func TestInteropSDKDecodesOurs(t *testing.T) {
	dec := sdk.NewDecoder()
	enc := sdk.NewEncoder()
	for i, m := range interopMessages() {
		ours, err := AppendMessage(nil, m)
		if err != nil {
			t.Fatalf("message %d: %v", i, err)
		}
		got, err := dec.Decode(bytes.NewReader(ours), nil)
		if err != nil {
			t.Fatalf("message %d: SDK decode: %v", i, err)
		}
		if !messagesEqual(fromSDK(t, got), m) {
			t.Fatalf("message %d: SDK decoded a different message", i)
		}
		var theirs bytes.Buffer
		if err := enc.Encode(&theirs, toSDK(t, m)); err != nil {
			t.Fatalf("message %d: SDK encode: %v", i, err)
		}
		if !bytes.Equal(ours, theirs.Bytes()) {
			t.Fatalf("message %d: encodings differ:\nours   %x\ntheirs %x", i, ours, theirs.Bytes())
		}
	}
}

// TestInteropWeDecodeSDK: Decode and Reader decode every message the SDK
// encodes, from a single stream.
func TestInteropWeDecodeSDK(t *testing.T) {
	enc := sdk.NewEncoder()
	ms := interopMessages()
	var stream bytes.Buffer
	for i, m := range ms {
		if err := enc.Encode(&stream, toSDK(t, m)); err != nil {
			t.Fatalf("message %d: SDK encode: %v", i, err)
		}
	}
	b := stream.Bytes()
	r := NewReader(bytes.NewReader(b))
	for i, want := range ms {
		m, n, err := Decode(b)
		if err != nil {
			t.Fatalf("message %d: %v", i, err)
		}
		b = b[n:]
		if !messagesEqual(m, want) {
			t.Fatalf("message %d: Decode gave a different message", i)
		}
		rm, err := r.Next()
		if err != nil || !messagesEqual(rm, want) {
			t.Fatalf("message %d: Reader: err %v, equal %v", i, err, messagesEqual(rm, want))
		}
	}
	if len(b) != 0 {
		t.Fatalf("%d bytes left", len(b))
	}
	if _, err := r.Next(); err != io.EOF {
		t.Fatalf("Reader at end: %v", err)
	}
}

// TestInteropWriter: a stream written by Writer, as the server sends it,
// reads back through the SDK decoder.
func TestInteropWriter(t *testing.T) {
	var stream bytes.Buffer
	w := NewWriter(&stream)
	for i := range 50 {
		if err := w.Event("sessionUpdate", []byte(`{"n":`+strconv.Itoa(i)+`}`)); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Exception("SessionStreamingException", []byte(`{"message":"bye"}`)); err != nil {
		t.Fatal(err)
	}
	if err := w.Error("InternalFailure", "oops"); err != nil {
		t.Fatal(err)
	}
	dec := sdk.NewDecoder()
	for i := range 50 {
		m, err := dec.Decode(&stream, nil)
		if err != nil {
			t.Fatal(err)
		}
		if got := m.Headers.Get(":message-type"); got != sdk.StringValue("event") {
			t.Fatalf("event %d: :message-type %v", i, got)
		}
		if got := m.Headers.Get(":event-type"); got != sdk.StringValue("sessionUpdate") {
			t.Fatalf("event %d: :event-type %v", i, got)
		}
		if got := m.Headers.Get(":content-type"); got != sdk.StringValue("application/json") {
			t.Fatalf("event %d: :content-type %v", i, got)
		}
		if want := `{"n":` + strconv.Itoa(i) + `}`; string(m.Payload) != want {
			t.Fatalf("event %d: payload %s", i, m.Payload)
		}
	}
	m, err := dec.Decode(&stream, nil)
	if err != nil {
		t.Fatal(err)
	}
	if m.Headers.Get(":message-type") != sdk.StringValue("exception") || m.Headers.Get(":exception-type") != sdk.StringValue("SessionStreamingException") ||
		m.Headers.Get(":content-type") != sdk.StringValue("application/json") || string(m.Payload) != `{"message":"bye"}` {
		t.Fatalf("exception: %v %s", m.Headers, m.Payload)
	}
	m, err = dec.Decode(&stream, nil)
	if err != nil {
		t.Fatal(err)
	}
	if m.Headers.Get(":message-type") != sdk.StringValue("error") || m.Headers.Get(":error-code") != sdk.StringValue("InternalFailure") ||
		m.Headers.Get(":error-message") != sdk.StringValue("oops") || len(m.Payload) != 0 {
		t.Fatalf("error: %v %s", m.Headers, m.Payload)
	}
	if stream.Len() != 0 {
		t.Fatalf("%d bytes left", stream.Len())
	}
}
