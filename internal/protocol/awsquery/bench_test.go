package awsquery

import (
	"net/url"
	"testing"

	"github.com/vigilhq/vigil/internal/api/cloudwatch"
	"github.com/vigilhq/vigil/internal/api/shape"
	"github.com/vigilhq/vigil/internal/protocol"
)

// A small PutMetricData as aws-sdk-go-v2 v1.52.8 sends it: one datum, two
// dimensions, a timestamp and a value.
const smallPutMetricData = "Action=PutMetricData&MetricData.member.1.Dimensions.member.1.Name=InstanceId" +
	"&MetricData.member.1.Dimensions.member.1.Value=i-0123456789abcdef0&MetricData.member.1.Dimensions.member.2.Name=Env" +
	"&MetricData.member.1.Dimensions.member.2.Value=prod&MetricData.member.1.MetricName=Latency" +
	"&MetricData.member.1.Timestamp=2026-11-25T10%3A00%3A00Z&MetricData.member.1.Unit=Milliseconds" +
	"&MetricData.member.1.Value=12.5&Namespace=Vigil%2FTest&Version=2010-08-01"

func BenchmarkDecode(b *testing.B) {
	c := New()
	req := &protocol.Request{Service: cloudwatch.Model, Op: cloudwatch.Model.Operation("PutMetricData"),
		Body: []byte(smallPutMetricData), URL: &url.URL{Path: "/"}, RequestID: "r"}
	b.ReportAllocs()
	b.SetBytes(int64(len(req.Body)))
	for b.Loop() {
		var in cloudwatch.PutMetricDataInput
		if err := c.Decode(req, &in); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkEncode(b *testing.B) {
	c := New()
	req := &protocol.Request{Service: cloudwatch.Model, Op: cloudwatch.Model.Operation("ListMetrics"), RequestID: "11111111-2222-3333-4444-555555555555"}
	out := &cloudwatch.ListMetricsOutput{Metrics: []cloudwatch.Metric{
		{Namespace: shape.Ptr("AWS/EC2"), MetricName: shape.Ptr("CPUUtilization"),
			Dimensions: []cloudwatch.Dimension{{Name: shape.Ptr("InstanceId"), Value: shape.Ptr("i-0123456789abcdef0")}}},
		{Namespace: shape.Ptr("Vigil/Test"), MetricName: shape.Ptr("Latency"),
			Dimensions: []cloudwatch.Dimension{{Name: shape.Ptr("Env"), Value: shape.Ptr("prod")}}},
	}}
	var resp protocol.Response
	b.ReportAllocs()
	for b.Loop() {
		resp.Reset()
		c.EncodeOutput(req, out, &resp)
	}
	b.SetBytes(int64(resp.Body.Len()))
}

func BenchmarkEncodeError(b *testing.B) {
	c := New()
	req := &protocol.Request{Service: cloudwatch.Model, Op: cloudwatch.Model.Operation("PutMetricData"), RequestID: "r"}
	err := shape.Errorf("InvalidParameterValue", "The value for parameter MetricData.member.1.Value is invalid.")
	var resp protocol.Response
	b.ReportAllocs()
	for b.Loop() {
		resp.Reset()
		c.EncodeError(req, err, &resp)
	}
}
