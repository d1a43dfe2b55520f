package cloudwatch

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"time"

	cwapi "github.com/vigilhq/vigil/internal/api/cloudwatch"
	"github.com/vigilhq/vigil/internal/api/shape"
	"github.com/vigilhq/vigil/internal/metricstore"
	"github.com/vigilhq/vigil/internal/reqctx"
)

const (
	listMetricsPage = 500
	// ListMetrics shows only metrics with data in the past two weeks.
	listMetricsWindow = 14 * 24 * time.Hour
	recentlyActive    = 3 * time.Hour
)

// ListMetrics lists the caller's metrics matching the filters, 500 a page,
// in (namespace, metric name, dimensions) order.
func (s *Service) ListMetrics(ctx context.Context, in *cwapi.ListMetricsInput) (*cwapi.ListMetricsOutput, error) {
	r := reqctx.From(ctx)
	f := metricstore.SeriesFilter{Namespace: in.Namespace, MetricName: in.MetricName, ActiveSince: r.Time.Add(-listMetricsWindow)}
	for _, d := range in.Dimensions {
		f.Dims = append(f.Dims, metricstore.DimFilter{Name: shape.Value(d.Name), Value: d.Value})
	}
	if in.RecentlyActive != nil {
		// The model allows only PT3H.
		f.ActiveSince = r.Time.Add(-recentlyActive)
	}
	if in.OwningAccount != nil && *in.OwningAccount != r.Caller.AccountID {
		// No cross-account observability links exist in Vigil: another
		// account owns no metric this caller can see.
		return &cwapi.ListMetricsOutput{Metrics: []cwapi.Metric{}}, nil
	}
	var after *metricstore.SeriesKey
	if in.NextToken != nil {
		k, err := decodeSeriesToken(*in.NextToken)
		if err != nil {
			return nil, &cwapi.InvalidNextToken{Message: shape.Ptr("The service couldn't process the NextToken. It may have expired or been used with different parameters.")}
		}
		after = k
	}
	found, err := s.store.Series(ctx, partition(ctx), f, after, listMetricsPage+1)
	if err != nil {
		return nil, err
	}
	out := &cwapi.ListMetricsOutput{Metrics: make([]cwapi.Metric, 0, min(len(found), listMetricsPage))}
	if len(found) > listMetricsPage {
		found = found[:listMetricsPage]
		out.NextToken = shape.Ptr(encodeSeriesToken(found[len(found)-1].Key))
	}
	for _, si := range found {
		out.Metrics = append(out.Metrics, apiMetric(si.Key))
		if shape.Value(in.IncludeLinkedAccounts) {
			out.OwningAccounts = append(out.OwningAccounts, r.Caller.AccountID)
		}
	}
	return out, nil
}

func apiMetric(k metricstore.SeriesKey) cwapi.Metric {
	m := cwapi.Metric{Namespace: shape.Ptr(k.Namespace), MetricName: shape.Ptr(k.MetricName), Dimensions: []cwapi.Dimension{}}
	for _, d := range k.Dims {
		m.Dimensions = append(m.Dimensions, cwapi.Dimension{Name: shape.Ptr(d.Name), Value: shape.Ptr(d.Value)})
	}
	return m
}

// A ListMetrics token is the last series of the page it ends.
func encodeSeriesToken(k metricstore.SeriesKey) string {
	b, _ := json.Marshal(k)
	return base64.RawURLEncoding.EncodeToString(b)
}

func decodeSeriesToken(tok string) (*metricstore.SeriesKey, error) {
	b, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil {
		return nil, err
	}
	var k metricstore.SeriesKey
	if err := json.Unmarshal(b, &k); err != nil {
		return nil, err
	}
	return &k, nil
}
