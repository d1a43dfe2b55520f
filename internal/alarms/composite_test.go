package alarms

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	cwapi "github.com/vigilhq/vigil/internal/api/cloudwatch"
	"github.com/vigilhq/vigil/internal/api/shape"
)

func (e *env) putThreshold(name string, threshold float64) {
	e.t.Helper()
	err := e.s.PutMetricAlarm(e.ctx(), &cwapi.PutMetricAlarmInput{AlarmName: shape.Ptr(name), Namespace: shape.Ptr("App"), MetricName: shape.Ptr("Load"),
		Dimensions: []cwapi.Dimension{{Name: shape.Ptr("Host"), Value: shape.Ptr("a")}}, Period: shape.Ptr(int32(60)),
		EvaluationPeriods: shape.Ptr(int32(1)), Threshold: shape.Ptr(threshold), ComparisonOperator: shape.Ptr("GreaterThanThreshold"),
		Statistic: shape.Ptr("Maximum"), TreatMissingData: shape.Ptr("notBreaching"), AlarmActions: []string{traceTopic}})
	if err != nil {
		e.t.Fatal(err)
	}
}

func (e *env) composite(name string) cwapi.CompositeAlarm {
	e.t.Helper()
	out, err := e.s.DescribeAlarms(e.ctx(), &cwapi.DescribeAlarmsInput{AlarmNames: []string{name}, AlarmTypes: []string{kindComposite}})
	if err != nil || len(out.CompositeAlarms) != 1 {
		e.t.Fatalf("composite %s: %v %+v", name, err, out)
	}
	return out.CompositeAlarms[0]
}

func TestCompositeFollowsChildrenAndNotifies(t *testing.T) {
	e := newEnv(t)
	e.putThreshold("cpu", 10)
	e.putThreshold("mem", 20)
	err := e.s.PutCompositeAlarm(e.ctx(), &cwapi.PutCompositeAlarmInput{AlarmName: shape.Ptr("both"),
		AlarmRule: shape.Ptr(`ALARM("cpu") AND ALARM(mem)`), AlarmActions: []string{traceTopic}, OKActions: []string{traceTopic}})
	if err != nil {
		t.Fatal(err)
	}
	if got := shape.Value(e.composite("both").StateValue); got != "INSUFFICIENT_DATA" {
		t.Fatalf("new composite %s", got)
	}
	e.evaluate()
	if got := shape.Value(e.composite("both").StateValue); got != "OK" {
		t.Fatalf("after first evaluation %s", got)
	}
	e.put("Load", t0.Add(time.Second), 15) // above cpu's 10, below mem's 20
	e.clk.Set(t0.Add(time.Minute + 5*time.Second))
	e.evaluate()
	if got := shape.Value(e.composite("both").StateValue); got != "OK" {
		t.Fatalf("one child in ALARM: %s", got)
	}
	e.put("Load", t0.Add(time.Minute+time.Second), 25)
	e.clk.Set(t0.Add(2*time.Minute + 5*time.Second))
	e.evaluate()
	c := e.composite("both")
	if got := shape.Value(c.StateValue); got != "ALARM" {
		t.Fatalf("both children in ALARM: %s", got)
	}
	if !strings.Contains(shape.Value(c.StateReason), "arn:aws:cloudwatch:us-east-1:123456789012:alarm:") {
		t.Errorf("reason %q names no child", shape.Value(c.StateReason))
	}
	var last sent
	for _, n := range e.notify.all() {
		if strings.Contains(n.subject, `"both"`) {
			last = n
		}
	}
	if last.subject != `ALARM: "both" in US East (N. Virginia)` {
		t.Fatalf("composite notification subject %q", last.subject)
	}
	var msg map[string]any
	if err := json.Unmarshal([]byte(last.message), &msg); err != nil {
		t.Fatal(err)
	}
	if msg["AlarmRule"] != `ALARM("cpu") AND ALARM(mem)` || msg["NewStateValue"] != "ALARM" || msg["OldStateValue"] != "OK" {
		t.Errorf("composite notification %s", last.message)
	}

	children, err := e.s.DescribeAlarms(e.ctx(), &cwapi.DescribeAlarmsInput{ChildrenOfAlarmName: shape.Ptr("both")})
	if err != nil || len(children.MetricAlarms) != 2 {
		t.Fatalf("children: %v %+v", err, children)
	}
	parents, err := e.s.DescribeAlarms(e.ctx(), &cwapi.DescribeAlarmsInput{ParentsOfAlarmName: shape.Ptr("cpu")})
	if err != nil || len(parents.CompositeAlarms) != 1 || shape.Value(parents.CompositeAlarms[0].AlarmName) != "both" {
		t.Fatalf("parents: %v %+v", err, parents)
	}
}

func TestCompositeRefusesUnknownChildrenAndBadRules(t *testing.T) {
	e := newEnv(t)
	err := e.s.PutCompositeAlarm(e.ctx(), &cwapi.PutCompositeAlarmInput{AlarmName: shape.Ptr("c"), AlarmRule: shape.Ptr(`ALARM(nope)`)})
	if err == nil || !strings.Contains(err.Error(), "do not exist") {
		t.Fatalf("unknown child: %v", err)
	}
	err = e.s.PutCompositeAlarm(e.ctx(), &cwapi.PutCompositeAlarmInput{AlarmName: shape.Ptr("c"), AlarmRule: shape.Ptr(`()`)})
	if err == nil || !strings.Contains(err.Error(), "Error in AlarmRule") {
		t.Fatalf("bad rule: %v", err)
	}
}

func TestCycleOfCompositesIsNotEvaluatedNorDeletable(t *testing.T) {
	e := newEnv(t)
	e.putThreshold("m", 1)
	for _, c := range []struct{ name, rule string }{{"a", `ALARM(m)`}, {"b", `ALARM(a)`}} {
		if err := e.s.PutCompositeAlarm(e.ctx(), &cwapi.PutCompositeAlarmInput{AlarmName: shape.Ptr(c.name), AlarmRule: shape.Ptr(c.rule)}); err != nil {
			t.Fatal(err)
		}
	}
	// a now references b, which references a: AWS accepts the cycle.
	if err := e.s.PutCompositeAlarm(e.ctx(), &cwapi.PutCompositeAlarmInput{AlarmName: shape.Ptr("a"), AlarmRule: shape.Ptr(`ALARM(b) OR ALARM(m)`)}); err != nil {
		t.Fatal(err)
	}
	e.evaluate()
	if got := shape.Value(e.composite("a").StateValue); got != "INSUFFICIENT_DATA" {
		t.Fatalf("composite on a cycle was evaluated: %s", got)
	}
	if err := e.s.DeleteAlarms(e.ctx(), &cwapi.DeleteAlarmsInput{AlarmNames: []string{"a"}}); err == nil {
		t.Fatal("deleted an alarm of a cycle")
	}
}

func TestStateAndQueuedActionsSurviveRestart(t *testing.T) {
	e := newEnv(t)
	e.putThreshold("cpu", 10)
	e.put("Load", t0.Add(time.Second), 50)
	e.clk.Set(t0.Add(time.Minute + 5*time.Second))
	e.notify.fail = context.Canceled // the dispatcher stops: the action stays queued
	if err := e.s.EvaluateDue(context.Background()); err != nil {
		t.Fatal(err)
	}
	e.restart()
	e.notify.fail = nil
	if got := shape.Value(e.alarm("cpu").StateValue); got != "ALARM" {
		t.Fatalf("state after restart %s", got)
	}
	// The cycle already evaluated is not evaluated again; the queued
	// notification is sent once.
	e.evaluate()
	if n := len(e.notify.all()); n != 1 {
		t.Fatalf("%d notifications after restart, want 1", n)
	}
	hist, err := e.s.DescribeAlarmHistory(e.ctx(), &cwapi.DescribeAlarmHistoryInput{AlarmName: shape.Ptr("cpu")})
	if err != nil {
		t.Fatal(err)
	}
	var types []string
	for _, h := range hist.AlarmHistoryItems {
		types = append(types, shape.Value(h.HistoryItemType))
	}
	if strings.Join(types, ",") != "Action,StateUpdate,ConfigurationUpdate" {
		t.Fatalf("history %v", types)
	}
	contrib, err := e.s.DescribeAlarmHistory(e.ctx(), &cwapi.DescribeAlarmHistoryInput{AlarmName: shape.Ptr("cpu"), AlarmContributorId: shape.Ptr("c1")})
	if err != nil || len(contrib.AlarmHistoryItems) != 0 {
		t.Fatalf("a contributor's history: %v %+v", err, contrib)
	}
}

// A metric-math alarm reads through GetMetricData: the returned expression
// decides, and the reason carries its values.
func TestMathAlarmEvaluatesTheReturnedExpression(t *testing.T) {
	e := newEnv(t)
	err := e.s.PutMetricAlarm(e.ctx(), &cwapi.PutMetricAlarmInput{AlarmName: shape.Ptr("math"), EvaluationPeriods: shape.Ptr(int32(1)),
		Threshold: shape.Ptr(10.0), ComparisonOperator: shape.Ptr("GreaterThanThreshold"), TreatMissingData: shape.Ptr("notBreaching"),
		Metrics: []cwapi.MetricDataQuery{
			{Id: shape.Ptr("load"), ReturnData: shape.Ptr(false), MetricStat: &cwapi.MetricStat{Period: shape.Ptr(int32(60)), Stat: shape.Ptr("Sum"),
				Metric: &cwapi.Metric{Namespace: shape.Ptr("App"), MetricName: shape.Ptr("Load"),
					Dimensions: []cwapi.Dimension{{Name: shape.Ptr("Host"), Value: shape.Ptr("a")}}}}},
			{Id: shape.Ptr("doubled"), Expression: shape.Ptr("load * 2"), Label: shape.Ptr("Doubled")},
		}})
	if err != nil {
		t.Fatal(err)
	}
	e.put("Load", t0.Add(time.Second), 3, 3) // sum 6, doubled 12
	e.clk.Set(t0.Add(time.Minute + 5*time.Second))
	e.evaluate()
	a := e.alarm("math")
	want := "Threshold Crossed: 1 out of the last 1 datapoints [12.0 (25/11/26 10:00:00)] was greater than the threshold (10.0) (minimum 1 datapoint for OK -> ALARM transition)."
	if shape.Value(a.StateValue) != "ALARM" || shape.Value(a.StateReason) != want {
		t.Fatalf("math alarm %s: %s", shape.Value(a.StateValue), shape.Value(a.StateReason))
	}
}

// A Metrics Insights alarm runs its query through GetMetricData.
func TestMetricsInsightsAlarm(t *testing.T) {
	e := newEnv(t)
	err := e.s.PutMetricAlarm(e.ctx(), &cwapi.PutMetricAlarmInput{AlarmName: shape.Ptr("sql"), EvaluationPeriods: shape.Ptr(int32(1)),
		Threshold: shape.Ptr(4.0), ComparisonOperator: shape.Ptr("GreaterThanOrEqualToThreshold"),
		Metrics: []cwapi.MetricDataQuery{{Id: shape.Ptr("q"), Period: shape.Ptr(int32(60)), Expression: shape.Ptr("SELECT MAX(Load) FROM App")}}})
	if err != nil {
		t.Fatal(err)
	}
	e.put("Load", t0.Add(time.Second), 1, 5)
	e.clk.Set(t0.Add(time.Minute + 5*time.Second))
	e.evaluate()
	if a := e.alarm("sql"); shape.Value(a.StateValue) != "ALARM" {
		t.Fatalf("insights alarm %s: %s", shape.Value(a.StateValue), shape.Value(a.StateReason))
	}
}

// Every transition puts CloudWatch's state change event on the default
// bus, actions enabled or not.
func TestStateChangeEvents(t *testing.T) {
	e := newEnv(t)
	e.putThreshold("cpu", 10)
	if err := e.s.DisableAlarmActions(e.ctx(), &cwapi.DisableAlarmActionsInput{AlarmNames: []string{"cpu"}}); err != nil {
		t.Fatal(err)
	}
	e.put("Load", t0.Add(time.Second), 50)
	e.clk.Set(t0.Add(time.Minute + 5*time.Second))
	e.evaluate()
	evs := e.events.all()
	if len(evs) != 1 || len(e.notify.all()) != 0 {
		t.Fatalf("events %+v, notifications %d", evs, len(e.notify.all()))
	}
	ev := evs[0]
	if ev.source != "aws.cloudwatch" || ev.detailType != "CloudWatch Alarm State Change" ||
		len(ev.resources) != 1 || ev.resources[0] != "arn:aws:cloudwatch:us-east-1:123456789012:alarm:cpu" {
		t.Fatalf("event %+v", ev)
	}
	var d struct {
		AlarmName     string
		State         struct{ Value, Reason, ReasonData, Timestamp string }
		PreviousState struct{ Value, Reason string }
		Configuration struct {
			Metrics []struct {
				ID         string
				MetricStat struct {
					Metric struct {
						Dimensions      map[string]string
						Name, Namespace string
					}
					Period int
					Stat   string
				}
				ReturnData bool
			}
		}
	}
	if err := json.Unmarshal([]byte(ev.detail), &d); err != nil {
		t.Fatal(err)
	}
	m := d.Configuration.Metrics
	if d.AlarmName != "cpu" || d.State.Value != "ALARM" || d.PreviousState.Value != "INSUFFICIENT_DATA" ||
		d.PreviousState.Reason != initialReason || !strings.HasPrefix(d.State.Reason, "Threshold Crossed") ||
		d.State.Timestamp != "2026-11-25T10:01:05.000+0000" || len(m) != 1 || !m[0].ReturnData ||
		m[0].MetricStat.Metric.Name != "Load" || m[0].MetricStat.Metric.Dimensions["Host"] != "a" || m[0].MetricStat.Stat != "Maximum" {
		t.Fatalf("detail %s", ev.detail)
	}
}
