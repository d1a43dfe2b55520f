// Package awsmetrics aggregates the CloudWatch metrics Vigil's own services
// publish in AWS/ namespaces (AWS/Events, AWS/SQS, AWS/SNS) and writes them
// into the metrics store. Users cannot PutMetricData into an AWS/ namespace;
// these services write through the store directly.
//
// It owns nothing but its in-memory aggregate and the goroutine that
// flushes it; what a metric means, and when it is recorded, is each
// service's business.
//
// Aggregator is the one piece: services record into it (Add, AddSet) or
// let it sample them (Options.Collect), and it flushes on its goroutine.
package awsmetrics
