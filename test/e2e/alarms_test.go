package e2e

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
)

// TestAlarmFiresAndRecovers: breaching data put through the Go SDK takes a
// 10-second high-resolution alarm to ALARM, its notification arrives in a
// queue subscribed to the action's topic, and it recovers to OK.
func TestAlarmFiresAndRecovers(t *testing.T) {
	p := startVigil(t, "")
	c := newClients(p.URL, "test", "test", "us-east-1")
	ctx := ctxT(t)
	topic, queue, _ := snsSetup(t, c, "alarms", "alarms-q", nil, nil, map[string]string{"RawMessageDelivery": "true"})
	_, err := c.cw.PutMetricAlarm(ctx, &cloudwatch.PutMetricAlarmInput{
		AlarmName: aws.String("high-load"), Namespace: aws.String("App"), MetricName: aws.String("Load"),
		Dimensions: []cwtypes.Dimension{{Name: aws.String("Host"), Value: aws.String("web-1")}},
		Period:     aws.Int32(10), EvaluationPeriods: aws.Int32(1), Threshold: aws.Float64(80),
		ComparisonOperator: cwtypes.ComparisonOperatorGreaterThanThreshold, Statistic: cwtypes.StatisticMaximum,
		TreatMissingData: aws.String("notBreaching"), AlarmActions: []string{topic}, OKActions: []string{topic},
	})
	if err != nil {
		t.Fatalf("PutMetricAlarm: %v", err)
	}
	state := func() cwtypes.MetricAlarm {
		out, err := c.cw.DescribeAlarms(ctx, &cloudwatch.DescribeAlarmsInput{AlarmNames: []string{"high-load"}})
		if err != nil || len(out.MetricAlarms) != 1 {
			t.Fatalf("DescribeAlarms: %v %+v", err, out)
		}
		return out.MetricAlarms[0]
	}
	// notification waits for the next alarm notification in the queue.
	notification := func(want string) map[string]any {
		t.Helper()
		deadline := time.Now().Add(60 * time.Second)
		for time.Now().Before(deadline) {
			for _, m := range receiveAll(t, c, queue) {
				var msg map[string]any
				if err := json.Unmarshal([]byte(aws.ToString(m.Body)), &msg); err != nil {
					t.Fatalf("notification body: %v %s", err, aws.ToString(m.Body))
				}
				if msg["NewStateValue"] == want {
					return msg
				}
			}
		}
		t.Fatalf("no %s notification; alarm is %+v", want, state())
		return nil
	}
	put := func(v float64) {
		_, err := c.cw.PutMetricData(ctx, &cloudwatch.PutMetricDataInput{Namespace: aws.String("App"), MetricData: []cwtypes.MetricDatum{{
			MetricName: aws.String("Load"), Value: aws.Float64(v), StorageResolution: aws.Int32(1), Timestamp: aws.Time(time.Now()),
			Dimensions: []cwtypes.Dimension{{Name: aws.String("Host"), Value: aws.String("web-1")}}}}})
		if err != nil {
			t.Fatalf("PutMetricData: %v", err)
		}
	}
	// Keep the metric breaching until the alarm fires.
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			put(95)
			select {
			case <-stop:
				return
			case <-time.After(2 * time.Second):
			}
		}
	}()
	msg := notification("ALARM")
	close(stop)
	<-done
	if msg["AlarmName"] != "high-load" || msg["AWSAccountId"] != "000000000000" || msg["Region"] != "US East (N. Virginia)" {
		t.Errorf("notification %+v", msg)
	}
	reason, _ := msg["NewStateReason"].(string)
	if !strings.HasPrefix(reason, "Threshold Crossed: 1 out of the last 1 datapoints [95.0 (") || !strings.Contains(reason, "was greater than the threshold (80.0)") {
		t.Errorf("reason %q", reason)
	}
	trig, _ := msg["Trigger"].(map[string]any)
	if trig["MetricName"] != "Load" || trig["Statistic"] != "MAXIMUM" || trig["Period"] != float64(10) {
		t.Errorf("trigger %+v", trig)
	}
	if a := state(); a.StateValue != cwtypes.StateValueAlarm || !strings.Contains(aws.ToString(a.StateReasonData), `"evaluatedDatapoints"`) {
		t.Errorf("alarm %+v", a)
	}
	// No more data: missing is not breaching, the alarm recovers.
	notification("OK")
	hist, err := c.cw.DescribeAlarmHistory(ctx, &cloudwatch.DescribeAlarmHistoryInput{AlarmName: aws.String("high-load"),
		HistoryItemType: cwtypes.HistoryItemTypeStateUpdate})
	if err != nil || len(hist.AlarmHistoryItems) < 2 {
		t.Fatalf("history: %v %+v", err, hist)
	}
	if got := aws.ToString(hist.AlarmHistoryItems[0].HistorySummary); got != "Alarm updated from ALARM to OK" {
		t.Errorf("latest history item %q", got)
	}
}
