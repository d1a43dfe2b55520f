package metricstore

import (
	"errors"
	"time"

	"github.com/vigilhq/vigil/internal/metricstore/stats"
)

// Partition is the (account, region) every series belongs to. Partitions
// never see each other's data.
type Partition struct{ Account, Region string }

// Dim is one dimension of a series.
type Dim struct{ Name, Value string }

// SeriesKey identifies a series within a partition. Dims are sorted by Name
// (Append sorts a copy when they are not) and hold at most MaxDims entries.
type SeriesKey struct {
	Namespace, MetricName string
	Dims                  []Dim
}

// Datum is one PutMetricData datapoint: either a value observed Count times
// (Value/Values+Counts), or a statistic set (IsSet: SetCount, Sum, Min, Max).
type Datum struct {
	Key     SeriesKey
	T       int64  // Unix milliseconds
	Unit    string // a CloudWatch StandardUnit; "" and "None" both mean None
	HighRes bool   // StorageResolution 1: kept at 1-second resolution for 3 hours

	Value, Count float64 // when !IsSet; Count ≥ 1 (0 is taken as 1)

	IsSet                   bool
	SetCount, Sum, Min, Max float64
}

// DimFilter matches series having dimension Name, with value *Value when
// Value is non-nil.
type DimFilter struct {
	Name  string
	Value *string
}

// SeriesFilter selects series for Series (ListMetrics). Nil fields match
// anything; a series must have every filtered dimension (it may have more).
type SeriesFilter struct {
	Namespace, MetricName *string
	Dims                  []DimFilter
	// ActiveSince keeps only series written at or after it (RecentlyActive);
	// zero keeps all.
	ActiveSince time.Time
}

// SeriesInfo is one series listed by Series.
type SeriesInfo struct {
	Key       SeriesKey
	LastWrite time.Time // when the store last received a datum for it (by its clock)
}

// Query asks for the aggregates of one series over [Start, End) in buckets
// of Period: bucket i covers [Start+i·Period, Start+(i+1)·Period). The
// handler rounds Start as CloudWatch does (to the minute, 5 minutes or hour
// by age; to 5/10/20/30-second divisions for high-resolution periods).
type Query struct {
	Key        SeriesKey
	Start, End time.Time
	Period     time.Duration // ≥ 1 s, whole seconds
	Unit       *string       // when set, only datapoints with this unit ("None" for none)
}

// Bucket is the aggregate of one period for one unit. A period holding
// datapoints of several units yields one Bucket per unit (as
// GetMetricStatistics returns one datapoint per unit); periods without data
// yield none.
type Bucket struct {
	T    time.Time // the period's start
	Unit string    // "None" when the datapoints had no unit
	Agg  stats.Agg
}

// MaxDims is the most dimensions a series may have (CloudWatch's limit).
const MaxDims = 30

// Errors Append and Query refuse with. The handler validates AWS's rules
// first, so these mark programming errors or internal states; callers may
// branch on them with errors.Is.
var (
	ErrClosed       = errors.New("metricstore: store closed")
	ErrUnknownUnit  = errors.New("metricstore: unknown unit")
	ErrTooManyDims  = errors.New("metricstore: more than 30 dimensions")
	ErrInvalidValue = errors.New("metricstore: value, count or statistic set not finite or not positive")
	ErrBadQuery     = errors.New("metricstore: period must be a positive whole number of seconds")
)

// units are CloudWatch's StandardUnit values; the index is the stored id.
var units = [...]string{
	"None", "Seconds", "Microseconds", "Milliseconds", "Bytes", "Kilobytes", "Megabytes",
	"Gigabytes", "Terabytes", "Bits", "Kilobits", "Megabits", "Gigabits", "Terabits", "Percent",
	"Count", "Bytes/Second", "Kilobytes/Second", "Megabytes/Second", "Gigabytes/Second",
	"Terabytes/Second", "Bits/Second", "Kilobits/Second", "Megabits/Second", "Gigabits/Second",
	"Terabits/Second", "Count/Second",
}

var unitIDs = func() map[string]uint8 {
	m := make(map[string]uint8, len(units)+1)
	for i, u := range units {
		m[u] = uint8(i)
	}
	m[""] = 0
	return m
}()

// unitID returns the stored id of a unit name.
func unitID(u string) (uint8, bool) {
	id, ok := unitIDs[u]
	return id, ok
}
