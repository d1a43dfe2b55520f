package rpcv2cbor

import (
	"errors"
	"net/http"
	"reflect"
	"testing"

	"github.com/vigilhq/vigil/internal/api/cloudwatch"
	"github.com/vigilhq/vigil/internal/api/shape"
	"github.com/vigilhq/vigil/internal/protocol"
)

func listMetricsBody() []byte {
	// What the Go SDK sends for a small ListMetrics, built with our encoder.
	in := &cloudwatch.ListMetricsInput{Namespace: shape.Ptr("AWS/EC2"), MetricName: shape.Ptr("CPUUtilization"),
		Dimensions: []cloudwatch.DimensionFilter{{Name: shape.Ptr("InstanceId"), Value: shape.Ptr("i-1234567890abcdef0")}}, RecentlyActive: shape.Ptr("PT3H")}
	return appendStruct(nil, cloudwatch.Model.Operation("ListMetrics").Input, reflect.ValueOf(in))
}

func BenchmarkDecodeListMetrics(b *testing.B) {
	body := listMetricsBody()
	r := &protocol.Request{Service: cloudwatch.Model, Op: cloudwatch.Model.Operation("ListMetrics"), Body: body}
	c := New()
	b.ReportAllocs()
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		var in cloudwatch.ListMetricsInput
		if err := c.Decode(r, &in); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkEncodeListMetrics(b *testing.B) {
	out := &cloudwatch.ListMetricsOutput{NextToken: shape.Ptr("token-1")}
	for _, id := range []string{"i-1", "i-2", "i-3"} {
		out.Metrics = append(out.Metrics, cloudwatch.Metric{Namespace: shape.Ptr("AWS/EC2"), MetricName: shape.Ptr("CPUUtilization"),
			Dimensions: []cloudwatch.Dimension{{Name: shape.Ptr("InstanceId"), Value: shape.Ptr(id)}}})
	}
	r := &protocol.Request{Service: cloudwatch.Model, Op: cloudwatch.Model.Operation("ListMetrics"), RequestID: "rid"}
	resp := &protocol.Response{Header: http.Header{}}
	c := New()
	b.ReportAllocs()
	for b.Loop() {
		resp.Reset()
		c.EncodeOutput(r, out, resp)
	}
}

func BenchmarkEncodeError(b *testing.B) {
	r := &protocol.Request{Service: cloudwatch.Model, Op: cloudwatch.Model.Operation("ListMetrics"), RequestID: "rid"}
	resp := &protocol.Response{Header: http.Header{}}
	err := error(&cloudwatch.InvalidParameterValueException{Message: shape.Ptr("bad")})
	c := New()
	b.ReportAllocs()
	for b.Loop() {
		resp.Reset()
		c.EncodeError(r, err, resp)
	}
	_ = errors.New
}
