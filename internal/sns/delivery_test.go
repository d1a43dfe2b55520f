package sns

import (
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"io"
	"log/slog"
	"mime/quotedprintable"
	"net"
	"net/http"
	"net/http/httptest"
	"net/mail"
	"net/textproto"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vigilhq/vigil/internal/api/shape"
	snsapi "github.com/vigilhq/vigil/internal/api/sns"
	"github.com/vigilhq/vigil/internal/clock"
	"github.com/vigilhq/vigil/internal/outbox"
	"github.com/vigilhq/vigil/internal/storage"
)

// post is one request an HTTP subscriber received.
type post struct {
	header http.Header
	body   string
}

// endpoint is a local HTTP subscriber; status picks its answer.
type endpoint struct {
	srv    *httptest.Server
	posts  chan post
	mu     sync.Mutex
	status func(typ string) int
}

func newEndpoint(t *testing.T) *endpoint {
	e := &endpoint{posts: make(chan post, 100), status: func(string) int { return 200 }}
	e.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		e.posts <- post{r.Header.Clone(), string(b)}
		e.mu.Lock()
		st := e.status(r.Header.Get("x-amz-sns-message-type"))
		e.mu.Unlock()
		w.WriteHeader(st)
	}))
	t.Cleanup(e.srv.Close)
	return e
}

func (e *endpoint) next(t *testing.T) post {
	t.Helper()
	select {
	case p := <-e.posts:
		return p
	case <-time.After(20 * time.Second): // guards a hung test only
		t.Fatal("endpoint received nothing")
		return post{}
	}
}

// deliveryFixture is the fixture with an outbox and an SMTP relay.
type deliveryFixture struct {
	*fixture
	ob    *outbox.Outbox
	relay string
}

func newDeliveryFixture(t *testing.T, relay string) *deliveryFixture {
	f := &fixture{t: t, dir: t.TempDir(), clk: clock.NewFake(t0), ids: &countingIDs{},
		q: &fakeQueues{refuse: map[string]bool{}, fail: map[string]bool{}}}
	df := &deliveryFixture{fixture: f, relay: relay}
	df.openAll()
	t.Cleanup(df.closeAll)
	return df
}

func (df *deliveryFixture) openAll() {
	f := df.fixture
	st, err := storage.Open(f.dir)
	if err != nil {
		f.t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	svc, err := New(context.Background(), Options{DB: st.SQL, Clock: f.clk, IDs: f.ids, Queues: f.q, Logger: log, SMTPRelay: df.relay,
		SigningKeyFile: f.dir + "/signing.pem"})
	if err != nil {
		f.t.Fatal(err)
	}
	ob, err := outbox.Open(f.dir+"/outbox", outbox.Options{Clock: f.clk, Logger: log, Poll: 5 * time.Millisecond},
		map[string]outbox.Deliverer{KindHTTP: svc, KindEmail: svc})
	if err != nil {
		f.t.Fatal(err)
	}
	svc.SetOutbox(ob)
	f.st, f.svc, df.ob = st, svc, ob
}

func (df *deliveryFixture) closeAll() {
	if df.svc != nil {
		df.ob.Close()
		df.st.Close()
		df.svc = nil
	}
}

func (df *deliveryFixture) subscribeEndpoint(topic, protocol, endpoint string, attrs map[string]string) string {
	df.t.Helper()
	out, err := df.svc.Subscribe(df.ctx(), &snsapi.SubscribeInput{TopicArn: &topic, Protocol: &protocol, Endpoint: &endpoint,
		Attributes: attrs, ReturnSubscriptionArn: shape.Ptr(true)})
	if err != nil {
		df.t.Fatalf("Subscribe %s: %v", endpoint, err)
	}
	return *out.SubscriptionArn
}

func (df *deliveryFixture) publish(topic, msg, subject string) {
	df.t.Helper()
	in := &snsapi.PublishInput{TopicArn: &topic, Message: &msg}
	if subject != "" {
		in.Subject = &subject
	}
	if _, err := df.svc.Publish(df.ctx(), in); err != nil {
		df.t.Fatal(err)
	}
}

// get GETs a SubscribeURL or UnsubscribeURL through PublicRequest and
// PublicHandler, as the server routes it.
func (df *deliveryFixture) get(rawURL string) *httptest.ResponseRecorder {
	df.t.Helper()
	u, err := url.Parse(rawURL)
	if err != nil {
		df.t.Fatal(err)
	}
	r := httptest.NewRequest("GET", u.RequestURI(), nil)
	r.Host = u.Host
	if !PublicRequest(r) {
		df.t.Fatalf("%s is not a public request", rawURL)
	}
	rec := httptest.NewRecorder()
	df.svc.PublicHandler().ServeHTTP(rec, r)
	return rec
}

// verifyControl checks a confirmation's signature as a subscriber would,
// building AWS's string to sign here independently.
func verifyControl(t *testing.T, f *fixture, d map[string]string) {
	t.Helper()
	rec := httptest.NewRecorder()
	f.svc.CertHandler().ServeHTTP(rec, httptest.NewRequest("GET", CertPath, nil))
	blk, _ := pem.Decode(rec.Body.Bytes())
	cert, err := x509.ParseCertificate(blk.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	var msg string
	for _, k := range []string{"Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type"} {
		msg += k + "\n" + d[k] + "\n"
	}
	sig, _ := base64.StdEncoding.DecodeString(d["Signature"])
	pub := cert.PublicKey.(*rsa.PublicKey)
	if d["SignatureVersion"] == "2" {
		sum := sha256.Sum256([]byte(msg))
		err = rsa.VerifyPKCS1v15(pub, crypto.SHA256, sum[:], sig)
	} else {
		sum := sha1.Sum([]byte(msg))
		err = rsa.VerifyPKCS1v15(pub, crypto.SHA1, sum[:], sig)
	}
	if err != nil {
		t.Fatalf("%s signature (version %s) does not verify: %v", d["Type"], d["SignatureVersion"], err)
	}
}

func TestHTTPConfirmationThenSignedNotification(t *testing.T) {
	for _, version := range []string{"1", "2"} {
		t.Run("SignatureVersion"+version, func(t *testing.T) {
			df := newDeliveryFixture(t, "")
			ep := newEndpoint(t)
			topic := df.topic("orders", map[string]string{"SignatureVersion": version})
			out, err := df.svc.Subscribe(df.ctx(), &snsapi.SubscribeInput{TopicArn: &topic, Protocol: shape.Ptr("http"), Endpoint: &ep.srv.URL})
			if err != nil || *out.SubscriptionArn != "pending confirmation" {
				t.Fatalf("Subscribe: %v %v", out, err)
			}
			p := ep.next(t)
			if h := p.header; h.Get("x-amz-sns-message-type") != "SubscriptionConfirmation" || h.Get("x-amz-sns-topic-arn") != topic ||
				h.Get("Content-Type") != "text/plain; charset=UTF-8" || h.Get("User-Agent") != userAgent || h.Get("x-amz-sns-message-id") == "" {
				t.Fatalf("confirmation headers %v", h)
			}
			var d map[string]string
			if err := json.Unmarshal([]byte(p.body), &d); err != nil {
				t.Fatal(err)
			}
			if d["Type"] != "SubscriptionConfirmation" || d["TopicArn"] != topic || d["SignatureVersion"] != version || d["Token"] == "" ||
				!strings.HasPrefix(d["SubscribeURL"], "http://127.0.0.1:4566/?Action=ConfirmSubscription&TopicArn="+topic+"&Token=") ||
				d["SigningCertURL"] != "http://127.0.0.1:4566"+CertPath || !strings.Contains(d["Message"], "You have chosen to subscribe to the topic "+topic) {
				t.Fatalf("confirmation %v", d)
			}
			verifyControl(t, df.fixture, d)

			// Pending: listed as such, and publishes skip it.
			ls, _ := df.svc.ListSubscriptionsByTopic(df.ctx(), &snsapi.ListSubscriptionsByTopicInput{TopicArn: &topic})
			if len(ls.Subscriptions) != 1 || *ls.Subscriptions[0].SubscriptionArn != "PendingConfirmation" {
				t.Fatalf("listed %+v", ls.Subscriptions)
			}
			if a := df.topicAttrs(topic); a["SubscriptionsPending"] != "1" || a["SubscriptionsConfirmed"] != "0" {
				t.Fatalf("topic counts %v", a)
			}
			df.publish(topic, "too early", "")

			rec := df.get(d["SubscribeURL"])
			if rec.Code != 200 || !strings.Contains(rec.Body.String(), "<ConfirmSubscriptionResponse") || !strings.Contains(rec.Body.String(), "<SubscriptionArn>"+topic+":") {
				t.Fatalf("GET SubscribeURL: %d %s", rec.Code, rec.Body)
			}
			subARN := subscriptionOf(t, df, topic)
			attrs, _ := df.svc.GetSubscriptionAttributes(df.ctx(), &snsapi.GetSubscriptionAttributesInput{SubscriptionArn: &subARN})
			if a := attrs.Attributes; a["PendingConfirmation"] != "false" || a["ConfirmationWasAuthenticated"] != "false" || a["EffectiveDeliveryPolicy"] == "" {
				t.Fatalf("attributes after confirmation %v", a)
			}

			df.publish(topic, "hello <world> & all", "Greetings")
			p = ep.next(t)
			if h := p.header; h.Get("x-amz-sns-message-type") != "Notification" || h.Get("x-amz-sns-subscription-arn") != subARN {
				t.Fatalf("notification headers %v", h)
			}
			var n notification
			if err := json.Unmarshal([]byte(p.body), &n); err != nil {
				t.Fatal(err)
			}
			if n.Message != "hello <world> & all" || n.Subject != "Greetings" || n.SignatureVersion != version {
				t.Fatalf("notification %+v", n)
			}
			if p.header.Get("x-amz-sns-message-id") != n.MessageID {
				t.Fatal("message id header differs from the body's")
			}
			verify(t, df.fixture, &n)
		})
	}
}

func subscriptionOf(t *testing.T, df *deliveryFixture, topic string) string {
	t.Helper()
	ls, err := df.svc.ListSubscriptionsByTopic(df.ctx(), &snsapi.ListSubscriptionsByTopicInput{TopicArn: &topic})
	if err != nil || len(ls.Subscriptions) != 1 {
		t.Fatalf("list: %v %v", ls, err)
	}
	return *ls.Subscriptions[0].SubscriptionArn
}

func TestHTTPRetriesThenDeadLetterQueue(t *testing.T) {
	df := newDeliveryFixture(t, "")
	ep := newEndpoint(t)
	ep.status = func(typ string) int {
		if typ == "Notification" {
			return 503
		}
		return 200
	}
	topic := df.topic("orders", nil)
	dlq := "arn:aws:sqs:us-east-1:000000000000:dead"
	sub := df.subscribeEndpoint(topic, "http", ep.srv.URL, map[string]string{
		"DeliveryPolicy":     `{"healthyRetryPolicy":{"numRetries":2,"minDelayTarget":5,"maxDelayTarget":5}}`,
		"RedrivePolicy":      `{"deadLetterTargetArn":"` + dlq + `"}`,
		"RawMessageDelivery": "true",
	})
	var d map[string]string
	json.Unmarshal([]byte(ep.next(t).body), &d)
	if _, err := df.svc.ConfirmSubscription(df.ctx(), &snsapi.ConfirmSubscriptionInput{TopicArn: &topic, Token: shape.Ptr(d["Token"])}); err != nil {
		t.Fatal(err)
	}
	df.publish(topic, "payload", "")
	// Move the clock until the message is dead-lettered: each retry is
	// due 5 s after the failure before it.
	var got []delivered
	for deadline := time.Now().Add(20 * time.Second); len(got) == 0 && time.Now().Before(deadline); {
		df.clk.Advance(time.Second)
		time.Sleep(2 * time.Millisecond)
		got = df.q.take()
	}
	if len(got) != 1 || got[0].queue != dlq || got[0].d.Body != "payload" {
		t.Fatalf("dead-letter deliveries %+v", got)
	}
	if n := len(ep.posts); n != 3 {
		t.Fatalf("%d attempts, want 1 + numRetries 2", n)
	}
	for range 3 {
		if p := ep.next(t); p.body != "payload" || p.header.Get("x-amz-sns-rawdelivery") != "true" {
			t.Fatalf("attempt: %q %v", p.body, p.header)
		}
	}
	// The outbox marks the entry done once the delivery that dead-letters
	// it has returned, which is after the dead-letter queue got it.
	for deadline := time.Now().Add(10 * time.Second); df.ob.Len() != 0; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("entry still pending after dead-lettering")
		}
	}
	_ = sub
}

func TestAuthenticateOnUnsubscribeAndRestore(t *testing.T) {
	df := newDeliveryFixture(t, "")
	ep := newEndpoint(t)
	topic := df.topic("orders", nil)
	sub := df.subscribeEndpoint(topic, "http", ep.srv.URL, nil)
	var d map[string]string
	json.Unmarshal([]byte(ep.next(t).body), &d)
	out, err := df.svc.ConfirmSubscription(df.ctx(), &snsapi.ConfirmSubscriptionInput{TopicArn: &topic, Token: shape.Ptr(d["Token"]), AuthenticateOnUnsubscribe: shape.Ptr("true")})
	if err != nil || *out.SubscriptionArn != sub {
		t.Fatalf("confirm: %v %v", out, err)
	}
	// The confirmation's token again: the same subscription.
	again, err := df.svc.ConfirmSubscription(df.ctx(), &snsapi.ConfirmSubscriptionInput{TopicArn: &topic, Token: shape.Ptr(d["Token"])})
	if err != nil || *again.SubscriptionArn != sub {
		t.Fatalf("confirm again: %v %v", again, err)
	}
	_, err = df.svc.ConfirmSubscription(df.ctx(), &snsapi.ConfirmSubscriptionInput{TopicArn: &topic, Token: shape.Ptr("nope")})
	wantErr[*snsapi.InvalidParameterException](t, "bad token", err, "Invalid parameter: Token")

	unsubURL := "http://127.0.0.1:4566/?Action=Unsubscribe&SubscriptionArn=" + sub
	if rec := df.get(unsubURL); rec.Code != 403 || !strings.Contains(rec.Body.String(), "AuthorizationError") {
		t.Fatalf("unauthenticated unsubscribe: %d %s", rec.Code, rec.Body)
	}
	if err := df.svc.Unsubscribe(df.ctx(), &snsapi.UnsubscribeInput{SubscriptionArn: &sub}); err != nil {
		t.Fatal(err)
	}
	p := ep.next(t)
	json.Unmarshal([]byte(p.body), &d)
	if d["Type"] != "UnsubscribeConfirmation" || p.header.Get("x-amz-sns-subscription-arn") != sub {
		t.Fatalf("after unsubscribe: %v", d)
	}
	verifyControl(t, df.fixture, d)
	if rec := df.get(d["SubscribeURL"]); rec.Code != 200 || !strings.Contains(rec.Body.String(), sub) {
		t.Fatalf("restore: %d %s", rec.Code, rec.Body)
	}
	if got := subscriptionOf(t, df, topic); got != sub {
		t.Fatalf("restored %s", got)
	}
	// Restored without authentication: the UnsubscribeURL works now.
	if rec := df.get(unsubURL); rec.Code != 200 || !strings.Contains(rec.Body.String(), "<UnsubscribeResponse") {
		t.Fatalf("unsubscribe: %d %s", rec.Code, rec.Body)
	}
}

func TestPendingSurvivesReopenAndTokenExpires(t *testing.T) {
	df := newDeliveryFixture(t, "")
	ep := newEndpoint(t)
	topic := df.topic("orders", nil)
	sub := df.subscribeEndpoint(topic, "https", strings.Replace(ep.srv.URL, "http:", "https:", 1), nil)
	df.closeAll()
	df.openAll()
	attrs, err := df.svc.GetSubscriptionAttributes(df.ctx(), &snsapi.GetSubscriptionAttributesInput{SubscriptionArn: &sub})
	if err != nil || attrs.Attributes["PendingConfirmation"] != "true" {
		t.Fatalf("after reopen: %v %v", attrs, err)
	}
	var token string
	df.svc.mu.Lock()
	token = df.svc.subs[sub].state.Token
	df.svc.mu.Unlock()
	df.clk.Advance(tokenTTL)
	_, err = df.svc.ConfirmSubscription(df.ctx(), &snsapi.ConfirmSubscriptionInput{TopicArn: &topic, Token: &token})
	wantErr[*snsapi.InvalidParameterException](t, "expired token", err, "Invalid parameter: Token")
}

func TestDeliveryPolicies(t *testing.T) {
	p := retryPolicy{MinDelay: 1, MaxDelay: 60, NumRetries: 10, NoDelay: 1, MinRetries: 2, MaxRetries: 2, Backoff: "linear"}
	var got []int
	for r := 1; r <= p.NumRetries; r++ {
		got = append(got, p.delay(r))
	}
	want := []int{0, 1, 1, 13, 25, 36, 48, 60, 60, 60}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("linear schedule %v, want %v", got, want)
		}
	}
	if _, ok := p.retryAt(10, t0); ok {
		t.Fatal("retry after numRetries")
	}
	for _, tc := range []struct{ policy, msg string }{
		{`{"healthyRetryPolicy":{"minDelayTarget":0}}`, "minDelayTarget must be between 1 and 3600"},
		{`{"healthyRetryPolicy":{"minDelayTarget":30,"maxDelayTarget":20}}`, "maxDelayTarget must be between"},
		{`{"healthyRetryPolicy":{"numRetries":101}}`, "numRetries must be between 0 and 100"},
		{`{"healthyRetryPolicy":{"numRetries":2,"numNoDelayRetries":3}}`, "numRetries must be at least"},
		{`{"healthyRetryPolicy":{"backoffFunction":"cubic"}}`, "backoffFunction must be"},
		{`{"healthyRetryPolicy":{"numRetries":100,"minDelayTarget":60,"maxDelayTarget":60}}`, "total retry time"},
		{`{"throttlePolicy":{"maxReceivesPerSecond":0}}`, "maxReceivesPerSecond must be at least 1"},
		{`{"requestPolicy":{"headerContentType":"no type"}}`, "headerContentType"},
		{`[`, "failed to parse JSON"},
	} {
		wantErr[*snsapi.InvalidParameterException](t, tc.policy, checkSubscriptionDeliveryPolicy(tc.policy), tc.msg)
	}
	if err := checkSubscriptionDeliveryPolicy(`{"healthyRetryPolicy":{"numRetries":5,"backoffFunction":"EXPONENTIAL","minDelayTarget":1,"maxDelayTarget":100}}`); err != nil {
		t.Fatal(err)
	}
	// Topic defaults, overridden by the subscription unless disabled.
	topic := map[string]string{"DeliveryPolicy": `{"http":{"defaultHealthyRetryPolicy":{"numRetries":7,"minDelayTarget":2,"maxDelayTarget":9},"defaultRequestPolicy":{"headerContentType":"application/json"}}}`}
	sub := map[string]string{"DeliveryPolicy": `{"healthyRetryPolicy":{"numRetries":1}}`}
	if e := effectivePolicy(topic, sub); e.NumRetries != 1 || e.MinDelay != 2 || e.ContentType != "application/json" {
		t.Fatalf("effective %+v", e)
	}
	topic["DeliveryPolicy"] = `{"http":{"defaultHealthyRetryPolicy":{"numRetries":7},"disableSubscriptionOverrides":true}}`
	if e := effectivePolicy(topic, sub); e.NumRetries != 7 {
		t.Fatalf("overrides disabled: %+v", e)
	}
	wantErr[*snsapi.InvalidParameterException](t, "topic policy", checkTopicDeliveryPolicy(`{"http":{"defaultHealthyRetryPolicy":{"numRetries":-1}}}`), "numRetries")
}

// smtpSink is a minimal SMTP server collecting mail.
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
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go s.serve(c)
		}
	}()
	return s
}

func (s *smtpSink) serve(c net.Conn) {
	defer c.Close()
	tp := textproto.NewConn(c)
	tp.PrintfLine("220 sink ready")
	for {
		line, err := tp.ReadLine()
		if err != nil {
			return
		}
		switch verb := strings.ToUpper(strings.SplitN(line, " ", 2)[0]); verb {
		case "DATA":
			tp.PrintfLine("354 go ahead")
			data, err := tp.ReadDotBytes()
			if err != nil {
				return
			}
			m, err := mail.ReadMessage(strings.NewReader(string(data)))
			if err == nil {
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
		b, err := io.ReadAll(quotedprintable.NewReader(m.Body))
		if err != nil {
			t.Fatal(err)
		}
		return m, strings.ReplaceAll(string(b), "\r\n", "\n")
	case <-time.After(20 * time.Second):
		t.Fatal("no mail")
		return nil, ""
	}
}

func TestEmailConfirmationAndNotification(t *testing.T) {
	sink := newSMTPSink(t)
	df := newDeliveryFixture(t, sink.ln.Addr().String())
	topic := df.topic("alerts", map[string]string{"DisplayName": "Ops Alerts"})
	sub := df.subscribeEndpoint(topic, "email", "ops@example.com", nil)
	m, body := sink.next(t)
	if m.Header.Get("To") != "ops@example.com" || m.Header.Get("Subject") != "AWS Notification - Subscription Confirmation" ||
		!strings.Contains(m.Header.Get("From"), "Ops Alerts") || !strings.Contains(body, "http://127.0.0.1:4566/?Action=ConfirmSubscription&TopicArn="+topic+"&Token=") {
		t.Fatalf("confirmation mail %v\n%s", m.Header, body)
	}
	confirmURL := body[strings.Index(body, "http://127.0.0.1:4566/?Action=ConfirmSubscription"):]
	confirmURL = confirmURL[:strings.IndexByte(confirmURL, '\n')]
	if rec := df.get(confirmURL); rec.Code != 200 {
		t.Fatalf("confirm: %d %s", rec.Code, rec.Body)
	}
	df.publish(topic, "disk full on db-1", "Disk alarm")
	m, body = sink.next(t)
	if m.Header.Get("Subject") != "Disk alarm" || !strings.HasPrefix(body, "disk full on db-1\n") ||
		!strings.Contains(body, "/?Action=Unsubscribe&SubscriptionArn="+sub) {
		t.Fatalf("notification mail %v\n%s", m.Header, body)
	}

	// email-json: the JSON envelope as the body.
	df.subscribeEndpoint(topic, "email-json", "robot@example.com", nil)
	_, body = sink.next(t)
	var d map[string]string
	if err := json.Unmarshal([]byte(strings.TrimSpace(body)), &d); err != nil || d["Type"] != "SubscriptionConfirmation" {
		t.Fatalf("email-json confirmation %q: %v", body, err)
	}
	verifyControl(t, df.fixture, d)
	_, err := df.svc.Subscribe(df.ctx(), &snsapi.SubscribeInput{TopicArn: &topic, Protocol: shape.Ptr("email"), Endpoint: shape.Ptr("x@example.com"),
		Attributes: map[string]string{"RawMessageDelivery": "true"}})
	wantErr[*snsapi.InvalidParameterException](t, "raw email", err, "does not support raw message delivery")
}

func TestRefusedSQSDeliveryGoesToDeadLetterQueue(t *testing.T) {
	f := newFixture(t)
	topic := f.topic("orders", nil)
	gone := "arn:aws:sqs:us-east-1:000000000000:gone"
	dlq := "arn:aws:sqs:us-east-1:000000000000:dead"
	f.q.refuse[gone] = true
	f.subscribe(topic, gone, map[string]string{"RawMessageDelivery": "true", "RedrivePolicy": `{"deadLetterTargetArn":"` + dlq + `"}`})
	if _, err := f.svc.Publish(f.ctx(), &snsapi.PublishInput{TopicArn: &topic, Message: shape.Ptr("m")}); err != nil {
		t.Fatal(err)
	}
	if got := f.q.take(); len(got) != 1 || got[0].queue != dlq || got[0].d.Body != "m" {
		t.Fatalf("deliveries %+v", got)
	}
}
