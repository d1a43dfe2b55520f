package cloudwatch

import (
	"context"

	cwapi "github.com/vigilhq/vigil/internal/api/cloudwatch"
	"github.com/vigilhq/vigil/internal/clock"
	"github.com/vigilhq/vigil/internal/metricstore"
	"github.com/vigilhq/vigil/internal/reqctx"
)

// Store is what the handlers need of the metrics engine.
type Store interface {
	// Append stores ds; it keeps nothing of ds (nor of their Dims) after it
	// returns, for the caller reuses them.
	Append(ctx context.Context, p metricstore.Partition, ds []metricstore.Datum) error
	Series(ctx context.Context, p metricstore.Partition, f metricstore.SeriesFilter, after *metricstore.SeriesKey, limit int) ([]metricstore.SeriesInfo, error)
	Query(ctx context.Context, p metricstore.Partition, q metricstore.Query) ([]metricstore.Bucket, error)
	LinkEntity(ctx context.Context, p metricstore.Partition, e metricstore.Entity, keys []metricstore.SeriesKey) error
}

// Service is the CloudWatch handler. Operations not implemented here answer
// NotImplemented through the embedded generated type.
type Service struct {
	cwapi.Unimplemented
	store  Store
	clock  clock.Clock
	alarms Alarms
}

// New returns a CloudWatch service over store.
func New(store Store, clk clock.Clock) *Service {
	return &Service{store: store, clock: clk}
}

func partition(ctx context.Context) metricstore.Partition {
	r := reqctx.From(ctx)
	return metricstore.Partition{Account: r.Caller.AccountID, Region: r.Region}
}
