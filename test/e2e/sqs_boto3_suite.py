"""Drives a running Vigil's SQS with boto3 (awsJson1_0 with the
query-compatible error header). Usage: python3 sqs_boto3_suite.py ENDPOINT.
Exits non-zero on the first failed check."""
import hashlib
import struct
import sys
import threading
import time

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

endpoint = sys.argv[1]
session = boto3.session.Session(aws_access_key_id="test", aws_secret_access_key="test", region_name="us-east-1")
# No retries, so an error surfaces at once; boto3's own parameter validation
# stays on, as a user would have it. The read timeout covers 20 s long polls.
cfg = Config(retries={"max_attempts": 1, "mode": "standard"}, read_timeout=30)
sqs = session.client("sqs", endpoint_url=endpoint, config=cfg)
ACCOUNT = "000000000000"


def expect_error(what, fn, code, status=400, contains=None):
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


def attr_md5(attrs):
    """MD5OfMessageAttributes from SQS's documented algorithm, computed here."""
    buf = b""
    for name in sorted(attrs):
        v = attrs[name]
        enc = lambda b: struct.pack(">I", len(b)) + b
        buf += enc(name.encode()) + enc(v["DataType"].encode())
        if v["DataType"].startswith("Binary"):
            buf += b"\x02" + enc(v["BinaryValue"])
        else:
            buf += b"\x01" + enc(v["StringValue"].encode())
    return hashlib.md5(buf).hexdigest()


# --- queues ------------------------------------------------------------------------
url = sqs.create_queue(QueueName="boto-orders", Attributes={"VisibilityTimeout": "2"}, tags={"team": "core"})["QueueUrl"]
assert url == f"{endpoint}/{ACCOUNT}/boto-orders", url
assert sqs.create_queue(QueueName="boto-orders", Attributes={"VisibilityTimeout": "2"})["QueueUrl"] == url
expect_error("create with other attributes", lambda: sqs.create_queue(QueueName="boto-orders", Attributes={"VisibilityTimeout": "3"}),
             "QueueAlreadyExists", contains="different value for attribute VisibilityTimeout")
assert sqs.get_queue_url(QueueName="boto-orders")["QueueUrl"] == url
for n in ("boto-a", "boto-b", "boto-c"):
    sqs.create_queue(QueueName=n)
page = sqs.list_queues(QueueNamePrefix="boto-", MaxResults=2)
assert len(page["QueueUrls"]) == 2 and "NextToken" in page, page
rest = sqs.list_queues(QueueNamePrefix="boto-", MaxResults=2, NextToken=page["NextToken"])
assert len(rest["QueueUrls"]) == 2 and "NextToken" not in rest, rest
print("ok   create (idempotent), get url, list with prefix and paging")

attrs = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
assert attrs["VisibilityTimeout"] == "2" and attrs["MaximumMessageSize"] == "1048576", attrs
assert attrs["QueueArn"] == f"arn:aws:sqs:us-east-1:{ACCOUNT}:boto-orders", attrs
sqs.set_queue_attributes(QueueUrl=url, Attributes={"MessageRetentionPeriod": "3600"})
assert sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["MessageRetentionPeriod"])["Attributes"] == {"MessageRetentionPeriod": "3600"}
expect_error("unknown attribute name", lambda: sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["Colour"]),
             "InvalidAttributeName", contains="Unknown Attribute Colour.")
expect_error("retention out of range", lambda: sqs.set_queue_attributes(QueueUrl=url, Attributes={"MessageRetentionPeriod": "59"}),
             "InvalidAttributeValue")
sqs.tag_queue(QueueUrl=url, Tags={"env": "test"})
sqs.untag_queue(QueueUrl=url, TagKeys=["team"])
assert sqs.list_queue_tags(QueueUrl=url)["Tags"] == {"env": "test"}
print("ok   attributes and tags")

# --- messages ----------------------------------------------------------------------
mattrs = {"kind": {"DataType": "String", "StringValue": "order"},
          "blob": {"DataType": "Binary", "BinaryValue": b"\x00\x01\xff"},
          "n": {"DataType": "Number", "StringValue": "42"}}
r = sqs.send_message(QueueUrl=url, MessageBody="hello boto", MessageAttributes=mattrs)
assert r["MD5OfMessageBody"] == hashlib.md5(b"hello boto").hexdigest(), r
assert r["MD5OfMessageAttributes"] == attr_md5(mattrs), r
# AttributeNames (deprecated, still what most code sends) with message
# system attribute names.
got = sqs.receive_message(QueueUrl=url, AttributeNames=["SentTimestamp", "ApproximateReceiveCount"],
                          MessageAttributeNames=["All"], MaxNumberOfMessages=10)["Messages"]
assert len(got) == 1 and got[0]["Body"] == "hello boto", got
m = got[0]
assert set(m["Attributes"]) == {"SentTimestamp", "ApproximateReceiveCount"}, m["Attributes"]
assert m["MD5OfMessageAttributes"] == attr_md5(m["MessageAttributes"]) == r["MD5OfMessageAttributes"], m
assert m["MessageAttributes"]["blob"]["BinaryValue"] == b"\x00\x01\xff", m["MessageAttributes"]
print("ok   send and receive with message attributes (MD5s verified here)")

# Not deleted: back after the 2 s visibility timeout, found by a long poll.
t0 = time.time()
again = sqs.receive_message(QueueUrl=url, WaitTimeSeconds=10, AttributeNames=["All"])["Messages"]
assert again[0]["MessageId"] == m["MessageId"] and again[0]["Attributes"]["ApproximateReceiveCount"] == "2", again
assert 1 <= time.time() - t0 < 5, time.time() - t0
sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=again[0]["ReceiptHandle"], VisibilityTimeout=60)
sqs.delete_message(QueueUrl=url, ReceiptHandle=again[0]["ReceiptHandle"])
print("ok   visibility timeout reappearance, change visibility, delete")

# A long poll woken by a send from another thread.
result = {}


def poll():
    t = time.time()
    result["msgs"] = sqs.receive_message(QueueUrl=url, WaitTimeSeconds=20).get("Messages", [])
    result["took"] = time.time() - t


th = threading.Thread(target=poll)
th.start()
time.sleep(0.3)
sqs.send_message(QueueUrl=url, MessageBody="wake up")
th.join(10)
assert not th.is_alive() and [x["Body"] for x in result["msgs"]] == ["wake up"] and result["took"] < 5, result
sqs.delete_message(QueueUrl=url, ReceiptHandle=result["msgs"][0]["ReceiptHandle"])
print(f"ok   long poll woken by a send after {result['took']:.2f}s")

# Batches.
entries = [{"Id": f"m{i}", "MessageBody": f"batch {i}"} for i in range(10)]
r = sqs.send_message_batch(QueueUrl=url, Entries=entries)
assert len(r["Successful"]) == 10 and not r.get("Failed"), r
assert all(e["MD5OfMessageBody"] == hashlib.md5(f"batch {e['Id'][1:]}".encode()).hexdigest() for e in r["Successful"]), r
r = sqs.send_message_batch(QueueUrl=url, Entries=[{"Id": "ok", "MessageBody": "x"}, {"Id": "bad", "MessageBody": "x", "DelaySeconds": 1000}])
assert [e["Id"] for e in r["Successful"]] == ["ok"] and r["Failed"][0]["Id"] == "bad" and r["Failed"][0]["Code"] == "InvalidParameterValue", r
expect_error("11 entries", lambda: sqs.send_message_batch(QueueUrl=url, Entries=[{"Id": f"e{i}", "MessageBody": "x"} for i in range(11)]),
             "AWS.SimpleQueueService.TooManyEntriesInBatchRequest")
expect_error("repeated ids", lambda: sqs.send_message_batch(QueueUrl=url, Entries=[{"Id": "a", "MessageBody": "x"}, {"Id": "a", "MessageBody": "y"}]),
             "AWS.SimpleQueueService.BatchEntryIdsNotDistinct")
seen = []
while len(seen) < 11:
    msgs = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1, VisibilityTimeout=30).get("Messages", [])
    seen += [x["Body"] for x in msgs]
    if msgs:
        d = sqs.delete_message_batch(QueueUrl=url, Entries=[{"Id": f"d{i}", "ReceiptHandle": x["ReceiptHandle"]} for i, x in enumerate(msgs)])
        assert len(d["Successful"]) == len(msgs) and not d.get("Failed"), d
assert sorted(seen) == sorted([f"batch {i}" for i in range(10)] + ["x"]), seen
counts = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"])["Attributes"]
assert counts == {"ApproximateNumberOfMessages": "0", "ApproximateNumberOfMessagesNotVisible": "0"}, counts
print("ok   batches: send, receive, delete, errors")

# --- errors ----------------------------------------------------------------------
try:
    sqs.get_queue_url(QueueName="boto-absent")
    raise AssertionError("absent queue: no error")
except sqs.exceptions.QueueDoesNotExist as e:
    assert e.response["Error"]["Code"] == "AWS.SimpleQueueService.NonExistentQueue", e.response
print("ok   QueueDoesNotExist is the modeled exception, with the awsQuery code")
expect_error("bad receipt handle", lambda: sqs.delete_message(QueueUrl=url, ReceiptHandle="junk"), "ReceiptHandleIsInvalid")
expect_error("FIFO name of a standard queue", lambda: sqs.create_queue(QueueName="boto.fifo"), "InvalidParameterValue")
fifo = sqs.create_queue(QueueName="boto.fifo", Attributes={"FifoQueue": "true"})["QueueUrl"]
expect_error("FIFO send without a group", lambda: sqs.send_message(QueueUrl=fifo, MessageBody="x", MessageDeduplicationId="d"),
             "MissingParameter")
first = sqs.send_message(QueueUrl=fifo, MessageBody="x", MessageGroupId="g", MessageDeduplicationId="d")
again = sqs.send_message(QueueUrl=fifo, MessageBody="y", MessageGroupId="g", MessageDeduplicationId="d")
assert again["MessageId"] == first["MessageId"] and again["SequenceNumber"] == first["SequenceNumber"], (first, again)
print("ok   FIFO queue: group required, duplicate returns the first message")
sqs.purge_queue(QueueUrl=url)
expect_error("purge twice", lambda: sqs.purge_queue(QueueUrl=url), "AWS.SimpleQueueService.PurgeQueueInProgress", 403)
sqs.delete_queue(QueueUrl=url)
expect_error("deleted queue", lambda: sqs.send_message(QueueUrl=url, MessageBody="x"), "AWS.SimpleQueueService.NonExistentQueue")
expect_error("recreate at once", lambda: sqs.create_queue(QueueName="boto-orders"), "AWS.SimpleQueueService.QueueDeletedRecently")
print("boto3 SQS suite passed")
