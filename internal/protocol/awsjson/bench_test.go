package awsjson

import (
	"net/http"
	"testing"

	"github.com/vigilhq/vigil/internal/api/cloudwatch"
	"github.com/vigilhq/vigil/internal/api/shape"
	"github.com/vigilhq/vigil/internal/protocol"
)

const listMetricsBody = `{"Namespace":"AWS/EC2","MetricName":"CPUUtilization","Dimensions":[{"Name":"InstanceId","Value":"i-1234567890abcdef0"}],"RecentlyActive":"PT3H"}`

func BenchmarkDecodeListMetrics(b *testing.B) {
	c := New("1.0")
	r := &protocol.Request{Service: cloudwatch.Model, Op: cloudwatch.Model.Operation("ListMetrics"), Body: []byte(listMetricsBody)}
	b.ReportAllocs()
	b.SetBytes(int64(len(listMetricsBody)))
	for b.Loop() {
		var in cloudwatch.ListMetricsInput
		if err := c.Decode(r, &in); err != nil {
			b.Fatal(err)
		}
	}
}

func listMetricsOutput() *cloudwatch.ListMetricsOutput {
	out := &cloudwatch.ListMetricsOutput{NextToken: shape.Ptr("token-1")}
	for _, id := range []string{"i-1", "i-2", "i-3"} {
		out.Metrics = append(out.Metrics, cloudwatch.Metric{Namespace: shape.Ptr("AWS/EC2"), MetricName: shape.Ptr("CPUUtilization"),
			Dimensions: []cloudwatch.Dimension{{Name: shape.Ptr("InstanceId"), Value: shape.Ptr(id)}}})
	}
	return out
}

func BenchmarkEncodeListMetrics(b *testing.B) {
	c := New("1.0")
	r := &protocol.Request{Service: cloudwatch.Model, Op: cloudwatch.Model.Operation("ListMetrics"), RequestID: "rid"}
	out := listMetricsOutput()
	resp := &protocol.Response{Header: http.Header{}}
	b.ReportAllocs()
	for b.Loop() {
		resp.Reset()
		c.EncodeOutput(r, out, resp)
	}
}

func BenchmarkEncodeError(b *testing.B) {
	c := New("1.0")
	r := &protocol.Request{Service: cloudwatch.Model, Op: cloudwatch.Model.Operation("ListMetrics"), RequestID: "rid"}
	err := &cloudwatch.InvalidParameterValueException{Message: shape.Ptr("bad")}
	resp := &protocol.Response{Header: http.Header{}}
	b.ReportAllocs()
	for b.Loop() {
		resp.Reset()
		c.EncodeError(r, err, resp)
	}
}
