package alarms

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"time"

	cwapi "github.com/vigilhq/vigil/internal/api/cloudwatch"
	"github.com/vigilhq/vigil/internal/api/shape"
	"github.com/vigilhq/vigil/internal/ids"
)

// eventBridgeTarget marks a queued action that is the state change event
// rather than a notification.
const eventBridgeTarget = "eventbridge:default"

// sendEvent puts a queued state change event on the alarm's default bus.
func (s *Service) sendEvent(ctx context.Context, account, region, name, detail string, at time.Time) error {
	arn := alarmARN(partition{account, region}, name)
	if err := s.events.PutServiceEvent(ctx, account, region, "aws.cloudwatch", "CloudWatch Alarm State Change",
		[]string{arn}, []byte(detail), at); err != nil {
		return fmt.Errorf("alarm state change event for %s: %w", name, err)
	}
	return nil
}

// eventState is a state as the event shows it.
type eventState struct {
	Value      State  `json:"value"`
	Reason     string `json:"reason"`
	ReasonData string `json:"reasonData,omitempty"`
	Timestamp  string `json:"timestamp"`
}

func toEventState(st *alarmState) eventState {
	return eventState{Value: st.Value, Reason: st.Reason, ReasonData: st.ReasonData, Timestamp: dataTime(st.Updated)}
}

// stateChangeDetail is the event's detail as CloudWatch writes it:
// {"alarmName", "state", "previousState", "configuration"}, the
// configuration of a metric alarm being its metrics in GetMetricData's
// form (a one-metric alarm's single metric under a stable id, where AWS
// shows a generated one) and of a composite its rule and suppressor.
func stateChangeDetail(a *alarm, old, cur *alarmState) string {
	type metric struct {
		Dimensions map[string]string `json:"dimensions"`
		Name       string            `json:"name"`
		Namespace  string            `json:"namespace"`
	}
	type metricStat struct {
		Metric metric `json:"metric"`
		Period int32  `json:"period"`
		Stat   string `json:"stat"`
		Unit   string `json:"unit,omitempty"`
	}
	type query struct {
		Expression string      `json:"expression,omitempty"`
		ID         string      `json:"id"`
		Label      string      `json:"label,omitempty"`
		MetricStat *metricStat `json:"metricStat,omitempty"`
		ReturnData bool        `json:"returnData"`
	}
	stat := func(m *cwapi.Metric, period int32, st string, unit *string) *metricStat {
		dims := map[string]string{}
		for _, d := range m.Dimensions {
			dims[shape.Value(d.Name)] = shape.Value(d.Value)
		}
		return &metricStat{Metric: metric{Dimensions: dims, Name: shape.Value(m.MetricName), Namespace: shape.Value(m.Namespace)},
			Period: period, Stat: st, Unit: shape.Value(unit)}
	}
	config := map[string]any{}
	if a.kind == kindComposite {
		c := a.composite
		config["alarmRule"] = shape.Value(c.AlarmRule)
		if c.AlarmDescription != nil {
			config["description"] = *c.AlarmDescription
		}
		if c.ActionsSuppressor != nil {
			config["actionsSuppressor"] = *c.ActionsSuppressor
			config["actionsSuppressorWaitPeriod"] = shape.Value(c.ActionsSuppressorWaitPeriod)
			config["actionsSuppressorExtensionPeriod"] = shape.Value(c.ActionsSuppressorExtensionPeriod)
		}
	} else {
		m := a.metric
		if m.AlarmDescription != nil {
			config["description"] = *m.AlarmDescription
		}
		var qs []query
		if len(m.Metrics) == 0 {
			st := shape.Value(m.Statistic)
			if m.ExtendedStatistic != nil {
				st = *m.ExtendedStatistic
			}
			sum := sha256.Sum256([]byte(a.arn))
			qs = append(qs, query{ID: ids.Format([16]byte(sum[:16])), ReturnData: true,
				MetricStat: stat(&cwapi.Metric{Namespace: m.Namespace, MetricName: m.MetricName, Dimensions: m.Dimensions}, shape.Value(m.Period), st, m.Unit)})
		}
		for _, q := range m.Metrics {
			x := query{ID: shape.Value(q.Id), Expression: shape.Value(q.Expression), Label: shape.Value(q.Label), ReturnData: q.ReturnData == nil || *q.ReturnData}
			if ms := q.MetricStat; ms != nil && ms.Metric != nil {
				x.MetricStat = stat(ms.Metric, shape.Value(ms.Period), shape.Value(ms.Stat), ms.Unit)
			}
			qs = append(qs, x)
		}
		config["metrics"] = qs
	}
	b, _ := json.Marshal(struct {
		AlarmName     string         `json:"alarmName"`
		State         eventState     `json:"state"`
		PreviousState eventState     `json:"previousState"`
		Configuration map[string]any `json:"configuration"`
	}{a.name, toEventState(cur), toEventState(old), config})
	return string(b)
}
