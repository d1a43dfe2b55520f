package gateway

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	cloudtraildataapi "github.com/vigilhq/vigil/internal/api/cloudtraildata"
	cloudwatchapi "github.com/vigilhq/vigil/internal/api/cloudwatch"
	logsapi "github.com/vigilhq/vigil/internal/api/logs"
	"github.com/vigilhq/vigil/internal/api/shape"
	stsapi "github.com/vigilhq/vigil/internal/api/sts"
	"github.com/vigilhq/vigil/internal/audit"
	"github.com/vigilhq/vigil/internal/auth"
	"github.com/vigilhq/vigil/internal/clock"
	"github.com/vigilhq/vigil/internal/ids"
	"github.com/vigilhq/vigil/internal/reqctx"
	"github.com/vigilhq/vigil/internal/sts"
)

var testNow = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

type logsStub struct{ logsapi.Unimplemented }

func (logsStub) DescribeLogGroups(ctx context.Context, in *logsapi.DescribeLogGroupsRequest) (*logsapi.DescribeLogGroupsResponse, error) {
	switch shape.Value(in.LogGroupNamePrefix) {
	case "panic":
		panic("boom")
	case "plain-error":
		return nil, errors.New("secret internal detail")
	}
	return &logsapi.DescribeLogGroupsResponse{LogGroups: []logsapi.LogGroup{}}, nil
}

type cwStub struct{ cloudwatchapi.Unimplemented }

func (cwStub) ListMetrics(context.Context, *cloudwatchapi.ListMetricsInput) (*cloudwatchapi.ListMetricsOutput, error) {
	return &cloudwatchapi.ListMetricsOutput{Metrics: []cloudwatchapi.Metric{}}, nil
}

type ctdStub struct {
	cloudtraildataapi.Unimplemented
}

func (ctdStub) PutAuditEvents(context.Context, *cloudtraildataapi.PutAuditEventsRequest) (*cloudtraildataapi.PutAuditEventsResponse, error) {
	return &cloudtraildataapi.PutAuditEventsResponse{}, nil
}

// events collects what the gateway hands to audit.
type events struct {
	mu  sync.Mutex
	evs []*audit.Event
}

func (e *events) Record(ev *audit.Event) {
	e.mu.Lock()
	e.evs = append(e.evs, ev)
	e.mu.Unlock()
}

func bindTest[H any](m *shape.Service, h H, invoke func(context.Context, H, *shape.Operation, any) (any, error)) *Binding {
	return &Binding{Model: m, Invoke: func(ctx context.Context, op *shape.Operation, in any) (any, error) {
		return invoke(ctx, h, op, in)
	}}
}

func newTestGateway(a Auditor) *Gateway {
	keys := auth.NewMemKeys(auth.Key{AccessKeyID: "test", Secret: "test", AccountID: "000000000000"})
	clk := clock.NewFake(testNow)
	return New(Config{
		Services: []*Binding{
			bindTest[logsapi.Handler](logsapi.Model, logsStub{}, logsapi.Invoke),
			bindTest[cloudwatchapi.Handler](cloudwatchapi.Model, cwStub{}, cloudwatchapi.Invoke),
			bindTest[stsapi.Handler](stsapi.Model, sts.Service{}, stsapi.Invoke),
			bindTest[cloudtraildataapi.Handler](cloudtraildataapi.Model, ctdStub{}, cloudtraildataapi.Invoke),
		},
		Auth:   &auth.Verifier{Keys: keys, Clock: clk},
		Keys:   keys,
		Audit:  a,
		Clock:  clk,
		IDs:    ids.NewRandom(nil),
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
}

// signed builds a request signed with the test key for service, at testNow.
func signed(t testing.TB, method, target, service string, body []byte, header ...string) *http.Request {
	t.Helper()
	req, err := http.NewRequest(method, "http://127.0.0.1:4566"+target, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.RemoteAddr = "127.0.0.1:5555"
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	sum := sha256.Sum256(body)
	if err := v4.NewSigner().SignHTTP(context.Background(), aws.Credentials{AccessKeyID: "test", SecretAccessKey: "test"},
		req, hex.EncodeToString(sum[:]), service, "us-east-1", testNow); err != nil {
		t.Fatal(err)
	}
	return req
}

// sink is a ResponseWriter that keeps the status and body.
type sink struct {
	h      http.Header
	status int
	body   bytes.Buffer
}

func (s *sink) Header() http.Header         { return s.h }
func (s *sink) WriteHeader(code int)        { s.status = code }
func (s *sink) Write(b []byte) (int, error) { return s.body.Write(b) }
func (s *sink) reset()                      { clear(s.h); s.status = 0; s.body.Reset() }

func serve(g *Gateway, req *http.Request) *sink {
	w := &sink{h: http.Header{}}
	g.ServeHTTP(w, req)
	return w
}

func jsonHeaders(target, version string) []string {
	return []string{"X-Amz-Target", target, "Content-Type", "application/x-amz-json-" + version}
}

func TestRoutingAndErrors(t *testing.T) {
	evs := &events{}
	g := newTestGateway(evs)
	gz := func(s string) []byte {
		var b bytes.Buffer
		w := gzip.NewWriter(&b)
		w.Write([]byte(s))
		w.Close()
		return b.Bytes()
	}
	cases := []struct {
		name   string
		req    *http.Request
		status int
		want   string
	}{
		{"json 1.1", signed(t, "POST", "/", "logs", []byte(`{}`), jsonHeaders("Logs_20140328.DescribeLogGroups", "1.1")...), 200, `{"logGroups":[]}`},
		{"json 1.0", signed(t, "POST", "/", "monitoring", []byte(`{}`), jsonHeaders("GraniteServiceVersion20100801.ListMetrics", "1.0")...), 200, `{"Metrics":[]}`},
		{"cbor", signed(t, "POST", "/service/GraniteServiceVersion20100801/operation/ListMetrics", "monitoring", []byte{0xa0},
			"Smithy-Protocol", "rpc-v2-cbor", "Content-Type", "application/cbor"), 200, "\xa1gMetrics\x80"},
		{"query", signed(t, "POST", "/", "sts", []byte(`Action=GetCallerIdentity&Version=2011-06-15`),
			"Content-Type", "application/x-www-form-urlencoded"), 200, "<Account>000000000000</Account>"},
		{"rest json", signed(t, "POST", "/PutAuditEvents?channelArn=arn%3Aaws%3Acloudtrail%3Aus-east-1%3A000000000000%3Achannel%2Fc", "cloudtrail-data",
			[]byte(`{"auditEvents":[{"id":"1","eventData":"{}"}]}`), "Content-Type", "application/json"), 200, `{}`},
		{"gzip json", signed(t, "POST", "/", "logs", gz(`{"limit":0}`), append(jsonHeaders("Logs_20140328.DescribeLogGroups", "1.1"), "Content-Encoding", "gzip")...),
			400, "Member must have value greater than or equal to 1"},
		{"unsupported encoding", signed(t, "POST", "/", "logs", []byte(`{}`), append(jsonHeaders("Logs_20140328.DescribeLogGroups", "1.1"), "Content-Encoding", "br")...),
			400, "not supported"},
		{"unknown json operation", signed(t, "POST", "/", "logs", []byte(`{}`), jsonHeaders("Logs_20140328.Nope", "1.1")...), 400, "UnknownOperationException"},
		{"unknown query action", signed(t, "POST", "/", "sts", []byte(`Action=Nope&Version=2011-06-15`), "Content-Type", "application/x-www-form-urlencoded"),
			400, "<Code>InvalidAction</Code>"},
		{"query wrong version", signed(t, "POST", "/", "sts", []byte(`Action=GetCallerIdentity&Version=2001-01-01`), "Content-Type", "application/x-www-form-urlencoded"),
			400, "<Code>InvalidAction</Code>"},
		{"unknown target prefix", signed(t, "POST", "/", "logs", []byte(`{}`), jsonHeaders("Nope_2020.DescribeLogGroups", "1.1")...), 404, "UnknownOperationException"},
		{"scope of another service", signed(t, "POST", "/", "sts", []byte(`{}`), jsonHeaders("Logs_20140328.DescribeLogGroups", "1.1")...),
			400, "Credential should be scoped to correct service: 'logs'"},
		{"handler panic", signed(t, "POST", "/", "logs", []byte(`{"logGroupNamePrefix":"panic"}`), jsonHeaders("Logs_20140328.DescribeLogGroups", "1.1")...),
			500, "InternalFailure"},
		{"plain handler error", signed(t, "POST", "/", "logs", []byte(`{"logGroupNamePrefix":"plain-error"}`), jsonHeaders("Logs_20140328.DescribeLogGroups", "1.1")...),
			500, "InternalFailure"},
		{"not implemented", signed(t, "POST", "/", "logs", []byte(`{}`), jsonHeaders("Logs_20140328.ListAnomalies", "1.1")...), 501, "ListAnomalies"},
	}
	for _, c := range cases {
		w := serve(g, c.req)
		if w.status != c.status || !strings.Contains(w.body.String(), c.want) {
			t.Errorf("%s: got %d %q, want %d containing %q", c.name, w.status, w.body.String(), c.status, c.want)
		}
		if strings.Contains(w.body.String(), "secret internal detail") {
			t.Errorf("%s: leaks the handler's error text", c.name)
		}
		if w.h.Get("X-Amzn-Requestid") == "" {
			t.Errorf("%s: no request id", c.name)
		}
	}
	// Management calls that reached an operation are audited (the data
	// event PutAuditEvents, unknown operations and unroutable requests are
	// not).
	var names []string
	for _, ev := range evs.evs {
		names = append(names, ev.EventName)
	}
	want := "DescribeLogGroups ListMetrics ListMetrics GetCallerIdentity DescribeLogGroups DescribeLogGroups DescribeLogGroups DescribeLogGroups ListAnomalies"
	if got := strings.Join(names, " "); got != want {
		t.Errorf("audited:\n got %s\nwant %s", got, want)
	}
}

func TestHandlersSeeTheCaller(t *testing.T) {
	g := newTestGateway(&events{})
	var seen *reqctx.Request
	g.router.byTarget["Logs_20140328"].Invoke = func(ctx context.Context, op *shape.Operation, in any) (any, error) {
		seen = reqctx.From(ctx)
		return nil, nil
	}
	req := signed(t, "POST", "/", "logs", []byte(`{}`), append(jsonHeaders("Logs_20140328.DescribeLogGroups", "1.1"), "User-Agent", "ua/1")...)
	if w := serve(g, req); w.status != 200 {
		t.Fatalf("status %d %s", w.status, w.body.String())
	}
	if seen.Caller.AccountID != "000000000000" || seen.Region != "us-east-1" || seen.SourceIP != "127.0.0.1" ||
		seen.UserAgent != "ua/1" || !seen.Time.Equal(testNow) || seen.Operation != "DescribeLogGroups" || seen.Caller.Type != "Root" {
		t.Fatalf("request context: %+v", seen)
	}
}

func TestHealthAndReset(t *testing.T) {
	g := newTestGateway(&events{})
	req, _ := http.NewRequest("GET", "/_vigil/health", nil)
	if w := serve(g, req); w.status != 0 && w.status != 200 || !strings.Contains(w.body.String(), `"status":"ok"`) {
		t.Fatalf("health: %d %s", w.status, w.body.String())
	}
	req, _ = http.NewRequest("POST", "/_vigil/reset", nil)
	req.RemoteAddr = "127.0.0.1:1"
	if w := serve(g, req); w.status != http.StatusForbidden {
		t.Fatalf("reset without dev: %d", w.status)
	}
	resets := 0
	g.cfg.Reset = func(context.Context) error { resets++; return nil }
	req.RemoteAddr = "10.0.0.1:1"
	if w := serve(g, req); w.status != http.StatusForbidden || resets != 0 {
		t.Fatalf("reset from another host: %d", w.status)
	}
	req, _ = http.NewRequest("POST", "/moto-api/reset", nil)
	req.RemoteAddr = "[::1]:1"
	if w := serve(g, req); w.status != 0 && w.status != 200 || resets != 1 {
		t.Fatalf("dev reset: %d, %d resets", w.status, resets)
	}
}
