// Command queryclient drives a running Vigil with awsQuery clients:
// aws-sdk-go-v2 service/cloudwatch v1.52.8, the last release that speaks
// awsQuery (newer ones speak RPC v2 CBOR), and aws-sdk-go v1.47.5's SQS
// client, the last aws-sdk-go release whose SQS client speaks awsQuery (sqs.go).
// It lives in its own module so that the main module's newer clients cannot
// replace them. test/e2e runs it:
//
//	go run . http://127.0.0.1:PORT
//
// and it exits non-zero on the first failed check.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: queryclient ENDPOINT")
		os.Exit(2)
	}
	if err := run(os.Args[1]); err != nil {
		fmt.Fprintln(os.Stderr, "FAIL:", err)
		os.Exit(1)
	}
	fmt.Println("awsQuery client suite passed")
}

func run(endpoint string) error {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cw := cloudwatch.New(cloudwatch.Options{
		Region:           "us-east-1",
		Credentials:      credentials.NewStaticCredentialsProvider("test", "test", ""),
		BaseEndpoint:     aws.String(endpoint),
		RetryMaxAttempts: 1,
		HTTPClient:       awsHTTPClient(),
	})

	_, err := cw.ListDashboards(ctx, &cloudwatch.ListDashboardsInput{})
	if err := want("ListDashboards", err, "NotImplemented", 501); err != nil {
		return err
	}
	if err := alarms(ctx, cw); err != nil {
		return err
	}
	_, err = cw.ListMetrics(ctx, &cloudwatch.ListMetricsInput{RecentlyActive: "PT5H"})
	if err := want("ListMetrics bad RecentlyActive", err, "InvalidParameterValue", 400); err != nil {
		return err
	}
	// A request large enough that the client gzips it (the SDK compresses
	// PutMetricData above 10 KiB): Vigil must decode it to find the error.
	datums := make([]types.MetricDatum, 200)
	for i := range datums {
		datums[i] = types.MetricDatum{
			MetricName: aws.String(fmt.Sprintf("m%03d", i)),
			Value:      aws.Float64(float64(i)),
			Dimensions: []types.Dimension{{Name: aws.String("Host"), Value: aws.String(strings.Repeat("h", 40))}},
		}
	}
	var sawGzip bool
	_, err = cw.PutMetricData(ctx, &cloudwatch.PutMetricDataInput{Namespace: aws.String(""), MetricData: datums},
		func(o *cloudwatch.Options) {
			o.HTTPClient = gzipSpy{next: awsHTTPClient(), saw: &sawGzip}
		})
	if err := want("gzip PutMetricData with empty namespace", err, "InvalidParameterValue", 400); err != nil {
		return err
	}
	if !sawGzip {
		return errors.New("the client did not gzip PutMetricData; the test proves nothing")
	}
	if err := metrics(ctx, cw, datums); err != nil {
		return err
	}
	return runSQS(endpoint)
}

// metrics puts data over awsQuery, gzipped, and reads it back.
func metrics(ctx context.Context, cw *cloudwatch.Client, datums []types.MetricDatum) error {
	now := time.Now().Truncate(time.Minute)
	for i := range datums {
		datums[i].Timestamp = aws.Time(now.Add(-time.Minute))
	}
	if _, err := cw.PutMetricData(ctx, &cloudwatch.PutMetricDataInput{Namespace: aws.String("QueryApp"), MetricData: datums}); err != nil {
		return fmt.Errorf("PutMetricData: %w", err)
	}
	list, err := cw.ListMetrics(ctx, &cloudwatch.ListMetricsInput{Namespace: aws.String("QueryApp")})
	if err != nil || len(list.Metrics) != len(datums) {
		return fmt.Errorf("ListMetrics: %+v, %v", list, err)
	}
	st, err := cw.GetMetricStatistics(ctx, &cloudwatch.GetMetricStatisticsInput{
		Namespace: aws.String("QueryApp"), MetricName: datums[7].MetricName, Dimensions: datums[7].Dimensions,
		StartTime: aws.Time(now.Add(-time.Hour)), EndTime: aws.Time(now), Period: aws.Int32(60),
		Statistics: []types.Statistic{types.StatisticSum},
	})
	if err != nil || len(st.Datapoints) != 1 || aws.ToFloat64(st.Datapoints[0].Sum) != 7 {
		return fmt.Errorf("GetMetricStatistics: %+v, %v", st, err)
	}
	fmt.Println("ok   PutMetricData (gzip), ListMetrics, GetMetricStatistics over awsQuery")
	return nil
}

func want(what string, err error, code string, status int) error {
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != code {
		return fmt.Errorf("%s: want %s, got %v", what, code, err)
	}
	var re *smithyhttp.ResponseError
	if !errors.As(err, &re) || re.HTTPStatusCode() != status {
		return fmt.Errorf("%s: want HTTP %d, got %v", what, status, err)
	}
	fmt.Printf("ok   %s: %s\n", what, code)
	return nil
}
