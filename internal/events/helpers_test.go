package events

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cockroachdb/pebble/v2"

	"github.com/vigilhq/vigil/internal/api/shape"
	snsapi "github.com/vigilhq/vigil/internal/api/sns"
	sqsapi "github.com/vigilhq/vigil/internal/api/sqs"
	"github.com/vigilhq/vigil/internal/clock"
	"github.com/vigilhq/vigil/internal/outbox"
	"github.com/vigilhq/vigil/internal/reqctx"
	"github.com/vigilhq/vigil/internal/sqs"
	"github.com/vigilhq/vigil/internal/storage"
)

var t0 = time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)

const (
	acct = "123456789012"
	reg  = "us-east-1"
)

// seqIDs makes predictable event ids.
type seqIDs struct {
	mu sync.Mutex
	n  int
}

func (s *seqIDs) UUID() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.n++
	return fmt.Sprintf("00000000-0000-0000-0000-%012d", s.n)
}

// sink records what the fake SQS, SNS and Logs received; a destination
// listed in missing does not exist, one in failing fails transiently.
type sink struct {
	mu      sync.Mutex
	got     []string
	missing map[string]bool
	failing map[string]bool
}

func (k *sink) record(format string, args ...any) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.got = append(k.got, fmt.Sprintf(format, args...))
}

func (k *sink) DeliverAll(ctx context.Context, ms []sqs.Message) []error {
	errs := make([]error, len(ms))
	for i, m := range ms {
		errs[i] = k.deliver(m.Queue, m.Delivery)
	}
	return errs
}

func (k *sink) deliver(queueARN string, d sqs.Delivery) error {
	k.mu.Lock()
	missing, failing := k.missing[queueARN], k.failing[queueARN]
	k.mu.Unlock()
	if missing {
		return &sqsapi.QueueDoesNotExist{Message: shape.Ptr("The specified queue does not exist.")}
	}
	if failing {
		return fmt.Errorf("disk full")
	}
	var attrs []string
	for n, v := range d.Attrs {
		attrs = append(attrs, n+"="+shape.Value(v.StringValue)+"("+shape.Value(v.DataType)+")")
	}
	sort.Strings(attrs)
	extra := ""
	if d.GroupID != "" {
		extra = " group=" + d.GroupID + " dedup=" + d.DedupID
	}
	if len(attrs) > 0 {
		extra += " attrs=" + strings.Join(attrs, ",")
	}
	k.record("sqs %s%s: %s", queueARN, extra, d.Body)
	return nil
}

func (k *sink) NotifyTopic(_ context.Context, account, region, topicARN, subject, message string) error {
	k.mu.Lock()
	missing, failing := k.missing[topicARN], k.failing[topicARN]
	k.mu.Unlock()
	if missing {
		return &snsapi.NotFoundException{Message: shape.Ptr("Topic does not exist")}
	}
	if failing {
		return fmt.Errorf("throttled")
	}
	k.record("sns %s: %s", topicARN, message)
	return nil
}

func (k *sink) PutTargetEvent(_ context.Context, account, region, group, stream string, at time.Time, message string) error {
	k.record("logs %s/%s@%s: %s", group, stream, at.Format(time.RFC3339), message)
	return nil
}

func (k *sink) len() int {
	k.mu.Lock()
	defer k.mu.Unlock()
	return len(k.got)
}

func (k *sink) take() []string {
	k.mu.Lock()
	defer k.mu.Unlock()
	out := k.got
	k.got = nil
	return out
}

// memOutbox keeps entries in memory; run attempts those due.
type memOutbox struct {
	mu      sync.Mutex
	entries []*memEntry
	nextID  uint64
	fail    error
}

type memEntry struct {
	outbox.Entry
	due time.Time
}

func (o *memOutbox) EnqueueRetries(_ context.Context, kind string, rs ...outbox.Retry) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.fail != nil {
		return o.fail
	}
	for _, r := range rs {
		o.nextID++
		o.entries = append(o.entries, &memEntry{Entry: outbox.Entry{ID: o.nextID, Kind: kind, Payload: r.Payload, Attempts: r.Attempts}, due: r.Due})
	}
	return nil
}

// run attempts every due entry once (and entries enqueued meanwhile, when
// due) and reports what happened to each.
func (o *memOutbox) run(d outbox.Deliverer, now time.Time) []string {
	var log []string
	for {
		o.mu.Lock()
		var due *memEntry
		for _, e := range o.entries {
			if !e.due.After(now) && e.Attempts >= 0 {
				due = e
				break
			}
		}
		o.mu.Unlock()
		if due == nil {
			return log
		}
		out := d.Deliver(context.Background(), due.Entry)
		o.mu.Lock()
		if out.Done {
			for i, e := range o.entries {
				if e == due {
					o.entries = append(o.entries[:i], o.entries[i+1:]...)
					break
				}
			}
			log = append(log, fmt.Sprintf("entry %d done", due.ID))
		} else {
			due.Attempts++
			due.due = out.RetryAt
			log = append(log, fmt.Sprintf("entry %d retry in %s", due.ID, out.RetryAt.Sub(now)))
		}
		o.mu.Unlock()
	}
}

func (o *memOutbox) len() int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return len(o.entries)
}

type env struct {
	t   testing.TB
	dir string
	clk *clock.Fake
	ids *seqIDs
	k   *sink
	out *memOutbox
	s   *Service
	cls func()
}

func newEnv(t testing.TB) *env {
	e := &env{t: t, dir: t.TempDir(), clk: clock.NewFake(t0), ids: &seqIDs{}, out: &memOutbox{},
		k: &sink{missing: map[string]bool{}, failing: map[string]bool{}}}
	e.open()
	t.Cleanup(func() { e.cls() })
	return e
}

func (e *env) open() {
	db, err := storage.OpenSQL(filepath.Join(e.dir, "sql"))
	if err != nil {
		e.t.Fatal(err)
	}
	kv, err := pebble.Open(filepath.Join(e.dir, "pebble"), &pebble.Options{Logger: quietPebble{t: e.t}})
	if err != nil {
		e.t.Fatal(err)
	}
	e.s, err = New(context.Background(), Options{DB: db, Clock: e.clk, IDs: e.ids, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Queues: e.k, Topics: e.k, Logs: e.k, Archive: kv})
	if err != nil {
		e.t.Fatal(err)
	}
	e.s.SetOutbox(e.out)
	e.cls = func() { db.Close(); kv.Close() }
}

func (e *env) restart() {
	e.cls()
	e.open()
}

func (e *env) ctx() context.Context { return e.ctxIn(acct, reg) }

func (e *env) ctxIn(account, region string) context.Context {
	return reqctx.With(context.Background(), &reqctx.Request{Caller: reqctx.Caller{AccountID: account}, Region: region, Time: e.clk.Now()})
}

// apiCall is one API call of a test's set-up: operation and request JSON.
type apiCall struct{ op, in string }

// calls makes the calls in order; any error fails the test.
func (e *env) calls(t *testing.T, cs ...apiCall) {
	t.Helper()
	for _, c := range cs {
		mustCall(t, e, c.op, c.in)
	}
}
