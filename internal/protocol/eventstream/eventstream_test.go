package eventstream

import (
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"github.com/cockroachdb/datadriven"
)

// TestGolden runs testdata/decode.txt; see its header for the commands.
func TestGolden(t *testing.T) {
	datadriven.RunTest(t, "testdata/decode.txt", func(t *testing.T, d *datadriven.TestData) string {
		in := parseHex(t, d.Input)
		var out strings.Builder
		switch d.Cmd {
		case "decode":
			m, n, err := Decode(in)
			if err != nil {
				if n != 0 {
					t.Errorf("n = %d with an error", n)
				}
				return errText(err) + "\n"
			}
			re, err := AppendMessage(nil, m)
			if err != nil {
				t.Fatalf("re-encoding: %v", err)
			}
			if !bytes.Equal(re, in[:n]) {
				t.Fatalf("re-encoding differs:\n got %x\nwant %x", re, in[:n])
			}
			fmt.Fprintf(&out, "n=%d\n", n)
			writeMessage(&out, m)
		case "read":
			// One byte at a time, to exercise the Reader's short reads.
			r := NewReader(iotest.OneByteReader(bytes.NewReader(in)))
			for {
				m, err := r.Next()
				if err != nil {
					if err == io.EOF {
						out.WriteString("EOF\n")
					} else {
						out.WriteString(errText(err) + "\n")
					}
					if _, again := r.Next(); again != err {
						t.Errorf("error not sticky: %v then %v", err, again)
					}
					break
				}
				out.WriteString("message\n")
				writeMessage(&out, m)
			}
		default:
			d.Fatalf(t, "unknown command %q", d.Cmd)
		}
		return out.String()
	})
}

// parseHex reads annotated hex: text after # is a comment, whitespace is
// ignored.
func parseHex(t testing.TB, s string) []byte {
	var clean strings.Builder
	for line := range strings.Lines(s) {
		line, _, _ = strings.Cut(line, "#")
		clean.WriteString(strings.Join(strings.Fields(line), ""))
	}
	b, err := hex.DecodeString(clean.String())
	if err != nil {
		t.Fatalf("bad hex: %v", err)
	}
	return b
}

func writeMessage(w io.Writer, m Message) {
	for _, h := range m.Headers {
		line := fmt.Sprintf("header %q %s %s", h.Name, h.Value.Type(), formatValue(h.Value))
		fmt.Fprintln(w, strings.TrimRight(line, " "))
	}
	if len(m.Payload) > 0 {
		fmt.Fprintf(w, "payload %q\n", m.Payload)
	}
}

func formatValue(v HeaderValue) string {
	if v.Type() == TypeString {
		return strconv.Quote(v.Str())
	}
	return v.String()
}

var namedErrors = []struct {
	err  error
	name string
}{
	{ErrTruncated, "ErrTruncated"},
	{ErrPreludeChecksum, "ErrPreludeChecksum"},
	{ErrMessageChecksum, "ErrMessageChecksum"},
	{ErrMalformed, "ErrMalformed"},
	{ErrHeaderNameTooLong, "ErrHeaderNameTooLong"},
	{ErrHeaderValueTooLong, "ErrHeaderValueTooLong"},
	{ErrHeadersTooLarge, "ErrHeadersTooLarge"},
	{ErrMessageTooLarge, "ErrMessageTooLarge"},
	{ErrInvalidValue, "ErrInvalidValue"},
}

// errName returns the name of the one sentinel err matches, or "".
func errName(err error) string {
	name := ""
	for _, e := range namedErrors {
		if errors.Is(err, e.err) {
			if name != "" {
				return ""
			}
			name = e.name
		}
	}
	return name
}

func errText(err error) string {
	name := errName(err)
	if name == "" {
		name = "unnamed error"
	}
	return name + ": " + err.Error()
}

func TestAppendMessageLimits(t *testing.T) {
	long := func(n int) string { return strings.Repeat("x", n) }
	// Four headers of 5 + 32763 bytes fill the headers section exactly.
	full := make([]Header, 4)
	for i := range full {
		full[i] = Header{Name: "h", Value: StringValue(long(32763))}
	}
	over := append([]Header(nil), full...)
	over[3].Value = StringValue(long(32764))
	tests := []struct {
		name string
		m    Message
		want error
	}{
		{"name at limit", Message{Headers: []Header{{long(255), BoolValue(true)}}}, nil},
		{"name over limit", Message{Headers: []Header{{long(256), BoolValue(true)}}}, ErrHeaderNameTooLong},
		{"string at limit", Message{Headers: []Header{{"s", StringValue(long(MaxHeaderValueLen))}}}, nil},
		{"string over limit", Message{Headers: []Header{{"s", StringValue(long(MaxHeaderValueLen + 1))}}}, ErrHeaderValueTooLong},
		{"bytes over limit", Message{Headers: []Header{{"b", BytesValue(make([]byte, MaxHeaderValueLen+1))}}}, ErrHeaderValueTooLong},
		{"zero value", Message{Headers: []Header{{"z", HeaderValue{}}}}, ErrInvalidValue},
		{"headers at limit", Message{Headers: full}, nil},
		{"headers over limit", Message{Headers: over}, ErrHeadersTooLarge},
		{"message at limit", Message{Payload: make([]byte, MaxMessageLen-minMessageLen)}, nil},
		{"message over limit", Message{Payload: make([]byte, MaxMessageLen-minMessageLen+1)}, ErrMessageTooLarge},
		{"message over limit with headers", Message{Headers: []Header{{"a", BoolValue(true)}}, Payload: make([]byte, MaxMessageLen-minMessageLen-2)}, ErrMessageTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dst := []byte("prefix")
			got, err := AppendMessage(dst, tt.m)
			if !errors.Is(err, tt.want) || (err == nil) != (tt.want == nil) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
			if err != nil {
				if string(got) != "prefix" {
					t.Fatalf("dst changed on error: %d bytes", len(got))
				}
				return
			}
			m, n, err := Decode(got[len("prefix"):])
			if err != nil || n != len(got)-len("prefix") {
				t.Fatalf("Decode: n=%d, err=%v", n, err)
			}
			if !messagesEqual(m, tt.m) {
				t.Fatal("decoded message differs")
			}
		})
	}
}

func messagesEqual(a, b Message) bool {
	if len(a.Headers) != len(b.Headers) || !bytes.Equal(a.Payload, b.Payload) {
		return false
	}
	for i := range a.Headers {
		if a.Headers[i].Name != b.Headers[i].Name || !a.Headers[i].Value.Equal(b.Headers[i].Value) {
			return false
		}
	}
	return true
}

// TestDecodeAliasing: the payload refers to the input but cannot be appended
// over what follows it.
func TestDecodeAliasing(t *testing.T) {
	b, _ := AppendMessage(nil, Message{Headers: []Header{{"b", BytesValue([]byte("ab"))}}, Payload: []byte("xy")})
	b, _ = AppendMessage(b, Message{Payload: []byte("next")})
	m, n, err := Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	_ = append(m.Payload, '!')
	v, _ := m.Header("b")
	_ = append(v.Bytes(), '!')
	if m2, _, err := Decode(b[n:]); err != nil || string(m2.Payload) != "next" {
		t.Fatalf("second message damaged: %q, %v", m2.Payload, err)
	}
}

func TestMessageHeader(t *testing.T) {
	m := Message{Headers: []Header{{"a", Int32Value(1)}, {"b", StringValue("x")}, {"a", Int32Value(2)}}}
	if v, ok := m.Header("a"); !ok || v.Int64() != 1 {
		t.Errorf("a = %v, %v; want the first, 1", v, ok)
	}
	if v, ok := m.Header("b"); !ok || v.Str() != "x" {
		t.Errorf("b = %v, %v", v, ok)
	}
	if v, ok := m.Header("c"); ok || v.Type() != TypeInvalid {
		t.Errorf("c = %v, %v; want missing", v, ok)
	}
}

func TestHeaderValue(t *testing.T) {
	ts := time.Date(2026, 3, 1, 12, 30, 0, 456_789_000, time.UTC)
	u := [16]byte{0: 0xde, 1: 0xad, 15: 0x01}
	tests := []struct {
		v    HeaderValue
		typ  ValueType
		str  string
		back any
	}{
		{BoolValue(true), TypeBool, "true", true},
		{BoolValue(false), TypeBool, "false", false},
		{ByteValue(-128), TypeByte, "-128", int64(-128)},
		{Int16Value(-32768), TypeInt16, "-32768", int64(-32768)},
		{Int32Value(2147483647), TypeInt32, "2147483647", int64(2147483647)},
		{Int64Value(-9223372036854775808), TypeInt64, "-9223372036854775808", int64(-9223372036854775808)},
		{BytesValue([]byte{0xca, 0xfe}), TypeBytes, "cafe", []byte{0xca, 0xfe}},
		{StringValue("héllo"), TypeString, "héllo", "héllo"},
		{TimestampValue(ts), TypeTimestamp, "2026-03-01T12:30:00.456Z", ts.Truncate(time.Millisecond)},
		{UUIDValue(u), TypeUUID, "dead0000-0000-0000-0000-000000000001", u},
		{HeaderValue{}, TypeInvalid, "<invalid>", nil},
	}
	for _, tt := range tests {
		if tt.v.Type() != tt.typ || tt.v.String() != tt.str {
			t.Errorf("%v: type %v, String %q; want %v, %q", tt.v, tt.v.Type(), tt.v.String(), tt.typ, tt.str)
		}
		var back any
		switch tt.typ {
		case TypeBool:
			back = tt.v.Bool()
		case TypeByte, TypeInt16, TypeInt32, TypeInt64:
			back = tt.v.Int64()
		case TypeBytes:
			back = tt.v.Bytes()
		case TypeString:
			back = tt.v.Str()
		case TypeTimestamp:
			back = tt.v.Time()
			if tt.v.UnixMilli() != ts.UnixMilli() {
				t.Errorf("UnixMilli = %d", tt.v.UnixMilli())
			}
		case TypeUUID:
			back = tt.v.UUID()
		}
		if fmt.Sprint(back) != fmt.Sprint(tt.back) {
			t.Errorf("%v: accessor gave %v, want %v", tt.v, back, tt.back)
		}
		if !tt.v.Equal(tt.v) {
			t.Errorf("%v not Equal to itself", tt.v)
		}
	}
	if BoolValue(true).Equal(BoolValue(false)) || Int32Value(1).Equal(Int64Value(1)) || StringValue("a").Equal(BytesValue([]byte("a"))) {
		t.Error("Equal confuses values")
	}
	if ValueType(42).String() != "ValueType(42)" {
		t.Errorf("ValueType(42) = %q", ValueType(42).String())
	}
}

func TestHeaderValueWrongType(t *testing.T) {
	defer func() {
		if r := recover(); r == nil || !strings.Contains(fmt.Sprint(r), "string used as int64") {
			t.Errorf("recovered %v", r)
		}
	}()
	StringValue("x").Int64()
}
