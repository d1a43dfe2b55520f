package server

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"

	"github.com/vigilhq/vigil/internal/sdkhttp"
)

// The hot PutMetricData path lends every call pooled memory (the decoder's
// arrays and interned strings, the handler's scratch): calls running at
// the same time, each with series and values of its own, must store
// exactly their own datums. (Whether memory comes back too early depends
// on scheduling here; TestHotDecoderReleasedAfterTheCall in the gateway
// checks when release runs.)
func TestConcurrentPutMetricDataStoresEachCallsOwn(t *testing.T) {
	srv, err := Start(context.Background(), Options{Addr: "127.0.0.1:0", DataDir: t.TempDir(),
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Shutdown(context.Background())
	client := cloudwatch.New(cloudwatch.Options{Region: "us-east-1", RetryMaxAttempts: 1,
		HTTPClient:  sdkhttp.Client{Next: awshttp.NewBuildableClient()},
		Credentials: credentials.NewStaticCredentialsProvider("test", "test", ""), BaseEndpoint: aws.String("http://" + srv.Addr()),
		DisableRequestCompression: true})
	ctx := context.Background()
	const workers, calls, per = 6, 15, 100
	at := time.Now().Add(-time.Minute).Truncate(time.Minute)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for c := range calls {
				ds := make([]types.MetricDatum, per)
				for i := range ds {
					// Worker w's series i gets c+1 on call c: its sum is known.
					ds[i] = types.MetricDatum{MetricName: aws.String(fmt.Sprintf("w%d", w)), Value: aws.Float64(float64(c + 1)),
						Timestamp: aws.Time(at), Unit: types.StandardUnitCount,
						Dimensions: []types.Dimension{{Name: aws.String("Series"), Value: aws.String(fmt.Sprintf("w%d-s%d", w, i))}}}
				}
				if _, err := client.PutMetricData(ctx, &cloudwatch.PutMetricDataInput{Namespace: aws.String("Pool"), MetricData: ds}); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	want := float64(calls * (calls + 1) / 2)
	for w := range workers {
		for _, i := range []int{0, per / 2, per - 1} {
			out, err := client.GetMetricStatistics(ctx, &cloudwatch.GetMetricStatisticsInput{Namespace: aws.String("Pool"),
				MetricName: aws.String(fmt.Sprintf("w%d", w)), Period: aws.Int32(60), StartTime: aws.Time(at), EndTime: aws.Time(at.Add(time.Minute)),
				Dimensions: []types.Dimension{{Name: aws.String("Series"), Value: aws.String(fmt.Sprintf("w%d-s%d", w, i))}},
				Statistics: []types.Statistic{types.StatisticSum, types.StatisticSampleCount}})
			if err != nil {
				t.Fatal(err)
			}
			if len(out.Datapoints) != 1 || *out.Datapoints[0].Sum != want || *out.Datapoints[0].SampleCount != calls {
				t.Fatalf("w%d-s%d: %+v, want sum %v of %d samples", w, i, out.Datapoints, want, calls)
			}
		}
	}
	n := 0
	for pages := cloudwatch.NewListMetricsPaginator(client, &cloudwatch.ListMetricsInput{Namespace: aws.String("Pool")}); pages.HasMorePages(); {
		page, err := pages.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		n += len(page.Metrics)
	}
	if n != workers*per {
		t.Fatalf("%d series, want %d", n, workers*per)
	}
}
