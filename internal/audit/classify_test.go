package audit

import "testing"

func TestClassify(t *testing.T) {
	mgmtRO := Class{Management: true, ReadOnly: true}
	mgmtRW := Class{Management: true}
	dataRO := Class{ReadOnly: true}
	dataRW := Class{}
	for _, c := range []struct {
		svc, op string
		want    Class
	}{
		{"cloudwatch", "PutMetricAlarm", mgmtRW},
		{"cloudwatch", "DescribeAlarms", mgmtRO},
		{"cloudwatch", "ListMetrics", mgmtRO},
		{"cloudwatch", "GetMetricData", dataRO},
		{"cloudwatch", "GetMetricStatistics", dataRO},
		{"cloudwatch", "PutMetricData", dataRW},
		{"cloudwatch", "GetMetricWidgetImage", mgmtRO},
		{"cloudwatch", "SetAlarmState", mgmtRW},
		{"logs", "CreateLogGroup", mgmtRW},
		{"logs", "DescribeLogGroups", mgmtRO},
		{"logs", "PutLogEvents", dataRW},
		{"logs", "GetLogEvents", dataRO},
		{"logs", "FilterLogEvents", dataRO},
		{"logs", "StartLiveTail", dataRW},
		{"logs", "StartQuery", mgmtRO},
		{"logs", "StopQuery", mgmtRW},
		{"logs", "GetQueryResults", mgmtRO},
		{"logs", "TestMetricFilter", mgmtRO},
		{"events", "PutEvents", dataRW},
		{"events", "PutRule", mgmtRW},
		{"events", "TestEventPattern", mgmtRO},
		{"events", "ListRules", mgmtRO},
		{"sns", "Publish", dataRW},
		{"sns", "PublishBatch", dataRW},
		{"sns", "CreateTopic", mgmtRW},
		{"sns", "GetTopicAttributes", mgmtRO},
		{"sqs", "SendMessage", dataRW},
		{"sqs", "SendMessageBatch", dataRW},
		{"sqs", "ReceiveMessage", dataRO},
		{"sqs", "DeleteMessage", dataRW},
		{"sqs", "DeleteMessageBatch", dataRW},
		{"sqs", "ChangeMessageVisibility", dataRW},
		{"sqs", "ChangeMessageVisibilityBatch", dataRW},
		{"sqs", "CreateQueue", mgmtRW},
		{"sqs", "GetQueueUrl", mgmtRO},
		{"sqs", "PurgeQueue", mgmtRW},
		{"cloudtrail", "LookupEvents", mgmtRO},
		{"cloudtrail", "CreateTrail", mgmtRW},
		{"cloudtrail", "StartQuery", mgmtRO},
		{"cloudtraildata", "PutAuditEvents", dataRW},
		{"configservice", "PutConfigRule", mgmtRW},
		{"configservice", "SelectResourceConfig", mgmtRO},
		{"configservice", "BatchGetResourceConfig", mgmtRO},
		{"sts", "GetCallerIdentity", mgmtRO},
		{"sts", "AssumeRole", mgmtRW},
		// Prefixes need a word boundary.
		{"x", "Getaway", mgmtRW},
		{"x", "Lookup", mgmtRO},
	} {
		if got := Classify(c.svc, c.op); got != c.want {
			t.Errorf("Classify(%s, %s) = %+v, want %+v", c.svc, c.op, got, c.want)
		}
	}
}
