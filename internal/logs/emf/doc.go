// Package emf is CloudWatch's embedded metric format (EMF): given one log
// event message as PutLogEvents stored it, Extract decides whether it is an
// EMF document and returns the metric datums CloudWatch would publish from it.
//
// It owns the reading of the format and nothing else: Extract is a pure
// function of the message (no clock, no I/O, nothing kept between calls but
// pooled scratch buffers), safe for concurrent use. The
// Logs service calls it for every ingested event; storing the event (always,
// EMF or not), checking T against its clock (PutMetricData accepts two weeks
// back and two hours ahead), and appending the datums to the metrics engine
// are the caller's. It imports only metricstore's types, never the CloudWatch
// handler: the checks it shares with PutMetricData are reimplemented in
// valid.go.
//
// # Sources
//
// The specification is the CloudWatch User Guide's "Specification: Embedded
// metric format" (CloudWatch_Embedded_Metric_Format_Specification), read with
// "Using the PutLogEvents API to send manually-created embedded metric format
// logs" (the x-amzn-logs-format: json/emf header is optional, so every event
// is examined), the CloudWatch Logs User Guide's "Monitoring with CloudWatch
// metrics" (EMFParsingErrors: events "identified as embedded metric format
// but [that] do not follow the correct format"; EMFValidationErrors: "metric
// definitions ... [that] do not adhere to the embedded metric format and
// MetricDatum specifications", with the note "Certain validation errors can
// lead to multiple metrics within an EMF log not being published. For
// example, all metrics set with an invalid namespace will be dropped."), and
// the CloudWatch API Reference's MetricDatum and Dimension.
//
// # Documents
//
// A message is examined only if it contains the bytes "_aws" with their
// quotes (a member name spelled with escapes, "\u005faws", is not looked
// for). It is an EMF document when it is exactly one JSON object (RFC 8259,
// blanks around it allowed: "no additional data at the beginning or end";
// the older guide's exception for Lambda's prefixed lines is gone) whose root
// has an _aws object holding a CloudWatchMetrics member. Strict JSON: no NaN
// or Infinity, no comments or trailing commas, control characters escaped,
// nesting at most 10000 deep (encoding/json's limit, so both accept the same
// messages). With duplicate member names the last one counts, as with
// encoding/json; names are compared after unescaping and are case-sensitive
// ("Members defined in this specification are case-sensitive"). Members the
// specification does not define are ignored ("MUST be ignored"), including
// the entity fields (Service, Environment, ...).
//
// Nothing is extracted (ok is false) when the message is not such a
// document, or when it is invalid as a whole:
//   - _aws is not an object, or CloudWatchMetrics is not an array;
//   - _aws.Timestamp is missing or not a whole number of milliseconds in
//     [0, 2^53] (it is required, "milliseconds after Jan 1, 1970", and
//     dates every metric of the event; 1.7e12 is a whole number);
//   - the document would produce more than 100,000 datums: Vigil's bound on
//     one event, not AWS's (the specification bounds metrics per directive
//     and values per metric, not directives or dimension sets).
//
// # Granularity of the other errors
//
// Each (metric, dimension set) pair is one MetricDatum, and the
// EMFValidationErrors note makes dropping per metric the rule, with coarser
// drops where the error concerns more than one metric. So an invalid part
// is skipped alone and the rest of the document is extracted (ok stays
// true, possibly with no datums):
//
// A MetricDirective (every metric it defines) is dropped when it is not an
// object; its Namespace is missing, not a string, or fails PutMetricData's
// rules (1 to 255 ASCII letters, digits, spaces and . - _ / # :, a
// non-space among them, not starting with ':', not under the reserved
// AWS/); its Metrics is missing, not an array, or holds more than 100
// entries ("MUST NOT contain more than 100 MetricDefinition objects"; AWS
// support called such events invalid, and they published nothing:
// open-telemetry/opentelemetry-collector-contrib#16186); or its Dimensions is
// present, not null, and not an array.
//
// A DimensionSet (the metrics' datums for that set) is dropped when it is not
// an array; holds more than 30 keys ("MUST NOT contain more than 30
// dimension keys"); holds a key that is not a string or not a valid
// dimension name (ASCII, a non-blank character, no control character but
// tab, not starting with ':', at most 255 characters; the schema's 250 is
// not enforced, the API's 255 is); names a target that is missing from the
// root ("The root node MUST contain all target members") or not a string ("A
// dimension target MUST have a string value": 200 is not "200"); has a value
// that is not a valid dimension value (ASCII, a non-blank character, no
// control character but tab, at most 1024 characters, "MUST NOT contain more
// than 1024 characters"); or names one dimension twice (duplicate dimension
// names, which PutMetricData rejects). When every set of a directive is
// invalid, nothing is published for it: an invalid set never falls back to
// "no dimensions".
//
// A MetricDefinition (all its datums) is dropped when it is not an object;
// its Name is missing, not a string, or not 1 to 255 characters (counted in
// UTF-16 units, as the API counts them); its Unit is present, not null, and
// not one of CloudWatch's StandardUnit names spelled exactly (the schema's
// pattern: "count", "NONE" and "" are invalid); its StorageResolution is
// present, not null, and not the number 1 or 60 ("Values SHOULD be valid
// CloudWatch supported resolutions, 1 or 60"; MetricDatum accepts nothing
// else); or its target is missing, not a number or array of numbers ("A
// metric target MUST be a numeric value or an array of numeric values":
// "5", true, null and objects are invalid), an array of more than 100
// members ("MUST NOT have more than 100 members"), or holds a value outside
// ±2^360 (PutMetricData's range; 1e400 reads as infinity). Targets are root
// members only: "A.a" names the member "A.a", never a nested a ("Target
// values cannot be nested").
//
// # Choices where AWS is silent
//
//   - Dimensions missing, null or [] means one empty set: the metrics are
//     published without dimensions. The specification lists Dimensions as
//     required (its schema: minItems 1), but its own entity example omits it,
//     AWS's OpenTelemetry EMF exporters omit it for metrics without
//     attributes, and the AWS client libraries write [] for "no dimensions".
//     An empty set [] inside Dimensions also means no dimensions ("A
//     DimensionSet MAY be empty").
//   - null for an optional member (Unit, StorageResolution, Dimensions) is
//     the member's absence; for a required one (Timestamp, Namespace,
//     Metrics, Name) it is invalid like any other non-string.
//   - Nothing is deduplicated: a metric listed twice, or a dimension set
//     listed twice, publishes twice, as written.
//   - An array target gives one datum per value, in order, each with
//     Count 1, as PutMetricData turns Values without Counts into datums; an
//     empty array gives none. Object targets ({"Values", "Counts", "Sum",
//     ...}, which AWS's OpenTelemetry exporters write for histograms) are
//     not in the specification and are invalid targets here.
//   - Unit absent is stored as "" and "None" as "None" (the store reads both
//     as None), as PutMetricData stores them.
//
// # Datums
//
// In order: directives as listed; within a directive, metrics as listed,
// each across the valid dimension sets as listed, each set across the
// target's values. Every datum has the directive's namespace, the metric's
// name, the set's dimensions sorted by name (as PutMetricData sorts them, so
// EMF and PutMetricData series are the same series), T = _aws.Timestamp,
// the unit, HighRes for StorageResolution 1, and Count 1. Datums of one set
// share its Dims array; their strings are the datums' own, never the
// message's.
//
// # Performance
//
// A message without "_aws" costs one substring search and no allocation
// (~20-25 ns for a 300-byte JSON log line). An EMF document costs one
// validating pass over the message that records the root's members, one pass
// over the _aws value into a token tape (tape.go) that the directive walk
// then reads without rescanning, and three allocations: the datums, their
// dimensions and one arena for every string. See emf_timing_test.go.
package emf
