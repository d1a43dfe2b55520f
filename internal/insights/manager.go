package insights

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/vigilhq/vigil/internal/clock"
	"github.com/vigilhq/vigil/internal/ids"
	"github.com/vigilhq/vigil/internal/insights/query"
	"github.com/vigilhq/vigil/internal/logstore"
)

// Limits of Logs Insights queries (StartQuery API reference).
const (
	MaxConcurrent   = 30               // running queries per account and region
	DefaultTimeout  = 60 * time.Minute // "Queries time out after 60 minutes of runtime"
	ResultRetention = 7 * 24 * time.Hour
)

// Status is a query's state as GetQueryResults reports it.
type Status string

const (
	Scheduled Status = "Scheduled"
	Running   Status = "Running"
	Complete  Status = "Complete"
	Failed    Status = "Failed"
	Cancelled Status = "Cancelled"
	Timeout   Status = "Timeout"
)

// Spec is a query to run: the log groups are resolved and checked by the
// caller, and the query parsed; times are milliseconds, Start ≤ t ≤ End.
type Spec struct {
	Partition   logstore.Partition
	QueryString string
	Query       *query.Query
	Language    string
	Groups      []string
	Start, End  int64
	Limit       int

	// The account's data the query reads besides events: its lookup
	// tables (lookup) and field indexes (filterIndex). Nil: none.
	Lookups LookupTables
	Indexes FieldIndexes

	// JoinGroups are the log groups of the SOURCE of each join subquery
	// of Query, resolved and checked by the caller as Groups are. A
	// subquery without an entry reads the log groups its SOURCE names.
	JoinGroups map[*query.Source][]string
}

// Field is one cell of a result row.
type Field struct{ Name, Value string }

// Row is one result row, its fields in the query's order.
type Row []Field

// Stats are GetQueryResults' statistics.
type Stats struct {
	RecordsMatched, RecordsScanned, BytesScanned float64
	LogGroupsScanned                             float64
}

// Executor runs one query. It may call partial with the rows so far while
// it runs (GetQueryResults shows them with status Running), and must stop
// when ctx ends.
type Executor interface {
	Run(ctx context.Context, spec Spec, partial func([]Row, Stats)) ([]Row, Stats, error)
}

// Info is what DescribeQueries and GetQueryResults report of a query.
type Info struct {
	ID       string
	Spec     Spec
	Status   Status
	Created  time.Time
	Rows     []Row
	Stats    Stats
	Err      error
	finished time.Time
	cancel   context.CancelFunc
}

// ErrTooMany: MaxConcurrent queries of the account and region are running.
var ErrTooMany = errors.New("insights: too many concurrent queries")

// ManagerOptions configure a Manager.
type ManagerOptions struct {
	Clock   clock.Clock
	IDs     ids.Source
	Logger  *slog.Logger
	Timeout time.Duration // default DefaultTimeout
}

// Manager owns the running queries and their results. Every query runs in
// a goroutine the Manager owns; Close cancels them and waits.
type Manager struct {
	exec Executor
	o    ManagerOptions

	mu      sync.Mutex
	queries map[string]*Info
	running map[logstore.Partition]int
	closed  bool
	wg      sync.WaitGroup
}

// NewManager returns a Manager running queries with exec.
func NewManager(exec Executor, o ManagerOptions) *Manager {
	if o.Clock == nil {
		o.Clock = clock.System{}
	}
	if o.IDs == nil {
		o.IDs = ids.NewRandom(nil)
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.Timeout == 0 {
		o.Timeout = DefaultTimeout
	}
	return &Manager{exec: exec, o: o, queries: map[string]*Info{}, running: map[logstore.Partition]int{}}
}

// Start schedules spec and returns its query id.
func (m *Manager) Start(spec Spec) (string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return "", errors.New("insights: shutting down")
	}
	if m.running[spec.Partition] >= MaxConcurrent {
		return "", ErrTooMany
	}
	m.running[spec.Partition]++
	ctx, cancel := context.WithTimeout(context.Background(), m.o.Timeout)
	q := &Info{ID: m.o.IDs.UUID(), Spec: spec, Status: Scheduled, Created: m.o.Clock.Now(), cancel: cancel}
	m.queries[q.ID] = q
	m.wg.Add(1)
	go m.run(ctx, q)
	return q.ID, nil
}

func (m *Manager) run(ctx context.Context, q *Info) {
	defer m.wg.Done()
	defer q.cancel()
	m.update(q, func() {
		if q.Status == Scheduled { // Stop may have come first
			q.Status = Running
		}
	})
	rows, st, err := m.exec.Run(ctx, q.Spec, func(rows []Row, st Stats) {
		m.update(q, func() {
			if q.Status == Running {
				q.Rows, q.Stats = rows, st
			}
		})
	})
	m.update(q, func() {
		m.running[q.Spec.Partition]--
		q.finished = m.o.Clock.Now()
		if q.Status == Cancelled {
			return
		}
		q.Rows, q.Stats = rows, st
		switch {
		case errors.Is(err, context.DeadlineExceeded) || errors.Is(ctx.Err(), context.DeadlineExceeded):
			q.Status = Timeout
		case errors.Is(ctx.Err(), context.Canceled):
			q.Status = Cancelled
		case err != nil:
			q.Status, q.Err = Failed, err
			m.o.Logger.Warn("logs insights query failed", "queryId", q.ID, "err", err)
		default:
			q.Status = Complete
		}
	})
}

func (m *Manager) update(q *Info, f func()) {
	m.mu.Lock()
	f()
	m.mu.Unlock()
}

// Get returns a copy of the query's state; ok is false for an unknown id
// or another partition's query.
func (m *Manager) Get(p logstore.Partition, id string) (Info, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	q := m.queries[id]
	if q == nil || q.Spec.Partition != p {
		return Info{}, false
	}
	return *q, true
}

// Stop cancels a scheduled or running query; it reports false when the
// query had already finished.
func (m *Manager) Stop(p logstore.Partition, id string) (stopped, ok bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	q := m.queries[id]
	if q == nil || q.Spec.Partition != p {
		return false, false
	}
	if q.Status != Scheduled && q.Status != Running {
		return false, true
	}
	q.Status = Cancelled
	q.cancel()
	return true, true
}

// List returns the partition's queries, newest first, optionally only
// those with status and those over group.
func (m *Manager) List(p logstore.Partition, status Status, group string) []Info {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []Info
	for _, q := range m.queries {
		if q.Spec.Partition != p || (status != "" && q.Status != status) || (group != "" && !slices.Contains(q.Spec.Groups, group)) {
			continue
		}
		out = append(out, *q)
	}
	slices.SortFunc(out, func(a, b Info) int {
		if c := b.Created.Compare(a.Created); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	return out
}

// Sweep forgets the results of queries that finished more than
// ResultRetention ago; the scheduler runs it hourly.
func (m *Manager) Sweep(context.Context) error {
	cutoff := m.o.Clock.Now().Add(-ResultRetention)
	m.mu.Lock()
	defer m.mu.Unlock()
	for id, q := range m.queries {
		if !q.finished.IsZero() && q.finished.Before(cutoff) {
			delete(m.queries, id)
		}
	}
	return nil
}

// Reset cancels every query and forgets all results (dev mode).
func (m *Manager) Reset() {
	m.mu.Lock()
	for _, q := range m.queries {
		if q.Status == Scheduled || q.Status == Running {
			q.Status = Cancelled
			q.cancel()
		}
	}
	m.queries = map[string]*Info{}
	m.mu.Unlock()
}

// Close cancels the running queries and waits for their goroutines.
func (m *Manager) Close() {
	m.mu.Lock()
	m.closed = true
	for _, q := range m.queries {
		if q.Status == Scheduled || q.Status == Running {
			q.Status = Cancelled
			q.cancel()
		}
	}
	m.mu.Unlock()
	m.wg.Wait()
}
