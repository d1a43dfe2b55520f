"""Regenerates real.txt and real_sqs.txt: request forms serialized by
botocore's own query serializer, with the parameters they came from.
TestGolden decodes each form with the generated shapes and checks the result
equals the parameters. Run:

    python3 gen.py > ../real.txt
    python3 gen.py sqs > ../real_sqs.txt

then go test -rewrite to refresh the printed values. botocore's SQS model is
JSON only, so the SQS forms are serialized from the query-protocol model the
generator merges in (aws-sdk-go v1.47.5, see internal/gen/overlay.go),
located with `go mod download`."""
import base64
import datetime
import json
import os
import subprocess
import sys
import urllib.parse

import botocore.model
import botocore.session
from botocore.serialize import create_serializer

SQS_QUERY_MODULE = "github.com/aws/aws-sdk-go@v1.47.5"
SQS_QUERY_MODEL = "models/apis/sqs/2012-11-05/api-2.json"


def sqs_query_model():
    """The query-protocol SQS model of the pinned aws-sdk-go release."""
    info = json.loads(subprocess.run(["go", "mod", "download", "-json", SQS_QUERY_MODULE],
                                     check=True, capture_output=True, text=True).stdout)
    with open(os.path.join(info["Dir"], SQS_QUERY_MODEL)) as f:
        return botocore.model.ServiceModel(json.load(f), service_name="sqs")

UTC = datetime.timezone.utc
T = datetime.datetime(2026, 11, 25, 10, 0, 0, tzinfo=UTC)

CASES = [
    ("sns", "Publish", {
        "TopicArn": "arn:aws:sns:us-east-1:000000000000:t",
        "Message": "hello & <world> +1 ü",
        "Subject": "s",
        "MessageAttributes": {
            "color": {"DataType": "String", "StringValue": "blue"},
            "raw": {"DataType": "Binary", "BinaryValue": b"\x00\x01\xff"},
        },
    }),
    ("sns", "CreateTopic", {
        "Name": "orders.fifo",
        "Attributes": {"FifoTopic": "true", "DisplayName": "Orders"},
        "Tags": [{"Key": "team", "Value": "core"}, {"Key": "env", "Value": "dev"}],
    }),
    ("sns", "PublishBatch", {
        "TopicArn": "arn:aws:sns:us-east-1:000000000000:t",
        "PublishBatchRequestEntries": [
            {"Id": "1", "Message": "a", "MessageAttributes": {"k": {"DataType": "Number", "StringValue": "1"}}},
            {"Id": "2", "Message": "b"},
        ],
    }),
    ("sns", "Subscribe", {
        "TopicArn": "arn:aws:sns:us-east-1:000000000000:t", "Protocol": "sqs",
        "Endpoint": "arn:aws:sqs:us-east-1:000000000000:q", "ReturnSubscriptionArn": True,
    }),
    ("sts", "AssumeRole", {
        "RoleArn": "arn:aws:iam::000000000000:role/r", "RoleSessionName": "session",
        "PolicyArns": [{"arn": "arn:aws:iam::aws:policy/ReadOnlyAccess"}],
        "DurationSeconds": 900,
        "Tags": [{"Key": "k", "Value": "v"}],
        "TransitiveTagKeys": ["k"],
    }),
    ("sts", "GetCallerIdentity", {}),
    ("cloudwatch", "PutMetricData", {
        "Namespace": "Vigil/Test",
        "MetricData": [
            {"MetricName": "Latency", "Dimensions": [{"Name": "Service", "Value": "api"}, {"Name": "Az", "Value": "a"}],
             "Timestamp": T, "Values": [1.5, 2.0, 1e-07], "Counts": [3.0, 1.0, 1.0], "Unit": "Milliseconds", "StorageResolution": 1},
            {"MetricName": "Errors", "Value": -0.25, "Dimensions": [],
             "StatisticValues": {"SampleCount": 2.0, "Sum": 3.0, "Minimum": 1.0, "Maximum": 2.0}},
        ],
        "StrictEntityValidation": False,
    }),
    ("cloudwatch", "PutMetricAlarm", {
        "AlarmName": "high", "ActionsEnabled": True, "AlarmActions": ["arn:aws:sns:us-east-1:000000000000:t"],
        "EvaluationPeriods": 3, "DatapointsToAlarm": 2, "Threshold": 90.5, "ComparisonOperator": "GreaterThanThreshold",
        "TreatMissingData": "breaching",
        "Metrics": [
            {"Id": "m1", "ReturnData": False, "MetricStat": {"Metric": {"Namespace": "AWS/EC2", "MetricName": "CPUUtilization",
                "Dimensions": [{"Name": "InstanceId", "Value": "i-1"}]}, "Period": 60, "Stat": "p99"}},
            {"Id": "e1", "Expression": "m1 * 2", "Label": "doubled", "ReturnData": True},
        ],
        "Tags": [{"Key": "k", "Value": "v"}],
    }),
    ("cloudwatch", "GetMetricData", {
        "MetricDataQueries": [{"Id": "q", "Expression": "SELECT AVG(CPUUtilization) FROM \"AWS/EC2\"", "Period": 300}],
        "StartTime": T - datetime.timedelta(hours=1), "EndTime": T, "ScanBy": "TimestampDescending", "MaxDatapoints": 100,
        "LabelOptions": {"Timezone": "+0130"},
    }),
    ("cloudwatch", "ListMetrics", {"Namespace": "AWS/EC2", "Dimensions": [{"Name": "InstanceId"}], "RecentlyActive": "PT3H"}),
]

SQS_CASES = [
    ("sqs", "SendMessage", {
        "QueueUrl": "http://localhost/000000000000/q", "MessageBody": "body & <b>",
        "DelaySeconds": 5,
        "MessageAttributes": {"a": {"DataType": "String", "StringValue": "x"},
                              "bin": {"DataType": "Binary", "BinaryValue": b"\x00\x01\xff"},
                              "l": {"DataType": "String", "StringListValues": ["p", "q"]},
                              "bl": {"DataType": "Binary", "BinaryListValues": [b"\x01", b"\x02\x03"]}},
        "MessageSystemAttributes": {"AWSTraceHeader": {"DataType": "String", "StringValue": "Root=1-5759e988-bd862e3fe1be46a994272793"}},
        "MessageDeduplicationId": "d", "MessageGroupId": "g",
    }),
    ("sqs", "SendMessageBatch", {
        "QueueUrl": "http://localhost/000000000000/q",
        "Entries": [
            {"Id": "1", "MessageBody": "a", "MessageAttributes": {"k": {"DataType": "Number", "StringValue": "1"}}},
            {"Id": "2", "MessageBody": "b", "DelaySeconds": 1},
        ],
    }),
    ("sqs", "ReceiveMessage", {
        "QueueUrl": "http://localhost/000000000000/q", "AttributeNames": ["All", "SentTimestamp"],
        "MessageAttributeNames": ["a", "b.*"],
        "MaxNumberOfMessages": 10, "WaitTimeSeconds": 20, "VisibilityTimeout": 0,
        "ReceiveRequestAttemptId": "r",
    }),
    ("sqs", "CreateQueue", {"QueueName": "q.fifo", "Attributes": {"FifoQueue": "true", "VisibilityTimeout": "30"},
                            "tags": {"team": "core", "env": "dev"}}),
    ("sqs", "SetQueueAttributes", {"QueueUrl": "http://localhost/000000000000/q", "Attributes": {"DelaySeconds": "0"}}),
    ("sqs", "GetQueueAttributes", {"QueueUrl": "http://localhost/000000000000/q", "AttributeNames": ["QueueArn", "Policy"]}),
    ("sqs", "TagQueue", {"QueueUrl": "http://localhost/000000000000/q", "Tags": {"k": "v"}}),
    ("sqs", "UntagQueue", {"QueueUrl": "http://localhost/000000000000/q", "TagKeys": ["k", "l"]}),
    ("sqs", "AddPermission", {"QueueUrl": "http://localhost/000000000000/q", "Label": "l",
                              "AWSAccountIds": ["111111111111", "222222222222"], "Actions": ["SendMessage", "ReceiveMessage"]}),
    ("sqs", "DeleteMessageBatch", {"QueueUrl": "http://localhost/000000000000/q",
                                   "Entries": [{"Id": "1", "ReceiptHandle": "h1"}, {"Id": "2", "ReceiptHandle": "h+/="}]}),
    ("sqs", "ChangeMessageVisibilityBatch", {"QueueUrl": "http://localhost/000000000000/q",
                                             "Entries": [{"Id": "1", "ReceiptHandle": "h1", "VisibilityTimeout": 60}]}),
    ("sqs", "ListQueues", {"QueueNamePrefix": "q", "MaxResults": 10, "NextToken": "t"}),
    ("sqs", "GetQueueUrl", {"QueueName": "q", "QueueOwnerAWSAccountId": "000000000000"}),
]


def plain(v):
    if isinstance(v, dict):
        return {k: plain(x) for k, x in v.items()}
    if isinstance(v, list):
        return [plain(x) for x in v]
    if isinstance(v, bytes):
        return base64.b64encode(v).decode()
    if isinstance(v, datetime.datetime):
        return v.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return v


def main():
    session = botocore.session.get_session()
    ser = create_serializer("query")
    sqs = len(sys.argv) > 1 and sys.argv[1] == "sqs"
    sqs_model = sqs_query_model() if sqs else None
    first = True
    for service, op, params in (SQS_CASES if sqs else CASES):
        model = sqs_model if sqs else session.get_service_model(service)
        req = ser.serialize_to_request(params, model.operation_model(op))
        form = urllib.parse.urlencode(list(req["body"].items()))
        if not first:
            print()
        first = False
        source = f" (model: {SQS_QUERY_MODULE} {SQS_QUERY_MODEL})" if sqs else ""
        print(f"# botocore {botocore.__version__} query serializer{source}, {service} {op}")
        print(f"decode service={service} op={op}")
        for part in form.split("&"):
            print(part)
        print("expect " + json.dumps(plain(params), separators=(",", ":"), sort_keys=True, ensure_ascii=False))
        print("----")


if __name__ == "__main__":
    main()
