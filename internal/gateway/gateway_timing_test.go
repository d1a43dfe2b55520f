package gateway

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"testing"

	"github.com/vigilhq/vigil/internal/audit"
)

// discardStore accepts audit events and keeps nothing, so the benchmarks
// measure the front door, not the disk.
type discardStore struct{ audit.Store }

func (discardStore) Append(context.Context, []*audit.Event) error { return nil }

// BenchmarkFrontDoor measures one small call through the whole front door —
// route, SigV4, decode, validate, dispatch, encode, audit record — for each
// protocol. The handlers return at once.
func BenchmarkFrontDoor(b *testing.B) {
	rec := audit.NewRecorder(discardStore{}, audit.RecorderOptions{})
	defer rec.Close()
	g := newTestGateway(rec)
	form := []string{"Content-Type", "application/x-www-form-urlencoded"}
	for _, bc := range []struct {
		name, path, service string
		body                string
		header              []string
	}{
		{"awsJson1_1", "/", "logs", `{"logGroupNamePrefix":"app/","limit":5}`, jsonHeaders("Logs_20140328.DescribeLogGroups", "1.1")},
		{"awsJson1_0", "/", "monitoring", `{"Namespace":"App","MetricName":"Latency"}`, jsonHeaders("GraniteServiceVersion20100801.ListMetrics", "1.0")},
		{"rpcv2Cbor", "/service/GraniteServiceVersion20100801/operation/ListMetrics", "monitoring",
			"\xa2iNamespacecAppjMetricNamegLatency", []string{"Smithy-Protocol", "rpc-v2-cbor", "Content-Type", "application/cbor"}},
		{"awsQuery", "/", "sts", "Action=GetCallerIdentity&Version=2011-06-15", form},
		{"awsQuery-cloudwatch", "/", "monitoring", "Action=ListMetrics&Version=2010-08-01&Namespace=App&MetricName=Latency", form},
		{"restJson1", "/PutAuditEvents?channelArn=arn%3Aaws%3Acloudtrail%3Aus-east-1%3A000000000000%3Achannel%2Fc", "cloudtrail-data",
			`{"auditEvents":[{"id":"1","eventData":"{}"}]}`, []string{"Content-Type", "application/json"}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			body := []byte(bc.body)
			req := signed(b, "POST", bc.path, bc.service, body, bc.header...)
			w := &sink{h: http.Header{}}
			rd := bytes.NewReader(body)
			b.ReportAllocs()
			for b.Loop() {
				rd.Reset(body)
				req.Body = io.NopCloser(rd)
				w.reset()
				g.ServeHTTP(w, req)
				if w.status != 0 && w.status != 200 {
					b.Fatalf("status %d: %s", w.status, w.body.String())
				}
			}
		})
	}
}
