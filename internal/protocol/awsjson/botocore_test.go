package awsjson

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/vigilhq/vigil/internal/api/cloudwatch"
	"github.com/vigilhq/vigil/internal/api/shape"
	"github.com/vigilhq/vigil/internal/api/sqs"
	"github.com/vigilhq/vigil/internal/protocol"
	"github.com/vigilhq/vigil/internal/protocol/internal/shapetest"
)

// TestBotocore feeds our replies to botocore's JSON parser: what the aws CLI
// and boto3 (which speak awsJson1_0 to CloudWatch and SQS) make of them.
func TestBotocore(t *testing.T) {
	c := New("1.0")
	encode := func(svc *shape.Service, op string, out any, err error) *protocol.Response {
		r := &protocol.Request{Service: svc, Op: svc.Operation(op), RequestID: "rid"}
		resp := &protocol.Response{}
		if err != nil {
			c.EncodeError(r, err, resp)
		} else {
			c.EncodeOutput(r, out, resp)
		}
		return resp
	}
	ts := []time.Time{time.Unix(1700000000, 123e6), time.Unix(1700000060, 0)}
	gmd := &cloudwatch.GetMetricDataOutput{MetricDataResults: []cloudwatch.MetricDataResult{{
		Id: shape.Ptr("m1"), Timestamps: ts, Values: []float64{1.5, 2}, StatusCode: shape.Ptr("Complete"),
	}}}
	cases := []shapetest.BotocoreCase{
		{Service: "cloudwatch", Op: "GetMetricData", Protocol: "json", Resp: encode(cloudwatch.Model, "GetMetricData", gmd, nil)},
		{Service: "cloudwatch", Op: "ListMetrics", Protocol: "json", Resp: encode(cloudwatch.Model, "ListMetrics", nil, &cloudwatch.InvalidParameterValueException{Message: shape.Ptr("bad")})},
		{Service: "cloudwatch", Op: "GetDashboard", Protocol: "json", Resp: encode(cloudwatch.Model, "GetDashboard", nil, &cloudwatch.DashboardNotFoundError{Message: shape.Ptr("nope")})},
		{Service: "cloudwatch", Op: "ListMetrics", Protocol: "json", Resp: encode(cloudwatch.Model, "ListMetrics", nil, &shape.Error{Code: "Throttling", Message: "Rate exceeded", Status: 400, Sender: true})},
		{Service: "cloudwatch", Op: "ListMetrics", Protocol: "json", Resp: encode(cloudwatch.Model, "ListMetrics", nil, errors.New("x"))},
		{Service: "sqs", Op: "GetQueueUrl", Protocol: "json", Resp: encode(sqs.Model, "GetQueueUrl", nil, &sqs.QueueDoesNotExist{Message: shape.Ptr("gone")})},
	}
	got := shapetest.Botocore(t, cases)
	r := got[0]["MetricDataResults"].([]any)[0].(map[string]any)
	if fmt.Sprint(r["Timestamps"]) != "[1.700000000123e+09 1.70000006e+09]" || fmt.Sprint(r["Values"]) != "[1.5 2]" || r["Id"] != "m1" {
		t.Errorf("GetMetricData: %v", r)
	}
	wantErrs := []struct{ code, msg, typ string }{
		{"InvalidParameterValue", "bad", "Sender"},
		{"ResourceNotFound", "", "Sender"}, // DashboardNotFoundError's message member is "Message"... checked below
		{"Throttling", "Rate exceeded", "Sender"},
		{"InternalFailure", "We encountered an internal error. Please try again.", "Receiver"},
	}
	for i, w := range wantErrs {
		e := got[i+1]["Error"].(map[string]any)
		if e["Code"] != w.code || (w.msg != "" && e["Message"] != w.msg) || e["Type"] != w.typ {
			t.Errorf("case %d: %v", i+1, e)
		}
	}
	if e := got[2]["Error"].(map[string]any); e["Message"] != "nope" || e["QueryErrorCode"] != "DashboardNotFoundError" {
		t.Errorf("DashboardNotFoundError: %v", e)
	}
	if e := got[5]["Error"].(map[string]any); e["Code"] != "AWS.SimpleQueueService.NonExistentQueue" || e["QueryErrorCode"] != "QueueDoesNotExist" || e["Message"] != "gone" {
		t.Errorf("sqs: %v", e)
	}
}
