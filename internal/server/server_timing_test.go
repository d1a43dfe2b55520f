package server

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	cwapi "github.com/vigilhq/vigil/internal/api/cloudwatch"
	"github.com/vigilhq/vigil/internal/cputime"
)

// capture keeps the request the SDK would send, and answers 200 so the SDK
// is satisfied: an empty CBOR map, or an empty JSON object when json is
// set.
type capture struct {
	req  *http.Request
	body []byte
	json bool
}

func (c *capture) Do(r *http.Request) (*http.Response, error) {
	c.req = r
	c.body, _ = io.ReadAll(r.Body)
	if c.json {
		return &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"application/x-amz-json-1.1"}},
			Body: io.NopCloser(bytes.NewReader([]byte("{}"))), Request: r}, nil
	}
	return &http.Response{StatusCode: 200, Header: http.Header{"Smithy-Protocol": {"rpc-v2-cbor"}, "Content-Type": {"application/cbor"}},
		Body: io.NopCloser(bytes.NewReader([]byte{0xa0})), Request: r}, nil
}

// BenchmarkPutMetricData1000 measures the server's cost of one 1000-datum
// PutMetricData call as the newest Go SDK sends it (RPC v2 CBOR, no gzip),
// through the whole front door into the metrics engine, without the network
// or the client. Datums/s = 1000 / (ns/op) · 1e9.
func BenchmarkPutMetricData1000(b *testing.B) {
	for _, series := range []int{1000, 100000} {
		b.Run(fmt.Sprintf("series=%d", series), func(b *testing.B) {
			srv, err := Start(context.Background(), Options{Addr: "127.0.0.1:0", DataDir: b.TempDir(),
				Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
			if err != nil {
				b.Fatal(err)
			}
			defer srv.Shutdown(context.Background())
			// One captured request per 1000-series slice, replayed in turn.
			var reqs []*capture
			now := time.Now()
			for off := 0; off < series; off += 1000 {
				c := &capture{}
				if _, err := cloudwatchClient(srv.Addr(), c).PutMetricData(context.Background(), &cloudwatch.PutMetricDataInput{Namespace: aws.String("Bench"), MetricData: benchDatums(off, now)}); err != nil {
					b.Fatal(err)
				}
				reqs = append(reqs, c)
			}
			replayParallel(b, srv.http.Handler, reqs)
			b.ReportMetric(float64(b.N)*1000/b.Elapsed().Seconds(), "datums/s")
		})
	}
}

// replay serves the captured call c through h as the HTTP server would,
// answering into w; it reports false (and fails b) on an error status.
func replay(b *testing.B, h http.Handler, w *discard, c *capture) bool {
	r := c.req.Clone(context.Background())
	r.Body = io.NopCloser(bytes.NewReader(c.body))
	r.RemoteAddr, r.Host = "127.0.0.1:1", r.URL.Host
	clear(w.h)
	w.status = 0
	h.ServeHTTP(w, r)
	if w.status != 0 && w.status != 200 {
		b.Errorf("status %d: %q", w.status, w.body)
		return false
	}
	return true
}

// replayParallel replays reqs in turn through h for b.N calls, 4 at a time
// on 2 cores (the load goals' 4 workers), and reports CPU per call.
func replayParallel(b *testing.B, h http.Handler, reqs []*capture) {
	replayParallelThen(b, h, reqs, nil)
}

// replayParallelThen is replayParallel, with then's CPU (when set: work
// the calls left to do in the background) counted in the calls' own.
func replayParallelThen(b *testing.B, h http.Handler, reqs []*capture, then func()) {
	var next atomic.Int64
	b.ReportAllocs()
	b.SetParallelism(2)
	b.ResetTimer()
	cpu := cpuTime()
	b.RunParallel(func(pb *testing.PB) {
		w := &discard{h: http.Header{}}
		for pb.Next() {
			if !replay(b, h, w, reqs[int(next.Add(1))%len(reqs)]) {
				return
			}
		}
	})
	if then != nil {
		then()
	}
	b.StopTimer()
	b.ReportMetric(float64((cpuTime()-cpu).Microseconds())/float64(b.N), "cpu-µs/op")
}

// cpuTime is the process's CPU time so far: CPU per op is steadier than
// wall time on a machine shared with other work.
func cpuTime() time.Duration {
	d, _ := cputime.Process()
	return d
}

type discard struct {
	h      http.Header
	status int
	body   []byte
}

func (d *discard) Header() http.Header         { return d.h }
func (d *discard) WriteHeader(code int)        { d.status = code }
func (d *discard) Write(p []byte) (int, error) { d.body = append(d.body[:0], p...); return len(p), nil }

// BenchmarkHotDecodePutMetricData is the hand-tuned CBOR decoder alone on
// the 1000-datum call BenchmarkPutMetricData1000 replays.
func BenchmarkHotDecodePutMetricData(b *testing.B) {
	c := &capture{}
	if _, err := cloudwatchClient("127.0.0.1:1", c).PutMetricData(context.Background(), &cloudwatch.PutMetricDataInput{Namespace: aws.String("Bench"), MetricData: benchDatums(0, time.Now())}); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	cpu := cpuTime()
	for b.Loop() {
		release, ok := hotPut(c.body, new(cwapi.PutMetricDataInput))
		if !ok {
			b.Fatal("declined")
		}
		release()
	}
	b.ReportMetric(float64((cpuTime()-cpu).Microseconds())/float64(b.N), "cpu-µs/op")
}

// benchDatums are the 1,000 datums of the ingest benchmarks' calls, shaped
// as `vigil bench put-metric-data` sends them: series off to off+999 (ten
// metric names, Host and Shard dimensions), at t.
func benchDatums(off int, t time.Time) []types.MetricDatum {
	datums := make([]types.MetricDatum, 1000)
	for i := range datums {
		id := off + i
		datums[i] = types.MetricDatum{MetricName: aws.String(fmt.Sprintf("m%d", id%10)), Value: aws.Float64(float64(i)),
			Timestamp: aws.Time(t), Unit: types.StandardUnitMilliseconds,
			Dimensions: []types.Dimension{{Name: aws.String("Host"), Value: aws.String(fmt.Sprintf("host-%d", id/10))},
				{Name: aws.String("Shard"), Value: aws.String(fmt.Sprintf("s%d", id%7))}}}
	}
	return datums
}

// cloudwatchClient is a Go SDK client of the server at addr sending through
// h, without request compression (the goals' setting).
func cloudwatchClient(addr string, h cloudwatch.HTTPClient) *cloudwatch.Client {
	return cloudwatch.New(cloudwatch.Options{Region: "us-east-1", HTTPClient: h,
		Credentials:  credentials.NewStaticCredentialsProvider("test", "test", ""),
		BaseEndpoint: aws.String("http://" + addr), DisableRequestCompression: true})
}
