package server

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
)

// BenchmarkSDKPutMetricData1000 measures the client's own cost of one
// 1000-datum PutMetricData (the Go SDK's CBOR serialisation and signing,
// no network): on a 2-core machine the load generator shares the CPU with
// the server, so this bounds what an end-to-end run can reach.
func BenchmarkSDKPutMetricData1000(b *testing.B) {
	client := cloudwatchClient("127.0.0.1:1", &capture{})
	in := &cloudwatch.PutMetricDataInput{Namespace: aws.String("Bench"), MetricData: benchDatums(0, time.Now())}
	b.ReportAllocs()
	cpu := cpuTime()
	for b.Loop() {
		if _, err := client.PutMetricData(context.Background(), in); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64((cpuTime()-cpu).Microseconds())/float64(b.N), "cpu-µs/op")
	b.ReportMetric(float64(b.N)*1000/b.Elapsed().Seconds(), "datums/s")
}
