package logs

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"strings"

	logsapi "github.com/vigilhq/vigil/internal/api/logs"
	"github.com/vigilhq/vigil/internal/api/shape"
	"github.com/vigilhq/vigil/internal/clock"
	"github.com/vigilhq/vigil/internal/ids"
	"github.com/vigilhq/vigil/internal/insights/query"
	"github.com/vigilhq/vigil/internal/logstore"
	"github.com/vigilhq/vigil/internal/metricstore"
	"github.com/vigilhq/vigil/internal/reqctx"
)

// Events is what the handlers need of the log store.
type Events interface {
	Append(ctx context.Context, p logstore.Partition, group, stream string, events []logstore.Event) error
	Read(ctx context.Context, p logstore.Partition, q logstore.Query) (*logstore.Page, error)
	GetRecord(ctx context.Context, p logstore.Partition, ptr string) (string, logstore.Record, error)
	DeleteLogGroup(ctx context.Context, p logstore.Partition, group string) error
	DeleteLogStream(ctx context.Context, p logstore.Partition, group, stream string) error
	DeleteBefore(ctx context.Context, p logstore.Partition, group string, t int64) error
}

// Metrics is what metric filters and the embedded metric format need of the
// metrics engine.
type Metrics interface {
	Append(ctx context.Context, p metricstore.Partition, ds []metricstore.Datum) error
}

// Options configure a Service.
type Options struct {
	DB      *sql.DB // the catalog's tables live here
	Events  Events
	Metrics Metrics
	Clock   clock.Clock
	IDs     ids.Source // Live Tail session ids, query definition ids
	Logger  *slog.Logger
	// Queries runs Logs Insights queries; CheckQuery refuses a parsed query
	// the executor cannot run (MalformedQueryException).
	Queries    Queries
	CheckQuery func(*query.Query) error
	Fields     Fields
	// IndexScanner answers DescribeFieldIndexes (nil: NotImplemented).
	IndexScanner IndexScanner
}

// Service is the CloudWatch Logs handler. Operations not implemented here
// answer NotImplemented through the embedded generated type.
type Service struct {
	logsapi.Unimplemented
	cat     *catalog
	events  Events
	metrics Metrics
	clock   clock.Clock
	ids     ids.Source
	log     *slog.Logger
	tail    *tailHub

	queries    Queries
	checkQuery func(*query.Query) error
	fields     Fields

	indexScanner IndexScanner
}

// New opens the catalog and returns the service.
func New(ctx context.Context, o Options) (*Service, error) {
	if o.Clock == nil {
		o.Clock = clock.System{}
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.IDs == nil {
		o.IDs = ids.NewRandom(nil)
	}
	cat, err := openCatalog(ctx, o.DB)
	if err != nil {
		return nil, err
	}
	return &Service{cat: cat, events: o.Events, metrics: o.Metrics, clock: o.Clock, ids: o.IDs, log: o.Logger, tail: newTailHub(),
		queries: o.Queries, checkQuery: o.CheckQuery, fields: o.Fields, indexScanner: o.IndexScanner}, nil
}

// FlushStats persists stream and group statistics; the scheduler runs it
// every minute and the server once more at shutdown.
func (s *Service) FlushStats(ctx context.Context) error { return s.cat.flushStats(ctx) }

// Reset forgets the in-memory catalog after the data directory was wiped
// (dev mode).
func (s *Service) Reset() { s.cat.reset() }

func partitionOf(ctx context.Context) partition {
	r := reqctx.From(ctx)
	return partition{Account: r.Caller.AccountID, Region: r.Region}
}

func nowMillis(ctx context.Context) int64 { return reqctx.From(ctx).Time.UnixMilli() }

// --- errors: messages as CloudWatch Logs words them -----------------------------

func invalidParameter(format string, args ...any) error {
	return &logsapi.InvalidParameterException{Message: shape.Ptr(fmt.Sprintf(format, args...))}
}

func errGroupNotFound() error {
	return &logsapi.ResourceNotFoundException{Message: shape.Ptr("The specified log group does not exist.")}
}

func errStreamNotFound() error {
	return &logsapi.ResourceNotFoundException{Message: shape.Ptr("The specified log stream does not exist.")}
}

func notFound(msg string) error {
	return &logsapi.ResourceNotFoundException{Message: shape.Ptr(msg)}
}

func alreadyExists(msg string) error {
	return &logsapi.ResourceAlreadyExistsException{Message: shape.Ptr(msg)}
}

func limitExceeded(msg string) error {
	return &logsapi.LimitExceededException{Message: shape.Ptr(msg)}
}

// --- ARNs and identifiers ------------------------------------------------------

func groupArn(p partition, name string) string {
	return "arn:aws:logs:" + p.Region + ":" + p.Account + ":log-group:" + name
}

func streamArn(p partition, group, stream string) string {
	return groupArn(p, group) + ":log-stream:" + stream
}

// resolveGroup turns a logGroupName or logGroupIdentifier (a name or an ARN,
// with or without the trailing :*) into the group's name. Exactly one of the
// two may be given. An ARN of another account or region names a group this
// caller cannot see: it is reported as missing.
func resolveGroup(ctx context.Context, name, identifier *string) (string, error) {
	switch {
	case name != nil && identifier != nil:
		return "", invalidParameter("LogGroup name and LogGroup ARN are mutually exclusive parameters.")
	case name != nil:
		return *name, nil
	case identifier == nil:
		return "", invalidParameter("Should provide either log group name or log group ARN.")
	}
	return groupFromIdentifier(partitionOf(ctx), *identifier)
}

func groupFromIdentifier(p partition, id string) (string, error) {
	if !strings.HasPrefix(id, "arn:") {
		return id, nil
	}
	prefix := "arn:aws:logs:" + p.Region + ":" + p.Account + ":log-group:"
	rest, ok := strings.CutPrefix(id, prefix)
	if !ok {
		if strings.Count(id, ":") >= 6 && strings.Contains(id, ":log-group:") {
			return "", errGroupNotFound()
		}
		return "", invalidParameter("Invalid log group ARN: %s", id)
	}
	rest = strings.TrimSuffix(rest, ":*")
	if rest == "" || strings.Contains(rest, ":") {
		return "", invalidParameter("Invalid log group ARN: %s", id)
	}
	return rest, nil
}
