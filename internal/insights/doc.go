// Package insights is CloudWatch Logs Insights: the query manager (this
// file's Manager: the lifecycle StartQuery, GetQueryResults, StopQuery and
// DescribeQueries expose — Scheduled, Running with partial results,
// Complete, Failed, Cancelled, Timeout after 60 minutes — 30 running
// queries per account and region, results kept 7 days) and, in its
// subpackages, the query language: query (the parser) and funcs (values,
// scalar functions and operators). The executor over the log store's
// blocks is the Executor the Manager runs; the Logs handlers resolve log
// groups and turn Manager answers into API shapes.
//
// The package owns its goroutines (one per running query) and nothing on
// disk: results live in memory, so a restart forgets them (queries are
// short-lived; AWS keeps results 7 days, Vigil until a restart or 7 days).
package insights
