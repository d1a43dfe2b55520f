package alarms

import (
	"context"
	"encoding/json"
	"fmt"
	"time"
)

// History item types (HistoryItemType).
const (
	historyStateUpdate         = "StateUpdate"
	historyConfigurationUpdate = "ConfigurationUpdate"
	historyAction              = "Action"
)

// historyRetention: DescribeAlarmHistory keeps 30 days.
const historyRetention = 30 * 24 * time.Hour

func addHistory(ctx context.Context, db execer, a *alarm, at time.Time, typ, summary, data string) error {
	_, err := db.ExecContext(ctx, `INSERT INTO cw_alarm_history (account, region, name, kind, ts, type, summary, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		a.p.account, a.p.region, a.name, a.kind, at.UnixNano(), typ, summary, data)
	if err != nil {
		return fmt.Errorf("alarm history %s: %w", a.name, err)
	}
	return nil
}

func stateSummary(from, to State) string { return fmt.Sprintf("Alarm updated from %s to %s", from, to) }

// stateHistoryData is a StateUpdate item's HistoryData, as AWS writes it:
// {"version":"1.0","oldState":{"stateValue":…,"stateReason":…,
// "stateReasonData":{…}},"newState":{…}}.
func stateHistoryData(old, cur *alarmState) string {
	type state struct {
		StateValue      State           `json:"stateValue"`
		StateReason     string          `json:"stateReason"`
		StateReasonData json.RawMessage `json:"stateReasonData,omitempty"`
	}
	conv := func(st *alarmState) state {
		out := state{StateValue: st.Value, StateReason: st.Reason}
		if json.Valid([]byte(st.ReasonData)) {
			out.StateReasonData = json.RawMessage(st.ReasonData)
		}
		return out
	}
	b, _ := json.Marshal(struct {
		Version  string `json:"version"`
		OldState state  `json:"oldState"`
		NewState state  `json:"newState"`
	}{"1.0", conv(old), conv(cur)})
	return string(b)
}

// configHistoryData is a ConfigurationUpdate item's HistoryData:
// {"version":"1.0","type":"Create"|"Update"|"Delete", "createdAlarm" |
// "updatedAlarm" | "deletedAlarm": the alarm as DescribeAlarms shows it}.
func configHistoryData(kind string, described any) string {
	key := map[string]string{"Create": "createdAlarm", "Update": "updatedAlarm", "Delete": "deletedAlarm"}[kind]
	b, _ := json.Marshal(map[string]any{"version": "1.0", "type": kind, key: described})
	return string(b)
}

// SweepHistory deletes history items older than the retention; the
// scheduler runs it.
func (s *Service) SweepHistory(ctx context.Context) error {
	cut := s.clock.Now().Add(-historyRetention).UnixNano()
	if _, err := s.db.ExecContext(ctx, `DELETE FROM cw_alarm_history WHERE ts < ?`, cut); err != nil {
		return fmt.Errorf("alarm history retention: %w", err)
	}
	return nil
}
