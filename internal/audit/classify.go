package audit

import "strings"

// Class is how CloudTrail files one API call.
type Class struct {
	// Management is true for management (control-plane) events, the only
	// ones CloudTrail Event history (LookupEvents) keeps; false for data
	// events, which only trails and event data stores that ask for them get.
	Management bool
	// ReadOnly is the record's readOnly: the call reads resources and does
	// not change them.
	ReadOnly bool
}

// Classify returns the class of an operation of a Vigil service (the
// shape.Service ID, e.g. "cloudwatch", "logs", "sqs"). Unknown operations are
// management events, read-only when their name says so.
//
// Data events follow AWS's documentation:
//   - CloudTrail's table of data event resource types:
//     https://docs.aws.amazon.com/awscloudtrail/latest/userguide/logging-data-events-with-cloudtrail.html
//     (also https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-events.html#cloudtrail-data-events):
//     AWS::CloudWatch::Metric, AWS::Events::EventBus, AWS::SNS::Topic,
//     AWS::SQS::Queue, AWS::CloudTrail::Channel.
//   - CloudWatch metric data events:
//     https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/logging_cw_api_calls.html#CloudWatch-data-plane-events
//   - SQS data events (operations on messages):
//     https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-logging-using-cloudtrail.html#sqs-data-events-in-cloud-trail
//   - SNS Publish/PublishBatch on topics: https://docs.aws.amazon.com/sns/latest/dg/logging-using-cloudtrail.html
//   - CloudTrail Data PutAuditEvents on channels:
//     https://docs.aws.amazon.com/awscloudtraildata/latest/APIReference/API_PutAuditEvents.html
//   - CloudWatch Logs: the log-event data plane (PutLogEvents, GetLogEvents,
//     FilterLogEvents, GetLogRecord, GetLogObject, StartLiveTail) is not
//     recorded as a management event and never shows in Event history:
//     https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/logging_cw_api_calls_cwl.html
//     Vigil files these calls as data events so that they stay out of Event
//     history and remain available to a future trail sink.
//
// readOnly follows CloudTrail's "Read and write events"
// (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/logging-management-events-with-cloudtrail.html#read-write-events-mgmt):
// calls that read resources without changing them. By name: Describe*,
// Get*, List*, Lookup*, BatchGet*, Select*, Filter*, Test*; plus the
// exceptions in readOnlyOps (e.g. SQS ReceiveMessage, Logs StartQuery).
func Classify(serviceID, operation string) Class {
	k := serviceID + "." + operation
	c := Class{Management: !dataOps[k], ReadOnly: readOnlyByName(operation)}
	if ro, ok := readOnlyOps[k]; ok {
		c.ReadOnly = ro
	}
	return c
}

// dataOps are the operations AWS records as data events (see Classify).
var dataOps = map[string]bool{
	// CloudWatch metrics (AWS::CloudWatch::Metric).
	"cloudwatch.GetMetricData":       true,
	"cloudwatch.GetMetricStatistics": true,
	"cloudwatch.PutMetricData":       true,

	// CloudWatch Logs log-event data plane.
	"logs.PutLogEvents":    true,
	"logs.GetLogEvents":    true,
	"logs.FilterLogEvents": true,
	"logs.GetLogRecord":    true,
	"logs.GetLogObject":    true,
	"logs.StartLiveTail":   true,

	// EventBridge (AWS::Events::EventBus).
	"events.PutEvents":        true,
	"events.PutPartnerEvents": true,

	// SNS (AWS::SNS::Topic, AWS::SNS::PlatformEndpoint).
	"sns.Publish":      true,
	"sns.PublishBatch": true,

	// SQS (AWS::SQS::Queue): operations on messages.
	"sqs.SendMessage":                  true,
	"sqs.SendMessageBatch":             true,
	"sqs.ReceiveMessage":               true,
	"sqs.DeleteMessage":                true,
	"sqs.DeleteMessageBatch":           true,
	"sqs.ChangeMessageVisibility":      true,
	"sqs.ChangeMessageVisibilityBatch": true,

	// CloudTrail Data (AWS::CloudTrail::Channel).
	"cloudtraildata.PutAuditEvents": true,
}

// readOnlyOps overrides the name rule where the name misleads.
var readOnlyOps = map[string]bool{
	// Receiving reads messages (IAM access level Read) although it starts
	// their visibility timeout.
	"sqs.ReceiveMessage": true,
	// Logs Insights queries read log data.
	"logs.StartQuery": true,
	// CloudTrail Lake queries read event data.
	"cloudtrail.StartQuery": true,
	// Config: evaluating or selecting reads configuration.
	"configservice.SelectResourceConfig":          true,
	"configservice.SelectAggregateResourceConfig": true,
}

var readOnlyPrefixes = []string{"Describe", "Get", "List", "Lookup", "BatchGet", "Select", "Filter", "Test"}

func readOnlyByName(op string) bool {
	for _, p := range readOnlyPrefixes {
		if strings.HasPrefix(op, p) && (len(op) == len(p) || isUpper(op[len(p)])) {
			return true
		}
	}
	return false
}

func isUpper(b byte) bool { return b >= 'A' && b <= 'Z' }
