package main

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
)

// alarms creates an alarm over awsQuery and reads it back: a new alarm is
// INSUFFICIENT_DATA with CloudWatch's initial reason, and an invalid period
// is InvalidParameterValue.
func alarms(ctx context.Context, cw *cloudwatch.Client) error {
	_, err := cw.PutMetricAlarm(ctx, &cloudwatch.PutMetricAlarmInput{
		AlarmName: aws.String("query-alarm"), Namespace: aws.String("App"), MetricName: aws.String("Load"),
		Dimensions: []types.Dimension{{Name: aws.String("Host"), Value: aws.String("a")}},
		Period:     aws.Int32(60), EvaluationPeriods: aws.Int32(3), DatapointsToAlarm: aws.Int32(2), Threshold: aws.Float64(5),
		ComparisonOperator: types.ComparisonOperatorGreaterThanThreshold, Statistic: types.StatisticAverage,
	})
	if err != nil {
		return fmt.Errorf("PutMetricAlarm: %w", err)
	}
	out, err := cw.DescribeAlarms(ctx, &cloudwatch.DescribeAlarmsInput{AlarmNames: []string{"query-alarm"}})
	if err != nil {
		return fmt.Errorf("DescribeAlarms: %w", err)
	}
	if len(out.MetricAlarms) != 1 {
		return fmt.Errorf("DescribeAlarms: %d alarms", len(out.MetricAlarms))
	}
	a := out.MetricAlarms[0]
	if aws.ToInt32(a.DatapointsToAlarm) != 2 || a.StateValue != types.StateValueInsufficientData || len(a.Dimensions) != 1 {
		return fmt.Errorf("DescribeAlarms: %+v", a)
	}
	_, err = cw.PutMetricAlarm(ctx, &cloudwatch.PutMetricAlarmInput{
		AlarmName: aws.String("bad-period"), Namespace: aws.String("App"), MetricName: aws.String("Load"),
		Period: aws.Int32(45), EvaluationPeriods: aws.Int32(1), Threshold: aws.Float64(5),
		ComparisonOperator: types.ComparisonOperatorGreaterThanThreshold, Statistic: types.StatisticAverage,
	})
	return want("PutMetricAlarm period 45", err, "InvalidParameterValue", 400)
}
