package e2e

import (
	"encoding/json"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// aws runs the aws CLI against url with the test key.
func awsCLI(t *testing.T, url string, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	cmd := exec.Command("aws", append([]string{"--endpoint-url", url, "--output", "json"}, args...)...)
	cmd.Env = append(os.Environ(), "AWS_ACCESS_KEY_ID=test", "AWS_SECRET_ACCESS_KEY=test",
		"AWS_DEFAULT_REGION=us-east-1", "AWS_MAX_ATTEMPTS=1", "AWS_PAGER=", "AWS_CONFIG_FILE=/dev/null",
		"AWS_SHARED_CREDENTIALS_FILE=/dev/null")
	var out, errb strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errb
	err = cmd.Run()
	return out.String(), errb.String(), err
}

func needTool(t *testing.T, name string) {
	if _, err := exec.LookPath(name); err != nil {
		t.Skipf("%s is not installed (scripts/setup.sh installs it)", name)
	}
}

func TestAWSCLI(t *testing.T) {
	needTool(t, "aws")
	p := startVigil(t, "")

	out, stderr, err := awsCLI(t, p.URL, "sts", "get-caller-identity")
	if err != nil {
		t.Fatalf("get-caller-identity: %v %s", err, stderr)
	}
	var id struct{ Account, Arn string }
	if json.Unmarshal([]byte(out), &id); id.Account != "000000000000" {
		t.Fatalf("get-caller-identity: %s", out)
	}

	_, stderr, err = awsCLI(t, p.URL, "cloudwatch", "list-dashboards")
	if err == nil || !strings.Contains(stderr, "(NotImplemented)") || !strings.Contains(stderr, "ListDashboards") {
		t.Fatalf("cloudwatch list-dashboards: %v %s", err, stderr)
	}
	_, stderr, err = awsCLI(t, p.URL, "cloudwatch", "list-metrics", "--recently-active", "PT5H")
	if err == nil || !strings.Contains(stderr, "(InvalidParameterValue)") {
		t.Fatalf("cloudwatch bad enum: %v %s", err, stderr)
	}

	out, stderr, err = awsCLI(t, p.URL, "cloudtrail", "lookup-events",
		"--lookup-attributes", "AttributeKey=EventName,AttributeValue=GetCallerIdentity")
	if err != nil {
		t.Fatalf("lookup-events: %v %s", err, stderr)
	}
	var res struct {
		Events []struct{ EventName, EventSource, Username, CloudTrailEvent string }
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil || len(res.Events) != 1 {
		t.Fatalf("lookup-events: %v %s", err, out)
	}
	if e := res.Events[0]; e.EventSource != "sts.amazonaws.com" || e.Username != "root" || !strings.Contains(e.CloudTrailEvent, "aws-cli/") {
		t.Fatalf("lookup-events event: %+v", e)
	}
}

func TestBoto3(t *testing.T) {
	needTool(t, "python3")
	if exec.Command("python3", "-c", "import boto3").Run() != nil {
		t.Skip("boto3 is not installed (scripts/setup.sh installs it)")
	}
	p := startVigil(t, "")
	cmd := exec.Command("python3", "boto3_suite.py", p.URL)
	out, err := cmd.CombinedOutput()
	t.Logf("%s", out)
	if err != nil {
		t.Fatalf("boto3 suite failed: %v", err)
	}
}

// TestAWSQueryClient runs test/queryclient (awsQuery clients in their own
// module: aws-sdk-go-v2 service/cloudwatch v1.52.8 and aws-sdk-go v1.47.5's
// SQS) against a server.
func TestAWSQueryClient(t *testing.T) {
	p := startVigil(t, "")
	cmd := exec.Command("go", "run", ".", p.URL)
	cmd.Dir = "../queryclient"
	out, err := cmd.CombinedOutput()
	t.Logf("%s", out)
	if err != nil {
		t.Fatalf("awsQuery client suite failed: %v", err)
	}
}

// TestAWSCLIMetrics puts and reads a metric with the aws CLI (JSON 1.0).
func TestAWSCLIMetrics(t *testing.T) {
	needTool(t, "aws")
	p := startVigil(t, "")
	ts := time.Now().Add(-5 * time.Minute).UTC().Truncate(time.Minute).Format(time.RFC3339)
	for _, v := range []string{"1", "5", "9"} {
		// put-metric-data's own shorthand for dimensions is name=value.
		if _, stderr, err := awsCLI(t, p.URL, "cloudwatch", "put-metric-data", "--namespace", "CLI", "--metric-name", "Queue",
			"--dimensions", "queue=jobs", "--value", v, "--unit", "Count", "--timestamp", ts); err != nil {
			t.Fatalf("put-metric-data: %v %s", err, stderr)
		}
	}
	out, stderr, err := awsCLI(t, p.URL, "cloudwatch", "get-metric-statistics", "--namespace", "CLI", "--metric-name", "Queue",
		"--dimensions", "Name=queue,Value=jobs", "--start-time", ts, "--end-time", time.Now().UTC().Format(time.RFC3339),
		"--period", "60", "--statistics", "Sum", "Maximum", "SampleCount")
	if err != nil {
		t.Fatalf("get-metric-statistics: %v %s", err, stderr)
	}
	var res struct {
		Label      string
		Datapoints []struct {
			Sum, Maximum, SampleCount float64
			Unit                      string
		}
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil || res.Label != "Queue" || len(res.Datapoints) != 1 {
		t.Fatalf("get-metric-statistics: %v %s", err, out)
	}
	if d := res.Datapoints[0]; d.Sum != 15 || d.Maximum != 9 || d.SampleCount != 3 || d.Unit != "Count" {
		t.Fatalf("datapoint: %+v", d)
	}
	out, _, err = awsCLI(t, p.URL, "cloudwatch", "list-metrics", "--namespace", "CLI")
	if err != nil || !strings.Contains(out, `"MetricName": "Queue"`) {
		t.Fatalf("list-metrics: %v %s", err, out)
	}
}
