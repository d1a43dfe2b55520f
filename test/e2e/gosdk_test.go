package e2e

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/vigilhq/vigil/internal/sdkhttp"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/configservice"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// clients are aws-sdk-go-v2 clients for one endpoint, key and region.
type clients struct {
	cfg  aws.Config
	url  string
	cw   *cloudwatch.Client
	logs *cloudwatchlogs.Client
	eb   *eventbridge.Client
	ct   *cloudtrail.Client
	cfgs *configservice.Client
	sns  *sns.Client
	sqs  *sqs.Client
	sts  *sts.Client
}

func newClients(url, key, secret, region string) *clients {
	cfg := aws.Config{
		Region:      region,
		Credentials: credentials.NewStaticCredentialsProvider(key, secret, ""),
		// A 501 NotImplemented or a 4xx must reach the test at once.
		RetryMaxAttempts: 1,
		// The SDK's client through sdkhttp, which avoids a smithy-go race
		// that fails larger responses at random.
		HTTPClient: sdkhttp.Client{Next: awshttp.NewBuildableClient()},
	}
	ep := aws.String(url)
	return &clients{
		cfg: cfg, url: url,
		cw:   cloudwatch.NewFromConfig(cfg, func(o *cloudwatch.Options) { o.BaseEndpoint = ep }),
		logs: cloudwatchlogs.NewFromConfig(cfg, func(o *cloudwatchlogs.Options) { o.BaseEndpoint = ep }),
		eb:   eventbridge.NewFromConfig(cfg, func(o *eventbridge.Options) { o.BaseEndpoint = ep }),
		ct:   cloudtrail.NewFromConfig(cfg, func(o *cloudtrail.Options) { o.BaseEndpoint = ep }),
		cfgs: configservice.NewFromConfig(cfg, func(o *configservice.Options) { o.BaseEndpoint = ep }),
		sns:  sns.NewFromConfig(cfg, func(o *sns.Options) { o.BaseEndpoint = ep }),
		sqs:  sqs.NewFromConfig(cfg, func(o *sqs.Options) { o.BaseEndpoint = ep }),
		sts:  sts.NewFromConfig(cfg, func(o *sts.Options) { o.BaseEndpoint = ep }),
	}
}

// wantAPIError asserts err is an AWS error with code (and, when status is
// not 0, that HTTP status).
func wantAPIError(t *testing.T, what string, err error, code string, status int) {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("%s: want %s, got %v", what, code, err)
	}
	if ae.ErrorCode() != code {
		t.Fatalf("%s: want code %s, got %s (%v)", what, code, ae.ErrorCode(), err)
	}
	if status != 0 {
		var re *smithyhttp.ResponseError
		if !errors.As(err, &re) || re.HTTPStatusCode() != status {
			t.Fatalf("%s: want HTTP %d, got %v", what, status, err)
		}
	}
}

func TestGoSDKEveryServiceAnswers(t *testing.T) {
	p := startVigil(t, "")
	c := newClients(p.URL, "test", "test", "us-east-1")
	ctx := ctxT(t)

	id, err := c.sts.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(id.Account) != "000000000000" || aws.ToString(id.Arn) != "arn:aws:iam::000000000000:root" {
		t.Fatalf("GetCallerIdentity: %+v", id)
	}
	if _, err := c.ct.LookupEvents(ctx, &cloudtrail.LookupEventsInput{}); err != nil {
		t.Fatal(err)
	}
	// Operations whose issues have not landed say so, naming the operation.
	for name, call := range map[string]func() error{
		"ListDashboards": func() error { _, err := c.cw.ListDashboards(ctx, &cloudwatch.ListDashboardsInput{}); return err },
		"DescribeDeliveries": func() error {
			_, err := c.logs.DescribeDeliveries(ctx, &cloudwatchlogs.DescribeDeliveriesInput{})
			return err
		},
		"ListEndpoints":  func() error { _, err := c.eb.ListEndpoints(ctx, &eventbridge.ListEndpointsInput{}); return err },
		"DescribeTrails": func() error { _, err := c.ct.DescribeTrails(ctx, &cloudtrail.DescribeTrailsInput{}); return err },
		"DescribeConfigRules": func() error {
			_, err := c.cfgs.DescribeConfigRules(ctx, &configservice.DescribeConfigRulesInput{})
			return err
		},
		"ListPlatformApplications": func() error {
			_, err := c.sns.ListPlatformApplications(ctx, &sns.ListPlatformApplicationsInput{})
			return err
		},
	} {
		err := call()
		wantAPIError(t, name, err, "NotImplemented", 501)
		if !strings.Contains(err.Error(), name) {
			t.Errorf("%s: message does not name the operation: %v", name, err)
		}
	}
}

func TestGoSDKInvalidInputErrorCodes(t *testing.T) {
	p := startVigil(t, "")
	c := newClients(p.URL, "test", "test", "us-east-1")
	ctx := ctxT(t)

	// JSON 1.1: the model's range constraint, AWS's message (CloudWatch Logs
	// answers constraint violations with InvalidParameterException).
	_, err := c.logs.DescribeLogGroups(ctx, &cloudwatchlogs.DescribeLogGroupsInput{Limit: aws.Int32(0)})
	wantAPIError(t, "logs limit 0", err, "InvalidParameterException", 400)
	if !strings.Contains(err.Error(), "1 validation error detected: Value '0' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1") {
		t.Errorf("message: %v", err)
	}
	// RPC v2 CBOR, query-compatible: the awsQuery code reaches the client.
	_, err = c.cw.ListMetrics(ctx, &cloudwatch.ListMetricsInput{Namespace: aws.String("")})
	wantAPIError(t, "cloudwatch empty namespace", err, "InvalidParameterValue", 400)
	// awsQuery.
	_, err = c.sts.GetSessionToken(ctx, &sts.GetSessionTokenInput{DurationSeconds: aws.Int32(10)})
	wantAPIError(t, "sts duration 10", err, "ValidationError", 400)
	// A handler's own error.
	_, err = c.ct.LookupEvents(ctx, &cloudtrail.LookupEventsInput{NextToken: aws.String("not-a-token")})
	wantAPIError(t, "lookup bad token", err, "InvalidNextTokenException", 400)
}

// lookup returns the events LookupEvents finds for an attribute, newest first.
func lookup(t *testing.T, c *clients, key cttypes.LookupAttributeKey, value string) []cttypes.Event {
	t.Helper()
	out, err := c.ct.LookupEvents(context.Background(), &cloudtrail.LookupEventsInput{
		LookupAttributes: []cttypes.LookupAttribute{{AttributeKey: key, AttributeValue: aws.String(value)}},
	})
	if err != nil {
		t.Fatal(err)
	}
	return out.Events
}

// waitEvents polls LookupEvents until it finds at least n events for the
// attribute; Vigil promises them within a second.
func waitEvents(t *testing.T, c *clients, key cttypes.LookupAttributeKey, value string, n int) []cttypes.Event {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		evs := lookup(t, c, key, value)
		if len(evs) >= n || time.Now().After(deadline) {
			if len(evs) < n {
				t.Fatalf("LookupEvents %s=%s: %d events, want %d", key, value, len(evs), n)
			}
			return evs
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestLookupEventsRecordsCalls(t *testing.T) {
	p := startVigil(t, "")
	c := newClients(p.URL, "test", "test", "us-east-1")
	ctx := ctxT(t)

	var meta struct{ requestID string }
	_, err := c.sts.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatal(err)
	}
	_, failErr := c.logs.DescribeLogGroups(ctx, &cloudwatchlogs.DescribeLogGroupsInput{LogGroupNamePrefix: aws.String("app/"), Limit: aws.Int32(0)})
	var re *smithyhttp.ResponseError
	if errors.As(failErr, &re) {
		meta.requestID = re.Response.Header.Get("X-Amzn-Requestid")
	}

	ev := waitEvents(t, c, cttypes.LookupAttributeKeyEventName, "GetCallerIdentity", 1)[0]
	if aws.ToString(ev.EventSource) != "sts.amazonaws.com" || aws.ToString(ev.Username) != "root" ||
		aws.ToString(ev.AccessKeyId) != "test" || aws.ToString(ev.ReadOnly) != "true" {
		t.Errorf("event: %+v", ev)
	}
	var rec map[string]any
	if err := json.Unmarshal([]byte(aws.ToString(ev.CloudTrailEvent)), &rec); err != nil {
		t.Fatal(err)
	}
	for k, want := range map[string]any{
		"eventVersion": "1.11", "eventSource": "sts.amazonaws.com", "eventName": "GetCallerIdentity",
		"awsRegion": "us-east-1", "sourceIPAddress": "127.0.0.1", "readOnly": true, "eventType": "AwsApiCall",
		"managementEvent": true, "recipientAccountId": "000000000000", "eventCategory": "Management",
	} {
		if rec[k] != want {
			t.Errorf("record %s = %v, want %v", k, rec[k], want)
		}
	}
	ui, _ := rec["userIdentity"].(map[string]any)
	if ui["type"] != "Root" || ui["accountId"] != "000000000000" || ui["arn"] != "arn:aws:iam::000000000000:root" || ui["accessKeyId"] != "test" {
		t.Errorf("userIdentity: %v", ui)
	}
	if ua, _ := rec["userAgent"].(string); !strings.Contains(ua, "aws-sdk-go-v2") {
		t.Errorf("userAgent: %q", ua)
	}
	if id, _ := rec["eventID"].(string); len(id) != 36 {
		t.Errorf("eventID: %q", id)
	}

	// The failed call is there too, with its error and parameters.
	fev := waitEvents(t, c, cttypes.LookupAttributeKeyEventName, "DescribeLogGroups", 1)[0]
	var frec map[string]any
	json.Unmarshal([]byte(aws.ToString(fev.CloudTrailEvent)), &frec)
	if frec["errorCode"] != "InvalidParameterException" || frec["eventSource"] != "logs.amazonaws.com" || frec["requestID"] != meta.requestID {
		t.Errorf("failed call record: %v (request id %s)", frec, meta.requestID)
	}
	if params, _ := frec["requestParameters"].(map[string]any); params["logGroupNamePrefix"] != "app/" {
		t.Errorf("requestParameters: %v", frec["requestParameters"])
	}
	if got := lookup(t, c, cttypes.LookupAttributeKeyEventSource, "logs.amazonaws.com"); len(got) != 1 {
		t.Errorf("by event source: %d events", len(got))
	}
}

func TestSigV4Failures(t *testing.T) {
	p := startVigil(t, "")
	ctx := ctxT(t)
	wrong := newClients(p.URL, "test", "not-the-secret", "us-east-1")
	_, err := wrong.logs.DescribeLogGroups(ctx, &cloudwatchlogs.DescribeLogGroupsInput{})
	wantAPIError(t, "json wrong secret", err, "InvalidSignatureException", 400)
	_, err = wrong.sts.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	wantAPIError(t, "query wrong secret", err, "SignatureDoesNotMatch", 403)

	unknown := newClients(p.URL, "AKIAUNKNOWNKEY000000", "x", "us-east-1")
	_, err = unknown.logs.DescribeLogGroups(ctx, &cloudwatchlogs.DescribeLogGroupsInput{})
	wantAPIError(t, "json unknown key", err, "UnrecognizedClientException", 400)
	_, err = unknown.sts.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	wantAPIError(t, "query unknown key", err, "InvalidClientTokenId", 403)

	// Unsigned requests.
	req, _ := http.NewRequest("POST", p.URL+"/", strings.NewReader(`{}`))
	req.Header.Set("X-Amz-Target", "Logs_20140328.DescribeLogGroups")
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	wantHTTPError(t, req, 400, "MissingAuthenticationTokenException")
	req, _ = http.NewRequest("POST", p.URL+"/", strings.NewReader(`Action=GetCallerIdentity&Version=2011-06-15`))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	wantHTTPError(t, req, 403, "MissingAuthenticationToken")

	// A request signed 20 minutes ago.
	req = signedJSON(t, p.URL, "logs", "Logs_20140328.DescribeLogGroups", `{}`, time.Now().Add(-20*time.Minute))
	wantHTTPError(t, req, 400, "Signature expired")

	// A presigned URL (query-string authentication).
	get, _ := http.NewRequest("GET", p.URL+"/?Action=GetCallerIdentity&Version=2011-06-15", nil)
	signer := v4.NewSigner()
	presigned, _, err := signer.PresignHTTP(ctx, aws.Credentials{AccessKeyID: "test", SecretAccessKey: "test"},
		get, emptySHA256, "sts", "us-east-1", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Get(presigned)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(body), "<Account>000000000000</Account>") {
		t.Fatalf("presigned GetCallerIdentity: %d %s", resp.StatusCode, body)
	}
	// The same URL with the signature altered is refused.
	resp, err = http.Get(strings.Replace(presigned, "X-Amz-Signature=", "X-Amz-Signature=0", 1))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 403 {
		t.Fatalf("tampered presigned URL: %d", resp.StatusCode)
	}

	// Failures with a known key are audited; others are not.
	c := newClients(p.URL, "test", "test", "us-east-1")
	evs := waitEvents(t, c, cttypes.LookupAttributeKeyEventName, "DescribeLogGroups", 2)
	for _, ev := range evs {
		if !strings.Contains(aws.ToString(ev.CloudTrailEvent), `"errorCode":"InvalidSignatureException"`) {
			t.Errorf("audited failure: %s", aws.ToString(ev.CloudTrailEvent))
		}
	}
}

const emptySHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

// signedJSON builds a JSON 1.1 request signed with the test key at time at.
func signedJSON(t *testing.T, url, service, target, body string, at time.Time) *http.Request {
	t.Helper()
	req, _ := http.NewRequest("POST", url+"/", strings.NewReader(body))
	req.Header.Set("X-Amz-Target", target)
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	sum := sha256.Sum256([]byte(body))
	err := v4.NewSigner().SignHTTP(context.Background(), aws.Credentials{AccessKeyID: "test", SecretAccessKey: "test"},
		req, hex.EncodeToString(sum[:]), service, "us-east-1", at)
	if err != nil {
		t.Fatal(err)
	}
	return req
}

func wantHTTPError(t *testing.T, req *http.Request, status int, code string) {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body strings.Builder
	bodyBytes := make([]byte, 4096)
	n, _ := resp.Body.Read(bodyBytes)
	body.Write(bodyBytes[:n])
	if resp.StatusCode != status || !strings.Contains(body.String(), code) {
		t.Fatalf("%s %s: got %d %s, want %d %s", req.Method, req.URL, resp.StatusCode, body.String(), status, code)
	}
}
