package alarms

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	cwapi "github.com/vigilhq/vigil/internal/api/cloudwatch"
	"github.com/vigilhq/vigil/internal/api/shape"
)

// queueActions queues what a transition calls for, in the transition's
// transaction: the "CloudWatch Alarm State Change" event for EventBridge's
// default bus (every transition: CloudWatch "guarantees the delivery of
// alarm state change events"), and the notifications, which run only with
// ActionsEnabled and, for a composite, not while its suppressor holds them.
func (s *Service) queueActions(ctx context.Context, tx execer, a *alarm, old, cur *alarmState, triggering []*alarm) (int, error) {
	queued := 0
	if s.events != nil {
		if _, err := tx.ExecContext(ctx, `INSERT INTO cw_alarm_actions (account, region, name, kind, target, subject, message, state_ts, not_before, suppressor) VALUES (?, ?, ?, ?, ?, '', ?, ?, ?, '')`,
			a.p.account, a.p.region, a.name, a.kind, eventBridgeTarget, stateChangeDetail(a, old, cur), cur.Updated.UnixNano(), cur.Updated.UnixNano()); err != nil {
			return 0, fmt.Errorf("queue alarm event: %w", err)
		}
		queued++
	}
	if !cur.ActionsEnabled || cur.SuppressedBy != "" {
		return queued, nil
	}
	targets := a.actions(cur.Value)
	if len(targets) == 0 {
		return queued, nil
	}
	subject, message := notification(a, old, cur, triggering)
	// A composite with a suppressor not in ALARM waits WaitPeriod for it:
	// the dispatcher drops the actions if it went into ALARM meanwhile.
	notBefore, suppressor := cur.Updated, ""
	if wait := waitPeriod(a); wait > 0 {
		notBefore, suppressor = cur.Updated.Add(wait), s.suppressor(a).name
	}
	for _, t := range targets {
		if _, err := tx.ExecContext(ctx, `INSERT INTO cw_alarm_actions (account, region, name, kind, target, subject, message, state_ts, not_before, suppressor) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			a.p.account, a.p.region, a.name, a.kind, t, subject, message, cur.Updated.UnixNano(), notBefore.UnixNano(), suppressor); err != nil {
			return 0, fmt.Errorf("queue alarm action: %w", err)
		}
	}
	return queued + len(targets), nil
}

// dispatchLoop runs queued actions when woken and every few seconds (a
// restart leaves queued ones behind).
func (s *Service) dispatchLoop() {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		<-s.closing
		cancel()
	}()
	t := time.NewTicker(5 * time.Second)
	defer t.Stop()
	for {
		if err := s.DispatchActions(ctx); err != nil && ctx.Err() == nil {
			s.log.Error("alarm actions failed", "err", err)
		}
		select {
		case <-s.closing:
			return
		case <-s.wake:
		case <-t.C:
		}
	}
}

// DispatchActions runs every queued action once, oldest first: an SNS
// publish, then an Action history item saying whether it succeeded. A
// failed action is recorded and not retried, as CloudWatch does not retry
// an action either.
func (s *Service) DispatchActions(ctx context.Context) error {
	for {
		rows, err := s.db.QueryContext(ctx, `SELECT id, account, region, name, kind, target, subject, message, state_ts, suppressor FROM cw_alarm_actions
			WHERE not_before <= ? ORDER BY id LIMIT 100`, s.clock.Now().UnixNano())
		if err != nil {
			return fmt.Errorf("alarm actions: %w", err)
		}
		type action struct {
			id                                                                int64
			account, region, name, kind, target, subject, message, suppressor string
			stateTS                                                           int64
		}
		var batch []action
		for rows.Next() {
			var x action
			if err := rows.Scan(&x.id, &x.account, &x.region, &x.name, &x.kind, &x.target, &x.subject, &x.message, &x.stateTS, &x.suppressor); err != nil {
				rows.Close()
				return fmt.Errorf("alarm actions: %w", err)
			}
			batch = append(batch, x)
		}
		rows.Close()
		if len(batch) == 0 {
			return nil
		}
		for _, x := range batch {
			a := &alarm{p: partition{x.account, x.region}, name: x.name, kind: x.kind}
			if s.suppressedMeanwhile(a.p, x.suppressor, time.Unix(0, x.stateTS)) {
				if _, err := s.db.ExecContext(ctx, `DELETE FROM cw_alarm_actions WHERE id = ?`, x.id); err != nil {
					return fmt.Errorf("alarm action: %w", err)
				}
				continue
			}
			if x.target == eventBridgeTarget {
				if err := s.sendEvent(ctx, x.account, x.region, x.name, x.message, time.Unix(0, x.stateTS)); err != nil {
					return err // kept: sent again at the next run
				}
				if _, err := s.db.ExecContext(ctx, `DELETE FROM cw_alarm_actions WHERE id = ?`, x.id); err != nil {
					return fmt.Errorf("alarm event: %w", err)
				}
				continue
			}
			err := s.notify.NotifyTopic(ctx, x.account, x.region, x.target, x.subject, x.message)
			if ctx.Err() != nil {
				return ctx.Err() // not done: it runs again after a restart
			}
			summary := "Successfully executed action " + x.target
			data := map[string]any{"actionState": "Succeeded", "stateUpdateTimestamp": x.stateTS / int64(time.Millisecond),
				"notificationResource": x.target, "publishedMessage": x.message}
			if err != nil {
				summary = "Failed to execute action " + x.target
				data = map[string]any{"actionState": "Failed", "stateUpdateTimestamp": x.stateTS / int64(time.Millisecond),
					"notificationResource": x.target, "error": errorMessage(err)}
				s.log.Warn("alarm action failed", "alarm", x.name, "target", x.target, "err", err)
			}
			b, _ := json.Marshal(data)
			if err := s.finishAction(ctx, a, x.id, summary, string(b)); err != nil {
				return err
			}
		}
	}
}

// suppressedMeanwhile reports whether a composite's suppressor went into
// ALARM during the WaitPeriod that started at since.
func (s *Service) suppressedMeanwhile(p partition, suppressor string, since time.Time) bool {
	if suppressor == "" {
		return false
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	sup := s.get(p, suppressor)
	return sup != nil && (sup.state.Value == StateAlarm || sup.state.LeftAlarm.After(since))
}

func (s *Service) finishAction(ctx context.Context, a *alarm, id int64, summary, data string) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("alarm action: %w", err)
	}
	defer tx.Rollback()
	if err := addHistory(ctx, tx, a, s.clock.Now(), historyAction, summary, data); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM cw_alarm_actions WHERE id = ?`, id); err != nil {
		return fmt.Errorf("alarm action: %w", err)
	}
	return tx.Commit()
}

// regionNames are the long region names CloudWatch writes in notifications.
var regionNames = map[string]string{
	"us-east-1": "US East (N. Virginia)", "us-east-2": "US East (Ohio)", "us-west-1": "US West (N. California)",
	"us-west-2": "US West (Oregon)", "af-south-1": "Africa (Cape Town)", "ap-east-1": "Asia Pacific (Hong Kong)",
	"ap-south-1": "Asia Pacific (Mumbai)", "ap-south-2": "Asia Pacific (Hyderabad)", "ap-northeast-1": "Asia Pacific (Tokyo)",
	"ap-northeast-2": "Asia Pacific (Seoul)", "ap-northeast-3": "Asia Pacific (Osaka)", "ap-southeast-1": "Asia Pacific (Singapore)",
	"ap-southeast-2": "Asia Pacific (Sydney)", "ap-southeast-3": "Asia Pacific (Jakarta)", "ap-southeast-4": "Asia Pacific (Melbourne)",
	"ca-central-1": "Canada (Central)", "ca-west-1": "Canada West (Calgary)", "eu-central-1": "EU (Frankfurt)",
	"eu-central-2": "EU (Zurich)", "eu-west-1": "EU (Ireland)", "eu-west-2": "EU (London)", "eu-west-3": "EU (Paris)",
	"eu-north-1": "EU (Stockholm)", "eu-south-1": "EU (Milan)", "eu-south-2": "EU (Spain)", "il-central-1": "Israel (Tel Aviv)",
	"me-south-1": "Middle East (Bahrain)", "me-central-1": "Middle East (UAE)", "sa-east-1": "South America (Sao Paulo)",
}

func regionName(r string) string {
	if n, ok := regionNames[r]; ok {
		return n
	}
	return r
}

// statisticNames are how notifications spell a Statistic.
var statisticNames = map[string]string{
	"SampleCount": "SAMPLE_COUNT", "Average": "AVERAGE", "Sum": "SUM", "Minimum": "MINIMUM", "Maximum": "MAXIMUM",
}

// notificationDimension is a dimension as notifications write it (value
// first, lowercase keys).
type notificationDimension struct {
	Value string `json:"value"`
	Name  string `json:"name"`
}

// notification renders the SNS subject and message CloudWatch sends on a
// transition: `ALARM: "name" in US East (N. Virginia)` and the JSON
// document with AlarmName … Trigger.
func notification(a *alarm, old, cur *alarmState, triggering []*alarm) (string, string) {
	region := regionName(a.p.region)
	subject := fmt.Sprintf("%s: %q in %s", cur.Value, a.name, region)
	if len(subject) > 100 {
		subject = subject[:100] // SNS subjects are at most 100 characters
	}
	var b bytes.Buffer
	w := func(key string, v any) {
		if b.Len() > 1 {
			b.WriteByte(',')
		}
		k, _ := json.Marshal(key)
		b.Write(k)
		b.WriteByte(':')
		switch x := v.(type) {
		case json.RawMessage:
			b.Write(x)
		default:
			enc, _ := json.Marshal(x)
			b.Write(enc)
		}
	}
	nullable := func(p *string) any {
		if p == nil {
			return nil
		}
		return *p
	}
	b.WriteByte('{')
	var desc *string
	var cfgUpdated time.Time = cur.ConfigUpdated
	if a.kind == kindComposite {
		desc = a.composite.AlarmDescription
	} else {
		desc = a.metric.AlarmDescription
	}
	w("AlarmName", a.name)
	w("AlarmDescription", nullable(desc))
	w("AWSAccountId", a.p.account)
	w("AlarmConfigurationUpdatedTimestamp", dataTime(cfgUpdated))
	w("NewStateValue", cur.Value)
	w("NewStateReason", cur.Reason)
	w("StateChangeTime", dataTime(cur.Updated))
	w("Region", region)
	w("AlarmArn", a.arn)
	w("OldStateValue", old.Value)
	w("OKActions", nonNil(a.actions(StateOK)))
	w("AlarmActions", nonNil(a.actions(StateAlarm)))
	w("InsufficientDataActions", nonNil(a.actions(StateInsufficientData)))
	if a.kind == kindComposite {
		w("AlarmRule", shape.Value(a.composite.AlarmRule))
		type childState struct {
			Value     State  `json:"Value"`
			Timestamp string `json:"Timestamp"`
		}
		type child struct {
			Arn   string     `json:"Arn"`
			State childState `json:"State"`
		}
		children := []child{}
		for _, c := range triggering {
			children = append(children, child{Arn: c.arn, State: childState{Value: c.state.Value, Timestamp: dataTime(c.state.Transitioned)}})
		}
		w("TriggeringChildren", children)
	} else {
		w("Trigger", json.RawMessage(trigger(a.metric)))
	}
	b.WriteByte('}')
	return subject, b.String()
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// trigger is a metric alarm notification's Trigger object.
func trigger(in *cwapi.PutMetricAlarmInput) string {
	var b strings.Builder
	field := func(key, raw string) {
		if b.Len() > 1 {
			b.WriteByte(',')
		}
		b.WriteString(`"` + key + `":` + raw)
	}
	str := func(s string) string { v, _ := json.Marshal(s); return string(v) }
	b.WriteByte('{')
	if len(in.Metrics) == 0 {
		field("MetricName", str(shape.Value(in.MetricName)))
		field("Namespace", str(shape.Value(in.Namespace)))
		if in.ExtendedStatistic != nil {
			field("StatisticType", `"ExtendedStatistic"`)
			field("ExtendedStatistic", str(*in.ExtendedStatistic))
		} else {
			field("StatisticType", `"Statistic"`)
			field("Statistic", str(statisticNames[shape.Value(in.Statistic)]))
		}
		if in.Unit != nil {
			field("Unit", str(*in.Unit))
		} else {
			field("Unit", "null")
		}
		dims := make([]notificationDimension, 0, len(in.Dimensions))
		for _, d := range in.Dimensions {
			dims = append(dims, notificationDimension{Value: shape.Value(d.Value), Name: shape.Value(d.Name)})
		}
		v, _ := json.Marshal(dims)
		field("Dimensions", string(v))
		field("Period", fmt.Sprint(shape.Value(in.Period)))
	} else {
		v, _ := json.Marshal(triggerMetrics(in.Metrics))
		field("Metrics", string(v))
	}
	field("EvaluationPeriods", fmt.Sprint(shape.Value(in.EvaluationPeriods)))
	if in.DatapointsToAlarm != nil {
		field("DatapointsToAlarm", fmt.Sprint(*in.DatapointsToAlarm))
	}
	field("ComparisonOperator", str(shape.Value(in.ComparisonOperator)))
	field("Threshold", javaDouble(shape.Value(in.Threshold)))
	treat := shape.Value(in.TreatMissingData)
	if treat == "" {
		treat = string(TreatMissingMissing)
	}
	field("TreatMissingData", str(treat))
	field("EvaluateLowSampleCountPercentile", str(shape.Value(in.EvaluateLowSampleCountPercentile)))
	b.WriteByte('}')
	return b.String()
}

// triggerMetrics writes an alarm's Metrics as notifications do (the API's
// member names).
func triggerMetrics(qs []cwapi.MetricDataQuery) []map[string]any {
	out := make([]map[string]any, 0, len(qs))
	for _, q := range qs {
		m := map[string]any{"Id": shape.Value(q.Id), "ReturnData": q.ReturnData == nil || *q.ReturnData}
		if q.Expression != nil {
			m["Expression"] = *q.Expression
		}
		if q.Label != nil {
			m["Label"] = *q.Label
		}
		if ms := q.MetricStat; ms != nil {
			dims := make([]notificationDimension, 0)
			var metric map[string]any
			if ms.Metric != nil {
				for _, d := range ms.Metric.Dimensions {
					dims = append(dims, notificationDimension{Value: shape.Value(d.Value), Name: shape.Value(d.Name)})
				}
				metric = map[string]any{"Dimensions": dims, "MetricName": shape.Value(ms.Metric.MetricName), "Namespace": shape.Value(ms.Metric.Namespace)}
			}
			stat := map[string]any{"Metric": metric, "Period": shape.Value(ms.Period), "Stat": shape.Value(ms.Stat)}
			if ms.Unit != nil {
				stat["Unit"] = *ms.Unit
			}
			m["MetricStat"] = stat
		}
		out = append(out, m)
	}
	return out
}
