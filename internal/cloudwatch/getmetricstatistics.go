package cloudwatch

import (
	"context"
	"errors"
	"time"

	cwapi "github.com/vigilhq/vigil/internal/api/cloudwatch"
	"github.com/vigilhq/vigil/internal/api/shape"
	"github.com/vigilhq/vigil/internal/metricstore"
	"github.com/vigilhq/vigil/internal/metricstore/stats"
	"github.com/vigilhq/vigil/internal/reqctx"
)

const maxStatisticsDatapoints = 1440

// Data age tiers (CloudWatch's retention schedule): older data is only kept
// at coarser periods, so a query starting that far back needs a period that
// is a multiple of the tier's resolution, else it gets no datapoints.
var ageTiers = []struct {
	olderThan  time.Duration
	resolution time.Duration
}{
	{63 * 24 * time.Hour, time.Hour},
	{15 * 24 * time.Hour, 5 * time.Minute},
	{3 * time.Hour, time.Minute},
}

// GetMetricStatistics returns the requested statistics of one metric per
// period over [StartTime, EndTime).
func (s *Service) GetMetricStatistics(ctx context.Context, in *cwapi.GetMetricStatisticsInput) (*cwapi.GetMetricStatisticsOutput, error) {
	now := reqctx.From(ctx).Time
	if len(in.Statistics) == 0 && len(in.ExtendedStatistics) == 0 {
		return nil, missingParameter("Must specify either Statistics or ExtendedStatistics.")
	}
	if len(in.Statistics) > 0 && len(in.ExtendedStatistics) > 0 {
		return nil, invalidCombination("The parameters Statistics and ExtendedStatistics are mutually exclusive and you have specified both.")
	}
	var sts []stats.Statistic
	for _, name := range in.Statistics {
		st, err := stats.ParseStatistic(name)
		if err != nil || st.Extended() {
			return nil, invalidValue("The value %s for parameter Statistics is not a valid statistic.", name)
		}
		sts = append(sts, st)
	}
	for _, name := range in.ExtendedStatistics {
		st, err := stats.ParseStatistic(name)
		var pe *stats.ParseError
		if errors.As(err, &pe) {
			return nil, invalidValue("%s", pe.Message("ExtendedStatistics"))
		}
		if err != nil || !st.Extended() {
			return nil, invalidValue("The value %s for parameter ExtendedStatistics is not a valid extended statistic.", name)
		}
		sts = append(sts, st)
	}
	start, end := *in.StartTime, *in.EndTime
	if !start.Before(end) {
		return nil, invalidValue("The parameter StartTime must be less than the parameter EndTime.")
	}
	period := time.Duration(*in.Period) * time.Second
	if err := checkPeriod(*in.Period, "Period"); err != nil {
		return nil, err
	}
	if n := (end.Sub(start) + period - 1) / period; n > maxStatisticsDatapoints {
		return nil, invalidCombination("You have requested up to %d datapoints, which exceeds the limit of %d. You may reduce the datapoints requested by increasing Period, or decreasing the time range.",
			n, maxStatisticsDatapoints)
	}
	key := metricstore.SeriesKey{Namespace: *in.Namespace, MetricName: *in.MetricName}
	for _, d := range in.Dimensions {
		key.Dims = append(key.Dims, metricstore.Dim{Name: shape.Value(d.Name), Value: shape.Value(d.Value)})
	}
	sortDims(key.Dims)
	out := &cwapi.GetMetricStatisticsOutput{Label: in.MetricName, Datapoints: []cwapi.Datapoint{}}
	if !periodServes(start, now, period) {
		return out, nil
	}
	buckets, err := s.store.Query(ctx, partition(ctx), metricstore.Query{
		Key: key, Start: roundStart(start, now, period), End: end, Period: period, Unit: in.Unit,
	})
	if err != nil {
		return nil, err
	}
	for i := range buckets {
		b := &buckets[i]
		dp := cwapi.Datapoint{Timestamp: shape.Ptr(b.T.UTC()), Unit: shape.Ptr(b.Unit)}
		for _, st := range sts {
			v, ok := stats.Compute(&b.Agg, st)
			if !ok {
				continue
			}
			if st.Extended() {
				if dp.ExtendedStatistics == nil {
					dp.ExtendedStatistics = map[string]float64{}
				}
				dp.ExtendedStatistics[st.String()] = v
				continue
			}
			setSimple(&dp, st.String(), v)
		}
		out.Datapoints = append(out.Datapoints, dp)
	}
	return out, nil
}

// checkPeriod enforces CloudWatch's periods: 1, 5, 10, 30 (high resolution)
// or a multiple of 60 seconds.
func checkPeriod(p int32, param string) error {
	switch {
	case p == 1 || p == 5 || p == 10 || p == 30:
	case p > 0 && p%60 == 0:
	default:
		return invalidValue("The parameter %s must be 1, 5, 10, 30, or a multiple of 60.", param)
	}
	return nil
}

// periodServes reports whether data starting at start can be answered at
// period: sub-minute data lives 3 hours, minute data 15 days, 5-minute data
// 63 days; a finer period than the data kept at that age returns nothing,
// as in CloudWatch.
func periodServes(start, now time.Time, period time.Duration) bool {
	age := now.Sub(start)
	for _, t := range ageTiers {
		if age > t.olderThan {
			return period%t.resolution == 0
		}
	}
	return true
}

func setSimple(dp *cwapi.Datapoint, name string, v float64) {
	switch name {
	case cwapi.StatisticSampleCount:
		dp.SampleCount = shape.Ptr(v)
	case cwapi.StatisticAverage:
		dp.Average = shape.Ptr(v)
	case cwapi.StatisticSum:
		dp.Sum = shape.Ptr(v)
	case cwapi.StatisticMinimum:
		dp.Minimum = shape.Ptr(v)
	case cwapi.StatisticMaximum:
		dp.Maximum = shape.Ptr(v)
	}
}

// roundStart rounds a query's start down as CloudWatch does: to the
// period's division of a minute for 1–30-second periods, else by the start's
// age to the whole minute (under 15 days), 5 minutes (under 63 days) or hour.
func roundStart(start, now time.Time, period time.Duration) time.Time {
	if period < time.Minute {
		return start.Truncate(period)
	}
	age := now.Sub(start)
	for _, t := range ageTiers {
		if age > t.olderThan && t.resolution > time.Minute {
			return start.Truncate(t.resolution)
		}
	}
	return start.Truncate(time.Minute)
}
