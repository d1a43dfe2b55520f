package audit

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/vigilhq/vigil/internal/api/shape"
	"github.com/vigilhq/vigil/internal/reqctx"
)

type putIn struct{ LogGroupName *string }
type putOut struct{ TaskId *string }

func call(op string, caller reqctx.Caller, in, out any, err error) Call {
	str := &shape.Shape{Type: shape.String}
	return Call{
		Request: &reqctx.Request{Caller: caller, Region: "eu-west-1", Service: "logs", Operation: op,
			RequestID: "req-1", SourceIP: "127.0.0.1", UserAgent: "aws-cli/2", Time: t0.Add(1500 * time.Millisecond)},
		Service: &shape.Service{ID: "logs", EndpointPrefix: "logs"},
		Operation: &shape.Operation{Name: op,
			Input:  &shape.Shape{Type: shape.Structure, GoType: reflect.TypeOf(putIn{}), Members: []*shape.Member{{Name: "LogGroupName", Shape: str}}},
			Output: &shape.Shape{Type: shape.Structure, GoType: reflect.TypeOf(putOut{}), Members: []*shape.Member{{Name: "TaskId", Shape: str}}}},
		Input: in, Output: out, Err: err, EventID: "00000000-0000-4000-8000-000000000000",
	}
}

var user = reqctx.Caller{AccountID: "123456789012", AccessKeyID: "AKIDEXAMPLE", ARN: "arn:aws:iam::123456789012:user/bob",
	PrincipalID: "AIDAEXAMPLE", Type: "IAMUser", UserName: "bob"}
var root = reqctx.Caller{AccountID: "123456789012", AccessKeyID: "AKROOT", ARN: "arn:aws:iam::123456789012:root",
	PrincipalID: "123456789012", Type: "Root"}

func TestNewEventRecord(t *testing.T) {
	e := NewEvent(call("CreateExportTask", user, &putIn{LogGroupName: shape.Ptr("/g")}, &putOut{TaskId: shape.Ptr("t-1")}, nil))
	rec, err := e.Record()
	if err != nil {
		t.Fatal(err)
	}
	want := `{"eventVersion":"1.11","userIdentity":{"type":"IAMUser","principalId":"AIDAEXAMPLE","arn":"arn:aws:iam::123456789012:user/bob",` +
		`"accountId":"123456789012","accessKeyId":"AKIDEXAMPLE","userName":"bob"},"eventTime":"2026-11-25T10:00:01Z",` +
		`"eventSource":"logs.amazonaws.com","eventName":"CreateExportTask","awsRegion":"eu-west-1","sourceIPAddress":"127.0.0.1",` +
		`"userAgent":"aws-cli/2","requestParameters":{"logGroupName":"/g"},"responseElements":{"taskId":"t-1"},"requestID":"req-1",` +
		`"eventID":"00000000-0000-4000-8000-000000000000","readOnly":false,"eventType":"AwsApiCall","managementEvent":true,` +
		`"recipientAccountId":"123456789012","eventCategory":"Management"}`
	if string(rec) != want {
		t.Fatalf("record\n got %s\nwant %s", rec, want)
	}
	if e.Username != "bob" {
		t.Fatalf("username %q", e.Username)
	}
	var back Event
	if err := json.Unmarshal(rec, &back); err != nil || !back.EventTime.Equal(e.EventTime.Time) {
		t.Fatalf("round trip: %v %v", err, back.EventTime)
	}
}

func TestNewEventVariants(t *testing.T) {
	// Root: no userName, Username "root"; read-only: responseElements null.
	e := NewEvent(call("DescribeLogGroups", root, &putIn{}, &putOut{TaskId: shape.Ptr("x")}, nil))
	rec, _ := e.Record()
	if e.Username != "root" || strings.Contains(string(rec), "userName") || !e.ReadOnly ||
		!strings.Contains(string(rec), `"requestParameters":null,"responseElements":null`) {
		t.Fatalf("root read-only: %s", rec)
	}
	// Failure: errorCode/errorMessage, no response.
	e = NewEvent(call("DeleteLogGroup", user, &putIn{LogGroupName: shape.Ptr("/g")}, nil,
		shape.Errorf("ResourceNotFoundException", "The specified log group does not exist.")))
	rec, _ = e.Record()
	if e.ErrorCode != "ResourceNotFoundException" || e.ErrorMessage != "The specified log group does not exist." ||
		!strings.Contains(string(rec), `"errorCode":"ResourceNotFoundException","errorMessage":"The specified log group does not exist.","requestParameters":{"logGroupName":"/g"},"responseElements":null`) {
		t.Fatalf("error: %s", rec)
	}
	e = NewEvent(call("DeleteLogGroup", user, nil, nil, errors.New("boom")))
	if e.ErrorCode != "InternalFailure" || e.ErrorMessage != "boom" {
		t.Fatalf("plain error: %+v", e)
	}
	// Data event.
	e = NewEvent(call("PutLogEvents", user, nil, nil, nil))
	if e.ManagementEvent || e.EventCategory != CategoryData {
		t.Fatalf("data: %+v", e)
	}
	if !strings.Contains(string(mustRecord(t, e)), `"readOnly":false`) {
		t.Fatal("readOnly must always be present")
	}
}

func mustRecord(t *testing.T, e *Event) []byte {
	b, err := e.Record()
	if err != nil {
		t.Fatal(err)
	}
	return b
}
