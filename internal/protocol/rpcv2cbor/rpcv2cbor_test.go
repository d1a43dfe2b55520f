package rpcv2cbor

import (
	"encoding/hex"
	"errors"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/vigilhq/vigil/internal/api/cloudwatch"
	"github.com/vigilhq/vigil/internal/api/shape"
	"github.com/vigilhq/vigil/internal/protocol"
	"github.com/vigilhq/vigil/internal/protocol/internal/shapetest"
)

func req(body []byte) *protocol.Request {
	return &protocol.Request{Service: shapetest.AllService, Op: shapetest.AllOp, Body: body, RequestID: "rid"}
}

func full() *shapetest.AllTypes {
	ts := time.Date(2023, 11, 14, 22, 13, 20, 123e6, time.UTC)
	return &shapetest.AllTypes{
		S: shape.Ptr("héllo"), B: shape.Ptr(true), I: shape.Ptr[int32](-42), L: shape.Ptr[int64](1 << 40),
		F: shape.Ptr[float32](1.5), D: shape.Ptr(0.1), T: &ts, Blob: []byte("hi\x00"),
		Strs:    []string{"a", "b"},
		Structs: []shapetest.Inner{{Name: shape.Ptr("x"), Value: shape.Ptr(2.0)}, {}},
		M:       map[string]int64{"b": 2, "a": -1},
		MS:      map[string]shapetest.Inner{"k": {Name: shape.Ptr("v")}},
		Nested:  &shapetest.Inner{Value: shape.Ptr(1e300)},
		Doc:     map[string]any{"x": []any{1.0, "s", true, nil, map[string]any{}, 2.5}},
		Renamed: shape.Ptr("r"),
		Times:   []time.Time{time.Unix(1700000000, 0).UTC()},
		Lists:   [][]int32{{1, 2}, {}},
		Rec:     &shapetest.AllTypes{S: shape.Ptr("deep")},
		Bools:   []bool{false},
		Empty:   []string{},
	}
}

func mustHex(s string) []byte {
	b, err := hex.DecodeString(strings.NewReplacer(" ", "", "\n", "", "\t", "").Replace(s))
	if err != nil {
		panic(err)
	}
	return b
}

func TestEncodeGolden(t *testing.T) {
	ts := time.Unix(1700000000, 0)
	v := &shapetest.AllTypes{S: shape.Ptr("a"), B: shape.Ptr(false), I: shape.Ptr[int32](-1), L: shape.Ptr[int64](500), F: shape.Ptr[float32](1.5),
		D: shape.Ptr(math.Inf(1)), T: &ts, Blob: []byte{1, 2}, Strs: []string{"x"}, M: map[string]int64{"k": 24}, Empty: []string{}}
	want := mustHex(`ab
		61 53  61 61
		61 42  f4
		61 49  20
		61 4c  19 01f4
		61 46  fa 3fc00000
		61 44  fb 7ff0000000000000
		61 54  c1 fb 41d954fc40000000
		64 426c6f62  42 0102
		64 53747273  81 61 78
		61 4d  a1 61 6b 18 18
		65 456d707479  80`)
	var resp protocol.Response
	New().EncodeOutput(req(nil), v, &resp)
	if got := resp.Body.Bytes(); !reflect.DeepEqual(got, want) {
		t.Fatalf("got  %x\nwant %x", got, want)
	}
	if resp.Status != 200 || resp.Header.Get("Smithy-Protocol") != "rpc-v2-cbor" || resp.Header.Get("Content-Type") != "application/cbor" ||
		resp.Header.Get("X-Amzn-RequestId") != "rid" {
		t.Fatalf("%d %v", resp.Status, resp.Header)
	}
}

func TestRoundTrip(t *testing.T) {
	var resp protocol.Response
	New().EncodeOutput(req(nil), full(), &resp)
	var got shapetest.AllTypes
	if err := New().Decode(req(resp.Body.Bytes()), &got); err != nil {
		t.Fatal(err)
	}
	if want := full(); !reflect.DeepEqual(&got, want) {
		t.Fatalf("round trip:\n got %+v\nwant %+v", got, *want)
	}
}

func TestEncodeEmpty(t *testing.T) {
	for _, out := range []any{nil, (*shapetest.AllTypes)(nil), &shapetest.AllTypes{}, &struct{}{}} {
		var resp protocol.Response
		New().EncodeOutput(req(nil), out, &resp)
		if resp.Body.String() != "\xa0" {
			t.Errorf("%T: %x", out, resp.Body.Bytes())
		}
	}
}

func TestSpecialFloatsAndTimes(t *testing.T) {
	v := &shapetest.AllTypes{D: shape.Ptr(math.NaN()), F: shape.Ptr(float32(math.Inf(-1))),
		Times: []time.Time{time.UnixMilli(1700000000123), time.UnixMilli(1700000000001), time.UnixMilli(-1500)}}
	var resp protocol.Response
	New().EncodeOutput(req(nil), v, &resp)
	var got shapetest.AllTypes
	if err := New().Decode(req(resp.Body.Bytes()), &got); err != nil {
		t.Fatal(err)
	}
	if !math.IsNaN(*got.D) || !math.IsInf(float64(*got.F), -1) {
		t.Fatalf("%v %v", *got.D, *got.F)
	}
	for i, tm := range got.Times {
		if !tm.Equal(v.Times[i]) {
			t.Errorf("time %d: %v != %v", i, tm, v.Times[i])
		}
	}
	// What a reader that multiplies by 1000 and truncates gets back.
	b := resp.Body.Bytes()
	i := strings.Index(string(b), "\xc1\xfb")
	f := math.Float64frombits(uint64(b[i+2])<<56 | uint64(b[i+3])<<48 | uint64(b[i+4])<<40 | uint64(b[i+5])<<32 | uint64(b[i+6])<<24 | uint64(b[i+7])<<16 | uint64(b[i+8])<<8 | uint64(b[i+9]))
	if int64(f*1e3) != 1700000000123 {
		t.Fatalf("truncating reader gets %d", int64(f*1e3))
	}
}

func TestDecodeVariants(t *testing.T) {
	ts := time.Unix(1700000000, 0).UTC()
	cases := []struct {
		name string
		body string
		want shapetest.AllTypes
	}{
		{"empty body", ``, shapetest.AllTypes{}},
		{"empty map", `a0`, shapetest.AllTypes{}},
		{"indefinite empty map", `bf ff`, shapetest.AllTypes{}},
		{"top-level null", `f6`, shapetest.AllTypes{}},
		{"null and undefined members", `a2 6153 f6 6149 f7`, shapetest.AllTypes{}},
		{"unknown keys skipped", `a3 63 756e6b bf 61 61 9f 01 c1 02 ff ff  6153 6178  62 7878 a1 01 02`, shapetest.AllTypes{S: shape.Ptr("x")}},
		{"chunked text and key", `a1 7f 61 53 ff 7f 62 6865 63 6c6c6f ff`, shapetest.AllTypes{S: shape.Ptr("hello")}},
		{"chunked bytes", `a1 64 426c6f62 5f 41 01 42 0203 ff`, shapetest.AllTypes{Blob: []byte{1, 2, 3}}},
		{"indefinite list", `a1 64 53747273 9f 61 61 f6 61 62 ff`, shapetest.AllTypes{Strs: []string{"a", "b"}}},
		{"indefinite map", `a1 61 4d bf 61 61 01 61 62 f6 ff`, shapetest.AllTypes{M: map[string]int64{"a": 1}}},
		{"timestamp int", `a1 61 54 c1 1a 6553f100`, shapetest.AllTypes{T: &ts}},
		{"timestamp float", `a1 61 54 c1 fb 41d954fc40000000`, shapetest.AllTypes{T: &ts}},
		{"timestamp half float 0.5", `a1 61 54 c1 f9 3800`, shapetest.AllTypes{T: shape.Ptr(time.Unix(0, 5e8).UTC())}},
		{"timestamp untagged", `a1 61 54 1a 6553f100`, shapetest.AllTypes{T: &ts}},
		{"half, single, double floats", `a3 61 44 f9 3e00 61 46 fb 3ff8000000000000 65 4c69737473 81 81 fa 40400000`,
			shapetest.AllTypes{D: shape.Ptr(1.5), F: shape.Ptr[float32](1.5), Lists: [][]int32{{3}}}},
		{"half float specials", `a2 61 44 f9 7c00 62 4d53 a1 61 6b a1 65 56616c7565 f9 fc00`,
			shapetest.AllTypes{D: shape.Ptr(math.Inf(1)), MS: map[string]shapetest.Inner{"k": {Value: shape.Ptr(math.Inf(-1))}}}},
		{"ints of every width", `a3 61 49 3a 7fffffff 61 4c 3b 7fffffffffffffff 64 537472 73 80`,
			shapetest.AllTypes{I: shape.Ptr[int32](math.MinInt32), L: shape.Ptr[int64](math.MinInt64), Strs: []string{}}},
		{"integral float to int", `a1 61 49 fb 4014000000000000`, shapetest.AllTypes{I: shape.Ptr[int32](5)}},
		{"int to double", `a1 61 44 18 64`, shapetest.AllTypes{D: shape.Ptr(100.0)}},
		{"ignored tag on string", `a1 61 53 d8 20 61 78`, shapetest.AllTypes{S: shape.Ptr("x")}},
		{"document", `a1 63 446f63 a2 61 61 82 01 f5 61 62 42 0102`, shapetest.AllTypes{Doc: map[string]any{"a": []any{1.0, true}, "b": "AQI="}}},
		{"nested structure", `a1 63 526563 a1 63 526563 a1 61 42 f5`, shapetest.AllTypes{Rec: &shapetest.AllTypes{Rec: &shapetest.AllTypes{B: shape.Ptr(true)}}}},
	}
	for _, c := range cases {
		var got shapetest.AllTypes
		if err := New().Decode(req(mustHex(c.body)), &got); err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s:\n got %+v\nwant %+v", c.name, got, c.want)
		}
	}
}

func TestDecodeErrors(t *testing.T) {
	cases := []struct{ name, body, msg string }{
		{"string expected", `a1 61 53 01`, "CBOR unsigned integer cannot be converted to String (member S)"},
		{"int expected", `a1 61 49 61 31`, "CBOR text string cannot be converted to Integer (member I)"},
		{"int32 overflow", `a1 61 49 1a 80000000`, "out of range for Integer"},
		{"int64 overflow", `a1 61 4c 1b 8000000000000000`, "out of range for Long"},
		{"fractional int", `a1 61 49 f9 3e00`, "cannot be converted to Integer"},
		{"bool expected", `a1 61 42 01`, "Boolean (member B)"},
		{"blob expected", `a1 64 426c6f62 61 78`, "cannot be converted to Blob"},
		{"wrong tag", `a1 61 54 c0 61 78`, "tag 0 cannot be converted to Timestamp"},
		{"nested path", `a1 67 53747275637473 82 a0 a1 64 4e616d65 f5`, "(member Structs[1].Name)"},
		{"list expected", `a1 64 53747273 a0`, "CBOR map cannot be converted to List (member Strs)"},
		{"top-level array", `80`, "CBOR array cannot be converted to Structure"},
		{"non-text key", `a1 01 02`, "map key is a unsigned integer"},
		{"truncated", `a2 61 53 61`, "malformed CBOR"},
		{"truncated head", `a1 61 4c 1b 0000`, "unexpected end of input"},
		{"huge length", `a1 61 53 7b 7fffffffffffffff`, "length exceeds the input"},
		{"huge array", `a1 64 53747273 9b 00ffffffffffffff`, "length exceeds the input"},
		{"reserved info", `a1 61 53 7c`, "invalid additional information"},
		{"stray break", `a1 61 53 ff`, "unexpected break"},
		{"bad chunk", `a1 61 53 7f 41 78 ff`, "invalid chunk"},
		{"nested indefinite chunk", `a1 61 53 7f 7f ff ff`, "invalid chunk"},
		{"unterminated indefinite map", `bf 61 53 61 78`, "unterminated"},
		{"invalid utf-8", `a1 61 53 62 c328`, "invalid UTF-8"},
		{"trailing data", `a0 00`, "unexpected data after"},
		{"deep nesting", strings.Repeat("a1 63 526563 ", 200) + "a0", "maximum depth"},
		{"deep skip", "a1 61 78 " + strings.Repeat("81 ", 200) + "00", "maximum depth"},
		{"deep tags", "a1 61 53 " + strings.Repeat("c2 ", 200) + "61 78", "too many nested CBOR tags"},
	}
	for _, c := range cases {
		var got shapetest.AllTypes
		err := New().Decode(req(mustHex(c.body)), &got)
		var se *shape.Error
		if !errors.As(err, &se) || se.Code != "SerializationException" || se.Status != 400 {
			t.Errorf("%s: want SerializationException, got %v", c.name, err)
			continue
		}
		if !strings.Contains(se.Message, c.msg) {
			t.Errorf("%s: %q does not contain %q", c.name, se.Message, c.msg)
		}
	}
}

func TestHalfFloat(t *testing.T) {
	for h, want := range map[uint16]float64{0x0000: 0, 0x0001: 5.960464477539063e-8, 0x03ff: 0.00006097555160522461, 0x0400: 0.00006103515625,
		0x3c00: 1, 0x3c01: 1.0009765625, 0x7bff: 65504, 0xc400: -4, 0x8000: 0} {
		if got := halfToFloat(h); got != want {
			t.Errorf("%04x: %v want %v", h, got, want)
		}
	}
	if !math.IsNaN(halfToFloat(0x7e00)) {
		t.Error("NaN")
	}
}

func TestEncodeErrors(t *testing.T) {
	cw := cloudwatch.Model
	op := cw.Operation("GetDashboard")
	cases := []struct {
		name   string
		err    error
		status int
		query  string
		body   string
	}{
		{"modeled, Message member", &cloudwatch.InternalServiceFault{Message: shape.Ptr("oops")}, 500, "InternalServiceError;Sender",
			`a3 66 5f5f74797065 74 496e7465726e616c536572766963654661756c74 67 6d657373616765 64 6f6f7073 67 4d657373616765 64 6f6f7073`},
		{"modeled, message member, 404", &cloudwatch.DashboardNotFoundError{Message: shape.Ptr("nope")}, 404, "ResourceNotFound;Sender",
			`a2 66 5f5f74797065 76 44617368626f6172644e6f74466f756e644572726f72 67 6d657373616765 64 6e6f7065`},
		{"modeled, message member", &cloudwatch.InvalidParameterValueException{Message: shape.Ptr("bad")}, 400, "InvalidParameterValue;Sender",
			`a2 66 5f5f74797065 78 1e 496e76616c6964506172616d6574657256616c7565457863657074696f6e 67 6d657373616765 63 626164`},
		{"plain", &shape.Error{Code: "Throttling", Message: "m", Status: 400, Sender: true}, 400, "Throttling;Sender",
			`a2 66 5f5f74797065 6a 5468726f74746c696e67 67 6d657373616765 61 6d`},
	}
	for _, c := range cases {
		var resp protocol.Response
		New().EncodeError(&protocol.Request{Service: cw, Op: op}, c.err, &resp)
		if resp.Status != c.status || resp.Header.Get("X-Amzn-Query-Error") != c.query || resp.Header.Get("Smithy-Protocol") != "rpc-v2-cbor" {
			t.Errorf("%s: %d %v", c.name, resp.Status, resp.Header)
		}
		if want := mustHex(c.body); !reflect.DeepEqual(resp.Body.Bytes(), want) {
			t.Errorf("%s:\n got %x\nwant %x", c.name, resp.Body.Bytes(), want)
		}
	}
	var resp protocol.Response
	New().EncodeError(req(nil), errors.New("secret"), &resp)
	if resp.Status != 500 || resp.Header.Get("X-Amzn-Query-Error") != "" || strings.Contains(resp.Body.String(), "secret") ||
		!strings.Contains(resp.Body.String(), "InternalFailure") {
		t.Fatalf("%d %v %q", resp.Status, resp.Header, resp.Body.String())
	}
}
