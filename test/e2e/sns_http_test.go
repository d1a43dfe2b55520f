package e2e

import (
	"crypto"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"io"
	"mime/quotedprintable"
	"net"
	"net/http"
	"net/http/httptest"
	"net/mail"
	"net/textproto"
	"os/exec"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
)

// snsPost is one request an HTTP subscriber received.
type snsPost struct {
	header http.Header
	doc    map[string]string
	raw    string
	status int // what the subscriber answered
}

// snsSubscriber is a local HTTP endpoint; while down is set it answers
// 503 to notifications.
type snsSubscriber struct {
	srv   *httptest.Server
	posts chan snsPost
	down  atomic.Bool
}

func newSNSSubscriber(t *testing.T) *snsSubscriber {
	s := &snsSubscriber{posts: make(chan snsPost, 100)}
	s.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		p := snsPost{header: r.Header.Clone(), raw: string(b), status: http.StatusOK}
		json.Unmarshal(b, &p.doc)
		if s.down.Load() && r.Header.Get("x-amz-sns-message-type") == "Notification" {
			p.status = http.StatusServiceUnavailable
		}
		s.posts <- p
		w.WriteHeader(p.status)
	}))
	t.Cleanup(s.srv.Close)
	return s
}

// next returns the next request of type typ, skipping others (retries of
// a message already seen).
func (s *snsSubscriber) next(t *testing.T, typ string) snsPost {
	t.Helper()
	deadline := time.After(60 * time.Second) // guards a hung test only
	for {
		select {
		case p := <-s.posts:
			if p.header.Get("x-amz-sns-message-type") == typ {
				return p
			}
		case <-deadline:
			t.Fatalf("subscriber received no %s", typ)
		}
	}
}

// verifyHTTPMessage verifies any of the three message types the way AWS tells subscribers to:
// fetch the certificate at SigningCertURL and check the signature over the
// documented string to sign of the message's type.
func verifyHTTPMessage(t *testing.T, doc map[string]string) {
	t.Helper()
	resp, err := http.Get(doc["SigningCertURL"])
	if err != nil {
		t.Fatal(err)
	}
	certPEM, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	blk, _ := pem.Decode(certPEM)
	if blk == nil {
		t.Fatalf("SigningCertURL %s served %q", doc["SigningCertURL"], certPEM)
	}
	cert, err := x509.ParseCertificate(blk.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	fields := []string{"Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type"}
	if doc["Type"] != "Notification" {
		fields = []string{"Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type"}
	}
	var msg string
	for _, f := range fields {
		if v, ok := doc[f]; ok {
			msg += f + "\n" + v + "\n"
		}
	}
	sig, err := base64.StdEncoding.DecodeString(doc["Signature"])
	if err != nil {
		t.Fatal(err)
	}
	pub := cert.PublicKey.(*rsa.PublicKey)
	switch doc["SignatureVersion"] {
	case "1":
		sum := sha1.Sum([]byte(msg))
		err = rsa.VerifyPKCS1v15(pub, crypto.SHA1, sum[:], sig)
	case "2":
		sum := sha256.Sum256([]byte(msg))
		err = rsa.VerifyPKCS1v15(pub, crypto.SHA256, sum[:], sig)
	default:
		t.Fatalf("SignatureVersion %q", doc["SignatureVersion"])
	}
	if err != nil {
		t.Fatalf("%s signature (version %s) does not verify: %v", doc["Type"], doc["SignatureVersion"], err)
	}
}

// TestSNSHTTPSubscriberConfirmsAndVerifies: an HTTP subscriber receives a
// SubscriptionConfirmation, confirms by GETting its SubscribeURL, then
// receives notifications whose signatures verify with the certificate at
// SigningCertURL, for both signature versions.
func TestSNSHTTPSubscriberConfirmsAndVerifies(t *testing.T) {
	p := startVigil(t, "")
	c := newClients(p.URL, "test", "test", "us-east-1")
	ctx := ctxT(t)
	for _, version := range []string{"1", "2"} {
		sub := newSNSSubscriber(t)
		tp, err := c.sns.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("web-v" + version), Attributes: map[string]string{"SignatureVersion": version}})
		if err != nil {
			t.Fatal(err)
		}
		out, err := c.sns.Subscribe(ctx, &sns.SubscribeInput{TopicArn: tp.TopicArn, Protocol: aws.String("http"), Endpoint: aws.String(sub.srv.URL + "/hook")})
		if err != nil || aws.ToString(out.SubscriptionArn) != "pending confirmation" {
			t.Fatalf("Subscribe: %v %v", out, err)
		}
		conf := sub.next(t, "SubscriptionConfirmation")
		if conf.doc["TopicArn"] != aws.ToString(tp.TopicArn) || conf.header.Get("User-Agent") != "Amazon Simple Notification Service Agent" {
			t.Fatalf("confirmation %v %v", conf.header, conf.doc)
		}
		verifyHTTPMessage(t, conf.doc)
		resp, err := http.Get(conf.doc["SubscribeURL"])
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || !strings.Contains(string(body), "<SubscriptionArn>"+aws.ToString(tp.TopicArn)+":") {
			t.Fatalf("GET SubscribeURL: %d %s", resp.StatusCode, body)
		}
		if _, err := c.sns.Publish(ctx, &sns.PublishInput{TopicArn: tp.TopicArn, Message: aws.String("order 42 shipped\nline two"), Subject: aws.String("Shipping")}); err != nil {
			t.Fatal(err)
		}
		n := sub.next(t, "Notification")
		if n.doc["Message"] != "order 42 shipped\nline two" || n.doc["Subject"] != "Shipping" || n.doc["SignatureVersion"] != version ||
			n.header.Get("x-amz-sns-subscription-arn") == "" {
			t.Fatalf("notification %v %v", n.header, n.doc)
		}
		verifyHTTPMessage(t, n.doc)
	}
}

// TestSNSHTTPRetriesIntoDeadLetterQueue: a failing endpoint is retried per
// the subscription's delivery policy, then the message lands in the
// subscription's dead-letter queue.
func TestSNSHTTPRetriesIntoDeadLetterQueue(t *testing.T) {
	p := startVigil(t, "")
	c := newClients(p.URL, "test", "test", "us-east-1")
	ctx := ctxT(t)
	sub := newSNSSubscriber(t)
	sub.down.Store(true)
	dlqURL := sqsQueue(t, c, "web-dlq", nil)
	qa, err := c.sqs.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: &dlqURL, AttributeNames: []sqstypes.QueueAttributeName{"QueueArn"}})
	if err != nil {
		t.Fatal(err)
	}
	tp, err := c.sns.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("web")})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.sns.Subscribe(ctx, &sns.SubscribeInput{TopicArn: tp.TopicArn, Protocol: aws.String("http"), Endpoint: aws.String(sub.srv.URL),
		Attributes: map[string]string{
			"DeliveryPolicy": `{"healthyRetryPolicy":{"numRetries":2,"minDelayTarget":1,"maxDelayTarget":1}}`,
			"RedrivePolicy":  `{"deadLetterTargetArn":"` + qa.Attributes["QueueArn"] + `"}`,
		}})
	if err != nil {
		t.Fatal(err)
	}
	conf := sub.next(t, "SubscriptionConfirmation")
	if _, err := c.sns.ConfirmSubscription(ctx, &sns.ConfirmSubscriptionInput{TopicArn: tp.TopicArn, Token: aws.String(conf.doc["Token"])}); err != nil {
		t.Fatal(err)
	}
	pub, err := c.sns.Publish(ctx, &sns.PublishInput{TopicArn: tp.TopicArn, Message: aws.String("undeliverable")})
	if err != nil {
		t.Fatal(err)
	}
	for range 3 { // the first attempt and two retries
		if n := sub.next(t, "Notification"); n.doc["MessageId"] != aws.ToString(pub.MessageId) {
			t.Fatalf("attempt carried %v", n.doc)
		}
	}
	out, err := c.sqs.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: &dlqURL, WaitTimeSeconds: 20})
	if err != nil || len(out.Messages) != 1 {
		t.Fatalf("dead-letter queue: %v %v", out, err)
	}
	var env map[string]string
	json.Unmarshal([]byte(aws.ToString(out.Messages[0].Body)), &env)
	if env["Message"] != "undeliverable" || env["MessageId"] != aws.ToString(pub.MessageId) {
		t.Fatalf("dead-lettered %s", aws.ToString(out.Messages[0].Body))
	}
}

// TestSNSHTTPDeliverySurvivesKill9: a notification published while the
// subscriber is down is delivered after the server is killed and started
// again on the same data directory.
func TestSNSHTTPDeliverySurvivesKill9(t *testing.T) {
	p := startVigil(t, "")
	c := newClients(p.URL, "test", "test", "us-east-1")
	ctx := ctxT(t)
	sub := newSNSSubscriber(t)
	tp, err := c.sns.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("durable")})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.sns.Subscribe(ctx, &sns.SubscribeInput{TopicArn: tp.TopicArn, Protocol: aws.String("http"), Endpoint: aws.String(sub.srv.URL),
		Attributes: map[string]string{"DeliveryPolicy": `{"healthyRetryPolicy":{"numRetries":100,"minDelayTarget":1,"maxDelayTarget":1}}`}})
	if err != nil {
		t.Fatal(err)
	}
	conf := sub.next(t, "SubscriptionConfirmation")
	if resp, err := http.Get(conf.doc["SubscribeURL"]); err != nil || resp.StatusCode != 200 {
		t.Fatalf("confirm: %v %v", resp, err)
	}
	sub.down.Store(true)
	pub, err := c.sns.Publish(ctx, &sns.PublishInput{TopicArn: tp.TopicArn, Message: aws.String("keep me")})
	if err != nil {
		t.Fatal(err)
	}
	sub.next(t, "Notification") // refused once
	p.Kill9()
	sub.down.Store(false)
	startVigil(t, p.DataDir)
	for {
		n := sub.next(t, "Notification")
		if n.doc["MessageId"] != aws.ToString(pub.MessageId) {
			t.Fatalf("after restart: %v", n.doc)
		}
		if n.status == http.StatusOK && n.doc["Message"] == "keep me" {
			break // delivered by the restarted server
		}
	}
}

// smtpSink is a minimal SMTP server collecting the mail Vigil relays.
type smtpSink struct {
	ln   net.Listener
	mail chan *mail.Message
}

func newSMTPSink(t *testing.T) *smtpSink {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &smtpSink{ln: ln, mail: make(chan *mail.Message, 10)}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			go s.serve(conn)
		}
	}()
	return s
}

func (s *smtpSink) serve(conn net.Conn) {
	defer conn.Close()
	tp := textproto.NewConn(conn)
	tp.PrintfLine("220 sink")
	for {
		line, err := tp.ReadLine()
		if err != nil {
			return
		}
		switch strings.ToUpper(strings.SplitN(line, " ", 2)[0]) {
		case "DATA":
			tp.PrintfLine("354 go ahead")
			data, err := tp.ReadDotBytes()
			if err != nil {
				return
			}
			if m, err := mail.ReadMessage(strings.NewReader(string(data))); err == nil {
				s.mail <- m
			}
			tp.PrintfLine("250 queued")
		case "QUIT":
			tp.PrintfLine("221 bye")
			return
		default:
			tp.PrintfLine("250 ok")
		}
	}
}

func (s *smtpSink) next(t *testing.T) (*mail.Message, string) {
	t.Helper()
	select {
	case m := <-s.mail:
		b, _ := io.ReadAll(quotedprintable.NewReader(m.Body))
		return m, strings.ReplaceAll(string(b), "\r\n", "\n")
	case <-time.After(60 * time.Second):
		t.Fatal("no mail")
		return nil, ""
	}
}

// TestSNSEmailThroughRelay: an email subscription's confirmation and
// notifications arrive through the relay set by --smtp-relay.
func TestSNSEmailThroughRelay(t *testing.T) {
	sink := newSMTPSink(t)
	p := startVigil(t, "", "--smtp-relay", sink.ln.Addr().String(), "--smtp-from", "sns@example.org")
	c := newClients(p.URL, "test", "test", "us-east-1")
	ctx := ctxT(t)
	tp, err := c.sns.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("mail")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.sns.Subscribe(ctx, &sns.SubscribeInput{TopicArn: tp.TopicArn, Protocol: aws.String("email"), Endpoint: aws.String("ops@example.com")}); err != nil {
		t.Fatal(err)
	}
	m, body := sink.next(t)
	i := strings.Index(body, p.URL+"/?Action=ConfirmSubscription")
	if i < 0 || m.Header.Get("To") != "ops@example.com" || !strings.Contains(m.Header.Get("From"), "sns@example.org") {
		t.Fatalf("confirmation mail %v\n%s", m.Header, body)
	}
	link := body[i:]
	link = link[:strings.IndexByte(link, '\n')]
	if resp, err := http.Get(link); err != nil || resp.StatusCode != 200 {
		t.Fatalf("confirm: %v %v", resp, err)
	}
	if _, err := c.sns.Publish(ctx, &sns.PublishInput{TopicArn: tp.TopicArn, Message: aws.String("backup finished"), Subject: aws.String("Backup")}); err != nil {
		t.Fatal(err)
	}
	m, body = sink.next(t)
	if m.Header.Get("Subject") != "Backup" || !strings.HasPrefix(body, "backup finished\n") {
		t.Fatalf("notification mail %v\n%s", m.Header, body)
	}

	// Without a relay, email subscriptions are refused naming the flag.
	p2 := startVigil(t, "")
	c2 := newClients(p2.URL, "test", "test", "us-east-1")
	tp2, err := c2.sns.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("mail")})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c2.sns.Subscribe(ctx, &sns.SubscribeInput{TopicArn: tp2.TopicArn, Protocol: aws.String("email"), Endpoint: aws.String("ops@example.com")})
	wantAPIError(t, "email without relay", err, "InvalidParameter", 400)
	if !strings.Contains(err.Error(), "--smtp-relay") {
		t.Fatalf("error %v does not name the flag", err)
	}
}

// TestSNSHTTPBoto3 runs sns_http_boto3_suite.py: the confirmation flow
// through boto3 (awsQuery), with a Python HTTP subscriber.
func TestSNSHTTPBoto3(t *testing.T) {
	needTool(t, "python3")
	if exec.Command("python3", "-c", "import boto3").Run() != nil {
		t.Skip("boto3 is not installed (scripts/setup.sh installs it)")
	}
	p := startVigil(t, "")
	out, err := exec.Command("python3", "sns_http_boto3_suite.py", p.URL).CombinedOutput()
	t.Logf("%s", out)
	if err != nil {
		t.Fatalf("boto3 sns http suite failed: %v", err)
	}
}
