package e2e

import (
	"cmp"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
)

// runSourceQuery is runQuery for a query that names its log groups with
// SOURCE (StartQuery then takes no log group parameter).
func runSourceQuery(t *testing.T, c *clients, q string, from, to time.Time) []map[string]string {
	t.Helper()
	ctx := ctxT(t)
	start, err := c.logs.StartQuery(ctx, &cloudwatchlogs.StartQueryInput{QueryString: aws.String(q),
		StartTime: aws.Int64(from.Unix()), EndTime: aws.Int64(to.Unix())})
	if err != nil {
		t.Fatalf("StartQuery %q: %v", q, err)
	}
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		out, err := c.logs.GetQueryResults(ctx, &cloudwatchlogs.GetQueryResultsInput{QueryId: start.QueryId})
		if err != nil {
			t.Fatalf("GetQueryResults: %v", err)
		}
		switch out.Status {
		case types.QueryStatusComplete:
			return cells(out)
		case types.QueryStatusFailed, types.QueryStatusCancelled, types.QueryStatusTimeout:
			t.Fatalf("query %q ended %s", q, out.Status)
		}
		if time.Now().After(deadline) {
			t.Fatalf("query %q still %s", q, out.Status)
		}
	}
}

// TestLogsInsightsLogCompareAndAnomaly runs AWS's logcompare example
// (SOURCE lg start=-1d end=now | logcompare timeshift 7d) and pattern |
// anomaly through the Go SDK.
func TestLogsInsightsLogCompareAndAnomaly(t *testing.T) {
	p := startVigil(t, "")
	c := newClients(p.URL, "test", "test", "us-east-1")
	mkLogs(t, c, "/app/web", "s")
	now := time.Now().Truncate(time.Second)
	// A week ago: logins and a disk warning. The last hour: logins, and
	// order requests that start failing half-way.
	weekAgo := now.Add(-7*24*time.Hour - 2*time.Hour)
	putLogs(t, c, "/app/web", "s",
		logEv(ms(weekAgo), "user alice logged in"),
		logEv(ms(weekAgo.Add(time.Minute)), "[WARN] disk 91% full"),
		logEv(ms(weekAgo.Add(2*time.Minute)), "user bob logged in"))
	var recent []types.InputLogEvent
	for i := range 12 {
		code := 200
		if i >= 6 && i%2 == 0 {
			code = 503
		}
		recent = append(recent, logEv(ms(now.Add(time.Duration(-55+5*i)*time.Minute)), fmt.Sprintf("GET /api/orders %d 12ms", code)))
	}
	recent = append(recent, logEv(ms(now.Add(-2*time.Second)), "user carol logged in"))
	slices.SortFunc(recent, func(a, b types.InputLogEvent) int { return cmp.Compare(*a.Timestamp, *b.Timestamp) })
	putLogs(t, c, "/app/web", "s", recent...)

	// startTime/endTime are required by the SDK; SOURCE's start= and end=
	// replace them (here with a range that holds no event).
	rows := runSourceQuery(t, c, "SOURCE '/app/web' start=-1d end=now | logcompare timeshift 7d | sort @pattern",
		now.Add(-48*time.Hour), now.Add(-47*time.Hour))
	want := "[map[@pattern:GET /api/orders <Token-1> <Token-2> @previousRatio:0 @previousSampleCount:0 @ratio:0.9230769230769231 @sampleCount:12] " +
		"map[@pattern:[WARN] disk <Token-1> full @previousRatio:0.3333333333333333 @previousSampleCount:1 @ratio:0 @sampleCount:0 @severityLabel:Warning] " +
		"map[@pattern:user <Token-1> logged in @previousRatio:0.6666666666666666 @previousSampleCount:2 @ratio:0.07692307692307693 @sampleCount:1]]"
	if got := fmt.Sprint(rows); got != want {
		t.Errorf("logcompare:\ngot  %s\nwant %s", got, want)
	}

	// The last hour: the order requests' 503s are an HTTP error code
	// anomaly; carol's login is in the second half only, a new pattern.
	rows = runSourceQuery(t, c, "SOURCE '/app/web' | pattern @message | anomaly | filter ispresent(@anomalyType) | display @pattern, @anomalyType, @priority, @description",
		now.Add(-time.Hour), now)
	want = "[map[@anomalyType:HttpErrorCode @description:HTTP error codes (503 x3) on 3 of 6 events in the second half of the window, against 0 of 6 in the first @pattern:GET /api/orders <Token-1> <Token-2> @priority:HIGH] " +
		"map[@anomalyType:NewPattern @description:new pattern: 1 event in the second half of the window, none in the first @pattern:user carol logged in @priority:LOW]]"
	if got := fmt.Sprint(rows); got != want {
		t.Errorf("anomaly:\ngot  %s\nwant %s", got, want)
	}
}
