package restjson

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"os/exec"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/vigilhq/vigil/internal/api/cloudtraildata"
	"github.com/vigilhq/vigil/internal/api/shape"
	"github.com/vigilhq/vigil/internal/protocol"
	"github.com/vigilhq/vigil/internal/protocol/internal/shapetest"
)

type item struct {
	K *string
	N *int64
}

type bound struct {
	Bucket  *string           `loc:"uri" wire:"Bucket"`
	Key     *string           `loc:"uri" wire:"Key"`
	Limit   *int32            `loc:"querystring" wire:"limit"`
	Tags    []string          `loc:"querystring" wire:"tag"`
	Since   *time.Time        `loc:"querystring" wire:"since"`
	Rest    map[string]string `loc:"querystring"`
	Token   *string           `loc:"header" wire:"X-Token"`
	Flag    *bool             `loc:"header" wire:"X-Flag"`
	When    *time.Time        `loc:"header" wire:"X-When"`
	Ratio   *float64          `loc:"header" wire:"X-Ratio"`
	IDs     []int32           `loc:"header" wire:"X-Ids"`
	Meta    map[string]string `loc:"headers" wire:"X-Meta-"`
	Body    *string
	Items   []item
	Payload []byte
}

type boundOut struct {
	Status *int32            `loc:"statusCode"`
	ETag   *string           `loc:"header" wire:"ETag"`
	Date   *time.Time        `loc:"header" wire:"X-Date"`
	Meta   map[string]string `loc:"headers" wire:"X-Meta-"`
	Items  []item
	Next   *string `wire:"nextToken"`
}

var (
	boundOp = &shape.Operation{Name: "Get", HTTPMethod: "POST", RequestURI: "/buckets/{Bucket}/objects/{Key+}?x-id=Get",
		Input: shapetest.Of[bound](), Output: shapetest.Of[boundOut]()}
	svc = &shape.Service{ID: "test", Operations: []*shape.Operation{boundOp}}
)

func TestDecodeBindings(t *testing.T) {
	u, _ := url.Parse("/buckets/my%20bucket/objects/a/b%2Fc.txt?limit=10&tag=a&tag=b&since=2023-11-14T22:13:20Z&x-id=Get&other=1")
	h := http.Header{}
	h.Set("X-Token", "tok")
	h.Set("X-Flag", "true")
	h.Set("X-When", "Tue, 14 Nov 2023 22:13:20 GMT")
	h.Set("X-Ratio", "0.5")
	h.Set("X-Ids", "1, 2,3")
	h.Set("X-Meta-Color", "red")
	r := &protocol.Request{Service: svc, Op: boundOp, URL: u, Header: h,
		Body: []byte(`{"Body":"hello","Items":[{"K":"a","N":1}],"Payload":"aGk=","Token":"ignored: bound to a header"}`)}
	var got bound
	if err := New().Decode(r, &got); err != nil {
		t.Fatal(err)
	}
	ts := time.Unix(1700000000, 0).UTC()
	want := bound{Bucket: shape.Ptr("my bucket"), Key: shape.Ptr("a/b/c.txt"), Limit: shape.Ptr[int32](10), Tags: []string{"a", "b"}, Since: &ts,
		Rest:  map[string]string{"x-id": "Get", "other": "1"},
		Token: shape.Ptr("tok"), Flag: shape.Ptr(true), When: &ts, Ratio: shape.Ptr(0.5), IDs: []int32{1, 2, 3}, Meta: map[string]string{"color": "red"},
		Body: shape.Ptr("hello"), Items: []item{{K: shape.Ptr("a"), N: shape.Ptr[int64](1)}}, Payload: []byte("hi")}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got  %+v\nwant %+v", got, want)
	}
}

func TestDecodeErrors(t *testing.T) {
	for _, c := range []struct{ query, header, body, msg string }{
		{"limit=ten", "", "", `"ten" cannot be converted to integer (member Limit)`},
		{"since=never", "", "", "cannot be converted to Timestamp"},
		{"", "X-Flag: yes", "", "cannot be converted to Boolean"},
		{"", "", `{"Body":1}`, "NUMBER_VALUE cannot be converted to String (member Body)"},
		{"", "", `{`, "malformed JSON"},
	} {
		u, _ := url.Parse("/buckets/b/objects/k?" + c.query)
		h := http.Header{}
		if k, v, ok := strings.Cut(c.header, ": "); ok {
			h.Set(k, v)
		}
		var got bound
		err := New().Decode(&protocol.Request{Service: svc, Op: boundOp, URL: u, Header: h, Body: []byte(c.body)}, &got)
		var se *shape.Error
		if !errors.As(err, &se) || se.Code != "SerializationException" || !strings.Contains(se.Message, c.msg) {
			t.Errorf("%q %q %q: %v", c.query, c.header, c.body, err)
		}
	}
}

func TestEncodeOutput(t *testing.T) {
	ts := time.Unix(1700000000, 0)
	var resp protocol.Response
	New().EncodeOutput(&protocol.Request{Service: svc, Op: boundOp, RequestID: "rid"}, &boundOut{Status: shape.Ptr[int32](201), ETag: shape.Ptr(`"e"`), Date: &ts,
		Meta: map[string]string{"a": "1"}, Items: []item{{K: shape.Ptr("k")}}, Next: shape.Ptr("n")}, &resp)
	if resp.Status != 201 || resp.Header.Get("ETag") != `"e"` || resp.Header.Get("X-Date") != "Tue, 14 Nov 2023 22:13:20 GMT" ||
		resp.Header.Get("X-Meta-a") != "1" || resp.Header.Get("Content-Type") != "application/json" || resp.Header.Get("X-Amzn-Requestid") != "rid" {
		t.Fatalf("%d %v", resp.Status, resp.Header)
	}
	if got := resp.Body.String(); got != `{"Items":[{"K":"k"}],"nextToken":"n"}` {
		t.Fatal(got)
	}
	resp = protocol.Response{}
	New().EncodeOutput(&protocol.Request{Service: svc, Op: boundOp}, nil, &resp)
	if resp.Status != 200 || resp.Body.String() != "{}" {
		t.Fatal(resp.Status, resp.Body.String())
	}
}

func TestEncodeError(t *testing.T) {
	op := cloudtraildata.Model.Operation("PutAuditEvents")
	var resp protocol.Response
	New().EncodeError(&protocol.Request{Service: cloudtraildata.Model, Op: op}, &cloudtraildata.ChannelNotFound{Message: shape.Ptr("no channel")}, &resp)
	if resp.Status != 400 || resp.Header.Get("X-Amzn-Errortype") != "ChannelNotFound" || resp.Header.Get("Content-Type") != "application/json" ||
		resp.Header.Get("X-Amzn-Query-Error") != "" || resp.Body.String() != `{"__type":"ChannelNotFound","message":"no channel"}` {
		t.Fatalf("%d %v %s", resp.Status, resp.Header, resp.Body.String())
	}
}

const botocoreSerialize = `
import sys, json, botocore.session
from botocore.serialize import create_serializer
m = botocore.session.get_session().get_service_model('cloudtrail-data')
r = create_serializer('rest-json').serialize_to_request(json.load(sys.stdin), m.operation_model('PutAuditEvents'))
qs = '&'.join(k + '=' + v for k, v in r['query_string'].items()) if isinstance(r['query_string'], dict) else r['query_string']
print(json.dumps({'method': r['method'], 'path': r['url_path'], 'query': qs, 'headers': dict(r['headers']),
                  'body': r['body'].decode() if isinstance(r['body'], bytes) else r['body']}))
`

// TestBotocorePutAuditEvents: the request the aws CLI / boto3 build for
// cloudtrail-data PutAuditEvents decodes, and botocore's rest-json parser
// reads our reply and our errors.
func TestBotocorePutAuditEvents(t *testing.T) {
	py, err := exec.LookPath("python3")
	if err != nil || exec.Command(py, "-c", "import botocore").Run() != nil {
		t.Skip("python3 with botocore not installed")
	}
	params := `{"channelArn":"arn:aws:cloudtrail:us-east-1:000000000000:channel/c1","externalId":"ext",
		"auditEvents":[{"id":"e1","eventData":"{\"version\":\"0.01\"}","eventDataChecksum":"abc"},{"id":"e2","eventData":"{}"}]}`
	cmd := exec.Command(py, "-c", botocoreSerialize)
	cmd.Stdin = strings.NewReader(params)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%v: %s", err, stderr.String())
	}
	var wire struct {
		Method, Path, Query, Body string
		Headers                   map[string]string
	}
	if err := json.Unmarshal(out, &wire); err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(wire.Path)
	u.RawQuery = wire.Query
	h := http.Header{}
	for k, v := range wire.Headers {
		h.Set(k, v)
	}
	op := cloudtraildata.Model.Operation("PutAuditEvents")
	r := &protocol.Request{Service: cloudtraildata.Model, Op: op, URL: u, Header: h, Body: []byte(wire.Body)}
	var in cloudtraildata.PutAuditEventsRequest
	if err := New().Decode(r, &in); err != nil {
		t.Fatalf("%v (request %+v)", err, wire)
	}
	want := cloudtraildata.PutAuditEventsRequest{ChannelArn: shape.Ptr("arn:aws:cloudtrail:us-east-1:000000000000:channel/c1"), ExternalId: shape.Ptr("ext"),
		AuditEvents: []cloudtraildata.AuditEvent{{Id: shape.Ptr("e1"), EventData: shape.Ptr(`{"version":"0.01"}`), EventDataChecksum: shape.Ptr("abc")},
			{Id: shape.Ptr("e2"), EventData: shape.Ptr("{}")}}}
	if !reflect.DeepEqual(in, want) {
		t.Fatalf("decoded %+v from %+v", in, wire)
	}

	ok := &protocol.Response{}
	New().EncodeOutput(r, &cloudtraildata.PutAuditEventsResponse{
		Successful: []cloudtraildata.AuditEventResultEntry{{Id: shape.Ptr("e1"), EventID: shape.Ptr("x1")}},
		Failed:     []cloudtraildata.ResultErrorEntry{{Id: shape.Ptr("e2"), ErrorCode: shape.Ptr("InvalidData"), ErrorMessage: shape.Ptr("bad")}},
	}, ok)
	bad := &protocol.Response{}
	New().EncodeError(r, &cloudtraildata.ChannelNotFound{Message: shape.Ptr("no channel")}, bad)
	got := shapetest.Botocore(t, []shapetest.BotocoreCase{
		{Service: "cloudtrail-data", Op: "PutAuditEvents", Protocol: "rest-json", Resp: ok},
		{Service: "cloudtrail-data", Op: "PutAuditEvents", Protocol: "rest-json", Resp: bad},
	})
	s := got[0]["successful"].([]any)[0].(map[string]any)
	f := got[0]["failed"].([]any)[0].(map[string]any)
	if s["eventID"] != "x1" || f["errorCode"] != "InvalidData" {
		t.Errorf("reply: %v", got[0])
	}
	if e := got[1]["Error"].(map[string]any); e["Code"] != "ChannelNotFound" || e["Message"] != "no channel" {
		t.Errorf("error: %v", e)
	}
}
