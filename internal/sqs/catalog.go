package sqs

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// The catalog is every queue: a row in SQLite (written before a change is
// acknowledged) and a *queue in memory. Ids come from AUTOINCREMENT, so a
// queue deleted and created again under the same name never shares an id,
// and receipt handles of the old queue cannot touch the new one.
const catalogSchema = `CREATE TABLE IF NOT EXISTS sqs_queues (
	id       INTEGER PRIMARY KEY AUTOINCREMENT,
	account  TEXT NOT NULL,
	region   TEXT NOT NULL,
	name     TEXT NOT NULL,
	created  INTEGER NOT NULL,
	settings TEXT NOT NULL,
	tags     TEXT NOT NULL,
	UNIQUE (account, region, name)
)`

// queue is one queue. Its settings are replaced whole (readers load them
// without a lock); mu guards the message index and the fields below it.
type queue struct {
	id       int64
	key      queueKey
	created  int64 // unix seconds
	settings atomic.Pointer[settings]

	metaMu sync.Mutex // serialises attribute and tag changes (SQLite, then memory)
	tags   atomic.Pointer[map[string]string]

	mu        sync.Mutex
	gone      bool // deleted (or wiped): every call on it answers QueueDoesNotExist
	idx       *index
	lastPurge time.Time
	dedup     *dedup        // FIFO queues only
	wake      chan struct{} // closed (and cleared) when messages may have become visible; made by a receive that waits
	met       queueMetrics  // AWS/SQS counters (metrics.go)
}

func newQueue(id int64, key queueKey, created int64, st *settings, tags map[string]string) *queue {
	q := &queue{id: id, key: key, created: created, idx: newIndex(st.Fifo)}
	if st.Fifo {
		q.dedup = newDedup()
	}
	q.settings.Store(st)
	q.tags.Store(&tags)
	return q
}

// notify wakes every long poll waiting on the queue. Callers hold q.mu.
// The channel is made only when a receive is about to wait (waitChan), so
// that a send with no long poll waiting allocates nothing.
func (q *queue) notify() {
	if q.wake != nil {
		close(q.wake)
		q.wake = nil
	}
}

// waitChan is the channel the next notify closes. Callers hold q.mu.
func (q *queue) waitChan() <-chan struct{} {
	if q.wake == nil {
		q.wake = make(chan struct{})
	}
	return q.wake
}

// retire marks the queue deleted and wakes its long polls.
func (q *queue) retire() {
	q.mu.Lock()
	q.gone = true
	q.notify()
	q.mu.Unlock()
}

func (q *queue) arn() string {
	return "arn:aws:sqs:" + q.key.region + ":" + q.key.account + ":" + q.key.name
}

func (q *queue) url(c call) string { return c.queueURL(q.key.name) }

// queueURL is a queue's URL as seen by the caller: AWS's form
// (scheme://host/account/name) on the host the request addressed. Vigil
// serves plain HTTP, hence the scheme.
func (c call) queueURL(name string) string {
	host := c.host
	if host == "" {
		host = "localhost"
	}
	return "http://" + host + "/" + c.account + "/" + name
}

func (s *Service) loadCatalog(ctx context.Context) error {
	if _, err := s.db.ExecContext(ctx, catalogSchema); err != nil {
		return fmt.Errorf("sqs: create catalog: %w", err)
	}
	rows, err := s.db.QueryContext(ctx, `SELECT id, account, region, name, created, settings, tags FROM sqs_queues`)
	if err != nil {
		return fmt.Errorf("sqs: load catalog: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var (
			id               int64
			key              queueKey
			created          int64
			stJSON, tagsJSON string
			st               settings
			tags             map[string]string
		)
		if err := rows.Scan(&id, &key.account, &key.region, &key.name, &created, &stJSON, &tagsJSON); err != nil {
			return fmt.Errorf("sqs: load catalog: %w", err)
		}
		if err := json.Unmarshal([]byte(stJSON), &st); err != nil {
			return fmt.Errorf("sqs: queue %s: settings: %w", key.name, err)
		}
		if err := json.Unmarshal([]byte(tagsJSON), &tags); err != nil {
			return fmt.Errorf("sqs: queue %s: tags: %w", key.name, err)
		}
		q := newQueue(id, key, created, &st, tags)
		s.queues[key], s.byID[id] = q, q
	}
	return rows.Err()
}

func (s *Service) insertQueue(ctx context.Context, key queueKey, created int64, st *settings, tags map[string]string) (int64, error) {
	stJSON, tagsJSON, err := marshalMeta(st, tags)
	if err != nil {
		return 0, err
	}
	res, err := s.db.ExecContext(ctx, `INSERT INTO sqs_queues (account, region, name, created, settings, tags) VALUES (?, ?, ?, ?, ?, ?)`,
		key.account, key.region, key.name, created, stJSON, tagsJSON)
	if err != nil {
		return 0, fmt.Errorf("sqs: create queue %s: %w", key.name, err)
	}
	return res.LastInsertId()
}

func (s *Service) updateQueue(ctx context.Context, q *queue, st *settings, tags map[string]string) error {
	stJSON, tagsJSON, err := marshalMeta(st, tags)
	if err != nil {
		return err
	}
	if _, err := s.db.ExecContext(ctx, `UPDATE sqs_queues SET settings = ?, tags = ? WHERE id = ?`, stJSON, tagsJSON, q.id); err != nil {
		return fmt.Errorf("sqs: update queue %s: %w", q.key.name, err)
	}
	return nil
}

func (s *Service) deleteQueueRow(ctx context.Context, q *queue) error {
	if _, err := s.db.ExecContext(ctx, `DELETE FROM sqs_queues WHERE id = ?`, q.id); err != nil {
		return fmt.Errorf("sqs: delete queue %s: %w", q.key.name, err)
	}
	return nil
}

func marshalMeta(st *settings, tags map[string]string) (string, string, error) {
	if tags == nil {
		tags = map[string]string{}
	}
	a, err := json.Marshal(st)
	if err != nil {
		return "", "", err
	}
	b, err := json.Marshal(tags)
	return string(a), string(b), err
}

// queueByURL resolves a QueueUrl. Only the path counts (/account/name): a
// URL built on another host name of this server, or in AWS's own form,
// names the same queue. Another account's queue is not reachable (queue
// policies are not enforced yet), so it does not exist for the caller.
func (s *Service) queueByURL(c call, u string) (*queue, error) {
	account, name, ok := parseQueueURL(u)
	if !ok || account != c.account {
		return nil, errNoQueue()
	}
	return s.queueByName(c.key(name))
}

func (s *Service) queueByName(key queueKey) (*queue, error) {
	s.mu.RLock()
	q := s.queues[key]
	s.mu.RUnlock()
	if q == nil {
		return nil, errNoQueue()
	}
	q.met.use()
	return q, nil
}

// parseQueueURL splits scheme://host/account/name (or /account/name).
func parseQueueURL(u string) (account, name string, ok bool) {
	path := u
	if i := strings.Index(u, "://"); i >= 0 {
		rest := u[i+3:]
		j := strings.IndexByte(rest, '/')
		if j < 0 {
			return "", "", false
		}
		path = rest[j:]
	}
	path, _, _ = strings.Cut(path, "?")
	account, name, ok = strings.Cut(strings.TrimPrefix(path, "/"), "/")
	if !ok || account == "" || name == "" || strings.Contains(name, "/") {
		return "", "", false
	}
	return account, name, true
}

// validQueueName: up to 80 of A-Z a-z 0-9 - _. (A FIFO queue's name adds
// ".fifo", see checkQueueName.)
func validQueueName(name string) bool {
	if len(name) == 0 || len(name) > 80 {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}
