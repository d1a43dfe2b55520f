package server

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/smithy-go"

	cwapi "github.com/vigilhq/vigil/internal/api/cloudwatch"
	"github.com/vigilhq/vigil/internal/sdkhttp"
)

// TestHotPutMetricDataTakesEntities: the generated bodies with entities
// (every documented KeyAttributes combination and ones the handler
// refuses) go the hot way, decoded as the generic path decodes them.
func TestHotPutMetricDataTakesEntities(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	withEntity := 0
	for range 3000 {
		body := genPutBody(r)
		if !checkHotPut(t, body) {
			continue
		}
		in := new(cwapi.PutMetricDataInput)
		release, _ := hotPut(body, in)
		for _, e := range in.EntityMetricData {
			if e.Entity != nil && len(e.Entity.KeyAttributes) > 0 {
				withEntity++
				break
			}
		}
		release()
	}
	if withEntity < 200 {
		t.Fatalf("hot path took only %d bodies with an entity", withEntity)
	}
}

// sdkEntityInput is what the CloudWatch agent sends: StrictEntityValidation
// false, a valid entity and, here, an invalid one.
func sdkEntityInput() *cloudwatch.PutMetricDataInput {
	return &cloudwatch.PutMetricDataInput{
		Namespace:              aws.String("CWAgent"),
		StrictEntityValidation: aws.Bool(false),
		MetricData:             []types.MetricDatum{{MetricName: aws.String("plain"), Value: aws.Float64(1)}},
		EntityMetricData: []types.EntityMetricData{
			{Entity: &types.Entity{
				KeyAttributes: map[string]string{"Type": "Service", "Name": "checkout", "Environment": "ec2:default"},
				Attributes:    map[string]string{"PlatformType": "AWS::EC2", "EC2.InstanceId": "i-0abc"},
			}, MetricData: []types.MetricDatum{{MetricName: aws.String("mem_used_percent"), Value: aws.Float64(42),
				Dimensions: []types.Dimension{{Name: aws.String("host"), Value: aws.String("ip-10-0-0-1")}}}}},
			{Entity: &types.Entity{KeyAttributes: map[string]string{"Type": "Service", "Name": "checkout"}},
				MetricData: []types.MetricDatum{{MetricName: aws.String("disk_used_percent"), Values: []float64{1, 2}, Counts: []float64{3, 4}}}},
		},
	}
}

// TestHotPutMetricDataSDKEntityBody: the Go SDK's own encoding of an
// entity request takes the hot path.
func TestHotPutMetricDataSDKEntityBody(t *testing.T) {
	c := &capture{}
	client := cloudwatch.New(cloudwatch.Options{Region: "us-east-1", HTTPClient: c,
		Credentials:  credentials.NewStaticCredentialsProvider("test", "test", ""),
		BaseEndpoint: aws.String("http://127.0.0.1:1"), DisableRequestCompression: true})
	if _, err := client.PutMetricData(context.Background(), sdkEntityInput()); err != nil {
		t.Fatal(err)
	}
	if !checkHotPut(t, c.body) {
		t.Fatalf("hot path declined the SDK's entity body %x", c.body)
	}
}

// headerKeeper keeps the last response's headers.
type headerKeeper struct {
	next aws.HTTPClient
	last http.Header
}

func (h *headerKeeper) Do(r *http.Request) (*http.Response, error) {
	resp, err := h.next.Do(r)
	if resp != nil {
		h.last = resp.Header
	}
	return resp, err
}

// TestPutMetricDataEntityThroughFrontDoor: through the whole front door, a
// dropped entity answers 200 with X-Amzn-Failure-Message and a refused one
// InvalidParameterValue, on the hot path and on the generic one (an entity
// outside the model's bounds, which the hot path leaves to it).
func TestPutMetricDataEntityThroughFrontDoor(t *testing.T) {
	srv, err := Start(context.Background(), Options{Addr: "127.0.0.1:0", DataDir: t.TempDir(),
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Shutdown(context.Background())
	hk := &headerKeeper{next: sdkhttp.Client{Next: awshttp.NewBuildableClient()}}
	client := cloudwatch.New(cloudwatch.Options{Region: "us-east-1", HTTPClient: hk, RetryMaxAttempts: 1,
		Credentials:  credentials.NewStaticCredentialsProvider("test", "test", ""),
		BaseEndpoint: aws.String("http://" + srv.Addr())})
	ctx := context.Background()

	if _, err := client.PutMetricData(ctx, sdkEntityInput()); err != nil {
		t.Fatal(err)
	}
	if got := hk.last.Get("X-Amzn-Failure-Message"); got != "MissingRequiredFields" {
		t.Fatalf("lenient, hot: X-Amzn-Failure-Message %q", got)
	}

	fiveKeys := sdkEntityInput()
	fiveKeys.EntityMetricData = fiveKeys.EntityMetricData[:1]
	fiveKeys.EntityMetricData[0].Entity.KeyAttributes = map[string]string{"Type": "Service", "Name": "checkout", "Environment": "prod", "Region": "a", "Zone": "b"}
	if _, err := client.PutMetricData(ctx, fiveKeys); err != nil {
		t.Fatal(err)
	}
	if got := hk.last.Get("X-Amzn-Failure-Message"); got != "InvalidKeyAttributes" {
		t.Fatalf("lenient, generic: X-Amzn-Failure-Message %q", got)
	}

	valid := sdkEntityInput()
	valid.EntityMetricData = valid.EntityMetricData[:1]
	if _, err := client.PutMetricData(ctx, valid); err != nil {
		t.Fatal(err)
	}
	if got, ok := hk.last["X-Amzn-Failure-Message"]; ok {
		t.Fatalf("valid entity: X-Amzn-Failure-Message %q", got)
	}

	for what, in := range map[string]*cloudwatch.PutMetricDataInput{"hot": sdkEntityInput(), "generic": fiveKeys} {
		in.StrictEntityValidation = aws.Bool(true)
		_, err := client.PutMetricData(ctx, in)
		var ae smithy.APIError
		if !errors.As(err, &ae) || ae.ErrorCode() != "InvalidParameterValue" ||
			!strings.HasPrefix(ae.ErrorMessage(), map[string]string{"hot": "MissingRequiredFields: ", "generic": "InvalidKeyAttributes: "}[what]) {
			t.Fatalf("strict, %s: %v", what, err)
		}
		if _, ok := hk.last["X-Amzn-Failure-Message"]; ok {
			t.Fatalf("strict, %s: a failed call carries X-Amzn-Failure-Message", what)
		}
	}
}
