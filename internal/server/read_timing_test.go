package server

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"

	"github.com/vigilhq/vigil/internal/metricstore"
)

// BenchmarkGetMetricData measures the read goals of the metrics issue, on
// captured Go SDK (CBOR) requests replayed through the whole front door:
// one metric × 1,440 points, 500 metrics × 60 points, and a Metrics Insights
// GROUP BY over 10,000 series. Data is written straight into the engine.
func BenchmarkGetMetricData(b *testing.B) {
	srv, err := Start(context.Background(), Options{Addr: "127.0.0.1:0", DataDir: b.TempDir(),
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		b.Fatal(err)
	}
	defer srv.Shutdown(context.Background())
	ctx := context.Background()
	p := metricstore.Partition{Account: "000000000000", Region: "us-east-1"}
	end := time.Now().Truncate(time.Minute)
	day := end.Add(-24 * time.Hour)
	put := func(ds []metricstore.Datum) {
		if err := srv.metrics.Append(ctx, p, ds); err != nil {
			b.Fatal(err)
		}
	}
	// One metric with a point a minute for a day.
	var ds []metricstore.Datum
	for i := 0; i < 1440; i++ {
		ds = append(ds, metricstore.Datum{Key: metricstore.SeriesKey{Namespace: "Bench", MetricName: "Day"}, T: day.Add(time.Duration(i) * time.Minute).UnixMilli(), Value: float64(i), Count: 1})
	}
	put(ds)
	// 10,000 series (100 services × 100 hosts) with an hour of minute data;
	// the first 500 also serve the 500-metric query.
	hour := end.Add(-time.Hour)
	for t := 0; t < 60; t++ {
		ds = ds[:0]
		for s := 0; s < 10000; s++ {
			ds = append(ds, metricstore.Datum{Key: metricstore.SeriesKey{Namespace: "Fleet", MetricName: "CPU",
				Dims: []metricstore.Dim{{Name: "Host", Value: fmt.Sprintf("h%05d", s)}, {Name: "Service", Value: fmt.Sprintf("s%03d", s%100)}}},
				T: hour.Add(time.Duration(t) * time.Minute).UnixMilli(), Value: float64(s % 97), Count: 1})
		}
		put(ds)
	}

	capture := func(in *cloudwatch.GetMetricDataInput) *capture {
		c := &capture{}
		client := cloudwatch.New(cloudwatch.Options{Region: "us-east-1", HTTPClient: c, RetryMaxAttempts: 1,
			Credentials: credentials.NewStaticCredentialsProvider("test", "test", ""), BaseEndpoint: aws.String("http://" + srv.Addr())})
		client.GetMetricData(ctx, in) // the captured reply is a stub
		return c
	}
	metric := func(id, ns, name string, dims ...types.Dimension) types.MetricDataQuery {
		return types.MetricDataQuery{Id: aws.String(id), MetricStat: &types.MetricStat{Period: aws.Int32(60), Stat: aws.String("Average"),
			Metric: &types.Metric{Namespace: aws.String(ns), MetricName: aws.String(name), Dimensions: dims}}}
	}
	var many []types.MetricDataQuery
	for s := 0; s < 500; s++ {
		many = append(many, metric(fmt.Sprintf("m%d", s), "Fleet", "CPU",
			types.Dimension{Name: aws.String("Host"), Value: aws.String(fmt.Sprintf("h%05d", s))},
			types.Dimension{Name: aws.String("Service"), Value: aws.String(fmt.Sprintf("s%03d", s%100))}))
	}
	for _, bc := range []struct {
		name   string
		in     *cloudwatch.GetMetricDataInput
		points int
	}{
		{"1metric×1440", &cloudwatch.GetMetricDataInput{StartTime: aws.Time(day), EndTime: aws.Time(end),
			MetricDataQueries: []types.MetricDataQuery{metric("m", "Bench", "Day")}}, 1440},
		{"500metrics×60", &cloudwatch.GetMetricDataInput{StartTime: aws.Time(hour), EndTime: aws.Time(end), MetricDataQueries: many}, 500 * 60},
		{"insights-groupby-10000series", &cloudwatch.GetMetricDataInput{StartTime: aws.Time(hour), EndTime: aws.Time(end),
			MetricDataQueries: []types.MetricDataQuery{{Id: aws.String("q"), Period: aws.Int32(60),
				Expression: aws.String(`SELECT AVG(CPU) FROM Fleet GROUP BY Service ORDER BY AVG() DESC LIMIT 10`)}}}, 10 * 60},
	} {
		b.Run(bc.name, func(b *testing.B) {
			c := capture(bc.in)
			w := &discard{h: http.Header{}}
			b.ReportAllocs()
			for b.Loop() {
				r := c.req.Clone(ctx)
				r.Body = io.NopCloser(bytes.NewReader(c.body))
				r.RemoteAddr, r.Host = "127.0.0.1:1", r.URL.Host
				clear(w.h)
				w.status = 0
				h := srv.http.Handler
				h.ServeHTTP(w, r)
				if w.status != 0 && w.status != 200 {
					b.Fatalf("status %d: %q", w.status, w.body)
				}
				// Every point is a float64 of at least 9 CBOR bytes.
				if len(w.body) < 9*bc.points {
					b.Fatalf("answer of %d bytes for %d points", len(w.body), bc.points)
				}
			}
		})
	}
}
