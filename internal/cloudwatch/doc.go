// Package cloudwatch implements CloudWatch's metric operations on top of the
// metrics engine (internal/metricstore): PutMetricData with AWS's rules and
// errors, ListMetrics, GetMetricStatistics and GetMetricData (metric math,
// Metrics Insights). It owns request validation and the shape of answers;
// storage, statistics, the math language and the SQL dialect live in their
// own packages. Alarms, dashboards and anomaly detection come with their
// own issues.
package cloudwatch
