package e2e

import (
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
)

// TestMetricsOverCBOR puts, lists and reads metrics with the newest Go SDK
// (RPC v2 CBOR), then checks that acknowledged data survives kill -9.
func TestMetricsOverCBORSurviveKill9(t *testing.T) {
	p := startVigil(t, "")
	ctx := ctxT(t)
	c := newClients(p.URL, "test", "test", "us-east-1")
	t0 := time.Now().Add(-10 * time.Minute).Truncate(time.Minute)
	dims := []types.Dimension{{Name: aws.String("Host"), Value: aws.String("web-1")}}
	for i := 0; i < 5; i++ {
		_, err := c.cw.PutMetricData(ctx, &cloudwatch.PutMetricDataInput{Namespace: aws.String("Shop"), MetricData: []types.MetricDatum{
			{MetricName: aws.String("Latency"), Dimensions: dims, Timestamp: aws.Time(t0.Add(time.Duration(i) * time.Minute)),
				Values: []float64{float64(i), float64(10 * i)}, Counts: []float64{1, 3}, Unit: types.StandardUnitMilliseconds},
		}})
		if err != nil {
			t.Fatal(err)
		}
	}
	check := func(c *clients, when string) {
		t.Helper()
		list, err := c.cw.ListMetrics(ctx, &cloudwatch.ListMetricsInput{Namespace: aws.String("Shop")})
		if err != nil || len(list.Metrics) != 1 || aws.ToString(list.Metrics[0].MetricName) != "Latency" {
			t.Fatalf("%s: ListMetrics %+v %v", when, list, err)
		}
		st, err := c.cw.GetMetricStatistics(ctx, &cloudwatch.GetMetricStatisticsInput{
			Namespace: aws.String("Shop"), MetricName: aws.String("Latency"), Dimensions: dims,
			StartTime: aws.Time(t0), EndTime: aws.Time(t0.Add(5 * time.Minute)), Period: aws.Int32(300),
			ExtendedStatistics: []string{"p50", "p100"},
		})
		if err != nil || len(st.Datapoints) != 1 {
			t.Fatalf("%s: GetMetricStatistics %+v %v", when, st, err)
		}
		// Values 0..4 once and 0,10..40 three times each: 20 samples.
		if ext := st.Datapoints[0].ExtendedStatistics; ext["p100"] != 40 || ext["p50"] != 10 {
			t.Fatalf("%s: extended statistics %v", when, ext)
		}
		data, err := c.cw.GetMetricData(ctx, &cloudwatch.GetMetricDataInput{
			StartTime: aws.Time(t0), EndTime: aws.Time(t0.Add(5 * time.Minute)), ScanBy: types.ScanByTimestampAscending,
			MetricDataQueries: []types.MetricDataQuery{
				{Id: aws.String("m"), ReturnData: aws.Bool(false), MetricStat: &types.MetricStat{
					Metric: &types.Metric{Namespace: aws.String("Shop"), MetricName: aws.String("Latency"), Dimensions: dims},
					Period: aws.Int32(60), Stat: aws.String("SampleCount")}},
				{Id: aws.String("rate"), Expression: aws.String("m / PERIOD(m)"), Label: aws.String("per second")},
			},
		})
		if err != nil || len(data.MetricDataResults) != 1 {
			t.Fatalf("%s: GetMetricData %+v %v", when, data, err)
		}
		r := data.MetricDataResults[0]
		if aws.ToString(r.Label) != "per second" || len(r.Values) != 5 || r.Values[0] != 4.0/60 || r.StatusCode != types.StatusCodeComplete {
			t.Fatalf("%s: GetMetricData result %+v", when, r)
		}
	}
	check(c, "before kill -9")
	p.Kill9()
	p2 := startVigil(t, p.DataDir)
	check(newClients(p2.URL, "test", "test", "us-east-1"), "after kill -9")
	// Another region sees none of it.
	other := newClients(p2.URL, "test", "test", "eu-west-1")
	if list, err := other.cw.ListMetrics(ctx, &cloudwatch.ListMetricsInput{}); err != nil || len(list.Metrics) != 0 {
		t.Fatalf("eu-west-1 ListMetrics: %+v %v", list, err)
	}
}
