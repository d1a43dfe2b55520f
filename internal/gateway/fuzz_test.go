package gateway

import (
	"bytes"
	"net/http"
	"testing"

	"github.com/vigilhq/vigil/internal/auth"
	"github.com/vigilhq/vigil/internal/clock"
)

// FuzzFrontDoor sends arbitrary bodies through the whole front door — route,
// decode, validate, dispatch, encode, audit — of every protocol. Dev mode
// with an unknown key skips the signature check, so the body can be
// anything. The gateway must answer every request, never panic.
func FuzzFrontDoor(f *testing.F) {
	for _, seed := range []struct {
		proto uint8
		body  string
	}{
		{0, `{"logGroupNamePrefix":"a","limit":5}`},
		{1, `{"Namespace":"App","Dimensions":[{"Name":"a","Value":"b"}]}`},
		{2, "\xa1iNamespacecApp"},
		{3, "Action=ListMetrics&Version=2010-08-01&Namespace=App&Dimensions.member.1.Name=a"},
		{4, `{"auditEvents":[{"id":"1","eventData":"{}"}]}`},
	} {
		f.Add(seed.proto, []byte(seed.body))
	}
	g := newTestGateway(&events{})
	g.cfg.Auth = &auth.Verifier{Keys: auth.NewMemKeys(), Clock: clock.NewFake(testNow), Dev: true}
	protos := []struct {
		path, service string
		header        []string
	}{
		{"/", "logs", jsonHeaders("Logs_20140328.DescribeLogGroups", "1.1")},
		{"/", "monitoring", jsonHeaders("GraniteServiceVersion20100801.ListMetrics", "1.0")},
		{"/service/GraniteServiceVersion20100801/operation/ListMetrics", "monitoring", []string{"Smithy-Protocol", "rpc-v2-cbor"}},
		{"/", "monitoring", []string{"Content-Type", "application/x-www-form-urlencoded"}},
		{"/PutAuditEvents?channelArn=c", "cloudtrail-data", []string{"Content-Type", "application/json"}},
	}
	f.Fuzz(func(t *testing.T, proto uint8, body []byte) {
		p := protos[int(proto)%len(protos)]
		req := signed(t, "POST", p.path, p.service, body, p.header...)
		req.Body = http.NoBody
		if len(body) > 0 {
			req.Body = readCloser{bytes.NewReader(body)}
		}
		w := serve(g, req)
		if w.status >= 500 && w.status != http.StatusNotImplemented {
			t.Fatalf("status %d for %q: %s", w.status, body, w.body.String())
		}
	})
}

type readCloser struct{ *bytes.Reader }

func (readCloser) Close() error { return nil }
