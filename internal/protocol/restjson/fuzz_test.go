package restjson

import (
	"errors"
	"net/http"
	"net/url"
	"testing"

	"github.com/vigilhq/vigil/internal/api/cloudtraildata"
	"github.com/vigilhq/vigil/internal/api/shape"
	"github.com/vigilhq/vigil/internal/protocol"
)

// FuzzDecode: Decode never panics and fails only with SerializationException,
// whatever the body, query string and header.
func FuzzDecode(f *testing.F) {
	f.Add([]byte(`{"Body":"x","Items":[{"K":"a","N":1}],"Payload":"aGk="}`), "limit=1&tag=a&since=2023-11-14T22:13:20Z", "1,2")
	f.Add([]byte(`{}`), "limit=x", "a")
	f.Fuzz(func(t *testing.T, body []byte, query, ids string) {
		u := &url.URL{Path: "/buckets/b/objects/k/x", RawQuery: query}
		h := http.Header{"X-Ids": {ids}, "X-When": {ids}, "X-Meta-A": {ids}}
		var v bound
		err := New().Decode(&protocol.Request{Service: svc, Op: boundOp, URL: u, Header: h, Body: body}, &v)
		var se *shape.Error
		if err != nil && (!errors.As(err, &se) || se.Code != "SerializationException") {
			t.Fatalf("unexpected error %#v", err)
		}
	})
}

const putAuditEventsBody = `{"auditEvents":[{"id":"e1","eventData":"{\"version\":\"0.01\",\"userIdentity\":{\"type\":\"x\"}}"}]}`

func BenchmarkDecodePutAuditEvents(b *testing.B) {
	op := cloudtraildata.Model.Operation("PutAuditEvents")
	u, _ := url.Parse("/PutAuditEvents?channelArn=arn%3Aaws%3Acloudtrail%3Aus-east-1%3A000000000000%3Achannel%2Fc1")
	r := &protocol.Request{Service: cloudtraildata.Model, Op: op, URL: u, Header: http.Header{}, Body: []byte(putAuditEventsBody)}
	b.ReportAllocs()
	for b.Loop() {
		var in cloudtraildata.PutAuditEventsRequest
		if err := New().Decode(r, &in); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkEncodePutAuditEvents(b *testing.B) {
	op := cloudtraildata.Model.Operation("PutAuditEvents")
	r := &protocol.Request{Service: cloudtraildata.Model, Op: op, RequestID: "rid"}
	out := &cloudtraildata.PutAuditEventsResponse{Successful: []cloudtraildata.AuditEventResultEntry{{Id: shape.Ptr("e1"), EventID: shape.Ptr("x1")}},
		Failed: []cloudtraildata.ResultErrorEntry{}}
	resp := &protocol.Response{Header: http.Header{}}
	b.ReportAllocs()
	for b.Loop() {
		resp.Reset()
		New().EncodeOutput(r, out, resp)
	}
}
