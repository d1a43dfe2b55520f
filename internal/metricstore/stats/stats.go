// Package stats summarises observations the way CloudWatch does: an Agg
// holds what every statistic needs (sample count, sum, minimum, maximum and
// the distribution of values), aggregates merge across time and series, and
// Compute answers a statistic by name — SampleCount, Average, Sum, Minimum,
// Maximum and every extended statistic (pNN.NN, tmNN, tm(a%:b%), wmNN,
// tcNN, tsNN, PR(a:b), IQM). It is a pure library: no storage, no clock,
// no goroutines; it must not import the engine or the API layer.
//
// Files: agg.go (building and merging aggregates), sketch.go (the relative-
// error quantile sketch), statistic.go (parsing statistic names),
// compute.go (their semantics), encode.go (the versioned binary form).
// testdata/ holds the data-driven cases for ParseStatistic and Compute.
package stats

// ValueCount is one observed value and how many times it was observed.
type ValueCount struct {
	Value float64
	Count float64
}

// Agg summarises a set of observations. The zero value is an empty
// aggregate. An Agg is not safe for concurrent use.
//
// Percentile-style statistics are exact while Exact holds every value
// (raw data); once values are summarised in Sketch (rolled-up data, or more
// distinct values than an exact aggregate keeps) they are approximate with
// Sketch's documented relative error. Statistic sets added with AddSet that
// cannot be expanded into values make percentile-style statistics
// unavailable, as CloudWatch documents.
type Agg struct {
	Count float64 // SampleCount
	Sum   float64
	Min   float64
	Max   float64

	// Exact is every observed value with its count, sorted by value with
	// equal values merged, while the aggregate is exact.
	Exact []ValueCount
	// Sketch summarises the distribution once the aggregate is not exact.
	Sketch *Sketch
	// NoDistribution is set when a statistic set without a known
	// distribution was added: only SampleCount/Sum/Min/Max/Average remain.
	NoDistribution bool

	spare *Sketch // an emptied Sketch kept by Reset for reuse
}
