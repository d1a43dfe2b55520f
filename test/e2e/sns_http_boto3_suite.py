"""Drives a running Vigil's SNS http subscriptions with boto3 (awsQuery):
a local HTTP subscriber receives the SubscriptionConfirmation, confirms it
with a signed ConfirmSubscription (AuthenticateOnUnsubscribe), receives a
notification, and unsubscribing works only signed.
Usage: python3 sns_http_boto3_suite.py ENDPOINT. Exits non-zero on the first
failed check."""
import base64
import http.server
import json
import queue
import sys
import threading
import urllib.error
import urllib.request

import boto3
from botocore.config import Config
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding

endpoint = sys.argv[1]
session = boto3.session.Session(aws_access_key_id="test", aws_secret_access_key="test", region_name="us-east-1")
sns = session.client("sns", endpoint_url=endpoint, config=Config(retries={"max_attempts": 1, "mode": "standard"}))
received = queue.Queue()


class Subscriber(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        received.put((self.headers.get("x-amz-sns-message-type"), json.loads(body)))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


def next_message(typ):
    while True:
        got_type, doc = received.get(timeout=60)
        if got_type == typ:
            return doc


def verify(doc):
    """Checks a message's signature as AWS tells subscribers to: the
    certificate at SigningCertURL over the type's documented string."""
    if doc["Type"] == "Notification":
        fields = ["Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type"]
    else:
        fields = ["Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type"]
    text = "".join(f"{k}\n{doc[k]}\n" for k in fields if k in doc)
    cert = x509.load_pem_x509_certificate(urllib.request.urlopen(doc["SigningCertURL"]).read())
    algo = hashes.SHA256() if doc["SignatureVersion"] == "2" else hashes.SHA1()
    cert.public_key().verify(base64.b64decode(doc["Signature"]), text.encode(), padding.PKCS1v15(), algo)


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Subscriber)
threading.Thread(target=server.serve_forever, daemon=True).start()
hook = f"http://127.0.0.1:{server.server_address[1]}/hook"

topic = sns.create_topic(Name="boto-web")["TopicArn"]
out = sns.subscribe(TopicArn=topic, Protocol="http", Endpoint=hook)
assert out["SubscriptionArn"] == "pending confirmation", out
listed = sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"]
assert listed[0]["SubscriptionArn"] == "PendingConfirmation", listed
print("ok   subscribe: pending confirmation")

conf = next_message("SubscriptionConfirmation")
assert conf["TopicArn"] == topic and conf["Token"], conf
verify(conf)
arn = sns.confirm_subscription(TopicArn=topic, Token=conf["Token"], AuthenticateOnUnsubscribe="true")["SubscriptionArn"]
assert arn.startswith(topic + ":"), arn
attrs = sns.get_subscription_attributes(SubscriptionArn=arn)["Attributes"]
assert attrs["PendingConfirmation"] == "false" and attrs["ConfirmationWasAuthenticated"] == "true", attrs
print("ok   confirm_subscription:", arn)

msg_id = sns.publish(TopicArn=topic, Message="hi from boto3", Subject="boto")["MessageId"]
note = next_message("Notification")
assert note["MessageId"] == msg_id and note["Message"] == "hi from boto3" and note["Subject"] == "boto", note
verify(note)
print("ok   notification received, signature verified")

try:
    urllib.request.urlopen(note["UnsubscribeURL"])
    raise AssertionError("unsigned unsubscribe succeeded despite AuthenticateOnUnsubscribe")
except urllib.error.HTTPError as e:
    assert e.code == 403 and b"AuthorizationError" in e.read(), e
print("ok   unsigned unsubscribe refused")
sns.unsubscribe(SubscriptionArn=arn)
bye = next_message("UnsubscribeConfirmation")
assert bye["TopicArn"] == topic, bye
verify(bye)
assert sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"] == []
print("ok   signed unsubscribe and UnsubscribeConfirmation")
server.shutdown()
