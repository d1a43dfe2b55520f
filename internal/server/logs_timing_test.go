package server

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"

	"github.com/vigilhq/vigil/internal/bench"
)

// BenchmarkPutLogEvents1000 measures the server's cost of one PutLogEvents
// call of 1,000 JSON lines of ~300 bytes as the Go SDK sends it, through
// the whole front door into the durable log store, without the network or
// the client. MB/s counts message bytes, as the load goal does. The calls
// replayed carry 32,000 distinct lines, so that the background flushes
// (counted: they run in the process, and the last one inside the timed
// part) encode blocks as varied as real ones; replays repeat those lines
// with the same timestamps, which compress more easily than fresh ones.
func BenchmarkPutLogEvents1000(b *testing.B) {
	srv, err := Start(context.Background(), Options{Addr: "127.0.0.1:0", DataDir: b.TempDir(),
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		b.Fatal(err)
	}
	defer srv.Shutdown(context.Background())
	real := cloudwatchlogs.New(cloudwatchlogs.Options{Region: "us-east-1",
		Credentials:  credentials.NewStaticCredentialsProvider("test", "test", ""),
		BaseEndpoint: aws.String("http://" + srv.Addr())})
	ctx := context.Background()
	if _, err := real.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String("/bench")}); err != nil {
		b.Fatal(err)
	}
	const streams, perStream = 4, 8
	var reqs []*capture
	lines := bench.LogLines(1, streams*perStream*1000, 300)
	msgBytes := 0
	for c := range streams * perStream {
		s := c % streams
		name := aws.String("s" + string(rune('0'+s)))
		if c < streams {
			if _, err := real.CreateLogStream(ctx, &cloudwatchlogs.CreateLogStreamInput{LogGroupName: aws.String("/bench"), LogStreamName: name}); err != nil {
				b.Fatal(err)
			}
		}
		req := &capture{json: true}
		client := cloudwatchlogs.New(cloudwatchlogs.Options{Region: "us-east-1", HTTPClient: req,
			Credentials:  credentials.NewStaticCredentialsProvider("test", "test", ""),
			BaseEndpoint: aws.String("http://" + srv.Addr())})
		evs := make([]types.InputLogEvent, 1000)
		now := time.Now().UnixMilli()
		for i := range evs {
			evs[i] = types.InputLogEvent{Timestamp: aws.Int64(now + int64(i)), Message: aws.String(lines[c*1000+i])}
			msgBytes += len(lines[c*1000+i])
		}
		if _, err := client.PutLogEvents(ctx, &cloudwatchlogs.PutLogEventsInput{LogGroupName: aws.String("/bench"), LogStreamName: name, LogEvents: evs}); err != nil {
			b.Fatal(err)
		}
		reqs = append(reqs, req)
	}
	// The head the calls leave is flushed inside the measurement: its
	// compression and indexing are part of what an ingested MB costs.
	replayParallelThen(b, srv.http.Handler, reqs, func() {
		if err := srv.logstore.Flush(ctx); err != nil {
			b.Fatal(err)
		}
	})
	b.ReportMetric(float64(b.N)*float64(msgBytes)/float64(len(reqs))/1e6/b.Elapsed().Seconds(), "MB/s")
}

// BenchmarkSDKPutLogEvents1000 is the client's share of the ingest goal:
// the Go SDK serialising and signing one 1,000-event PutLogEvents call
// (no network, no server). MB/s counts message bytes.
func BenchmarkSDKPutLogEvents1000(b *testing.B) {
	c := &capture{json: true}
	client := cloudwatchlogs.New(cloudwatchlogs.Options{Region: "us-east-1", HTTPClient: c,
		Credentials:  credentials.NewStaticCredentialsProvider("test", "test", ""),
		BaseEndpoint: aws.String("http://127.0.0.1:1")})
	lines := bench.LogLines(1, 1000, 300)
	evs := make([]types.InputLogEvent, len(lines))
	msgBytes := 0
	now := time.Now().UnixMilli()
	for i, l := range lines {
		evs[i] = types.InputLogEvent{Timestamp: aws.Int64(now + int64(i)), Message: aws.String(l)}
		msgBytes += len(l)
	}
	in := &cloudwatchlogs.PutLogEventsInput{LogGroupName: aws.String("/bench"), LogStreamName: aws.String("s"), LogEvents: evs}
	b.ReportAllocs()
	cpu := cpuTime()
	for b.Loop() {
		if _, err := client.PutLogEvents(context.Background(), in); err != nil {
			b.Fatal(err)
		}
	}
	// CPU per MB is what the client takes from the cores a server shares.
	b.ReportMetric(float64((cpuTime()-cpu).Microseconds())/1000/(float64(b.N)*float64(msgBytes)/1e6), "cpu-ms/MB")
	b.ReportMetric(float64(b.N)*float64(msgBytes)/1e6/b.Elapsed().Seconds(), "MB/s")
}
