// Package alarms is CloudWatch's alarms: metric alarms (a single metric,
// metric math, or a Metrics Insights query) and composite alarms, evaluated
// on the injected clock as CloudWatch documents it (evaluate.go: M out of N
// over an evaluation range, TreatMissingData's tables), with StateReason and
// StateReasonData shaped like AWS's (reason.go), history (history.go) and
// actions on state transitions (actions.go).
//
// It owns the cw_alarms, cw_alarm_history and cw_alarm_actions tables in
// SQLite. Every alarm is also held in memory; a configuration or state
// change is written to SQLite before it is acknowledged or acted upon, and
// the actions a transition calls for are queued in the same transaction, so
// a crash neither loses nor repeats a transition's notification. The last
// evaluated cycle is kept per alarm, so a restart never evaluates one cycle
// twice.
//
// It reads metric data through the MetricData interface (the CloudWatch
// handler's GetMetricData, so alarms see exactly what GetMetricData answers)
// and notifies SNS topics through Notifier. It must not touch other
// services' tables.
package alarms
