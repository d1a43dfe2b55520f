package rpcv2cbor

import (
	"context"
	"errors"
	"math"
	"reflect"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	awscw "github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/smithy-go"

	"github.com/vigilhq/vigil/internal/api/cloudwatch"
	"github.com/vigilhq/vigil/internal/api/shape"
	"github.com/vigilhq/vigil/internal/protocol"
	"github.com/vigilhq/vigil/internal/protocol/internal/shapetest"
)

// TestInteropCloudWatch drives the real aws-sdk-go-v2 CloudWatch client,
// which speaks rpcv2Cbor, against the codec with the generated model.
func TestInteropCloudWatch(t *testing.T) {
	var put *cloudwatch.PutMetricDataInput
	var gmd *cloudwatch.GetMetricDataInput
	var lm *cloudwatch.ListMetricsInput
	srv := shapetest.Server(t, cloudwatch.Model, New(), func(op *shape.Operation, in any) (any, error) {
		switch op.Name {
		case "ListMetrics":
			lm = in.(*cloudwatch.ListMetricsInput)
			switch aws.ToString(lm.Namespace) {
			case "bad":
				return nil, &cloudwatch.InvalidParameterValueException{Message: shape.Ptr("bad namespace")}
			case "throttle":
				return nil, &shape.Error{Code: "Throttling", Message: "Rate exceeded", Status: 400, Sender: true}
			case "plain-modeled":
				return nil, shape.Errorf("InvalidParameterValue", "via code")
			}
			return &cloudwatch.ListMetricsOutput{NextToken: shape.Ptr("n"), Metrics: []cloudwatch.Metric{
				{Namespace: shape.Ptr("AWS/EC2"), MetricName: shape.Ptr("CPUUtilization"), Dimensions: []cloudwatch.Dimension{{Name: shape.Ptr("InstanceId"), Value: shape.Ptr("i-1")}}},
			}}, nil
		case "PutMetricData":
			put = in.(*cloudwatch.PutMetricDataInput)
			return nil, nil
		case "GetMetricData":
			gmd = in.(*cloudwatch.GetMetricDataInput)
			return &cloudwatch.GetMetricDataOutput{MetricDataResults: []cloudwatch.MetricDataResult{{
				Id: shape.Ptr("m1"), Label: shape.Ptr("CPU"), StatusCode: shape.Ptr("Complete"),
				Timestamps: []time.Time{time.UnixMilli(1700000000123), time.UnixMilli(1700000060000)},
				Values:     []float64{1.25, math.Inf(1)},
			}}, Messages: []cloudwatch.MessageData{{Code: shape.Ptr("c"), Value: shape.Ptr("v")}}}, nil
		case "GetDashboard":
			return nil, &cloudwatch.DashboardNotFoundError{Message: shape.Ptr("no dashboard")}
		}
		return nil, shape.NotImplemented("cloudwatch", op.Name)
	})
	cfg, err := config.LoadDefaultConfig(context.Background(), config.WithRegion("us-east-1"), config.WithRetryMaxAttempts(1),
		config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider("test", "test", "")))
	if err != nil {
		t.Fatal(err)
	}
	client := awscw.NewFromConfig(cfg, func(o *awscw.Options) { o.BaseEndpoint = aws.String(srv.URL) })
	ctx := context.Background()

	out, err := client.ListMetrics(ctx, &awscw.ListMetricsInput{Namespace: aws.String("AWS/EC2"), RecentlyActive: cwtypes.RecentlyActivePt3h,
		Dimensions: []cwtypes.DimensionFilter{{Name: aws.String("InstanceId")}}, IncludeLinkedAccounts: aws.Bool(true)})
	if err != nil {
		t.Fatal(err)
	}
	wantIn := &cloudwatch.ListMetricsInput{Namespace: shape.Ptr("AWS/EC2"), RecentlyActive: shape.Ptr("PT3H"),
		Dimensions: []cloudwatch.DimensionFilter{{Name: shape.Ptr("InstanceId")}}, IncludeLinkedAccounts: shape.Ptr(true)}
	if !reflect.DeepEqual(lm, wantIn) {
		t.Errorf("server decoded %+v", lm)
	}
	if len(out.Metrics) != 1 || aws.ToString(out.Metrics[0].Dimensions[0].Value) != "i-1" || aws.ToString(out.NextToken) != "n" {
		t.Errorf("client decoded %+v", out)
	}

	ts := time.UnixMilli(1700000000123).UTC()
	_, err = client.PutMetricData(ctx, &awscw.PutMetricDataInput{Namespace: aws.String("App"), MetricData: []cwtypes.MetricDatum{
		{MetricName: aws.String("Latency"), Timestamp: &ts, Value: aws.Float64(0.1), Unit: cwtypes.StandardUnitSeconds, StorageResolution: aws.Int32(1),
			Dimensions: []cwtypes.Dimension{{Name: aws.String("Host"), Value: aws.String("h")}}},
		{MetricName: aws.String("Hist"), Values: []float64{1, 2.5, -3}, Counts: []float64{10, 1, 1e9},
			StatisticValues: &cwtypes.StatisticSet{SampleCount: aws.Float64(3), Sum: aws.Float64(6), Minimum: aws.Float64(1), Maximum: aws.Float64(3)}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	wantPut := &cloudwatch.PutMetricDataInput{Namespace: shape.Ptr("App"), MetricData: []cloudwatch.MetricDatum{
		{MetricName: shape.Ptr("Latency"), Timestamp: &ts, Value: shape.Ptr(0.1), Unit: shape.Ptr("Seconds"), StorageResolution: shape.Ptr[int32](1),
			Dimensions: []cloudwatch.Dimension{{Name: shape.Ptr("Host"), Value: shape.Ptr("h")}}},
		{MetricName: shape.Ptr("Hist"), Values: []float64{1, 2.5, -3}, Counts: []float64{10, 1, 1e9},
			StatisticValues: &cloudwatch.StatisticSet{SampleCount: shape.Ptr(3.0), Sum: shape.Ptr(6.0), Minimum: shape.Ptr(1.0), Maximum: shape.Ptr(3.0)}},
	}}
	if !reflect.DeepEqual(put, wantPut) {
		t.Errorf("server decoded PutMetricData %+v", put.MetricData)
	}

	start, end := time.Unix(1700000000, 0).UTC(), time.Unix(1700003600, 500e6).UTC()
	g, err := client.GetMetricData(ctx, &awscw.GetMetricDataInput{StartTime: &start, EndTime: &end, MaxDatapoints: aws.Int32(100),
		MetricDataQueries: []cwtypes.MetricDataQuery{{Id: aws.String("m1"), ReturnData: aws.Bool(false), MetricStat: &cwtypes.MetricStat{
			Period: aws.Int32(60), Stat: aws.String("Average"), Metric: &cwtypes.Metric{Namespace: aws.String("AWS/EC2"), MetricName: aws.String("CPUUtilization")}}}}})
	if err != nil {
		t.Fatal(err)
	}
	if !gmd.StartTime.Equal(start) || !gmd.EndTime.Equal(end) || *gmd.MaxDatapoints != 100 || *gmd.MetricDataQueries[0].MetricStat.Period != 60 ||
		*gmd.MetricDataQueries[0].ReturnData || *gmd.MetricDataQueries[0].MetricStat.Metric.MetricName != "CPUUtilization" {
		t.Errorf("server decoded GetMetricData %+v", gmd)
	}
	r := g.MetricDataResults[0]
	if aws.ToString(r.Id) != "m1" || r.StatusCode != cwtypes.StatusCodeComplete || len(r.Timestamps) != 2 ||
		!r.Timestamps[0].Equal(time.UnixMilli(1700000000123)) || !r.Timestamps[1].Equal(time.UnixMilli(1700000060000)) ||
		r.Values[0] != 1.25 || !math.IsInf(r.Values[1], 1) || aws.ToString(g.Messages[0].Value) != "v" {
		t.Errorf("client decoded GetMetricData %+v %v", r, r.Timestamps)
	}

	// Errors: the modeled type, with the awsQuery code as its ErrorCode.
	_, err = client.ListMetrics(ctx, &awscw.ListMetricsInput{Namespace: aws.String("bad")})
	var ipv *cwtypes.InvalidParameterValueException
	if !errors.As(err, &ipv) || ipv.ErrorCode() != "InvalidParameterValue" || ipv.ErrorMessage() != "bad namespace" || ipv.ErrorFault() != smithy.FaultClient {
		t.Errorf("want InvalidParameterValueException, got %v", err)
	}
	_, err = client.ListMetrics(ctx, &awscw.ListMetricsInput{Namespace: aws.String("plain-modeled")})
	if !errors.As(err, &ipv) || ipv.ErrorCode() != "InvalidParameterValue" || ipv.ErrorMessage() != "via code" {
		t.Errorf("want InvalidParameterValueException from a plain error, got %v", err)
	}
	_, err = client.GetDashboard(ctx, &awscw.GetDashboardInput{DashboardName: aws.String("d")})
	var dnf *cwtypes.DashboardNotFoundError
	if !errors.As(err, &dnf) || dnf.ErrorCode() != "ResourceNotFound" || dnf.ErrorMessage() != "no dashboard" {
		t.Errorf("want DashboardNotFoundError, got %v", err)
	}
	var api smithy.APIError
	_, err = client.ListMetrics(ctx, &awscw.ListMetricsInput{Namespace: aws.String("throttle")})
	if !errors.As(err, &api) || api.ErrorCode() != "Throttling" || api.ErrorMessage() != "Rate exceeded" {
		t.Errorf("want Throttling, got %v", err)
	}
	_, err = client.DeleteAlarms(ctx, &awscw.DeleteAlarmsInput{AlarmNames: []string{"a"}})
	if !errors.As(err, &api) || api.ErrorCode() != "NotImplemented" || api.ErrorFault() != smithy.FaultServer {
		t.Errorf("want NotImplemented, got %v", err)
	}
}

// TestBotocore feeds our replies to botocore's smithy-rpc-v2-cbor parser.
func TestBotocore(t *testing.T) {
	encode := func(op string, out any, err error) *protocol.Response {
		r := &protocol.Request{Service: cloudwatch.Model, Op: cloudwatch.Model.Operation(op)}
		resp := &protocol.Response{}
		if err != nil {
			New().EncodeError(r, err, resp)
		} else {
			New().EncodeOutput(r, out, resp)
		}
		return resp
	}
	gmd := &cloudwatch.GetMetricDataOutput{MetricDataResults: []cloudwatch.MetricDataResult{{
		Id: shape.Ptr("m1"), Timestamps: []time.Time{time.UnixMilli(1700000000123)}, Values: []float64{1.5},
	}}}
	got := shapetest.Botocore(t, []shapetest.BotocoreCase{
		{Service: "cloudwatch", Op: "GetMetricData", Protocol: "smithy-rpc-v2-cbor", Resp: encode("GetMetricData", gmd, nil)},
		{Service: "cloudwatch", Op: "ListMetrics", Protocol: "smithy-rpc-v2-cbor", Resp: encode("ListMetrics", nil, &cloudwatch.InvalidParameterValueException{Message: shape.Ptr("bad")})},
		{Service: "cloudwatch", Op: "ListMetrics", Protocol: "smithy-rpc-v2-cbor", Resp: encode("ListMetrics", nil, shape.NotImplemented("cloudwatch", "ListMetrics"))},
	})
	r := got[0]["MetricDataResults"].([]any)[0].(map[string]any)
	if r["Id"] != "m1" || r["Timestamps"].([]any)[0] != 1700000000.123 || r["Values"].([]any)[0] != 1.5 {
		t.Errorf("GetMetricData: %v", r)
	}
	if e := got[1]["Error"].(map[string]any); e["Code"] != "InvalidParameterValue" || e["Message"] != "bad" || e["Type"] != "Sender" {
		t.Errorf("modeled error: %v", e)
	}
	if e := got[2]["Error"].(map[string]any); e["Code"] != "NotImplemented" || e["Type"] != "Receiver" {
		t.Errorf("plain error: %v", e)
	}
}
