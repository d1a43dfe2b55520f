package e2e

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"net/url"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
)

// PutMetricData's entities over every protocol CloudWatch speaks: an
// invalid entity under StrictEntityValidation false is dropped and named in
// the X-Amzn-Failure-Message header while the metrics are stored; under
// true the call fails with InvalidParameterValue and stores nothing.

// headerKeeper keeps the headers of the last response it passed on.
type headerKeeper struct {
	next cloudwatch.HTTPClient
	last http.Header
}

func (h *headerKeeper) Do(r *http.Request) (*http.Response, error) {
	resp, err := h.next.Do(r)
	if resp != nil {
		h.last = resp.Header
	}
	return resp, err
}

// entityInput puts one datapoint of Agent/name{host=h1} with the entity's
// KeyAttributes.
func entityInput(name string, strict *bool, keyAttrs map[string]string) *cloudwatch.PutMetricDataInput {
	return &cloudwatch.PutMetricDataInput{
		Namespace: aws.String("Agent"), StrictEntityValidation: strict,
		EntityMetricData: []types.EntityMetricData{{
			Entity: &types.Entity{KeyAttributes: keyAttrs, Attributes: map[string]string{"PlatformType": "AWS::EC2"}},
			MetricData: []types.MetricDatum{{MetricName: aws.String(name), Value: aws.Float64(7), Unit: types.StandardUnitPercent,
				Dimensions: []types.Dimension{{Name: aws.String("host"), Value: aws.String("h1")}}}},
		}},
	}
}

var (
	validService   = map[string]string{"Type": "Service", "Name": "checkout", "Environment": "ec2:default"}
	serviceNoEnv   = map[string]string{"Type": "Service", "Name": "checkout"}
	unknownType    = map[string]string{"Type": "Database", "Name": "orders"}
	fiveKeyAttribs = map[string]string{"Type": "Service", "Name": "checkout", "Environment": "prod", "Region": "a", "Zone": "b"}
)

// samples is how many datapoints Agent/name{host=h1} has in the last hour.
func samples(t *testing.T, c *clients, name string) float64 {
	t.Helper()
	now := time.Now()
	st, err := c.cw.GetMetricStatistics(ctxT(t), &cloudwatch.GetMetricStatisticsInput{
		Namespace: aws.String("Agent"), MetricName: aws.String(name),
		Dimensions: []types.Dimension{{Name: aws.String("host"), Value: aws.String("h1")}},
		StartTime:  aws.Time(now.Add(-time.Hour)), EndTime: aws.Time(now.Add(time.Minute)), Period: aws.Int32(3600),
		Statistics: []types.Statistic{types.StatisticSampleCount},
	})
	if err != nil {
		t.Fatal(err)
	}
	n := 0.0
	for _, d := range st.Datapoints {
		n += aws.ToFloat64(d.SampleCount)
	}
	return n
}

func TestEntitiesGoSDK(t *testing.T) {
	p := startVigil(t, "")
	ctx := ctxT(t)
	c := newClients(p.URL, "test", "test", "us-east-1")
	hk := &headerKeeper{}
	keep := func(o *cloudwatch.Options) { hk.next, o.HTTPClient = o.HTTPClient, hk }

	for _, tc := range []struct {
		name     string
		keyAttrs map[string]string
		failure  string // "" for a valid entity
	}{
		{"valid", validService, ""},
		{"noenv", serviceNoEnv, "MissingRequiredFields"},
		{"type", unknownType, "InvalidTypeValue"},
		// Outside the model's bounds: the CBOR fast path leaves it to the
		// generic one, which answers the same way.
		{"five", fiveKeyAttribs, "InvalidKeyAttributes"},
	} {
		_, err := c.cw.PutMetricData(ctx, entityInput(tc.name, aws.Bool(false), tc.keyAttrs), keep)
		if err != nil {
			t.Fatalf("%s, lenient: %v", tc.name, err)
		}
		if got := hk.last.Get("X-Amzn-Failure-Message"); got != tc.failure {
			t.Fatalf("%s, lenient: X-Amzn-Failure-Message %q, want %q", tc.name, got, tc.failure)
		}
		if n := samples(t, c, tc.name); n != 1 {
			t.Fatalf("%s, lenient: %v datapoints, want 1", tc.name, n)
		}
		if tc.failure == "" {
			continue
		}
		_, err = c.cw.PutMetricData(ctx, entityInput(tc.name+"-strict", aws.Bool(true), tc.keyAttrs))
		wantAPIError(t, tc.name+", strict", err, "InvalidParameterValue", 400)
		if msg := apiMessage(err); !strings.HasPrefix(msg, tc.failure+": EntityMetricData.member.1.Entity") &&
			!strings.HasPrefix(msg, tc.failure+": The value") {
			t.Fatalf("%s, strict: message %q", tc.name, msg)
		}
		if n := samples(t, c, tc.name+"-strict"); n != 0 {
			t.Fatalf("%s, strict: %v datapoints stored", tc.name, n)
		}
	}

	three := entityInput("three", aws.Bool(false), validService)
	three.EntityMetricData = append(three.EntityMetricData, three.EntityMetricData[0], three.EntityMetricData[0])
	if _, err := c.cw.PutMetricData(ctx, three, keep); err != nil || hk.last.Get("X-Amzn-Failure-Message") != "EntitySizeTooLarge" {
		t.Fatalf("three entities: %v %q", err, hk.last.Get("X-Amzn-Failure-Message"))
	}
	_, err := c.cw.PutMetricData(ctx, entityInput("nostrict", nil, validService))
	wantAPIError(t, "no StrictEntityValidation", err, "MissingParameter", 400)
}

// queryPut sends PutMetricData over awsQuery (as aws-sdk-go v1 and the
// CloudWatch agent built on it do) and returns the status, the failure
// header and the body.
func queryPut(t *testing.T, endpoint string, form url.Values) (int, string, string) {
	t.Helper()
	form.Set("Action", "PutMetricData")
	form.Set("Version", "2010-08-01")
	body := form.Encode()
	req, _ := http.NewRequest("POST", endpoint+"/", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	sum := sha256.Sum256([]byte(body))
	if err := v4.NewSigner().SignHTTP(context.Background(), aws.Credentials{AccessKeyID: "test", SecretAccessKey: "test"},
		req, hex.EncodeToString(sum[:]), "monitoring", "us-east-1", time.Now()); err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header.Get("X-Amzn-Failure-Message"), string(b)
}

func queryEntityForm(name, strict string, keyAttrs map[string]string) url.Values {
	f := url.Values{
		"Namespace":              {"Agent"},
		"StrictEntityValidation": {strict},
		"EntityMetricData.member.1.MetricData.member.1.MetricName":                {name},
		"EntityMetricData.member.1.MetricData.member.1.Value":                     {"7"},
		"EntityMetricData.member.1.MetricData.member.1.Dimensions.member.1.Name":  {"host"},
		"EntityMetricData.member.1.MetricData.member.1.Dimensions.member.1.Value": {"h1"},
		"EntityMetricData.member.1.Entity.Attributes.entry.1.key":                 {"PlatformType"},
		"EntityMetricData.member.1.Entity.Attributes.entry.1.value":               {"AWS::EC2"},
	}
	i := 1
	for k, v := range keyAttrs {
		n := "EntityMetricData.member.1.Entity.KeyAttributes.entry." + string(rune('0'+i))
		f.Set(n+".key", k)
		f.Set(n+".value", v)
		i++
	}
	return f
}

func TestEntitiesAWSQuery(t *testing.T) {
	p := startVigil(t, "")
	c := newClients(p.URL, "test", "test", "us-east-1")
	status, failure, body := queryPut(t, p.URL, queryEntityForm("q-valid", "false", validService))
	if status != 200 || failure != "" || !strings.Contains(body, "<PutMetricDataResponse") {
		t.Fatalf("valid: %d %q %s", status, failure, body)
	}
	status, failure, body = queryPut(t, p.URL, queryEntityForm("q-noenv", "false", serviceNoEnv))
	if status != 200 || failure != "MissingRequiredFields" {
		t.Fatalf("lenient: %d %q %s", status, failure, body)
	}
	status, failure, body = queryPut(t, p.URL, queryEntityForm("q-five", "true", fiveKeyAttribs))
	if status != 400 || failure != "" || !strings.Contains(body, "<Code>InvalidParameterValue</Code>") ||
		!strings.Contains(body, "InvalidKeyAttributes: EntityMetricData.member.1.Entity.KeyAttributes has the key Region") {
		t.Fatalf("strict: %d %q %s", status, failure, body)
	}
	for name, want := range map[string]float64{"q-valid": 1, "q-noenv": 1, "q-five": 0} {
		if n := samples(t, c, name); n != want {
			t.Fatalf("%s: %v datapoints, want %v", name, n, want)
		}
	}
}

// entityBoto3 is run by python3 with the endpoint as its argument (JSON 1.0,
// as boto3 speaks CloudWatch).
const entityBoto3 = `
import sys, boto3
from botocore.config import Config
from botocore.exceptions import ClientError
cw = boto3.client("cloudwatch", endpoint_url=sys.argv[1], region_name="us-east-1", aws_access_key_id="test",
                  aws_secret_access_key="test", config=Config(parameter_validation=False, retries={"max_attempts": 1}))
def put(name, strict, keys):
    return cw.put_metric_data(Namespace="Agent", StrictEntityValidation=strict, EntityMetricData=[{
        "Entity": {"KeyAttributes": keys, "Attributes": {"PlatformType": "AWS::EC2"}},
        "MetricData": [{"MetricName": name, "Value": 7, "Dimensions": [{"Name": "host", "Value": "h1"}]}]}])
h = put("b-valid", False, {"Type": "AWS::Resource", "ResourceType": "AWS::EC2::Instance", "Identifier": "i-1"})
assert "x-amzn-failure-message" not in h["ResponseMetadata"]["HTTPHeaders"], h
h = put("b-type", False, {"Type": "Database", "Name": "orders"})
assert h["ResponseMetadata"]["HTTPHeaders"].get("x-amzn-failure-message") == "InvalidTypeValue", h
h = put("b-five", False, {"Type": "Service", "Name": "a", "Environment": "b", "Region": "c", "Zone": "d"})
assert h["ResponseMetadata"]["HTTPHeaders"].get("x-amzn-failure-message") == "InvalidKeyAttributes", h
try:
    put("b-strict", True, {"Type": "Service", "Name": "checkout"})
    raise AssertionError("strict: no error")
except ClientError as e:
    err = e.response["Error"]
    assert err["Code"] == "InvalidParameterValue", err
    assert err["Message"].startswith("MissingRequiredFields: "), err
print("ok")
`

func TestEntitiesBoto3(t *testing.T) {
	needTool(t, "python3")
	if exec.Command("python3", "-c", "import boto3").Run() != nil {
		t.Skip("boto3 is not installed (scripts/setup.sh installs it)")
	}
	p := startVigil(t, "")
	out, err := exec.Command("python3", "-c", entityBoto3, p.URL).CombinedOutput()
	if err != nil {
		t.Fatalf("boto3: %v\n%s", err, out)
	}
	c := newClients(p.URL, "test", "test", "us-east-1")
	for name, want := range map[string]float64{"b-valid": 1, "b-type": 1, "b-five": 1, "b-strict": 0} {
		if n := samples(t, c, name); n != want {
			t.Fatalf("%s: %v datapoints, want %v", name, n, want)
		}
	}
}
