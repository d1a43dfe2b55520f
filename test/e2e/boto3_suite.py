"""Drives a running Vigil with boto3 (JSON 1.0 for CloudWatch and SQS, JSON
1.1, awsQuery for SNS/STS, restJson1 for CloudTrail Data). Usage:
python3 boto3_suite.py ENDPOINT. Exits non-zero on the first failed check."""
import json
import sys
import time

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

endpoint = sys.argv[1]
session = boto3.session.Session(aws_access_key_id="test", aws_secret_access_key="test", region_name="us-east-1")
# No client-side validation, so the server's own validation is what answers;
# no retries, so a 501 surfaces at once.
cfg = Config(parameter_validation=False, retries={"max_attempts": 1, "mode": "standard"})


def client(name, **kw):
    return session.client(name, endpoint_url=endpoint, config=kw.pop("config", cfg), **kw)


def expect_error(what, fn, code, status=None, contains=None):
    try:
        fn()
    except ClientError as e:
        got = e.response["Error"]["Code"]
        st = e.response["ResponseMetadata"]["HTTPStatusCode"]
        msg = e.response["Error"].get("Message", "")
        assert got == code, f"{what}: code {got!r}, want {code!r} ({e})"
        assert status is None or st == status, f"{what}: status {st}, want {status}"
        assert contains is None or contains in msg, f"{what}: message {msg!r} lacks {contains!r}"
        print(f"ok   {what}: {code}")
        return
    raise AssertionError(f"{what}: no error, want {code}")


sts = client("sts")
ident = sts.get_caller_identity()
assert ident["Account"] == "000000000000", ident
assert ident["Arn"] == "arn:aws:iam::000000000000:root", ident
print("ok   sts GetCallerIdentity (awsQuery)")

for svc, op, kwargs in [
    ("cloudwatch", "list_dashboards", {}),
    ("logs", "describe_deliveries", {}),
    ("events", "list_endpoints", {}),
    ("cloudtrail", "describe_trails", {}),
    ("config", "describe_config_rules", {}),
    ("sns", "list_platform_applications", {}),
    ("cloudtrail-data", "put_audit_events", {"channelArn": "arn:aws:cloudtrail:us-east-1:000000000000:channel/x",
                                             "auditEvents": [{"id": "1", "eventData": "{}"}]}),
]:
    c = client(svc)
    expect_error(f"{svc} {op}", lambda: getattr(c, op)(**kwargs), "NotImplemented", 501)

# Alarms over JSON 1.0: created in INSUFFICIENT_DATA, read back, validated.
cw = client("cloudwatch")
cw.put_metric_alarm(AlarmName="boto3-alarm", Namespace="App", MetricName="Load", Period=60, EvaluationPeriods=2,
                    Threshold=3.5, ComparisonOperator="LessThanThreshold", ExtendedStatistic="p99",
                    TreatMissingData="breaching", Tags=[{"Key": "team", "Value": "a"}])
alarms = cw.describe_alarms(AlarmNamePrefix="boto3-")["MetricAlarms"]
assert len(alarms) == 1 and alarms[0]["ExtendedStatistic"] == "p99" and alarms[0]["Threshold"] == 3.5, alarms
assert alarms[0]["StateValue"] in ("INSUFFICIENT_DATA", "ALARM"), alarms
tags = cw.list_tags_for_resource(ResourceARN=alarms[0]["AlarmArn"])["Tags"]
assert tags == [{"Key": "team", "Value": "a"}], tags
expect_error("put_metric_alarm bad period", lambda: cw.put_metric_alarm(
    AlarmName="bad", Namespace="App", MetricName="Load", Period=45, EvaluationPeriods=1, Threshold=1,
    ComparisonOperator="GreaterThanThreshold", Statistic="Average"), "InvalidParameterValue", 400)
print("ok   cloudwatch alarms (json 1.0)")

# Invalid input surfaces with each protocol's code.
expect_error("logs limit 0 (json 1.1)", lambda: client("logs").describe_log_groups(limit=0), "InvalidParameterException", 400,
             "Value '0' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1")
expect_error("cloudwatch empty namespace (json 1.0, query compatible)",
             lambda: client("cloudwatch").list_metrics(Namespace=""), "InvalidParameterValue", 400)
expect_error("sqs missing QueueUrl (json 1.0, query compatible)",
             lambda: client("sqs").get_queue_attributes(), "MissingParameter", 400)
expect_error("sts duration (awsQuery)", lambda: sts.get_session_token(DurationSeconds=10), "ValidationError", 400)
expect_error("cloudtrail-data missing channelArn (restJson1)",
             lambda: client("cloudtrail-data").put_audit_events(auditEvents=[]), "ValidationException", 400)

# A gzip-compressed body (botocore compresses PutMetricData above the
# threshold): the server must decode it to validate it.
gz = Config(parameter_validation=False, retries={"max_attempts": 1}, request_min_compression_size_bytes=1)
expect_error("cloudwatch gzip PutMetricData", lambda: client("cloudwatch", config=gz).put_metric_data(
    Namespace="", MetricData=[{"MetricName": "m", "Value": 1.0}]), "InvalidParameterValue", 400)

# The calls above are in the event history, newest first.
ct = client("cloudtrail")
deadline = time.time() + 5
while True:
    evs = ct.lookup_events(LookupAttributes=[{"AttributeKey": "EventName", "AttributeValue": "GetCallerIdentity"}])["Events"]
    if evs or time.time() > deadline:
        break
    time.sleep(0.05)
assert len(evs) == 1, evs
rec = json.loads(evs[0]["CloudTrailEvent"])
assert rec["eventSource"] == "sts.amazonaws.com" and rec["userIdentity"]["accountId"] == "000000000000", rec
assert "Boto3" in rec["userAgent"] or "botocore" in rec["userAgent"], rec["userAgent"]
print("ok   cloudtrail LookupEvents sees the boto3 call")
expect_error("cloudtrail two lookup attributes", lambda: ct.lookup_events(LookupAttributes=[
    {"AttributeKey": "EventName", "AttributeValue": "a"}, {"AttributeKey": "Username", "AttributeValue": "b"}]),
    "InvalidLookupAttributesException", 400)
print("boto3 suite passed")

# Metrics over JSON 1.0: put, list, statistics, metric math.
import datetime
cw = client("cloudwatch")
t0 = (datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(minutes=10)).replace(second=0, microsecond=0)
cw.put_metric_data(Namespace="Boto", MetricData=[
    {"MetricName": "Jobs", "Value": float(i), "Timestamp": t0 + datetime.timedelta(minutes=i), "Unit": "Count"} for i in range(5)])
metrics = cw.list_metrics(Namespace="Boto")["Metrics"]
assert [m["MetricName"] for m in metrics] == ["Jobs"], metrics
st = cw.get_metric_statistics(Namespace="Boto", MetricName="Jobs", StartTime=t0, EndTime=t0 + datetime.timedelta(minutes=5),
                              Period=60, Statistics=["Sum", "SampleCount"])
assert sorted(d["Sum"] for d in st["Datapoints"]) == [0, 1, 2, 3, 4], st
assert all(d["Unit"] == "Count" for d in st["Datapoints"]), st
res = cw.get_metric_data(StartTime=t0, EndTime=t0 + datetime.timedelta(minutes=5), MetricDataQueries=[
    {"Id": "j", "MetricStat": {"Metric": {"Namespace": "Boto", "MetricName": "Jobs"}, "Period": 60, "Stat": "Sum"}, "ReturnData": False},
    {"Id": "double", "Expression": "j * 2"}])["MetricDataResults"]
assert len(res) == 1 and res[0]["Values"] == [8, 6, 4, 2, 0], res  # newest first by default
print("ok   metrics over JSON 1.0: PutMetricData, ListMetrics, GetMetricStatistics, GetMetricData")
expect_error("cloudwatch reserved namespace", lambda: cw.put_metric_data(Namespace="AWS/EC2", MetricData=[{"MetricName": "x", "Value": 1.0}]),
             "InvalidParameterValue", 400)
print("boto3 metrics suite passed")
