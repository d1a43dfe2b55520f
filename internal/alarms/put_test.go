package alarms

import (
	"strings"
	"testing"

	cwapi "github.com/vigilhq/vigil/internal/api/cloudwatch"
	"github.com/vigilhq/vigil/internal/api/shape"
)

func TestPutMetricAlarmValidation(t *testing.T) {
	base := func() *cwapi.PutMetricAlarmInput {
		return &cwapi.PutMetricAlarmInput{AlarmName: shape.Ptr("x"), Namespace: shape.Ptr("App"), MetricName: shape.Ptr("Load"),
			Period: shape.Ptr(int32(60)), EvaluationPeriods: shape.Ptr(int32(1)), Threshold: shape.Ptr(1.0),
			ComparisonOperator: shape.Ptr("GreaterThanThreshold"), Statistic: shape.Ptr("Average")}
	}
	cases := []struct {
		name   string
		change func(*cwapi.PutMetricAlarmInput)
		want   string // substring of the error; "" for success
	}{
		{"valid", func(*cwapi.PutMetricAlarmInput) {}, ""},
		{"high resolution period", func(in *cwapi.PutMetricAlarmInput) { in.Period = shape.Ptr(int32(10)) }, ""},
		{"period 45", func(in *cwapi.PutMetricAlarmInput) { in.Period = shape.Ptr(int32(45)) }, "Valid values are 10, 20, 30"},
		{"over a day below an hour", func(in *cwapi.PutMetricAlarmInput) {
			in.EvaluationPeriods = shape.Ptr(int32(25))
			in.Period = shape.Ptr(int32(3540))
		}, "86400"},
		{"seven days of hours", func(in *cwapi.PutMetricAlarmInput) {
			in.EvaluationPeriods = shape.Ptr(int32(168))
			in.Period = shape.Ptr(int32(3600))
		}, ""},
		{"over seven days", func(in *cwapi.PutMetricAlarmInput) {
			in.EvaluationPeriods = shape.Ptr(int32(169))
			in.Period = shape.Ptr(int32(3600))
		}, "604800"},
		{"datapoints above periods", func(in *cwapi.PutMetricAlarmInput) { in.DatapointsToAlarm = shape.Ptr(int32(2)) }, "DatapointsToAlarm"},
		{"both statistics", func(in *cwapi.PutMetricAlarmInput) { in.ExtendedStatistic = shape.Ptr("p99") }, "mutually exclusive"},
		{"no statistic", func(in *cwapi.PutMetricAlarmInput) { in.Statistic = nil }, "Statistic or ExtendedStatistic"},
		{"bad extended", func(in *cwapi.PutMetricAlarmInput) { in.Statistic = nil; in.ExtendedStatistic = shape.Ptr("p101") }, "ExtendedStatistic"},
		{"treat missing", func(in *cwapi.PutMetricAlarmInput) { in.TreatMissingData = shape.Ptr("sometimes") }, "TreatMissingData"},
		{"anomaly band", func(in *cwapi.PutMetricAlarmInput) {
			in.ComparisonOperator = shape.Ptr("LessThanLowerOrGreaterThanUpperThreshold")
		}, "Anomaly detection alarms"},
		{"lambda action", func(in *cwapi.PutMetricAlarmInput) {
			in.AlarmActions = []string{"arn:aws:lambda:us-east-1:123456789012:function:f"}
		}, "Lambda functions do not exist"},
		{"ec2 action", func(in *cwapi.PutMetricAlarmInput) { in.AlarmActions = []string{"arn:aws:automate:us-east-1:ec2:stop"} }, "not supported"},
		{"metrics and metric name", func(in *cwapi.PutMetricAlarmInput) {
			in.Metrics = []cwapi.MetricDataQuery{{Id: shape.Ptr("e"), Expression: shape.Ptr("1")}}
		}, "mutually exclusive"},
		{"math without return", func(in *cwapi.PutMetricAlarmInput) {
			in.Namespace, in.MetricName, in.Statistic, in.Period = nil, nil, nil, nil
			in.Metrics = []cwapi.MetricDataQuery{{Id: shape.Ptr("m"), ReturnData: shape.Ptr(false), MetricStat: &cwapi.MetricStat{
				Metric: &cwapi.Metric{Namespace: shape.Ptr("App"), MetricName: shape.Ptr("Load")}, Period: shape.Ptr(int32(60)), Stat: shape.Ptr("Sum")}}}
		}, "Exactly one element"},
		{"cross-account metric", func(in *cwapi.PutMetricAlarmInput) {
			in.Namespace, in.MetricName, in.Statistic, in.Period = nil, nil, nil, nil
			in.Metrics = []cwapi.MetricDataQuery{{Id: shape.Ptr("m"), AccountId: shape.Ptr("111111111111"), MetricStat: &cwapi.MetricStat{
				Metric: &cwapi.Metric{Namespace: shape.Ptr("App"), MetricName: shape.Ptr("Load")}, Period: shape.Ptr(int32(60)), Stat: shape.Ptr("Sum")}}}
		}, "cross-account alarms are not supported"},
		{"math periods differ", func(in *cwapi.PutMetricAlarmInput) {
			in.Namespace, in.MetricName, in.Statistic, in.Period = nil, nil, nil, nil
			stat := func(period int32) *cwapi.MetricStat {
				return &cwapi.MetricStat{Metric: &cwapi.Metric{Namespace: shape.Ptr("App"), MetricName: shape.Ptr("Load")}, Period: shape.Ptr(period), Stat: shape.Ptr("Sum")}
			}
			in.Metrics = []cwapi.MetricDataQuery{{Id: shape.Ptr("a"), ReturnData: shape.Ptr(false), MetricStat: stat(60)},
				{Id: shape.Ptr("b"), ReturnData: shape.Ptr(false), MetricStat: stat(300)}, {Id: shape.Ptr("e"), Expression: shape.Ptr("a + b")}}
		}, "same period"},
		{"math alarm", func(in *cwapi.PutMetricAlarmInput) {
			in.Namespace, in.MetricName, in.Statistic, in.Period = nil, nil, nil, nil
			in.Metrics = []cwapi.MetricDataQuery{{Id: shape.Ptr("m"), ReturnData: shape.Ptr(false), MetricStat: &cwapi.MetricStat{
				Metric: &cwapi.Metric{Namespace: shape.Ptr("App"), MetricName: shape.Ptr("Load")}, Period: shape.Ptr(int32(60)), Stat: shape.Ptr("Sum")}},
				{Id: shape.Ptr("e"), Expression: shape.Ptr("m * 2")}}
		}, ""},
	}
	e := newEnv(t)
	for _, c := range cases {
		in := base()
		c.change(in)
		err := e.s.PutMetricAlarm(e.ctx(), in)
		switch {
		case c.want == "" && err != nil:
			t.Errorf("%s: %v", c.name, err)
		case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
			t.Errorf("%s: got %v, want an error containing %q", c.name, err, c.want)
		}
	}
}

func TestJavaDouble(t *testing.T) {
	for v, want := range map[float64]string{0: "0.0", 10: "10.0", 8.891518474692088: "8.891518474692088", -2.5: "-2.5",
		1e7: "1.0E7", 12345678.9: "1.23456789E7", 0.001: "0.001", 0.0001: "1.0E-4", 1.5e-10: "1.5E-10"} {
		if got := javaDouble(v); got != want {
			t.Errorf("javaDouble(%v) = %s, want %s", v, got, want)
		}
	}
}

func TestAlarmsAreIsolatedByAccountAndRegion(t *testing.T) {
	e := newEnv(t)
	e.putThreshold("cpu", 1)
	for _, ctx := range []struct{ account, region string }{{"111111111111", "us-east-1"}, {"123456789012", "eu-west-1"}} {
		out, err := e.s.DescribeAlarms(e.ctxIn(ctx.account, ctx.region), &cwapi.DescribeAlarmsInput{})
		if err != nil || len(out.MetricAlarms) != 0 {
			t.Errorf("%v sees %d alarms (%v)", ctx, len(out.MetricAlarms), err)
		}
	}
}
