package awsjson

import (
	"context"
	"errors"
	"reflect"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	cwl "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	cwltypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	awssqs "github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/aws/smithy-go"

	"github.com/vigilhq/vigil/internal/api/logs"
	"github.com/vigilhq/vigil/internal/api/shape"
	"github.com/vigilhq/vigil/internal/api/sqs"
	"github.com/vigilhq/vigil/internal/protocol/internal/shapetest"
)

func sdkConfig(t *testing.T) aws.Config {
	t.Helper()
	cfg, err := config.LoadDefaultConfig(context.Background(),
		config.WithRegion("us-east-1"),
		config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider("test", "test", "")),
		config.WithRetryMaxAttempts(1),
	)
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// TestInteropLogs drives the real aws-sdk-go-v2 CloudWatch Logs client
// (awsJson1_1) against the codec with the generated logs model.
func TestInteropLogs(t *testing.T) {
	var got *logs.PutLogEventsRequest
	srv := shapetest.Server(t, logs.Model, New(logs.Model.JSONVersion), func(op *shape.Operation, in any) (any, error) {
		switch op.Name {
		case "PutLogEvents":
			got = in.(*logs.PutLogEventsRequest)
			if *got.LogStreamName == "missing" {
				return nil, &logs.ResourceNotFoundException{}
			}
			return &logs.PutLogEventsResponse{
				NextSequenceToken:     shape.Ptr("tok"),
				RejectedLogEventsInfo: &logs.RejectedLogEventsInfo{TooOldLogEventEndIndex: shape.Ptr[int32](1)},
			}, nil
		case "DescribeLogGroups":
			return &logs.DescribeLogGroupsResponse{LogGroups: []logs.LogGroup{
				{LogGroupName: shape.Ptr("g1"), CreationTime: shape.Ptr[int64](1700000000123), RetentionInDays: shape.Ptr[int32](7), LogGroupClass: shape.Ptr("STANDARD")},
				{LogGroupName: shape.Ptr("g2"), InheritedProperties: []string{"ACCOUNT_DATA_PROTECTION"}},
			}}, nil
		}
		return nil, shape.NotImplemented("logs", op.Name)
	})
	client := cwl.NewFromConfig(sdkConfig(t), func(o *cwl.Options) { o.BaseEndpoint = aws.String(srv.URL) })
	ctx := context.Background()

	out, err := client.PutLogEvents(ctx, &cwl.PutLogEventsInput{
		LogGroupName: aws.String("g"), LogStreamName: aws.String("s"),
		LogEvents: []cwltypes.InputLogEvent{{Timestamp: aws.Int64(1700000000123), Message: aws.String("hello \"world\"\n")}, {Timestamp: aws.Int64(1), Message: aws.String("é")}},
	})
	if err != nil {
		t.Fatal(err)
	}
	want := &logs.PutLogEventsRequest{LogGroupName: shape.Ptr("g"), LogStreamName: shape.Ptr("s"),
		LogEvents: []logs.InputLogEvent{{Timestamp: shape.Ptr[int64](1700000000123), Message: shape.Ptr("hello \"world\"\n")}, {Timestamp: shape.Ptr[int64](1), Message: shape.Ptr("é")}}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("server decoded %+v", got)
	}
	if aws.ToString(out.NextSequenceToken) != "tok" || aws.ToInt32(out.RejectedLogEventsInfo.TooOldLogEventEndIndex) != 1 {
		t.Fatalf("client decoded %+v", out)
	}

	dg, err := client.DescribeLogGroups(ctx, &cwl.DescribeLogGroupsInput{})
	if err != nil {
		t.Fatal(err)
	}
	if len(dg.LogGroups) != 2 || aws.ToInt64(dg.LogGroups[0].CreationTime) != 1700000000123 || dg.LogGroups[0].LogGroupClass != cwltypes.LogGroupClassStandard ||
		dg.LogGroups[1].InheritedProperties[0] != cwltypes.InheritedPropertyAccountDataProtection {
		t.Fatalf("client decoded %+v", dg.LogGroups)
	}

	_, err = client.PutLogEvents(ctx, &cwl.PutLogEventsInput{LogGroupName: aws.String("g"), LogStreamName: aws.String("missing"),
		LogEvents: []cwltypes.InputLogEvent{{Timestamp: aws.Int64(1), Message: aws.String("m")}}})
	var rnf *cwltypes.ResourceNotFoundException
	if !errors.As(err, &rnf) {
		t.Fatalf("want ResourceNotFoundException, got %v", err)
	}

	_, err = client.DeleteLogGroup(ctx, &cwl.DeleteLogGroupInput{LogGroupName: aws.String("g")})
	var api smithy.APIError
	if !errors.As(err, &api) || api.ErrorCode() != "NotImplemented" || api.ErrorMessage() == "" {
		t.Fatalf("want NotImplemented, got %v", err)
	}
}

// TestInteropSQS drives the real SQS client (awsJson1_0, awsQueryCompatible)
// and checks modeled and plain errors surface with the right codes.
func TestInteropSQS(t *testing.T) {
	srv := shapetest.Server(t, sqs.Model, New(sqs.Model.JSONVersion), func(op *shape.Operation, in any) (any, error) {
		switch op.Name {
		case "GetQueueUrl":
			switch name := *in.(*sqs.GetQueueUrlRequest).QueueName; name {
			case "missing":
				return nil, &sqs.QueueDoesNotExist{Message: shape.Ptr("The specified queue does not exist.")}
			case "throttle":
				return nil, &shape.Error{Code: "RequestThrottled", Message: "slow down", Status: 400, Sender: true}
			case "boom":
				return nil, errors.New("secret")
			default:
				return &sqs.GetQueueUrlResult{QueueUrl: shape.Ptr("http://q/" + name)}, nil
			}
		case "ReceiveMessage":
			return &sqs.ReceiveMessageResult{Messages: []sqs.Message{{
				MessageId: shape.Ptr("m1"), Body: shape.Ptr("b"), Attributes: map[string]string{"SentTimestamp": "1"},
				MessageAttributes: map[string]sqs.MessageAttributeValue{"bin": {DataType: shape.Ptr("Binary"), BinaryValue: []byte{0, 1, 255}}},
			}}}, nil
		}
		return nil, shape.NotImplemented("sqs", op.Name)
	})
	client := awssqs.NewFromConfig(sdkConfig(t), func(o *awssqs.Options) { o.BaseEndpoint = aws.String(srv.URL) })
	ctx := context.Background()

	u, err := client.GetQueueUrl(ctx, &awssqs.GetQueueUrlInput{QueueName: aws.String("q1")})
	if err != nil || aws.ToString(u.QueueUrl) != "http://q/q1" {
		t.Fatalf("%v %v", u, err)
	}
	rm, err := client.ReceiveMessage(ctx, &awssqs.ReceiveMessageInput{QueueUrl: aws.String("u")})
	if err != nil || len(rm.Messages) != 1 || string(rm.Messages[0].MessageAttributes["bin"].BinaryValue) != "\x00\x01\xff" ||
		rm.Messages[0].Attributes["SentTimestamp"] != "1" {
		t.Fatalf("%+v %v", rm, err)
	}

	_, err = client.GetQueueUrl(ctx, &awssqs.GetQueueUrlInput{QueueName: aws.String("missing")})
	var qdne *sqstypes.QueueDoesNotExist
	// The typed exception, its code the awsQuery one from the query
	// compatibility header, as real SQS answers.
	if !errors.As(err, &qdne) || qdne.ErrorCode() != "AWS.SimpleQueueService.NonExistentQueue" || qdne.ErrorMessage() != "The specified queue does not exist." {
		t.Fatalf("want QueueDoesNotExist, got %v", err)
	}
	// A plain error whose code is a modeled error's query code is surfaced
	// as the modeled type.
	_, err = client.GetQueueUrl(ctx, &awssqs.GetQueueUrlInput{QueueName: aws.String("throttle")})
	var rt *sqstypes.RequestThrottled
	if !errors.As(err, &rt) || rt.ErrorMessage() != "slow down" {
		t.Fatalf("want RequestThrottled, got %v", err)
	}
	_, err = client.GetQueueUrl(ctx, &awssqs.GetQueueUrlInput{QueueName: aws.String("boom")})
	var api smithy.APIError
	if !errors.As(err, &api) || api.ErrorCode() != "InternalFailure" || api.ErrorFault() != smithy.FaultServer {
		t.Fatalf("want InternalFailure, got %v", err)
	}
}
