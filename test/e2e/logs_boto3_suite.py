"""Drives a running Vigil's CloudWatch Logs API with boto3 (JSON 1.1, and an
event stream for Live Tail). Usage: python3 logs_boto3_suite.py ENDPOINT.
Exits non-zero on the first failed check."""
import sys
import json
import time

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

endpoint = sys.argv[1]
session = boto3.session.Session(aws_access_key_id="test", aws_secret_access_key="test", region_name="us-east-1")
# No retries, so an error surfaces at once; boto3's own parameter validation
# stays on, as a user would have it.
cfg = Config(retries={"max_attempts": 1, "mode": "standard"})
logs = session.client("logs", endpoint_url=endpoint, config=cfg)
cw = session.client("cloudwatch", endpoint_url=endpoint, config=cfg)
ACCOUNT = "000000000000"


def arn(group):
    return f"arn:aws:logs:us-east-1:{ACCOUNT}:log-group:{group}"


def expect_error(what, fn, code, status=400, message=None, contains=None):
    try:
        fn()
    except ClientError as e:
        got = e.response["Error"]["Code"]
        st = e.response["ResponseMetadata"]["HTTPStatusCode"]
        msg = e.response["Error"].get("Message", "")
        assert got == code, f"{what}: code {got!r}, want {code!r} ({e})"
        assert status is None or st == status, f"{what}: status {st}, want {status}"
        assert message is None or msg == message, f"{what}: message {msg!r}, want {message!r}"
        assert contains is None or contains in msg, f"{what}: message {msg!r} lacks {contains!r}"
        print(f"ok   {what}: {code}")
        return
    raise AssertionError(f"{what}: no error, want {code}")


def now_ms():
    return int(time.time() * 1000)


# --- groups, streams, events ---------------------------------------------------
logs.create_log_group(logGroupName="/boto/app", tags={"team": "core"})
expect_error("duplicate group", lambda: logs.create_log_group(logGroupName="/boto/app"), "ResourceAlreadyExistsException")
logs.create_log_stream(logGroupName="/boto/app", logStreamName="web-1")
logs.create_log_stream(logGroupName="/boto/app", logStreamName="web-2")
groups = logs.describe_log_groups(logGroupNamePrefix="/boto/")["logGroups"]
assert [g["logGroupName"] for g in groups] == ["/boto/app"], groups
assert groups[0]["arn"] == arn("/boto/app") + ":*" and groups[0]["logGroupClass"] == "STANDARD", groups
assert logs.list_tags_for_resource(resourceArn=arn("/boto/app"))["tags"] == {"team": "core"}
print("ok   create/describe log group and streams")

# What the CloudWatch agent relies on to create missing groups and streams.
expect_error("put to a missing group", lambda: logs.put_log_events(
    logGroupName="/boto/nope", logStreamName="s", logEvents=[{"timestamp": now_ms(), "message": "x"}]),
    "ResourceNotFoundException", 400, "The specified log group does not exist.")
expect_error("put to a missing stream", lambda: logs.put_log_events(
    logGroupName="/boto/app", logStreamName="nope", logEvents=[{"timestamp": now_ms(), "message": "x"}]),
    "ResourceNotFoundException", 400, "The specified log stream does not exist.")
expect_error("unsorted batch", lambda: logs.put_log_events(
    logGroupName="/boto/app", logStreamName="web-1",
    logEvents=[{"timestamp": now_ms(), "message": "b"}, {"timestamp": now_ms() - 60_000, "message": "a"}]),
    "InvalidParameterException")

t0 = now_ms() - 3_600_000
web1 = [
    '127.0.0.1 frank GET /index.html 200 512',
    '10.0.0.2 alice GET /big 404 2048',
    '{"level":"ERROR","msg":"boom","latency":120}',
    '{"level":"INFO","msg":"ok","latency":30}',
]
web2 = ['ERROR database timeout', 'WARN disk almost full', 'INFO all good']
r = logs.put_log_events(logGroupName="/boto/app", logStreamName="web-1",
                        logEvents=[{"timestamp": t0 + 2 * i, "message": m} for i, m in enumerate(web1)])
assert "rejectedLogEventsInfo" not in r and r["nextSequenceToken"], r
logs.put_log_events(logGroupName="/boto/app", logStreamName="web-2",
                    logEvents=[{"timestamp": t0 + 2 * i + 1, "message": m} for i, m in enumerate(web2)])
# Too old and too new events are rejected by index; the rest are stored.
r = logs.put_log_events(logGroupName="/boto/app", logStreamName="web-2", logEvents=[
    {"timestamp": now_ms() - 15 * 86_400_000, "message": "too old"},
    {"timestamp": now_ms() - 1000, "message": "fresh"},
    {"timestamp": now_ms() + 3 * 3_600_000, "message": "too new"},
])
assert r["rejectedLogEventsInfo"] == {"tooOldLogEventEndIndex": 1, "tooNewLogEventStartIndex": 2}, r
print("ok   put_log_events, with rejectedLogEventsInfo")

# get_log_events: whole stream from the head, then forward paging until the
# same token comes back.
out = logs.get_log_events(logGroupName="/boto/app", logStreamName="web-1", startFromHead=True)
assert [e["message"] for e in out["events"]] == web1, out["events"]
assert all(e["timestamp"] == t0 + 2 * i and e["ingestionTime"] >= t0 for i, e in enumerate(out["events"]))
msgs, token, pages = [], None, 0
while True:
    kw = {"nextToken": token} if token else {"startFromHead": True}
    out = logs.get_log_events(logGroupName="/boto/app", logStreamName="web-1", limit=3, **kw)
    pages += 1
    msgs += [e["message"] for e in out["events"]]
    if token is not None and out["nextForwardToken"] == token:
        break
    token = out["nextForwardToken"]
assert msgs == web1 and pages == 3, (msgs, pages)  # 3 + 1, then the empty end page
out = logs.get_log_events(logGroupName="/boto/app", logStreamName="web-1", limit=2)
assert [e["message"] for e in out["events"]] == web1[2:], out["events"]
print("ok   get_log_events, head/tail, forward paging to the end token")

# filter_log_events across streams, with patterns and the paginator.
def filtered(**kw):
    evs = []
    for page in logs.get_paginator("filter_log_events").paginate(logGroupName="/boto/app", **kw):
        evs += page["events"]
    return [e["message"] for e in evs]


assert filtered(endTime=t0 + 100) == [web1[0], web2[0], web1[1], web2[1], web1[2], web2[2], web1[3]], filtered()
assert filtered(filterPattern="ERROR") == [web2[0], web1[2]]
assert filtered(filterPattern="?ERROR ?WARN") == [web2[0], web2[1], web1[2]]
assert filtered(filterPattern='{ $.level = "ERROR" }') == [web1[2]]
assert filtered(filterPattern="[ip, user, ..., status=4*, bytes > 1000]") == [web1[1]]
assert filtered(filterPattern="INFO", logStreamNames=["web-2"]) == [web2[2]]
assert filtered(logStreamNamePrefix="web-2", endTime=t0 + 100, PaginationConfig={"PageSize": 1}) == web2
page = logs.filter_log_events(logGroupName="/boto/app", limit=2, endTime=t0 + 100)
assert len(page["events"]) == 2 and page["nextToken"], page
assert page["events"][0]["logStreamName"] == "web-1" and page["events"][0]["eventId"], page["events"][0]
expect_error("invalid filter pattern", lambda: logs.filter_log_events(logGroupName="/boto/app", filterPattern='{ $.level = '),
             "InvalidParameterException")
print("ok   filter_log_events: terms, ?OR, JSON, space-delimited, streams, paginator")

# TestMetricFilter.
tm = logs.test_metric_filter(filterPattern="[ip, user, status, bytes]",
                             logEventMessages=["1.2.3.4 bob 200 512", "no", "5.6.7.8 amy 404 0"])["matches"]
assert [m["eventNumber"] for m in tm] == [1, 3], tm
assert tm[0]["extractedValues"] == {"$ip": "1.2.3.4", "$user": "bob", "$status": "200", "$bytes": "512"}, tm[0]
print("ok   test_metric_filter")

# A metric filter publishes to CloudWatch.
logs.put_metric_filter(logGroupName="/boto/app", filterName="latency", filterPattern="{ $.latency = * }",
                       metricTransformations=[{"metricName": "Latency", "metricNamespace": "Boto/Logs",
                                               "metricValue": "$.latency", "unit": "Milliseconds"}])
import datetime
minute = (datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(minutes=10)).replace(second=0, microsecond=0)
mts = int(minute.timestamp() * 1000)
logs.create_log_stream(logGroupName="/boto/app", logStreamName="metrics")
logs.put_log_events(logGroupName="/boto/app", logStreamName="metrics", logEvents=[
    {"timestamp": mts + 1000, "message": '{"latency": 10}'}, {"timestamp": mts + 2000, "message": '{"latency": 32}'}])
deadline = time.time() + 10
while True:
    dps = cw.get_metric_statistics(Namespace="Boto/Logs", MetricName="Latency", StartTime=minute,
                                   EndTime=minute + datetime.timedelta(minutes=1), Period=60,
                                   Statistics=["Sum", "SampleCount"])["Datapoints"]
    if dps or time.time() > deadline:
        break
    time.sleep(0.05)
assert len(dps) == 1 and dps[0]["Sum"] == 42 and dps[0]["SampleCount"] == 2 and dps[0]["Unit"] == "Milliseconds", dps
print("ok   put_metric_filter publishes to GetMetricStatistics")

# --- Live Tail ------------------------------------------------------------------
# botocore prefixes StartLiveTail's host with "stream-" (the operation's
# endpoint trait): the request would go to stream-127.0.0.1. Show that,
# without sending it.
class Stop(Exception):
    pass


def capture_url(request, **kwargs):
    raise Stop(request.url)


prefixed = session.client("logs", endpoint_url=endpoint, config=cfg)
prefixed.meta.events.register("before-send.logs.StartLiveTail", capture_url)
try:
    prefixed.start_live_tail(logGroupIdentifiers=[arn("/boto/app")])
    raise AssertionError("before-send hook did not run")
except Stop as s:
    host = endpoint.split("://", 1)[1]
    assert str(s) == f"http://stream-{host}/", s
print("ok   botocore prefixes the Live Tail host by default")

# Config(inject_host_prefix=False) turns the prefix off (so does the
# AWS_DISABLE_HOST_PREFIX_INJECTION environment variable or
# disable_host_prefix_injection in the config file).
tail_client = session.client("logs", endpoint_url=endpoint,
                             config=cfg.merge(Config(inject_host_prefix=False, read_timeout=30)))
resp = tail_client.start_live_tail(logGroupIdentifiers=[arn("/boto/app")], logEventFilterPattern="ERROR")
stream = resp["responseStream"]
events = iter(stream)
first = next(events)
assert "sessionStart" in first, first
start = first["sessionStart"]
assert start["sessionId"] and start["logGroupIdentifiers"] == [arn("/boto/app")] and start["logEventFilterPattern"] == "ERROR", start
print("ok   start_live_tail: sessionStart")

# Events put after the session started arrive in a sessionUpdate; the one
# that does not match the pattern never does.
ts = now_ms()
logs.put_log_events(logGroupName="/boto/app", logStreamName="web-1", logEvents=[
    {"timestamp": ts, "message": "INFO boto tail noise"}, {"timestamp": ts + 1, "message": "ERROR boto tail match"}])
deadline = time.time() + 15
found = None
updates = 0
while found is None:
    assert time.time() < deadline, f"no matching Live Tail event within 15 s ({updates} updates)"
    ev = next(events)
    assert "sessionUpdate" in ev, ev
    updates += 1
    upd = ev["sessionUpdate"]
    assert upd["sessionMetadata"]["sampled"] is False, upd
    for r in upd["sessionResults"]:
        assert "noise" not in r["message"], f"non-matching event tailed: {r}"
        if r["message"] == "ERROR boto tail match":
            found = r
assert found["logStreamName"] == "web-1" and found["logGroupIdentifier"] == arn("/boto/app") and found["timestamp"] == ts + 1, found
stream.close()
print(f"ok   start_live_tail: sessionUpdate with the matching event after {updates} update(s)")
expect_error("live tail on a missing group", lambda: tail_client.start_live_tail(logGroupIdentifiers=[arn("/boto/nope")]),
             "ResourceNotFoundException")

# --- Logs Insights -------------------------------------------------------------------
logs.create_log_group(logGroupName="/boto/insights")
logs.create_log_stream(logGroupName="/boto/insights", logStreamName="s")
base = now_ms() - 10_000
logs.put_log_events(logGroupName="/boto/insights", logStreamName="s", logEvents=[
    {"timestamp": base + i, "message": json.dumps({"level": lvl, "ms": i})} for i, lvl in enumerate(["INFO", "ERROR", "INFO"])])
qid = logs.start_query(logGroupName="/boto/insights", queryString="stats count(*) as n, sum(ms) as total by level | sort level",
                       startTime=base // 1000 - 60, endTime=base // 1000 + 60)["queryId"]
deadline = time.time() + 15
while True:
    res = logs.get_query_results(queryId=qid)
    if res["status"] == "Complete":
        break
    assert res["status"] in ("Scheduled", "Running") and time.time() < deadline, res["status"]
    time.sleep(0.05)
rows = [{f["field"]: f["value"] for f in r} for r in res["results"]]
assert rows == [{"level": "ERROR", "n": "1", "total": "1"}, {"level": "INFO", "n": "2", "total": "2"}], rows
assert res["statistics"]["recordsScanned"] == 3.0, res["statistics"]
expect_error("malformed query", lambda: logs.start_query(logGroupName="/boto/insights", queryString="stats count(*) by",
                                                        startTime=0, endTime=1), "MalformedQueryException")
print("ok   start_query / get_query_results: stats by level")

# --- cleanup semantics -------------------------------------------------------------
logs.delete_log_stream(logGroupName="/boto/app", logStreamName="web-2")
expect_error("get_log_events of a deleted stream", lambda: logs.get_log_events(logGroupName="/boto/app", logStreamName="web-2"),
             "ResourceNotFoundException", 400, "The specified log stream does not exist.")
logs.delete_log_group(logGroupName="/boto/app")
logs.create_log_group(logGroupName="/boto/app")
assert logs.describe_log_streams(logGroupName="/boto/app")["logStreams"] == []
assert logs.filter_log_events(logGroupName="/boto/app")["events"] == []
print("ok   delete and re-create: no old streams or events")
print("boto3 logs suite passed")
