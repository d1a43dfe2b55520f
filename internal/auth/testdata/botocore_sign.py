# Signs a set of requests with botocore's own SigV4 signers and prints them
# as JSON for TestBotocoreSignedRequests. Time is pinned to 2026-11-25 12:00:00Z.
import base64
import datetime
import gzip
import json
import sys

import botocore.auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

botocore.auth.get_current_datetime = lambda remove_tzinfo=True: datetime.datetime(2026, 11, 25, 12, 0, 0)

AKID, SECRET = sys.argv[1], sys.argv[2]
BASE = "http://127.0.0.1:4566"
out = []


def emit(name, req, auth):
    auth.add_auth(req)
    p = req.prepare()
    body = p.body or b""
    if isinstance(body, str):
        body = body.encode()
    out.append({
        "name": name,
        "method": p.method,
        "url": p.url,
        "headers": [[k, v] for k, v in p.headers.items()],
        "body": base64.b64encode(body).decode(),
    })


creds = Credentials(AKID, SECRET)
tok = Credentials(AKID, SECRET, "FwoGZXIvYXdzEXAMPLE+/=token")


def v4(service, c=creds):
    return botocore.auth.SigV4Auth(c, service, "us-east-1")


emit("json 1.0 post", AWSRequest("POST", BASE + "/", data=b'{"Namespace":"App"}', headers={
    "Content-Type": "application/x-amz-json-1.0",
    "X-Amz-Target": "GraniteServiceVersion20100801.ListMetrics"}), v4("monitoring"))
emit("query form post", AWSRequest("POST", BASE + "/", data="Action=GetCallerIdentity&Version=2011-06-15", headers={
    "Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}), v4("sts"))
emit("get with odd params", AWSRequest("GET", BASE + "/", params={
    "b": "two words", "a": "/slash/", "z": "\u00e4\u20ac", "t": "~", "p": "a+b", "e": ""}), v4("monitoring"))
emit("dot segments and double slashes", AWSRequest("GET", BASE + "/a//b/./c/../d"), v4("monitoring"))
emit("path with space and unicode", AWSRequest("GET", BASE + "/a%20b/%C3%BC"), v4("monitoring"))
emit("date header", AWSRequest("POST", BASE + "/", data=b"{}", headers={"Date": "x"}), v4("logs"))
emit("header white space", AWSRequest("POST", BASE + "/", data=b"{}", headers={
    "X-Custom": "  a   b\tc  ", "X-Amz-Target": "Logs_20140328.DescribeLogGroups"}), v4("logs"))
emit("session token", AWSRequest("POST", BASE + "/", data=b"{}"), v4("events", tok))
emit("gzip body", AWSRequest("POST", BASE + "/", data=gzip.compress(b'{"MetricData":[]}', mtime=0), headers={
    "Content-Encoding": "gzip", "Content-Type": "application/x-amz-json-1.0"}), v4("monitoring"))
emit("presigned get", AWSRequest("GET", BASE + "/", params={"Action": "GetCallerIdentity", "Version": "2011-06-15"}),
     botocore.auth.SigV4QueryAuth(creds, "sts", "us-east-1", expires=300))
emit("presigned with token", AWSRequest("GET", BASE + "/x y", params={"Action": "GetCallerIdentity"}),
     botocore.auth.SigV4QueryAuth(tok, "sts", "us-east-1", expires=60))
emit("s3 put", AWSRequest("PUT", BASE + "/bucket/some%20key/%C3%A4", data=b"object"), botocore.auth.S3SigV4Auth(creds, "s3", "us-east-1"))
json.dump(out, sys.stdout)
