package e2e

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
)

// TestEventBridgeAPIDestination: a connection with an API key, an API
// destination on a local HTTP server and a rule deliver the event with the
// key header; a destination that answers 503 ends in the DLQ after its
// retry policy; AWS/Events Invocations is visible through
// GetMetricStatistics.
func TestEventBridgeAPIDestination(t *testing.T) {
	var mu sync.Mutex
	var got []string
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if r.URL.Path == "/down" {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		mu.Lock()
		got = append(got, r.Method+" "+r.URL.RequestURI()+" key="+r.Header.Get("x-api-key")+" "+string(body))
		mu.Unlock()
	}))
	defer hook.Close()

	p := startVigil(t, "")
	c := newClients(p.URL, "test", "test", "us-east-1")
	ctx := ctxT(t)
	start := time.Now().Add(-time.Minute)

	conn, err := c.eb.CreateConnection(ctx, &eventbridge.CreateConnectionInput{
		Name: aws.String("hooks"), AuthorizationType: ebtypes.ConnectionAuthorizationTypeApiKey,
		AuthParameters: &ebtypes.CreateConnectionAuthRequestParameters{
			ApiKeyAuthParameters: &ebtypes.CreateConnectionApiKeyAuthRequestParameters{ApiKeyName: aws.String("x-api-key"), ApiKeyValue: aws.String("s3cret")},
		},
	})
	if err != nil || conn.ConnectionState != ebtypes.ConnectionStateAuthorized {
		t.Fatalf("CreateConnection: %+v %v", conn, err)
	}
	desc, err := c.eb.DescribeConnection(ctx, &eventbridge.DescribeConnectionInput{Name: aws.String("hooks")})
	if err != nil || desc.AuthParameters == nil || desc.AuthParameters.ApiKeyAuthParameters == nil ||
		aws.ToString(desc.AuthParameters.ApiKeyAuthParameters.ApiKeyName) != "x-api-key" || aws.ToString(desc.SecretArn) == "" {
		t.Fatalf("DescribeConnection: %+v %v", desc, err)
	}
	dest := func(name, path string) string {
		out, err := c.eb.CreateApiDestination(ctx, &eventbridge.CreateApiDestinationInput{
			Name: aws.String(name), ConnectionArn: conn.ConnectionArn, InvocationEndpoint: aws.String(hook.URL + path),
			HttpMethod: ebtypes.ApiDestinationHttpMethodPost,
		})
		if err != nil {
			t.Fatalf("CreateApiDestination %s: %v", name, err)
		}
		return aws.ToString(out.ApiDestinationArn)
	}
	okARN, downARN := dest("ok", "/hook/*"), dest("down", "/down")
	dlq := sqsQueue(t, c, "apidest-dlq", nil)

	ebRule(t, c, "to-api", `{"source": ["shop"]}`,
		ebtypes.Target{Id: aws.String("ok"), Arn: aws.String(okARN),
			HttpParameters: &ebtypes.HttpParameters{PathParameterValues: []string{"orders"}, QueryStringParameters: map[string]string{"v": "1"}}},
		ebtypes.Target{Id: aws.String("down"), Arn: aws.String(downARN),
			RetryPolicy:      &ebtypes.RetryPolicy{MaximumRetryAttempts: aws.Int32(1)},
			DeadLetterConfig: &ebtypes.DeadLetterConfig{Arn: aws.String(queueARN("apidest-dlq"))}})

	out, err := c.eb.PutEvents(ctx, &eventbridge.PutEventsInput{Entries: []ebtypes.PutEventsRequestEntry{
		{Source: aws.String("shop"), DetailType: aws.String("Order Placed"), Detail: aws.String(`{"id": "o-1"}`)},
	}})
	if err != nil || out.FailedEntryCount != 0 {
		t.Fatalf("PutEvents: %+v %v", out, err)
	}
	eventually(t, "the API destination's request", func() (bool, string) {
		mu.Lock()
		defer mu.Unlock()
		return len(got) == 1 && strings.HasPrefix(got[0], "POST /hook/orders?v=1 key=s3cret {") && strings.Contains(got[0], `"detail":{"id":"o-1"}`),
			fmt.Sprint(got)
	})

	msgs := waitMessages(t, c, dlq, 1)
	attrs := msgs[0].MessageAttributes
	if aws.ToString(attrs["ERROR_CODE"].StringValue) != "SDK_CLIENT_ERROR" ||
		aws.ToString(attrs["EXHAUSTED_RETRY_CONDITION"].StringValue) != "MaximumRetryAttempts" ||
		aws.ToString(attrs["RETRY_ATTEMPTS"].StringValue) != "1" ||
		aws.ToString(attrs["TARGET_ARN"].StringValue) != downARN {
		t.Fatalf("DLQ attributes: %+v", attrs)
	}

	eventually(t, "AWS/Events Invocations", func() (bool, string) {
		st, err := c.cw.GetMetricStatistics(ctx, &cloudwatch.GetMetricStatisticsInput{
			Namespace: aws.String("AWS/Events"), MetricName: aws.String("Invocations"),
			Dimensions: []cwtypes.Dimension{{Name: aws.String("RuleName"), Value: aws.String("to-api")}},
			StartTime:  aws.Time(start), EndTime: aws.Time(time.Now().Add(time.Minute)), Period: aws.Int32(300),
			Statistics: []cwtypes.Statistic{cwtypes.StatisticSum},
		})
		if err != nil {
			return false, err.Error()
		}
		sum := 0.0
		for _, d := range st.Datapoints {
			sum += aws.ToFloat64(d.Sum)
		}
		// One delivered, one failed for good: both are invocations.
		return sum == 2, fmt.Sprintf("%+v", st.Datapoints)
	})

	// Users cannot write AWS/ namespaces.
	_, err = c.cw.PutMetricData(ctx, &cloudwatch.PutMetricDataInput{Namespace: aws.String("AWS/Events"),
		MetricData: []cwtypes.MetricDatum{{MetricName: aws.String("Invocations"), Value: aws.Float64(1)}}})
	wantAPIError(t, "PutMetricData AWS/Events", err, "InvalidParameterValue", 400)
}
