"""Regenerates real.txt: request forms serialized by botocore's own query
serializer from the installed models, with the parameters they came from.
TestGolden decodes each form with the generated shapes and checks the result
equals the parameters. Run: python3 gen.py > real.txt (then go test -rewrite
to refresh the printed values)."""
import base64
import datetime
import json
import urllib.parse

import botocore.session
from botocore.serialize import create_serializer

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
    ("sqs", "SendMessage", {
        "QueueUrl": "http://localhost/000000000000/q", "MessageBody": "body",
        "DelaySeconds": 5,
        "MessageAttributes": {"a": {"DataType": "String", "StringValue": "x"},
                              "l": {"DataType": "String", "StringListValues": ["p", "q"]}},
    }),
    ("sqs", "ReceiveMessage", {
        "QueueUrl": "http://localhost/000000000000/q", "AttributeNames": ["All"],
        "MessageSystemAttributeNames": ["SenderId", "SentTimestamp"], "MessageAttributeNames": ["a", "b.*"],
        "MaxNumberOfMessages": 10, "WaitTimeSeconds": 20,
    }),
    ("sqs", "CreateQueue", {"QueueName": "q", "Attributes": {"DelaySeconds": "0", "VisibilityTimeout": "30"}, "tags": {"t": "v"}}),
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
    first = True
    for service, op, params in CASES:
        model = session.get_service_model(service)
        req = ser.serialize_to_request(params, model.operation_model(op))
        form = urllib.parse.urlencode(list(req["body"].items()))
        if not first:
            print()
        first = False
        print(f"# botocore {botocore.__version__} query serializer, {service} {op}")
        print(f"decode service={service} op={op}")
        for part in form.split("&"):
            print(part)
        print("expect " + json.dumps(plain(params), separators=(",", ":"), sort_keys=True, ensure_ascii=False))
        print("----")


main()
