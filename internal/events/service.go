package events

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/cockroachdb/pebble/v2"

	eventsapi "github.com/vigilhq/vigil/internal/api/events"
	"github.com/vigilhq/vigil/internal/api/shape"
	"github.com/vigilhq/vigil/internal/clock"
	"github.com/vigilhq/vigil/internal/ids"
	"github.com/vigilhq/vigil/internal/outbox"
	"github.com/vigilhq/vigil/internal/reqctx"
	"github.com/vigilhq/vigil/internal/sqs"
)

// Queues delivers messages to SQS queues in process, in one durable write;
// *sqs.Service implements it. A refusal (no such queue, a message SQS's
// rules reject) is an error for which sqs.Rejected is true.
type Queues interface {
	DeliverAll(ctx context.Context, ms []sqs.Message) []error
}

// Topics publishes to SNS topics in process as account; *sns.Service
// implements it. The publish is durable when it returns nil.
type Topics interface {
	NotifyTopic(ctx context.Context, account, region, topicARN, subject, message string) error
}

// LogGroups writes one event into a log stream of a log group, creating
// the stream if needed; *logs.Service implements it. Durable as
// PutLogEvents when it returns nil.
type LogGroups interface {
	PutTargetEvent(ctx context.Context, account, region, group, stream string, at time.Time, message string) error
}

// Enqueuer is the outbox; EnqueueRetries returns once the entries are
// durable.
type Enqueuer interface {
	EnqueueRetries(ctx context.Context, kind string, rs ...outbox.Retry) error
}

// Options configure a Service.
type Options struct {
	DB     *sql.DB
	Clock  clock.Clock
	IDs    ids.Source
	Logger *slog.Logger
	Queues Queues
	Topics Topics
	Logs   LogGroups
	// Archive is the shared Pebble DB archived events are kept in (under
	// "events/archive/"); nil leaves CreateArchive refused.
	Archive *pebble.DB
}

// Service is the EventBridge handler and the deliverer of its outbox kind.
// Its methods are safe for concurrent use: mu guards the catalog (buses,
// rules, targets); PutEvents holds it for reading while it matches.
type Service struct {
	eventsapi.Unimplemented
	db     *sql.DB
	clock  clock.Clock
	ids    ids.Source
	log    *slog.Logger
	queues Queues
	topics Topics
	logs   LogGroups
	out    Enqueuer
	api    apiState // connections and API destinations (connections.go)
	met    *Metrics // AWS/Events metrics; nil records nothing (metrics.go)

	mu    sync.RWMutex
	parts map[partition]*region

	schedMu  sync.Mutex          // one FireSchedules pass at a time
	nextFire map[*rule]time.Time // each schedule rule's next fire time
	stop     chan struct{}       // closed by Close
	stopped  chan struct{}       // closed when the schedule loop ends

	arc *archives // archives and replays (archives.go, replays.go)
}

type partition struct{ account, region string }

// region is one account's buses in one region.
type region struct {
	buses map[string]*bus
}

// New creates the tables if needed and loads every bus and rule.
func New(ctx context.Context, o Options) (*Service, error) {
	if o.Clock == nil {
		o.Clock = clock.System{}
	}
	if o.IDs == nil {
		o.IDs = ids.NewRandom(nil)
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	s := &Service{db: o.DB, clock: o.Clock, ids: o.IDs, log: o.Logger, queues: o.Queues, topics: o.Topics, logs: o.Logs}
	if _, err := o.DB.ExecContext(ctx, schema); err != nil {
		return nil, fmt.Errorf("create events tables: %w", err)
	}
	if err := s.load(ctx); err != nil {
		return nil, err
	}
	if err := s.openArchives(ctx, o.Archive); err != nil {
		return nil, err
	}
	if err := s.loadAPI(ctx); err != nil {
		return nil, err
	}
	return s, nil
}

// SetOutbox connects the outbox deliveries go through. It must be called
// before the service serves requests.
func (s *Service) SetOutbox(e Enqueuer) { s.out = e }

// Reset forgets every bus and rule after the data directory was wiped
// (dev mode).
func (s *Service) Reset() {
	s.mu.Lock()
	s.parts = map[partition]*region{}
	s.mu.Unlock()
	s.schedMu.Lock()
	s.nextFire = nil
	s.schedMu.Unlock()
	s.resetArchives()
	s.resetAPI()
}

// regionOf returns p's buses, creating the region with its default bus.
// Callers hold mu for writing, or for reading when create is false (then
// nil means "only the default bus, untouched").
func (s *Service) regionOf(p partition) *region {
	r := s.parts[p]
	if r == nil {
		r = &region{buses: map[string]*bus{}}
		r.buses[defaultBus] = newBus(p, defaultBus, busDoc{})
		s.parts[p] = r
	}
	return r
}

// call is what a handler knows about its caller.
type call struct {
	p         partition
	principal string // the caller's IAM ARN
	now       time.Time
}

func callOf(ctx context.Context) call {
	r := reqctx.From(ctx)
	return call{p: partition{r.Caller.AccountID, r.Region}, principal: r.Caller.ARN, now: r.Time}
}

func busARN(p partition, name string) string {
	return "arn:aws:events:" + p.region + ":" + p.account + ":event-bus/" + name
}

func ruleARN(p partition, busName, name string) string {
	if busName == defaultBus {
		return "arn:aws:events:" + p.region + ":" + p.account + ":rule/" + name
	}
	return "arn:aws:events:" + p.region + ":" + p.account + ":rule/" + busName + "/" + name
}

// parseEventsARN splits arn:aws:events:region:account:resource.
func parseEventsARN(arn string) (p partition, resource string, ok bool) {
	f := strings.SplitN(arn, ":", 6)
	if len(f) != 6 || f[0] != "arn" || f[2] != "events" || f[3] == "" || f[4] == "" {
		return partition{}, "", false
	}
	return partition{account: f[4], region: f[3]}, f[5], true
}

// --- errors --------------------------------------------------------------

func validation(format string, args ...any) error {
	return shape.Errorf("ValidationException", format, args...)
}

func notFound(format string, args ...any) error {
	return &eventsapi.ResourceNotFoundException{Message: shape.Ptr(fmt.Sprintf(format, args...))}
}

func errNoBus(name string) error { return notFound("Event bus %s does not exist.", name) }

func errNoRule(name, busName string) error {
	return notFound("Rule %s does not exist on EventBus %s.", name, busName)
}

func alreadyExists(format string, args ...any) error {
	return &eventsapi.ResourceAlreadyExistsException{Message: shape.Ptr(fmt.Sprintf(format, args...))}
}

func limitExceeded(format string, args ...any) error {
	return &eventsapi.LimitExceededException{Message: shape.Ptr(fmt.Sprintf(format, args...))}
}

// --- paging --------------------------------------------------------------

// page returns the sorted names after token (the last name of the previous
// page) up to limit (default and maximum 100) and the next token. Our
// decision: the token is that name, so a page stays right when items are
// added or removed between calls; a token that is not one of ours is
// refused as AWS refuses a foreign token.
func page(names []string, token *string, limit *int32) ([]string, *string, error) {
	sort.Strings(names)
	start := 0
	if token != nil {
		t, ok := decodeToken(*token)
		if !ok {
			return nil, nil, validation("The nextToken provided is invalid.")
		}
		start = sort.SearchStrings(names, t)
		if start < len(names) && names[start] == t {
			start++
		}
	}
	n := 100
	if limit != nil && *limit > 0 && *limit < 100 {
		n = int(*limit)
	}
	end := min(start+n, len(names))
	var next *string
	if end < len(names) {
		next = shape.Ptr(encodeToken(names[end-1]))
	}
	return names[start:end], next, nil
}

const tokenPrefix = "vigil1:"

func encodeToken(name string) string { return tokenPrefix + name }

func decodeToken(t string) (string, bool) { return strings.CutPrefix(t, tokenPrefix) }
