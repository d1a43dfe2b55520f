package e2e

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
)

// runQuery starts a Logs Insights query and polls until it is complete.
func runQuery(t *testing.T, c *clients, group, q string, from, to time.Time) *cloudwatchlogs.GetQueryResultsOutput {
	t.Helper()
	ctx := ctxT(t)
	start, err := c.logs.StartQuery(ctx, &cloudwatchlogs.StartQueryInput{LogGroupName: aws.String(group), QueryString: aws.String(q),
		StartTime: aws.Int64(from.Unix()), EndTime: aws.Int64(to.Unix())})
	if err != nil {
		t.Fatalf("StartQuery %q: %v", q, err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		out, err := c.logs.GetQueryResults(ctx, &cloudwatchlogs.GetQueryResultsInput{QueryId: start.QueryId})
		if err != nil {
			t.Fatalf("GetQueryResults: %v", err)
		}
		switch out.Status {
		case types.QueryStatusComplete:
			return out
		case types.QueryStatusFailed, types.QueryStatusCancelled, types.QueryStatusTimeout:
			t.Fatalf("query %q ended %s", q, out.Status)
		}
		if time.Now().After(deadline) {
			t.Fatalf("query %q still %s", q, out.Status)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// cells turns result rows into maps, leaving out @ptr.
func cells(out *cloudwatchlogs.GetQueryResultsOutput) []map[string]string {
	var rows []map[string]string
	for _, r := range out.Results {
		m := map[string]string{}
		for _, f := range r {
			if aws.ToString(f.Field) != "@ptr" {
				m[aws.ToString(f.Field)] = aws.ToString(f.Value)
			}
		}
		rows = append(rows, m)
	}
	return rows
}

func TestLogsInsightsGoSDK(t *testing.T) {
	p := startVigil(t, "")
	c := newClients(p.URL, "test", "test", "us-east-1")
	ctx := ctxT(t)
	mkLogs(t, c, "/app/api", "a", "b")
	now := time.Now().Truncate(time.Second)
	levels := []string{"INFO", "ERROR", "INFO", "WARN", "ERROR", "INFO"}
	var evs []types.InputLogEvent
	for i, lvl := range levels {
		msg, _ := json.Marshal(map[string]any{"level": lvl, "latency_ms": 10 * (i + 1), "service": []string{"api", "web"}[i%2], "req": map[string]any{"path": fmt.Sprintf("/p/%d", i)}})
		evs = append(evs, logEv(ms(now.Add(time.Duration(i-10)*time.Second)), string(msg)))
	}
	putLogs(t, c, "/app/api", "a", evs...)
	putLogs(t, c, "/app/api", "b", logEv(ms(now.Add(-5*time.Second)), "plain text line with timeout in it"))
	from, to := now.Add(-time.Minute), now.Add(time.Minute)

	byLevel := cells(runQuery(t, c, "/app/api", "stats count(*) as n by level | sort n desc, level asc", from, to))
	// The plain-text event has no level: its group's level cell is empty,
	// and empty cells are left out of a row.
	if got := fmt.Sprint(byLevel); got != "[map[level:INFO n:3] map[level:ERROR n:2] map[level:WARN n:1] map[n:1]]" {
		t.Errorf("stats by level: %s", got)
	}
	errs := runQuery(t, c, "/app/api", `filter level = "ERROR" | fields req.path, latency_ms | sort @timestamp desc | limit 1`, from, to)
	if rows := cells(errs); len(rows) != 1 || rows[0]["req.path"] != "/p/4" || rows[0]["latency_ms"] != "50" {
		t.Errorf("filter ERROR: %v", rows)
	}
	if errs.Statistics.RecordsScanned != 7 || errs.Statistics.RecordsMatched != 2 {
		t.Errorf("statistics: %+v", *errs.Statistics)
	}
	// @ptr resolves with GetLogRecord.
	var ptr string
	for _, f := range errs.Results[0] {
		if aws.ToString(f.Field) == "@ptr" {
			ptr = aws.ToString(f.Value)
		}
	}
	rec, err := c.logs.GetLogRecord(ctx, &cloudwatchlogs.GetLogRecordInput{LogRecordPointer: aws.String(ptr)})
	if err != nil || !strings.Contains(rec.LogRecord["@message"], `"/p/4"`) || rec.LogRecord["@logStream"] != "a" {
		t.Errorf("GetLogRecord(%q): %v %v", ptr, rec, err)
	}
	like := cells(runQuery(t, c, "/app/api", `filter @message like /timeout/ | stats count(*) as n`, from, to))
	if len(like) != 1 || like[0]["n"] != "1" {
		t.Errorf("like timeout: %v", like)
	}
	avg := cells(runQuery(t, c, "/app/api", `filter ispresent(latency_ms) | stats avg(latency_ms) as a, max(latency_ms) as m by service | sort service`, from, to))
	if fmt.Sprint(avg) != "[map[a:30 m:50 service:api] map[a:40 m:60 service:web]]" {
		t.Errorf("avg by service: %v", avg)
	}

	// Errors: malformed, unsupported, missing group.
	_, err = c.logs.StartQuery(ctx, &cloudwatchlogs.StartQueryInput{LogGroupName: aws.String("/app/api"), QueryString: aws.String("fields @message | frobnicate"),
		StartTime: aws.Int64(from.Unix()), EndTime: aws.Int64(to.Unix())})
	wantAPIError(t, "malformed query", err, "MalformedQueryException", 400)
	_, err = c.logs.StartQuery(ctx, &cloudwatchlogs.StartQueryInput{LogGroupName: aws.String("/nope"), QueryString: aws.String("fields @message"),
		StartTime: aws.Int64(from.Unix()), EndTime: aws.Int64(to.Unix())})
	wantAPIError(t, "missing group", err, "ResourceNotFoundException", 400)

	qs, err := c.logs.DescribeQueries(ctx, &cloudwatchlogs.DescribeQueriesInput{LogGroupName: aws.String("/app/api")})
	if err != nil || len(qs.Queries) != 4 {
		t.Errorf("DescribeQueries: %d queries, %v", len(qs.Queries), err)
	}
}

func TestLogsInsightsAWSCLI(t *testing.T) {
	needTool(t, "aws")
	p := startVigil(t, "")
	c := newClients(p.URL, "test", "test", "us-east-1")
	mkLogs(t, c, "/cli/q", "s")
	now := time.Now().Truncate(time.Second)
	putLogs(t, c, "/cli/q", "s", logEv(ms(now.Add(-2*time.Second)), `{"level":"ERROR"}`), logEv(ms(now.Add(-time.Second)), `{"level":"INFO"}`))
	out, stderr, err := awsCLI(t, p.URL, "logs", "start-query", "--log-group-name", "/cli/q", "--query-string", "stats count(*) as n by level | sort level",
		"--start-time", fmt.Sprint(now.Add(-time.Minute).Unix()), "--end-time", fmt.Sprint(now.Add(time.Minute).Unix()))
	if err != nil {
		t.Fatalf("start-query: %v %s", err, stderr)
	}
	var started struct{ QueryId string }
	json.Unmarshal([]byte(out), &started)
	deadline := time.Now().Add(30 * time.Second)
	for {
		out, stderr, err = awsCLI(t, p.URL, "logs", "get-query-results", "--query-id", started.QueryId)
		if err != nil {
			t.Fatalf("get-query-results: %v %s", err, stderr)
		}
		if strings.Contains(out, `"Complete"`) || time.Now().After(deadline) {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	var res struct {
		Status  string `json:"status"`
		Results [][]struct{ Field, Value string }
	}
	json.Unmarshal([]byte(out), &res)
	if res.Status != "Complete" || len(res.Results) != 2 || fmt.Sprint(res.Results[0]) != "[{level ERROR} {n 1}]" {
		t.Errorf("get-query-results: %s", out)
	}
}
