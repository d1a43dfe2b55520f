package sns

import (
	"context"
	"encoding/json"
)

const subscriptionSchema = `CREATE TABLE IF NOT EXISTS sns_subscriptions (
	arn      TEXT PRIMARY KEY,
	topic    TEXT NOT NULL,
	protocol TEXT NOT NULL,
	endpoint TEXT NOT NULL,
	owner    TEXT NOT NULL,
	attrs    TEXT NOT NULL
)`

func (s *Service) load(ctx context.Context) error {
	s.topics, s.subs = map[string]*topic{}, map[string]*subscription{}
	for _, q := range []string{topicSchema, subscriptionSchema} {
		if _, err := s.db.ExecContext(ctx, q); err != nil {
			return wrapDB("create catalog", err)
		}
	}
	if err := s.migrateState(ctx); err != nil {
		return err
	}
	rows, err := s.db.QueryContext(ctx, `SELECT arn, attrs, tags, unsubs FROM sns_topics`)
	if err != nil {
		return wrapDB("load topics", err)
	}
	defer rows.Close()
	for rows.Next() {
		t := &topic{}
		var attrs, tags string
		if err := rows.Scan(&t.arn, &attrs, &tags, &t.unsubs); err != nil {
			return wrapDB("load topics", err)
		}
		if err := json.Unmarshal([]byte(attrs), &t.attrs); err != nil {
			return wrapDB("topic "+t.arn+" attributes", err)
		}
		if err := json.Unmarshal([]byte(tags), &t.tags); err != nil {
			return wrapDB("topic "+t.arn+" tags", err)
		}
		s.topics[t.arn] = t
	}
	if err := rows.Err(); err != nil {
		return wrapDB("load topics", err)
	}
	srows, err := s.db.QueryContext(ctx, `SELECT arn, topic, protocol, endpoint, owner, attrs, state FROM sns_subscriptions`)
	if err != nil {
		return wrapDB("load subscriptions", err)
	}
	defer srows.Close()
	for srows.Next() {
		sub := &subscription{}
		var attrs, state string
		if err := srows.Scan(&sub.arn, &sub.topic, &sub.protocol, &sub.endpoint, &sub.owner, &attrs, &state); err != nil {
			return wrapDB("load subscriptions", err)
		}
		if err := json.Unmarshal([]byte(state), &sub.state); err != nil {
			return wrapDB("subscription "+sub.arn+" state", err)
		}
		if err := json.Unmarshal([]byte(attrs), &sub.attrs); err != nil {
			return wrapDB("subscription "+sub.arn+" attributes", err)
		}
		if err := sub.compile(); err != nil {
			return wrapDB("subscription "+sub.arn+" filter policy", err)
		}
		s.subs[sub.arn] = sub
	}
	return wrapIf("load subscriptions", srows.Err())
}

// saveTopic writes t's row (insert or replace). Callers hold s.mu.
func (s *Service) saveTopic(ctx context.Context, t *topic) error {
	attrs, err := json.Marshal(nonNil(t.attrs))
	if err != nil {
		return err
	}
	tags, err := json.Marshal(nonNil(t.tags))
	if err != nil {
		return err
	}
	_, err = s.db.ExecContext(ctx, `INSERT OR REPLACE INTO sns_topics (arn, attrs, tags, unsubs) VALUES (?, ?, ?, ?)`,
		t.arn, string(attrs), string(tags), t.unsubs)
	return wrapIf("save topic "+t.arn, err)
}

// saveSubscription writes sub's row (insert or replace). Callers hold s.mu.
func (s *Service) saveSubscription(ctx context.Context, sub *subscription) error {
	attrs, err := json.Marshal(nonNil(sub.attrs))
	if err != nil {
		return err
	}
	_, err = s.db.ExecContext(ctx, `INSERT OR REPLACE INTO sns_subscriptions (arn, topic, protocol, endpoint, owner, attrs, state) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		sub.arn, sub.topic, sub.protocol, sub.endpoint, sub.owner, string(attrs), sub.state.encode())
	return wrapIf("save subscription "+sub.arn, err)
}

func nonNil(m map[string]string) map[string]string {
	if m == nil {
		return map[string]string{}
	}
	return m
}

func wrapIf(what string, err error) error {
	if err == nil {
		return nil
	}
	return wrapDB(what, err)
}
