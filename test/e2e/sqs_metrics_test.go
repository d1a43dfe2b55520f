package e2e

import (
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
)

// TestSQSAndSNSMetrics: with queues sampled every second, an empty
// receive, three sends and a receive read back through GetMetricStatistics
// and GetMetricData with AWS/SQS's exact values; an alarm on
// ApproximateNumberOfMessagesVisible > 2 goes to ALARM; a publish shows in
// AWS/SNS.
func TestSQSAndSNSMetrics(t *testing.T) {
	p := startVigil(t, "", "--sqs-metrics-interval", "1s")
	c := newClients(p.URL, "test", "test", "us-east-1")
	ctx := ctxT(t)
	start := time.Now().Add(-time.Minute)
	queue := sqsQueue(t, c, "metered", nil)
	dims := []cwtypes.Dimension{{Name: aws.String("QueueName"), Value: aws.String("metered")}}

	if out, err := c.sqs.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: &queue}); err != nil || len(out.Messages) != 0 {
		t.Fatalf("empty receive: %+v %v", out, err)
	}
	for i := range 3 {
		if _, err := c.sqs.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: &queue, MessageBody: aws.String(fmt.Sprintf("m%d", i))}); err != nil {
			t.Fatalf("SendMessage: %v", err)
		}
	}
	_, err := c.cw.PutMetricAlarm(ctx, &cloudwatch.PutMetricAlarmInput{
		AlarmName: aws.String("backlog"), Namespace: aws.String("AWS/SQS"), MetricName: aws.String("ApproximateNumberOfMessagesVisible"),
		Dimensions: dims, Period: aws.Int32(10), EvaluationPeriods: aws.Int32(1), Threshold: aws.Float64(2),
		ComparisonOperator: cwtypes.ComparisonOperatorGreaterThanThreshold, Statistic: cwtypes.StatisticMaximum,
	})
	if err != nil {
		t.Fatalf("PutMetricAlarm: %v", err)
	}
	// Alarms evaluate every 10 seconds; the backlog stays until it fires.
	var state cwtypes.StateValue
	for deadline := time.Now().Add(45 * time.Second); state != cwtypes.StateValueAlarm; time.Sleep(250 * time.Millisecond) {
		out, err := c.cw.DescribeAlarms(ctx, &cloudwatch.DescribeAlarmsInput{AlarmNames: []string{"backlog"}})
		if err != nil || len(out.MetricAlarms) != 1 {
			t.Fatalf("DescribeAlarms: %+v %v", out, err)
		}
		if state = out.MetricAlarms[0].StateValue; state != cwtypes.StateValueAlarm && time.Now().After(deadline) {
			t.Fatalf("alarm never fired: %s %s", state, aws.ToString(out.MetricAlarms[0].StateReason))
		}
	}

	if out, err := c.sqs.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: &queue}); err != nil || len(out.Messages) != 1 {
		t.Fatalf("receive: %+v %v", out, err)
	}
	stat := func(metric string, s cwtypes.Statistic) float64 {
		out, err := c.cw.GetMetricStatistics(ctx, &cloudwatch.GetMetricStatisticsInput{
			Namespace: aws.String("AWS/SQS"), MetricName: aws.String(metric), Dimensions: dims,
			StartTime: aws.Time(start), EndTime: aws.Time(time.Now().Add(time.Minute)), Period: aws.Int32(3600),
			Statistics: []cwtypes.Statistic{s},
		})
		if err != nil {
			t.Fatalf("GetMetricStatistics %s: %v", metric, err)
		}
		v := 0.0
		for _, d := range out.Datapoints {
			switch s {
			case cwtypes.StatisticSum:
				v += aws.ToFloat64(d.Sum)
			case cwtypes.StatisticSampleCount:
				v += aws.ToFloat64(d.SampleCount)
			}
		}
		return v
	}
	// latest is a gauge's newest 1-second value.
	latest := func(metric string) float64 {
		out, err := c.cw.GetMetricData(ctx, &cloudwatch.GetMetricDataInput{
			StartTime: aws.Time(start), EndTime: aws.Time(time.Now().Add(time.Minute)), ScanBy: cwtypes.ScanByTimestampDescending,
			MetricDataQueries: []cwtypes.MetricDataQuery{{Id: aws.String("g"), MetricStat: &cwtypes.MetricStat{
				Metric: &cwtypes.Metric{Namespace: aws.String("AWS/SQS"), MetricName: aws.String(metric), Dimensions: dims},
				Period: aws.Int32(1), Stat: aws.String("Maximum")}}},
		})
		if err != nil || len(out.MetricDataResults) != 1 {
			t.Fatalf("GetMetricData %s: %+v %v", metric, out, err)
		}
		if vs := out.MetricDataResults[0].Values; len(vs) > 0 {
			return vs[0]
		}
		return -1
	}
	eventually(t, "AWS/SQS after the receive", func() (bool, string) {
		got := fmt.Sprintf("sent=%g received=%g empty=%g deleted=%g size=%g/%g visible=%g notVisible=%g delayed=%g",
			stat("NumberOfMessagesSent", cwtypes.StatisticSum), stat("NumberOfMessagesReceived", cwtypes.StatisticSum),
			stat("NumberOfEmptyReceives", cwtypes.StatisticSum), stat("NumberOfMessagesDeleted", cwtypes.StatisticSum),
			stat("SentMessageSize", cwtypes.StatisticSum), stat("SentMessageSize", cwtypes.StatisticSampleCount),
			latest("ApproximateNumberOfMessagesVisible"), latest("ApproximateNumberOfMessagesNotVisible"),
			latest("ApproximateNumberOfMessagesDelayed"))
		return got == "sent=3 received=1 empty=1 deleted=0 size=6/3 visible=2 notVisible=1 delayed=0", got
	})

	// AWS/SNS: a publish to a topic without subscriptions.
	topic, err := c.sns.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("metered")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.sns.Publish(ctx, &sns.PublishInput{TopicArn: topic.TopicArn, Message: aws.String("hello")}); err != nil {
		t.Fatal(err)
	}
	eventually(t, "AWS/SNS NumberOfMessagesPublished", func() (bool, string) {
		out, err := c.cw.GetMetricStatistics(ctx, &cloudwatch.GetMetricStatisticsInput{
			Namespace: aws.String("AWS/SNS"), MetricName: aws.String("NumberOfMessagesPublished"),
			Dimensions: []cwtypes.Dimension{{Name: aws.String("TopicName"), Value: aws.String("metered")}},
			StartTime:  aws.Time(start), EndTime: aws.Time(time.Now().Add(time.Minute)), Period: aws.Int32(3600),
			Statistics: []cwtypes.Statistic{cwtypes.StatisticSum},
		})
		if err != nil {
			return false, err.Error()
		}
		sum := 0.0
		for _, d := range out.Datapoints {
			sum += aws.ToFloat64(d.Sum)
		}
		return sum == 1, fmt.Sprintf("%+v", out.Datapoints)
	})

	// Users cannot write AWS/SQS.
	_, err = c.cw.PutMetricData(ctx, &cloudwatch.PutMetricDataInput{Namespace: aws.String("AWS/SQS"),
		MetricData: []cwtypes.MetricDatum{{MetricName: aws.String("NumberOfMessagesSent"), Value: aws.Float64(1)}}})
	wantAPIError(t, "PutMetricData AWS/SQS", err, "InvalidParameterValue", 400)
}
