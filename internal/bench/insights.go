package bench

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
)

// InsightsConfig describes a Logs Insights workload: queries run one at a
// time through StartQuery and GetQueryResults over what PutLogEvents
// stored in Group.
type InsightsConfig struct {
	Endpoint string
	Group    string        // default "/vigil/bench"
	Queries  []string      // default InsightsGoalQueries
	Runs     int           // per query (default 5)
	Window   time.Duration // the queries' time range ends now (default 24h)
}

// InsightsGoalQueries are the queries of the Logs Insights issue's goals.
var InsightsGoalQueries = []string{
	"stats count(*) by level",
	"filter @message like /timeout/ | stats count(*)",
	`filter level = "ERROR" | stats count(*), avg(latency_ms) by service`,
	"stats count(*) by bin(5m)",
	"fields @timestamp, @message | sort @timestamp desc | limit 20",
}

// InsightsResult is one query's measurements: each run's latency from
// StartQuery to the GetQueryResults that reported Complete (polled every
// millisecond), and the last run's statistics.
type InsightsResult struct {
	Query        string
	Latencies    []time.Duration
	BytesScanned float64
	Records      float64
	Rows         int
}

func (r InsightsResult) String() string {
	ls := slices.Clone(r.Latencies)
	slices.Sort(ls)
	ms := func(d time.Duration) string { return fmt.Sprintf("%.0f ms", float64(d.Microseconds())/1000) }
	return fmt.Sprintf("%-70s median %s, best %s, worst %s; %.0f MB scanned, %.0f records, %d rows",
		r.Query, ms(ls[len(ls)/2]), ms(ls[0]), ms(ls[len(ls)-1]), r.BytesScanned/1e6, r.Records, r.Rows)
}

// Insights runs the workload.
func Insights(ctx context.Context, c InsightsConfig, log io.Writer) ([]InsightsResult, error) {
	if c.Group == "" {
		c.Group = "/vigil/bench"
	}
	if len(c.Queries) == 0 {
		c.Queries = InsightsGoalQueries
	}
	if c.Runs <= 0 {
		c.Runs = 5
	}
	if c.Window <= 0 {
		c.Window = 24 * time.Hour
	}
	client := cloudwatchlogs.NewFromConfig(sdkConfig(c.Endpoint, 1))
	var out []InsightsResult
	for _, q := range c.Queries {
		res := InsightsResult{Query: q}
		for range c.Runs {
			end := time.Now().Add(time.Minute)
			start := time.Now()
			sq, err := client.StartQuery(ctx, &cloudwatchlogs.StartQueryInput{
				LogGroupName: aws.String(c.Group), QueryString: aws.String(q),
				StartTime: aws.Int64(end.Add(-c.Window).Unix()), EndTime: aws.Int64(end.Unix()),
			})
			if err != nil {
				return out, fmt.Errorf("bench: %s: %w", q, err)
			}
			for {
				r, err := client.GetQueryResults(ctx, &cloudwatchlogs.GetQueryResultsInput{QueryId: sq.QueryId})
				if err != nil {
					return out, fmt.Errorf("bench: %s: %w", q, err)
				}
				if r.Status == types.QueryStatusComplete {
					res.Latencies = append(res.Latencies, time.Since(start))
					res.Rows = len(r.Results)
					if st := r.Statistics; st != nil {
						res.BytesScanned, res.Records = st.BytesScanned, st.RecordsScanned
					}
					break
				}
				if r.Status != types.QueryStatusRunning && r.Status != types.QueryStatusScheduled {
					return out, fmt.Errorf("bench: %s: the query ended %s", q, r.Status)
				}
				time.Sleep(time.Millisecond)
			}
		}
		fmt.Fprintln(log, strings.TrimSpace(res.String()))
		out = append(out, res)
	}
	return out, nil
}
