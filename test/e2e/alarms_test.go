package e2e

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
)

// TestAlarmFiresAndRecovers: breaching data put through the Go SDK takes a
// 10-second high-resolution alarm to ALARM, its notification arrives in a
// queue subscribed to the action's topic, and it recovers to OK.
func TestAlarmFiresAndRecovers(t *testing.T) {
	p := startVigil(t, "")
	c := newClients(p.URL, "test", "test", "us-east-1")
	ctx := ctxT(t)
	topic, queue, _ := snsSetup(t, c, "alarms", "alarms-q", nil, nil, map[string]string{"RawMessageDelivery": "true"})
	// EventBridge: the alarm's state change events and the PutMetricAlarm
	// API call (CloudTrail) land in a queue through default-bus rules.
	eventsQueue := sqsQueue(t, c, "alarm-events", nil)
	eqa, err := c.sqs.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: &eventsQueue, AttributeNames: []sqstypes.QueueAttributeName{"QueueArn"}})
	if err != nil {
		t.Fatal(err)
	}
	for name, pattern := range map[string]string{
		"alarm-changes": `{"source": ["aws.cloudwatch"], "detail-type": ["CloudWatch Alarm State Change"]}`,
		"alarm-calls":   `{"source": ["aws.monitoring"], "detail": {"eventName": ["PutMetricAlarm"]}}`,
	} {
		if _, err := c.eb.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String(name), EventPattern: aws.String(pattern)}); err != nil {
			t.Fatalf("PutRule: %v", err)
		}
		if _, err := c.eb.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String(name),
			Targets: []ebtypes.Target{{Id: aws.String("q"), Arn: aws.String(eqa.Attributes["QueueArn"])}}}); err != nil {
			t.Fatalf("PutTargets: %v", err)
		}
	}
	_, err = c.cw.PutMetricAlarm(ctx, &cloudwatch.PutMetricAlarmInput{
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
	// The events queue holds the API call and the state changes
	// (INSUFFICIENT_DATA → ALARM at least, then ALARM → OK).
	seen := map[string]bool{}
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) && !(seen["PutMetricAlarm"] && seen["ALARM->OK"]) {
		for _, m := range receiveAll(t, c, eventsQueue) {
			var ev struct {
				Source     string `json:"source"`
				DetailType string `json:"detail-type"`
				Resources  []string
				Detail     struct {
					EventName     string `json:"eventName"`
					AlarmName     string `json:"alarmName"`
					State         struct{ Value string }
					PreviousState struct{ Value string } `json:"previousState"`
				}
			}
			if err := json.Unmarshal([]byte(aws.ToString(m.Body)), &ev); err != nil {
				t.Fatalf("event %v: %s", err, aws.ToString(m.Body))
			}
			switch ev.Source {
			case "aws.monitoring":
				seen[ev.Detail.EventName] = ev.DetailType == "AWS API Call via CloudTrail"
			case "aws.cloudwatch":
				if ev.Detail.AlarmName != "high-load" || len(ev.Resources) != 1 {
					t.Errorf("state change event %s", aws.ToString(m.Body))
				}
				seen[ev.Detail.PreviousState.Value+"->"+ev.Detail.State.Value] = true
			}
		}
	}
	if !seen["PutMetricAlarm"] || !seen["ALARM->OK"] {
		t.Fatalf("events seen: %v", seen)
	}
}
