// Package metricmath parses and evaluates CloudWatch metric math expressions
// (the Expression field of a GetMetricData MetricDataQuery) and CloudWatch
// search expressions (the string inside SEARCH(...)).
//
// It is a pure library: it owns the grammar, the type rules (scalar, time
// series, array of time series), the documented semantics of every function,
// and the SEARCH matcher. It does not touch storage, the clock or the wire:
// the GetMetricData handler supplies the data through Env and maps the errors
// returned here (always *Error) to AWS errors or Messages.
//
// # Data model
//
// A Series is sparse: Timestamps lists only the periods that have a value,
// ascending, and Values[i] belongs to Timestamps[i]. A NaN value is treated
// exactly like an absent timestamp ("missing"): inputs are normalised on the
// way in, and results never contain NaN or ±Inf (a point whose computed
// value is not finite is dropped, as CloudWatch drops points that divide by
// zero).
//
// # Semantics decisions (sources: the CloudWatch User Guide pages "Using
// metric math" and "Use search expressions in graphs")
//
//   - Arithmetic and comparison between two time series work on the union of
//     their timestamps; a value missing on one side counts as 0 ("Missing
//     values in a time series are treated as 0"). A point whose result is a
//     division by zero (or is otherwise not finite) is dropped.
//   - Time series op scalar applies to each existing point only.
//   - Array op series / array op scalar applies element-wise; array op array
//     is an error (the docs list no such form).
//   - AVG/MAX/MIN/SUM/STDDEV/DATAPOINT_COUNT of one series is a scalar over
//     its existing points; of an array it is one series, reduced per
//     timestamp over the union of timestamps. AVG and SUM count a missing
//     value as 0 (documented for AVG); MIN, MAX and STDDEV use only the values
//     present; DATAPOINT_COUNT counts the series reporting at each timestamp.
//     STDDEV is the population standard deviation.
//   - The reduction of an empty series is a missing scalar (NaN); any
//     operation with a missing scalar yields missing points.
//   - IF follows the tables in "Using IF expressions" literally (see fn_if.go).
//   - Functions whose result is non-sparse (FILL, TIME_SERIES, MINUTE, HOUR,
//     DAY, DATE, MONTH, YEAR, EPOCH) use the grid Start + k*period, k >= 0,
//     while < End, where period is the series' Period (or Env.Period()).
//     Date functions use UTC; DAY is 1 (Monday) … 7 (Sunday).
//   - The final result of an expression must be a series or an array of
//     series; a scalar final result is an error, as in CloudWatch.
//   - Labels: a function of one series keeps that series' Label and Props;
//     array results keep each member's Label so the handler can build
//     "Expression-Label Metric-Label" legends (see ResultLabels).
//
// Functions CloudWatch documents but Vigil does not implement yet
// (ANOMALY_DETECTION_BAND, DB_PERF_INSIGHTS, INSIGHT_RULE_METRIC, LAMBDA,
// SERVICE_QUOTA) fail at Parse with an *Error whose Unsupported field is set
// and whose message names the function. Metrics Insights queries (SELECT …)
// are not metric math: Parse rejects them with ErrInsightsQuery so the
// handler can route them elsewhere.
//
// Everything here is safe for concurrent use: an *Expr is immutable after
// Parse, and Eval keeps its state on the stack.
package metricmath
