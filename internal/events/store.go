package events

import (
	"context"
	"encoding/json"
	"fmt"
)

const schema = `
CREATE TABLE IF NOT EXISTS events_buses (
	account TEXT NOT NULL,
	region  TEXT NOT NULL,
	name    TEXT NOT NULL,
	doc     TEXT NOT NULL,
	PRIMARY KEY (account, region, name)
);
CREATE TABLE IF NOT EXISTS events_rules (
	account TEXT NOT NULL,
	region  TEXT NOT NULL,
	bus     TEXT NOT NULL,
	name    TEXT NOT NULL,
	doc     TEXT NOT NULL,
	PRIMARY KEY (account, region, bus, name)
);`

func (s *Service) load(ctx context.Context) error {
	s.parts = map[partition]*region{}
	rows, err := s.db.QueryContext(ctx, `SELECT account, region, name, doc FROM events_buses`)
	if err != nil {
		return fmt.Errorf("load event buses: %w", err)
	}
	for rows.Next() {
		var p partition
		var name, doc string
		if err := rows.Scan(&p.account, &p.region, &name, &doc); err != nil {
			rows.Close()
			return fmt.Errorf("load event buses: %w", err)
		}
		var d busDoc
		if err := json.Unmarshal([]byte(doc), &d); err != nil {
			rows.Close()
			return fmt.Errorf("load event bus %s: %w", name, err)
		}
		b := newBus(p, name, d)
		if old := s.regionOf(p).buses[name]; old != nil {
			b.rules = old.rules
		}
		s.regionOf(p).buses[name] = b
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("load event buses: %w", err)
	}

	rows, err = s.db.QueryContext(ctx, `SELECT account, region, bus, name, doc FROM events_rules`)
	if err != nil {
		return fmt.Errorf("load event rules: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var p partition
		var busName, name, doc string
		if err := rows.Scan(&p.account, &p.region, &busName, &name, &doc); err != nil {
			return fmt.Errorf("load event rules: %w", err)
		}
		var d ruleDoc
		if err := json.Unmarshal([]byte(doc), &d); err != nil {
			return fmt.Errorf("load rule %s: %w", name, err)
		}
		b := s.regionOf(p).buses[busName]
		if b == nil {
			s.log.Warn("events: rule of a missing bus ignored", "account", p.account, "region", p.region, "bus", busName, "rule", name)
			continue
		}
		ru, err := compileRule(p, busName, name, d)
		if err != nil {
			// Stored rules were valid when written; one that no longer
			// compiles (a stricter parser) is kept but never matches.
			s.log.Warn("events: stored rule does not compile", "rule", ru.arn, "err", err)
		}
		b.setRule(ru)
	}
	return rows.Err()
}

func (s *Service) saveBus(ctx context.Context, p partition, b *bus) error {
	doc, err := json.Marshal(&b.doc)
	if err != nil {
		return err
	}
	if _, err := s.db.ExecContext(ctx, `INSERT OR REPLACE INTO events_buses (account, region, name, doc) VALUES (?, ?, ?, ?)`,
		p.account, p.region, b.name, string(doc)); err != nil {
		return fmt.Errorf("save event bus: %w", err)
	}
	return nil
}

func (s *Service) deleteBusRows(ctx context.Context, p partition, name string) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("delete event bus: %w", err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `DELETE FROM events_rules WHERE account = ? AND region = ? AND bus = ?`, p.account, p.region, name); err != nil {
		return fmt.Errorf("delete event bus: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM events_buses WHERE account = ? AND region = ? AND name = ?`, p.account, p.region, name); err != nil {
		return fmt.Errorf("delete event bus: %w", err)
	}
	return tx.Commit()
}

func (s *Service) saveRule(ctx context.Context, p partition, busName string, r *rule) error {
	doc, err := json.Marshal(&r.doc)
	if err != nil {
		return err
	}
	if _, err := s.db.ExecContext(ctx, `INSERT OR REPLACE INTO events_rules (account, region, bus, name, doc) VALUES (?, ?, ?, ?, ?)`,
		p.account, p.region, busName, r.name, string(doc)); err != nil {
		return fmt.Errorf("save rule: %w", err)
	}
	return nil
}

func (s *Service) deleteRuleRow(ctx context.Context, p partition, busName, name string) error {
	if _, err := s.db.ExecContext(ctx, `DELETE FROM events_rules WHERE account = ? AND region = ? AND bus = ? AND name = ?`,
		p.account, p.region, busName, name); err != nil {
		return fmt.Errorf("delete rule: %w", err)
	}
	return nil
}
