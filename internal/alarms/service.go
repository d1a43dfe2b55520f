package alarms

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"sync"
	"time"

	cwapi "github.com/vigilhq/vigil/internal/api/cloudwatch"
	"github.com/vigilhq/vigil/internal/clock"
	"github.com/vigilhq/vigil/internal/metricstore"
	"github.com/vigilhq/vigil/internal/metricstore/stats"
	"github.com/vigilhq/vigil/internal/reqctx"
)

// MetricData is how alarms read metrics: the CloudWatch handler, called
// with a context carrying the alarm's account, region and evaluation time —
// PeriodAggregates for one-metric alarms, GetMetricData for math and
// Metrics Insights alarms — so alarms see what those operations answer.
type MetricData interface {
	GetMetricData(ctx context.Context, in *cwapi.GetMetricDataInput) (*cwapi.GetMetricDataOutput, error)
	PeriodAggregates(ctx context.Context, key metricstore.SeriesKey, period time.Duration, unit *string, start, end time.Time, fn func(t time.Time, a *stats.Agg)) error
}

// Notifier publishes an alarm notification to an SNS topic as the alarm's
// account; the publish is durable when it returns nil.
type Notifier interface {
	NotifyTopic(ctx context.Context, account, region, topicARN, subject, message string) error
}

// Events puts AWS-service events on an account's default EventBridge bus;
// the event is durable when it returns nil.
type Events interface {
	PutServiceEvent(ctx context.Context, account, region, source, detailType string, resources []string, detail []byte, at time.Time) error
}

// Options configure a Service.
type Options struct {
	DB       *sql.DB
	Clock    clock.Clock
	Logger   *slog.Logger
	Data     MetricData
	Notifier Notifier
	// Events receives the alarm state change events; nil sends none.
	Events Events
	// Workers evaluate alarms in parallel; 0 means 2.
	Workers int
}

// Service holds every alarm and evaluates them. Its methods are safe for
// concurrent use: mu guards the catalog; evaluation reads a snapshot and
// applies its transitions under mu, dropping those of alarms replaced or
// deleted meanwhile.
type Service struct {
	db      *sql.DB
	clock   clock.Clock
	log     *slog.Logger
	data    MetricData
	notify  Notifier
	events  Events
	workers int

	// commitMu serialises every change to alarms and their states and is
	// held across the SQLite writes; mu guards the in-memory catalog and is
	// taken for writing only to install a committed change, so readers
	// (DescribeAlarms) never wait for a long evaluation commit. Order:
	// commitMu, then mu.
	commitMu sync.Mutex
	mu       sync.RWMutex
	alarms   map[partition]map[string]*alarm
	cursor   time.Time // the last cycle every alarm was evaluated for

	evalMu sync.Mutex // one evaluation pass at a time

	wake    chan struct{} // pending actions were queued
	closing chan struct{}
	done    sync.WaitGroup
}

// New opens the alarm tables and loads every alarm.
func New(ctx context.Context, o Options) (*Service, error) {
	if o.Clock == nil {
		o.Clock = clock.System{}
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.Workers <= 0 {
		o.Workers = 2
	}
	s := &Service{db: o.DB, clock: o.Clock, log: o.Logger, data: o.Data, notify: o.Notifier, events: o.Events, workers: o.Workers,
		wake: make(chan struct{}, 1), closing: make(chan struct{})}
	if _, err := o.DB.ExecContext(ctx, schema); err != nil {
		return nil, fmt.Errorf("create alarm tables: %w", err)
	}
	if _, err := o.DB.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS cw_alarm_engine (id INTEGER PRIMARY KEY CHECK (id = 1), cycle INTEGER NOT NULL)`); err != nil {
		return nil, fmt.Errorf("create alarm tables: %w", err)
	}
	if err := s.load(ctx); err != nil {
		return nil, err
	}
	return s, nil
}

func (s *Service) load(ctx context.Context) error {
	list, err := loadAlarms(ctx, s.db, s.compile)
	if err != nil {
		return err
	}
	s.alarms = map[partition]map[string]*alarm{}
	for _, a := range list {
		s.put(a)
	}
	var cycle sql.NullInt64
	if err := s.db.QueryRowContext(ctx, `SELECT cycle FROM cw_alarm_engine WHERE id = 1`).Scan(&cycle); err != nil && err != sql.ErrNoRows {
		return fmt.Errorf("load alarm cursor: %w", err)
	}
	if cycle.Valid {
		s.cursor = time.Unix(0, cycle.Int64).UTC()
	}
	return nil
}

// compile prepares a loaded or new alarm for evaluation.
func (s *Service) compile(a *alarm) error {
	var err error
	if a.kind == kindComposite {
		a.rule, err = parseRule(a.composite)
		return err
	}
	a.plan, err = compilePlan(a.metric)
	return err
}

// put adds or replaces a in the catalog. Callers hold mu (or own s).
func (s *Service) put(a *alarm) {
	m := s.alarms[a.p]
	if m == nil {
		m = map[string]*alarm{}
		s.alarms[a.p] = m
	}
	m[a.name] = a
}

func (s *Service) get(p partition, name string) *alarm { return s.alarms[p][name] }

// Start runs evaluation at every cycle boundary and the action dispatcher
// until Close.
func (s *Service) Start() {
	s.done.Add(2)
	go func() {
		defer s.done.Done()
		s.evaluateLoop()
	}()
	go func() {
		defer s.done.Done()
		s.dispatchLoop()
	}()
}

// Close stops the goroutines Start started and waits for them.
func (s *Service) Close() {
	select {
	case <-s.closing:
	default:
		close(s.closing)
	}
	s.done.Wait()
}

// Reset forgets every alarm after the data directory was wiped (dev mode).
func (s *Service) Reset() {
	s.commitMu.Lock()
	defer s.commitMu.Unlock()
	s.mu.Lock()
	s.alarms = map[partition]map[string]*alarm{}
	s.cursor = time.Time{}
	s.mu.Unlock()
}

// ctxFor is the context an evaluation reads metrics with: the alarm's
// account and region at the evaluation time.
func ctxFor(ctx context.Context, p partition, now time.Time) context.Context {
	return reqctx.With(ctx, &reqctx.Request{
		Caller:    reqctx.Caller{AccountID: p.account, ARN: "arn:aws:iam::" + p.account + ":root", PrincipalID: p.account},
		Region:    p.region,
		Service:   "cloudwatch",
		Operation: "GetMetricData",
		RequestID: "alarm-evaluation",
		Time:      now,
	})
}
