// Package insights parses and runs CloudWatch Metrics Insights queries — the SQL dialect accepted in
// a GetMetricData MetricDataQuery's Expression:
//
//	SELECT FUNCTION(metricName)
//	FROM namespace | SCHEMA(namespace[, labelKey ...])
//	[ WHERE labelKey = | != 'value' [ AND | OR ... ] ]   (parentheses group conditions)
//	[ GROUP BY labelKey [, ...] ]
//	[ ORDER BY FUNCTION() [ ASC | DESC ] ]
//	[ LIMIT n ]
//
// The package is pure: it owns the grammar, AWS's validation and error messages, and the execution
// semantics (time bucketing, cross-series aggregation, grouping, ranking and the documented limits).
// It must not touch storage, HTTP, the clock or the API layer: series and their per-period aggregates
// come from a Catalog the caller implements, "now" arrives in the Window, and errors are plain values
// (*Error for the query text) that the handler maps to AWS errors.
package insights

// Semantics (sources: the CloudWatch User Guide pages "Metrics Insights query components and syntax",
// "SQL inference", "Metrics Insights quotas" and "Reserved keywords"; decisions marked as such):
//
//   - Each period's value is the function over all observations of all matched series in that period
//     (AVG = Σsum/Σcount, COUNT = Σcount, …), so the Catalog returns sum, count, min and max per bucket.
//   - GROUP BY makes one series per combination of values, ascending by those values unless ORDER BY
//     is given; a series lacking a key falls in the null group labelled "Other".
//   - ORDER BY FUNCTION() computes the function over each returned series' datapoints in the window;
//     ties keep the GROUP BY order (decision). ORDER BY applies before LIMIT.
//   - WHERE supports =, !=, AND, OR and parentheses (AND binds tighter). A series without the label
//     satisfies neither = nor != (decision: SQL NULL semantics). LIKE, IN, NOT, <, > … are refused by name.
//   - At most MaxSeriesScanned series are read (the first the catalog finds; Partial past it) and at
//     most MaxLimit series returned (Partial when no LIMIT asked for the cut).
//   - Data older than Window.Lookback (DefaultLookback, 3 hours) before Now is not read; periods under
//     a minute are served at one minute.
