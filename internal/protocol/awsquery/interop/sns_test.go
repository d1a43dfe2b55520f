package interop

import (
	"context"
	"errors"
	"net/http/httptest"
	"reflect"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awssns "github.com/aws/aws-sdk-go-v2/service/sns"
	snstypes "github.com/aws/aws-sdk-go-v2/service/sns/types"

	"github.com/vigilhq/vigil/internal/api/sns"
	"github.com/vigilhq/vigil/internal/protocol/awsquery"
)

// SNS through the generated model (internal/api/sns) and the current
// aws-sdk-go-v2 SNS client, which still speaks awsQuery.
func TestSNSPublish(t *testing.T) {
	s := &server{codec: awsquery.New(), model: sns.Model, handler: func(op string, in any) (any, error) {
		p := in.(*sns.PublishInput)
		if aws.ToString(p.TopicArn) == "arn:aws:sns:us-east-1:000000000000:missing" {
			return nil, &sns.NotFoundException{Message: aws.String("Topic does not exist")}
		}
		return &sns.PublishResponse{MessageId: aws.String("m-1")}, nil
	}}
	ts := httptest.NewServer(s)
	defer ts.Close()
	c := awssns.New(awssns.Options{Region: "us-east-1", BaseEndpoint: aws.String(ts.URL), RetryMaxAttempts: 1,
		Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: "test", SecretAccessKey: "test"}, nil
		})})
	res, err := c.Publish(context.Background(), &awssns.PublishInput{
		TopicArn: aws.String("arn:aws:sns:us-east-1:000000000000:t"),
		Message:  aws.String("hi & bye"),
		MessageAttributes: map[string]snstypes.MessageAttributeValue{
			"color": {DataType: aws.String("String"), StringValue: aws.String("blue")},
			"raw":   {DataType: aws.String("Binary"), BinaryValue: []byte{0, 1, 255}},
		},
	})
	if err != nil {
		t.Fatalf("Publish: %v", err)
	}
	if aws.ToString(res.MessageId) != "m-1" {
		t.Errorf("MessageId = %q", aws.ToString(res.MessageId))
	}
	want := &sns.PublishInput{
		TopicArn: aws.String("arn:aws:sns:us-east-1:000000000000:t"),
		Message:  aws.String("hi & bye"),
		MessageAttributes: map[string]sns.MessageAttributeValue{
			"color": {DataType: aws.String("String"), StringValue: aws.String("blue")},
			"raw":   {DataType: aws.String("Binary"), BinaryValue: []byte{0, 1, 255}},
		},
	}
	if got := s.inputs[0].(*sns.PublishInput); !reflect.DeepEqual(got, want) {
		t.Errorf("decoded %s, want %s", show(got), show(want))
	}

	_, err = c.Publish(context.Background(), &awssns.PublishInput{TopicArn: aws.String("arn:aws:sns:us-east-1:000000000000:missing"), Message: aws.String("x")})
	var nf *snstypes.NotFoundException
	if !errors.As(err, &nf) || nf.ErrorMessage() != "Topic does not exist" {
		t.Fatalf("error %T %v, want *types.NotFoundException", err, err)
	}
}
