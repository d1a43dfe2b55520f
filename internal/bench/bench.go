// Package bench is Vigil's load generator: it drives a running server with
// the real aws-sdk-go-v2 clients (RPC v2 CBOR for CloudWatch) and reports
// throughput, so performance goals are measured through the AWS protocol,
// not around it. Every workload is bounded in requests and time.
package bench

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/vigilhq/vigil/internal/sdkhttp"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
)

// PutMetricDataConfig describes an ingest workload.
type PutMetricDataConfig struct {
	Endpoint    string
	Workers     int
	Series      int           // distinct series written round-robin
	BatchSize   int           // datums per call (≤ 1000)
	Duration    time.Duration // stop after this long…
	MaxRequests int           // …or after this many calls
	Gzip        bool          // the SDK's default request compression
}

// Result is what a workload measured.
type Result struct {
	Requests int64
	Datums   int64
	Errors   int64
	Elapsed  time.Duration
}

func (r Result) String() string {
	s := r.Elapsed.Seconds()
	return fmt.Sprintf("%d requests, %d datums in %.2fs: %.0f datums/s, %.1f requests/s, %d errors",
		r.Requests, r.Datums, s, float64(r.Datums)/s, float64(r.Requests)/s, r.Errors)
}

// PutMetricData runs the ingest workload.
func PutMetricData(ctx context.Context, c PutMetricDataConfig, log io.Writer) (Result, error) {
	if c.Workers <= 0 || c.BatchSize <= 0 || c.BatchSize > 1000 || c.Series <= 0 {
		return Result{}, fmt.Errorf("bench: workers, series and a batch size of 1..1000 are required")
	}
	cfg := sdkConfig(c.Endpoint, c.Workers)
	cfg.DisableRequestCompression = !c.Gzip
	client := cloudwatch.NewFromConfig(cfg)
	// Names are built once: the client shares the machine with the server,
	// and its own cost should be the SDK's, not the generator's.
	metricNames, hosts, shards := make([]*string, 10), make([]*string, c.Series/10+1), make([]*string, 7)
	for i := range metricNames {
		metricNames[i] = aws.String(fmt.Sprintf("m%d", i))
	}
	for i := range hosts {
		hosts[i] = aws.String(fmt.Sprintf("host-%d", i))
	}
	for i := range shards {
		shards[i] = aws.String(fmt.Sprintf("s%d", i))
	}
	var res Result
	errs := errorLog{keep: 1}
	res.Elapsed = drive(ctx, c.Workers, c.MaxRequests, c.Duration, func(ctx context.Context, w int, more func() bool) {
		// Values and timestamps are written in place each call: the
		// generator should cost what the SDK costs, not allocations of
		// its own.
		batch := make([]types.MetricDatum, c.BatchSize)
		values := make([]float64, c.BatchSize)
		stamps := make([]time.Time, c.BatchSize)
		for i := range batch {
			batch[i].Dimensions = []types.Dimension{{Name: aws.String("Host")}, {Name: aws.String("Shard")}}
			batch[i].Unit = types.StandardUnitMilliseconds
			batch[i].Value, batch[i].Timestamp = &values[i], &stamps[i]
		}
		seq := w * c.BatchSize
		for more() {
			now := time.Now()
			for i := range batch {
				sid := seq % c.Series
				seq++
				batch[i].MetricName = metricNames[sid%10]
				batch[i].Dimensions[0].Value = hosts[sid/10]
				batch[i].Dimensions[1].Value = shards[sid%7]
				values[i], stamps[i] = float64(seq%1000), now
			}
			_, err := client.PutMetricData(ctx, &cloudwatch.PutMetricDataInput{Namespace: aws.String("Bench"), MetricData: batch})
			if err != nil {
				if ctx.Err() != nil {
					break
				}
				errs.add(err)
				continue
			}
			atomic.AddInt64(&res.Requests, 1)
			atomic.AddInt64(&res.Datums, int64(len(batch)))
		}
	})
	res.Errors = errs.count()
	if first := errs.first(); len(first) > 0 {
		fmt.Fprintln(log, "first error:", first[0])
	}
	return res, nil
}

// sdkConfig is the client setup every workload shares: static credentials
// (a --dev server accepts any key), the given endpoint, a single attempt per
// call so that failures are counted rather than retried, and an idle
// connection kept per worker.
func sdkConfig(endpoint string, workers int) aws.Config {
	return aws.Config{
		Region:           "us-east-1",
		Credentials:      credentials.NewStaticCredentialsProvider("test", "test", ""),
		BaseEndpoint:     aws.String(endpoint),
		RetryMaxAttempts: 1,
		HTTPClient:       sdkhttp.Client{Next: &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: workers}}},
	}
}

// drive runs workers concurrently and times them. Each worker loops while
// more grants it another call: more says no once the duration (default
// 10s) has passed, ctx has ended or maxRequests calls (0: no limit) have
// been granted across all workers. The ctx handed to the workers ends with
// the duration; drive returns how long the workers ran.
func drive(ctx context.Context, workers, maxRequests int, duration time.Duration, worker func(ctx context.Context, w int, more func() bool)) time.Duration {
	if duration <= 0 {
		duration = 10 * time.Second
	}
	if maxRequests <= 0 {
		maxRequests = 1 << 30
	}
	ctx, cancel := context.WithTimeout(ctx, duration)
	defer cancel()
	var next atomic.Int64
	more := func() bool { return ctx.Err() == nil && next.Add(1) <= int64(maxRequests) }
	start := time.Now()
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			worker(ctx, w, more)
		}(w)
	}
	wg.Wait()
	return time.Since(start)
}

// errorLog counts a workload's failures and keeps the first few to report.
type errorLog struct {
	keep int // how many to keep

	n    atomic.Int64
	mu   sync.Mutex
	kept []error
}

func (e *errorLog) add(err error) {
	e.n.Add(1)
	e.mu.Lock()
	if len(e.kept) < e.keep {
		e.kept = append(e.kept, err)
	}
	e.mu.Unlock()
}

func (e *errorLog) count() int64 { return e.n.Load() }

// first returns the errors kept, in the order they were added.
func (e *errorLog) first() []error {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]error(nil), e.kept...)
}
