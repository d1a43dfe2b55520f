package alarms

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	cwapi "github.com/vigilhq/vigil/internal/api/cloudwatch"
)

const schema = `CREATE TABLE IF NOT EXISTS cw_alarms (
	account TEXT NOT NULL,
	region  TEXT NOT NULL,
	name    TEXT NOT NULL,
	kind    TEXT NOT NULL,
	config  TEXT NOT NULL,
	state   TEXT NOT NULL,
	tags    TEXT NOT NULL,
	PRIMARY KEY (account, region, name)
);
CREATE TABLE IF NOT EXISTS cw_alarm_history (
	id      INTEGER PRIMARY KEY AUTOINCREMENT,
	account TEXT NOT NULL,
	region  TEXT NOT NULL,
	name    TEXT NOT NULL,
	kind    TEXT NOT NULL,
	ts      INTEGER NOT NULL,
	type    TEXT NOT NULL,
	summary TEXT NOT NULL,
	data    TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS cw_alarm_history_by_time ON cw_alarm_history (account, region, ts);
CREATE TABLE IF NOT EXISTS cw_alarm_actions (
	id      INTEGER PRIMARY KEY AUTOINCREMENT,
	account TEXT NOT NULL,
	region  TEXT NOT NULL,
	name    TEXT NOT NULL,
	kind    TEXT NOT NULL,
	target  TEXT NOT NULL,
	subject TEXT NOT NULL,
	message TEXT NOT NULL,
	state_ts INTEGER NOT NULL,
	not_before INTEGER NOT NULL,
	suppressor TEXT NOT NULL
)`

// Alarm kinds, as AlarmType spells them.
const (
	kindMetric    = "MetricAlarm"
	kindComposite = "CompositeAlarm"
)

// partition is one account and region: alarms never see another's.
type partition struct{ account, region string }

// alarm is one alarm. Its fields change only under Service.mu; an alarm
// handed to an evaluation is read-only for it (configuration updates
// replace the pointer).
type alarm struct {
	p    partition
	name string
	kind string
	arn  string

	metric    *cwapi.PutMetricAlarmInput    // kind MetricAlarm
	composite *cwapi.PutCompositeAlarmInput // kind CompositeAlarm
	plan      *plan                         // how a metric alarm is evaluated
	rule      compositeRule                 // a composite's parsed AlarmRule

	state alarmState
	tags  map[string]string
}

// alarmState is what evaluation and SetAlarmState change.
type alarmState struct {
	Value          State     `json:"value"`
	Reason         string    `json:"reason"`
	ReasonData     string    `json:"reasonData,omitempty"`
	Updated        time.Time `json:"updated"`
	Transitioned   time.Time `json:"transitioned"`
	ConfigUpdated  time.Time `json:"configUpdated"`
	LastCycle      time.Time `json:"lastCycle"` // the cycle last evaluated
	ActionsEnabled bool      `json:"actionsEnabled"`
	// SuppressedBy and SuppressedReason describe why a composite's actions
	// are suppressed (ActionsSuppressor), as DescribeAlarms reports them.
	SuppressedBy     string `json:"suppressedBy,omitempty"`
	SuppressedReason string `json:"suppressedReason,omitempty"`
	// LeftAlarm is when the alarm last left ALARM, for the composites it
	// suppresses (ActionsSuppressorExtensionPeriod).
	LeftAlarm time.Time `json:"leftAlarm,omitzero"`
}

func (a *alarm) config() any {
	if a.kind == kindComposite {
		return a.composite
	}
	return a.metric
}

func (a *alarm) actions(s State) []string {
	var m struct{ ok, alarm, insufficient []string }
	if a.kind == kindComposite {
		m.ok, m.alarm, m.insufficient = a.composite.OKActions, a.composite.AlarmActions, a.composite.InsufficientDataActions
	} else {
		m.ok, m.alarm, m.insufficient = a.metric.OKActions, a.metric.AlarmActions, a.metric.InsufficientDataActions
	}
	switch s {
	case StateOK:
		return m.ok
	case StateAlarm:
		return m.alarm
	}
	return m.insufficient
}

func alarmARN(p partition, name string) string {
	return fmt.Sprintf("arn:aws:cloudwatch:%s:%s:alarm:%s", p.region, p.account, name)
}

// execer is a *sql.DB or *sql.Tx.
type execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// stmtCache prepares each statement once per transaction: an evaluation
// pass may write thousands of transitions.
type stmtCache struct {
	tx    *sql.Tx
	stmts map[string]*sql.Stmt
}

func (c *stmtCache) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	st := c.stmts[query]
	if st == nil {
		var err error
		if st, err = c.tx.PrepareContext(ctx, query); err != nil {
			return nil, err
		}
		if c.stmts == nil {
			c.stmts = map[string]*sql.Stmt{}
		}
		c.stmts[query] = st
	}
	return st.ExecContext(ctx, args...)
}

// save writes the whole alarm.
func saveAlarm(ctx context.Context, db execer, a *alarm) error {
	cfg, err := json.Marshal(a.config())
	if err != nil {
		return err
	}
	st, err := json.Marshal(&a.state)
	if err != nil {
		return err
	}
	tags, err := json.Marshal(a.tags)
	if err != nil {
		return err
	}
	_, err = db.ExecContext(ctx, `INSERT OR REPLACE INTO cw_alarms (account, region, name, kind, config, state, tags) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		a.p.account, a.p.region, a.name, a.kind, string(cfg), string(st), string(tags))
	if err != nil {
		return fmt.Errorf("save alarm %s: %w", a.name, err)
	}
	return nil
}

// saveState writes only the state of an alarm.
func saveState(ctx context.Context, db execer, a *alarm, st *alarmState) error {
	b, err := json.Marshal(st)
	if err != nil {
		return err
	}
	_, err = db.ExecContext(ctx, `UPDATE cw_alarms SET state = ? WHERE account = ? AND region = ? AND name = ?`,
		string(b), a.p.account, a.p.region, a.name)
	if err != nil {
		return fmt.Errorf("save alarm state %s: %w", a.name, err)
	}
	return nil
}

func deleteAlarm(ctx context.Context, db execer, a *alarm) error {
	_, err := db.ExecContext(ctx, `DELETE FROM cw_alarms WHERE account = ? AND region = ? AND name = ?`, a.p.account, a.p.region, a.name)
	if err != nil {
		return fmt.Errorf("delete alarm %s: %w", a.name, err)
	}
	return nil
}

// loadAlarms reads every alarm; compile prepares each for evaluation.
func loadAlarms(ctx context.Context, db *sql.DB, compile func(*alarm) error) ([]*alarm, error) {
	rows, err := db.QueryContext(ctx, `SELECT account, region, name, kind, config, state, tags FROM cw_alarms`)
	if err != nil {
		return nil, fmt.Errorf("load alarms: %w", err)
	}
	defer rows.Close()
	var out []*alarm
	for rows.Next() {
		a := &alarm{}
		var cfg, st, tags string
		if err := rows.Scan(&a.p.account, &a.p.region, &a.name, &a.kind, &cfg, &st, &tags); err != nil {
			return nil, fmt.Errorf("load alarms: %w", err)
		}
		a.arn = alarmARN(a.p, a.name)
		var target any = &a.metric
		if a.kind == kindComposite {
			target = &a.composite
		}
		if err := json.Unmarshal([]byte(cfg), target); err != nil {
			return nil, fmt.Errorf("load alarm %s: %w", a.name, err)
		}
		if err := json.Unmarshal([]byte(st), &a.state); err != nil {
			return nil, fmt.Errorf("load alarm %s state: %w", a.name, err)
		}
		if err := json.Unmarshal([]byte(tags), &a.tags); err != nil {
			return nil, fmt.Errorf("load alarm %s tags: %w", a.name, err)
		}
		if err := compile(a); err != nil {
			return nil, fmt.Errorf("load alarm %s: %w", a.name, err)
		}
		out = append(out, a)
	}
	return out, rows.Err()
}
