package server

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
)

// BenchmarkSDKPutMetricData1000 measures the client's own cost of one
// 1000-datum PutMetricData (the Go SDK's CBOR serialisation and signing,
// no network): on a 2-core machine the load generator shares the CPU with
// the server, so this bounds what an end-to-end run can reach.
func BenchmarkSDKPutMetricData1000(b *testing.B) {
	c := &capture{}
	client := cloudwatch.New(cloudwatch.Options{Region: "us-east-1", HTTPClient: c,
		Credentials:  credentials.NewStaticCredentialsProvider("test", "test", ""),
		BaseEndpoint: aws.String("http://127.0.0.1:1"), DisableRequestCompression: true})
	datums := make([]types.MetricDatum, 1000)
	for i := range datums {
		datums[i] = types.MetricDatum{MetricName: aws.String(fmt.Sprintf("m%d", i%10)), Value: aws.Float64(float64(i)),
			Timestamp: aws.Time(time.Now()), Unit: types.StandardUnitMilliseconds,
			Dimensions: []types.Dimension{{Name: aws.String("Host"), Value: aws.String(fmt.Sprintf("host-%d", i/10))}}}
	}
	in := &cloudwatch.PutMetricDataInput{Namespace: aws.String("Bench"), MetricData: datums}
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
