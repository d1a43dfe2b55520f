package awsjson

import (
	"errors"
	"math"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/vigilhq/vigil/internal/api/cloudwatch"
	"github.com/vigilhq/vigil/internal/api/shape"
	"github.com/vigilhq/vigil/internal/protocol"
	"github.com/vigilhq/vigil/internal/protocol/internal/shapetest"
)

type emptyOut struct{}

func full() *shapetest.AllTypes {
	ts := time.Date(2023, 11, 14, 22, 13, 20, 123e6, time.UTC)
	return &shapetest.AllTypes{
		S: shape.Ptr("héllo \"q\"\n\x01"), B: shape.Ptr(true), I: shape.Ptr[int32](-42), L: shape.Ptr[int64](1 << 40),
		F: shape.Ptr[float32](1.5), D: shape.Ptr(0.1), T: &ts, Blob: []byte("hi\x00"),
		Strs:    []string{"a", "b"},
		Structs: []shapetest.Inner{{Name: shape.Ptr("x"), Value: shape.Ptr(2.0)}, {}},
		M:       map[string]int64{"b": 2, "a": 1},
		MS:      map[string]shapetest.Inner{"k": {Name: shape.Ptr("v")}},
		Nested:  &shapetest.Inner{Value: shape.Ptr(1e300)},
		Doc:     map[string]any{"x": []any{1.0, "s", true, nil, map[string]any{}}},
		Renamed: shape.Ptr("r"),
		Times:   []time.Time{time.Unix(1700000000, 0).UTC()},
		Lists:   [][]int32{{1, 2}, {}},
		Rec:     &shapetest.AllTypes{S: shape.Ptr("deep")},
		Bools:   []bool{false},
		Empty:   []string{},
	}
}

const fullJSON = `{"S":"héllo \"q\"\n\u0001","B":true,"I":-42,"L":1099511627776,"F":1.5,"D":0.1,"T":1700000000.123,"Blob":"aGkA",` +
	`"Strs":["a","b"],"Structs":[{"Name":"x","Value":2},{}],"M":{"a":1,"b":2},"MS":{"k":{"Name":"v"}},"Nested":{"Value":1e+300},` +
	`"Doc":{"x":[1,"s",true,null,{}]},"renamed_key":"r","Times":[1700000000],"Lists":[[1,2],[]],"Rec":{"S":"deep"},"Bools":[false],"Empty":[]}`

func req(body string) *protocol.Request {
	return &protocol.Request{Service: shapetest.AllService, Op: shapetest.AllOp, Body: []byte(body), RequestID: "rid"}
}

func TestEncodeGolden(t *testing.T) {
	var resp protocol.Response
	New("1.1").EncodeOutput(req(""), full(), &resp)
	if resp.Status != 200 || resp.Header.Get("Content-Type") != "application/x-amz-json-1.1" || resp.Header.Get("X-Amzn-RequestId") != "rid" {
		t.Fatalf("status %d header %v", resp.Status, resp.Header)
	}
	if got := resp.Body.String(); got != fullJSON {
		t.Fatalf("got\n%s\nwant\n%s", got, fullJSON)
	}
}

func TestRoundTrip(t *testing.T) {
	c := New("1.0")
	var resp protocol.Response
	c.EncodeOutput(req(""), full(), &resp)
	var got shapetest.AllTypes
	if err := c.Decode(req(resp.Body.String()), &got); err != nil {
		t.Fatal(err)
	}
	if want := full(); !reflect.DeepEqual(&got, want) {
		t.Fatalf("round trip:\n got %+v\nwant %+v", got, *want)
	}
}

func TestEncodeEmpty(t *testing.T) {
	c := New("1.0")
	for _, out := range []any{nil, (*shapetest.AllTypes)(nil), &shapetest.AllTypes{}, &emptyOut{}} {
		var resp protocol.Response
		c.EncodeOutput(req(""), out, &resp)
		if resp.Body.String() != "{}" {
			t.Errorf("%T: %q", out, resp.Body.String())
		}
	}
	// An operation without output shape.
	var resp protocol.Response
	c.EncodeOutput(&protocol.Request{Op: &shape.Operation{Name: "X"}}, nil, &resp)
	if resp.Body.String() != "{}" || resp.Status != 200 {
		t.Fatal(resp.Body.String())
	}
}

func TestSpecialFloats(t *testing.T) {
	c := New("1.0")
	v := &shapetest.AllTypes{D: shape.Ptr(math.NaN()), F: shape.Ptr(float32(math.Inf(1))), Nested: &shapetest.Inner{Value: shape.Ptr(math.Inf(-1))}}
	var resp protocol.Response
	c.EncodeOutput(req(""), v, &resp)
	want := `{"F":"Infinity","D":"NaN","Nested":{"Value":"-Infinity"}}`
	if resp.Body.String() != want {
		t.Fatalf("got %s", resp.Body.String())
	}
	var got shapetest.AllTypes
	if err := c.Decode(req(want), &got); err != nil {
		t.Fatal(err)
	}
	if !math.IsNaN(*got.D) || !math.IsInf(float64(*got.F), 1) || !math.IsInf(*got.Nested.Value, -1) {
		t.Fatalf("%v %v %v", *got.D, *got.F, *got.Nested.Value)
	}
}

func TestTimestampsEncode(t *testing.T) {
	for _, c := range []struct {
		t    time.Time
		want string
	}{
		{time.Unix(1700000000, 0), "1700000000"},
		{time.Unix(1700000000, 123e6), "1700000000.123"},
		{time.Unix(1700000000, 100e6), "1700000000.1"},
		{time.Unix(1700000000, 120e6), "1700000000.12"},
		{time.Unix(1700000000, 5e6), "1700000000.005"},
		{time.Unix(1700000000, 999999), "1700000000"}, // below a millisecond
		{time.Unix(-2, 500e6), "-1.5"},
		{time.Unix(0, 0), "0"},
	} {
		var resp protocol.Response
		New("1.0").EncodeOutput(req(""), &shapetest.AllTypes{T: &c.t}, &resp)
		if got := resp.Body.String(); got != `{"T":`+c.want+`}` {
			t.Errorf("%v: got %s want %s", c.t, got, c.want)
		}
	}
}

func TestDecodeVariants(t *testing.T) {
	ts := time.Date(2023, 11, 14, 22, 13, 20, 0, time.UTC)
	cases := []struct {
		body string
		want shapetest.AllTypes
	}{
		{"", shapetest.AllTypes{}},
		{"  \n", shapetest.AllTypes{}},
		{"{}", shapetest.AllTypes{}},
		{"null", shapetest.AllTypes{}},
		{` { "S" : null , "I" : null, "Strs": null, "Doc": null } `, shapetest.AllTypes{}},
		{`{"unknown":{"a":[1,2,{"b":null}]},"S":"x","alsoUnknown":-1.5e3}`, shapetest.AllTypes{S: shape.Ptr("x")}},
		{`{"T":"2023-11-14T22:13:20Z"}`, shapetest.AllTypes{T: &ts}},
		{`{"T":"2023-11-14T22:13:20.000+00:00"}`, shapetest.AllTypes{T: &ts}},
		{`{"T":1700000000}`, shapetest.AllTypes{T: &ts}},
		{`{"T":1.7e9}`, shapetest.AllTypes{T: shape.Ptr(time.Unix(1.7e9, 0).UTC())}},
		{`{"T":1700000000.5}`, shapetest.AllTypes{T: shape.Ptr(time.Unix(1700000000, 5e8).UTC())}},
		{`{"I":5.0,"L":-9223372036854775808,"D":1,"F":-0.25}`, shapetest.AllTypes{I: shape.Ptr[int32](5), L: shape.Ptr[int64](math.MinInt64), D: shape.Ptr(1.0), F: shape.Ptr[float32](-0.25)}},
		{`{"S":"\u00e9\ud83d\ude00\/\t"}`, shapetest.AllTypes{S: shape.Ptr("é😀/\t")}},
		{`{"Blob":"aGk="}`, shapetest.AllTypes{Blob: []byte("hi")}},
		{`{"Blob":"aGk"}`, shapetest.AllTypes{Blob: []byte("hi")}},
		{`{"Blob":""}`, shapetest.AllTypes{Blob: []byte{}}},
		{`{"Strs":["a",null,"b"],"M":{"x":null,"y":3}}`, shapetest.AllTypes{Strs: []string{"a", "b"}, M: map[string]int64{"y": 3}}},
		{`{"Doc":"just a string"}`, shapetest.AllTypes{Doc: "just a string"}},
		{`{"Doc":[]}`, shapetest.AllTypes{Doc: []any{}}},
		{`{"S":"a","S":"b"}`, shapetest.AllTypes{S: shape.Ptr("b")}},
		{`{"Rec":{"Rec":{"B":false}}}`, shapetest.AllTypes{Rec: &shapetest.AllTypes{Rec: &shapetest.AllTypes{B: shape.Ptr(false)}}}},
	}
	for _, c := range cases {
		var got shapetest.AllTypes
		if err := New("1.0").Decode(req(c.body), &got); err != nil {
			t.Errorf("%s: %v", c.body, err)
			continue
		}
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s:\n got %+v\nwant %+v", c.body, got, c.want)
		}
	}
}

func TestDecodeErrors(t *testing.T) {
	cases := []struct{ body, msg string }{
		{`{"S":1}`, "NUMBER_VALUE cannot be converted to String (member S)"},
		{`{"I":"1"}`, "STRING_VALUE cannot be converted to Integer (member I)"},
		{`{"I":1.5}`, "NUMBER_VALUE 1.5 cannot be converted to Integer (member I)"},
		{`{"I":2147483648}`, "NUMBER_VALUE 2147483648 cannot be converted to Integer (member I)"},
		{`{"L":9223372036854775808}`, "cannot be converted to Long"},
		{`{"B":"true"}`, "STRING_VALUE cannot be converted to Boolean (member B)"},
		{`{"D":true}`, "TRUE_VALUE cannot be converted to Double"},
		{`{"D":"1.5"}`, "STRING_VALUE cannot be converted to Double"},
		{`{"Structs":[{"Name":"a"},{"Name":false}]}`, "FALSE_VALUE cannot be converted to String (member Structs[1].Name)"},
		{`{"MS":{"k":{"Value":"x"}}}`, "(member MS.k.Value)"},
		{`{"Strs":{}}`, "Start of structure or map found where not expected (member Strs)"},
		{`{"S":[]}`, "Start of list found where not expected (member S)"},
		{`{"Nested":"x"}`, "STRING_VALUE cannot be converted to Structure (member Nested)"},
		{`{"T":"yesterday"}`, "cannot be converted to Timestamp"},
		{`{"T":true}`, "TRUE_VALUE cannot be converted to Timestamp"},
		{`{"Blob":"!!!"}`, "invalid base64"},
		{`[]`, "Start of list found where not expected"},
		{`"x"`, "STRING_VALUE cannot be converted to Structure"},
		{`{`, "malformed JSON"},
		{`{"S":"x"`, "malformed JSON"},
		{`{"S":"x"}}`, "malformed JSON"},
		{`{"S":"x",}`, "malformed JSON"},
		{`{"S" "x"}`, "malformed JSON"},
		{`{S:"x"}`, "malformed JSON"},
		{`{"S":"a` + "\x01" + `"}`, "control character"},
		{`{"S":"\q"}`, "invalid escape"},
		{`{"u":tru}`, "invalid literal"},
		{`{"u":01}`, "malformed JSON"},
		{`{"u":-}`, "invalid number"},
		{`{"u":1.}`, "invalid number"},
		{`{"u":1e}`, "invalid number"},
		{`nul`, "invalid literal"},
		{`<xml/>`, "malformed JSON"},
		{strings.Repeat(`{"Rec":`, 200) + "{}" + strings.Repeat("}", 200), "maximum depth"},
		{`{"u":` + strings.Repeat("[", 200) + strings.Repeat("]", 200) + "}", "maximum depth"},
	}
	for _, c := range cases {
		var got shapetest.AllTypes
		err := New("1.0").Decode(req(c.body), &got)
		var se *shape.Error
		if !errors.As(err, &se) || se.Code != "SerializationException" || se.Status != 400 || !se.Sender {
			t.Errorf("%.40s: want SerializationException, got %#v", c.body, err)
			continue
		}
		if !strings.Contains(se.Message, c.msg) {
			t.Errorf("%.40s: message %q does not contain %q", c.body, se.Message, c.msg)
		}
	}
}

func TestDecodeNoInput(t *testing.T) {
	op := &shape.Operation{Name: "NoInput"}
	r := &protocol.Request{Service: shapetest.AllService, Op: op, Body: []byte(`{"anything":[1]}`)}
	if err := New("1.0").Decode(r, nil); err != nil {
		t.Fatal(err)
	}
	r.Body = []byte(`{`)
	if err := New("1.0").Decode(r, nil); err == nil {
		t.Fatal("malformed body accepted")
	}
}

func TestEncodeErrors(t *testing.T) {
	cw := cloudwatch.Model
	listMetrics := cw.Operation("ListMetrics")
	cases := []struct {
		name   string
		svc    *shape.Service
		op     *shape.Operation
		err    error
		status int
		typ    string
		query  string
		body   string
	}{
		{"modeled query-compatible", cw, listMetrics, &cloudwatch.InvalidParameterValueException{Message: shape.Ptr("bad")},
			400, "InvalidParameterValueException", "InvalidParameterValue;Sender", `{"__type":"InvalidParameterValueException","message":"bad"}`},
		{"modeled server fault", cw, listMetrics, &cloudwatch.InternalServiceFault{Message: shape.Ptr("oops")},
			500, "InternalServiceFault", "InternalServiceError;Sender", `{"__type":"InternalServiceFault","Message":"oops"}`},
		{"modeled nil message", cw, listMetrics, &cloudwatch.InvalidParameterValueException{},
			400, "InvalidParameterValueException", "InvalidParameterValue;Sender", `{"__type":"InvalidParameterValueException"}`},
		{"shape.Error matching a modeled query code", cw, listMetrics, shape.Errorf("InvalidParameterValue", "bad %d", 1),
			400, "InvalidParameterValueException", "InvalidParameterValue;Sender", `{"__type":"InvalidParameterValueException","message":"bad 1"}`},
		{"shape.Error", cw, listMetrics, &shape.Error{Code: "Throttling", Message: "Rate exceeded", Status: 400, Sender: true},
			400, "Throttling", "Throttling;Sender", `{"__type":"Throttling","message":"Rate exceeded"}`},
		{"not implemented", cw, listMetrics, shape.NotImplemented("cloudwatch", "ListMetrics"),
			501, "NotImplemented", "NotImplemented;Receiver", `{"__type":"NotImplemented","message":"ListMetrics is not implemented by Vigil's cloudwatch service yet"}`},
		{"internal", cw, listMetrics, errors.New("disk on fire /secret/path"),
			500, "InternalFailure", "InternalFailure;Receiver", `{"__type":"InternalFailure","message":"We encountered an internal error. Please try again."}`},
		{"wrapped shape.Error, not query compatible", shapetest.AllService, shapetest.AllOp, errors.Join(errors.New("ctx"), &shape.Error{Code: "ValidationException", Message: "v", Status: 400, Sender: true}),
			400, "ValidationException", "", `{"__type":"ValidationException","message":"v"}`},
	}
	for _, c := range cases {
		var resp protocol.Response
		New("1.0").EncodeError(&protocol.Request{Service: c.svc, Op: c.op, RequestID: "r"}, c.err, &resp)
		if resp.Status != c.status || resp.Header.Get("X-Amzn-ErrorType") != c.typ || resp.Header.Get("X-Amzn-Query-Error") != c.query ||
			resp.Header.Get("Content-Type") != "application/x-amz-json-1.0" || resp.Body.String() != c.body {
			t.Errorf("%s: status %d headers %v body %s", c.name, resp.Status, resp.Header, resp.Body.String())
		}
	}
}

func TestResponseReuse(t *testing.T) {
	resp := protocol.Response{Header: http.Header{}}
	c := New("1.1")
	for range 3 {
		resp.Reset()
		c.EncodeOutput(req(""), &shapetest.AllTypes{S: shape.Ptr("x")}, &resp)
		if resp.Body.String() != `{"S":"x"}` {
			t.Fatal(resp.Body.String())
		}
	}
}

func TestNew(t *testing.T) {
	if New("1.0").Name() != "awsJson1_0" || New("awsJson1_1").Name() != "awsJson1_1" {
		t.Fatal("names")
	}
	defer func() {
		if recover() == nil {
			t.Fatal("no panic for an unknown version")
		}
	}()
	New("2.0")
}
