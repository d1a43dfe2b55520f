package sns

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/http"
	"net/smtp"
	"strings"
	"sync"
	"time"

	snsapi "github.com/vigilhq/vigil/internal/api/sns"
	"github.com/vigilhq/vigil/internal/outbox"
	"github.com/vigilhq/vigil/internal/sqs"
)

// The outbox kinds SNS enqueues; each kind has its own share of the
// outbox's workers, so a slow mail relay does not hold up HTTP endpoints.
const (
	KindHTTP  = "sns-http"
	KindEmail = "sns-email"
)

// Enqueuer is where deliveries to http, https, email and email-json
// endpoints go; *outbox.Outbox implements it. Enqueue returns once the
// entries are durable.
type Enqueuer interface {
	Enqueue(ctx context.Context, kind string, payloads ...[]byte) error
}

// httpTimeout is AWS's limit on one HTTP/S delivery attempt.
const httpTimeout = 15 * time.Second

// userAgent is the User-Agent AWS's deliveries carry.
const userAgent = "Amazon Simple Notification Service Agent"

// DefaultSMTPFrom is the envelope sender of Vigil's mail without
// --smtp-from.
const DefaultSMTPFrom = "no-reply@sns.vigil.local"

// deliveries is the service's outbound side: the outbox, the HTTP client,
// the SMTP relay and the per-subscription throttles.
type deliveries struct {
	outbox              Enqueuer
	client              *http.Client
	smtpRelay, smtpFrom string

	mu    sync.Mutex
	rates map[string]*rateWindow // by subscription ARN
}

type rateWindow struct {
	second int64
	n      int
}

func newDeliveries(o Options) *deliveries {
	client := o.HTTPClient
	if client == nil {
		// System roots for https (SSL_CERT_FILE adds a private CA); AWS
		// does not follow redirects, and a 3xx is a failed attempt.
		client = &http.Client{Timeout: httpTimeout, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	}
	from := o.SMTPFrom
	if from == "" {
		from = DefaultSMTPFrom
	}
	return &deliveries{client: client, smtpRelay: o.SMTPRelay, smtpFrom: from, rates: map[string]*rateWindow{}}
}

// SetOutbox connects the outbox deliveries go through. It must be called
// before the service serves requests (the outbox is opened with the
// service as its Deliverer, so the two are made one after the other).
func (s *Service) SetOutbox(e Enqueuer) { s.dl.outbox = e }

// job is one outbox entry's payload: a rendered message for one endpoint,
// with what retries and the dead-letter queue need.
type job struct {
	Type      string      `json:"type"` // Notification, SubscriptionConfirmation, UnsubscribeConfirmation
	Sub       string      `json:"sub"`
	Topic     string      `json:"topic"`
	Protocol  string      `json:"protocol"`
	Endpoint  string      `json:"endpoint"`
	MessageID string      `json:"messageId"`
	Body      string      `json:"body"`
	Subject   string      `json:"subject,omitempty"` // mail
	FromName  string      `json:"fromName,omitempty"`
	Raw       bool        `json:"raw,omitempty"`
	Policy    retryPolicy `json:"policy"`
	DLQ       string      `json:"dlq,omitempty"`
}

func (j *job) kind() string {
	if isEmail(j.Protocol) {
		return KindEmail
	}
	return KindHTTP
}

func (s *Service) enqueue(ctx context.Context, jobs []*job) error {
	if len(jobs) == 0 {
		return nil
	}
	if s.dl.outbox == nil {
		return fmt.Errorf("sns: no outbox for %s deliveries", jobs[0].Protocol)
	}
	byKind := map[string][][]byte{}
	for _, j := range jobs {
		b, err := json.Marshal(j)
		if err != nil {
			return err
		}
		byKind[j.kind()] = append(byKind[j.kind()], b)
	}
	for kind, payloads := range byKind {
		if err := s.dl.outbox.Enqueue(ctx, kind, payloads...); err != nil {
			return fmt.Errorf("sns: enqueue deliveries: %w", err)
		}
	}
	return nil
}

func fromName(t *topic) string {
	if d := t.attrs["DisplayName"]; d != "" {
		return d
	}
	return "AWS Notifications"
}

// enqueueDeliveries renders m for each confirmed http, https, email and
// email-json subscription and enqueues it; it returns once they are
// durable. Pending subscriptions get nothing, as on AWS.
func (s *Service) enqueueDeliveries(ctx context.Context, c call, t *topic, subs []*subscription, m *message) error {
	var jobs []*job
	for _, sub := range subs {
		if sub.state.Pending {
			continue
		}
		body := m.bodyFor(sub.protocol)
		attrs := m.attrs
		if m.perProtocol != nil {
			attrs = nil
		}
		j := &job{Type: "Notification", Sub: sub.arn, Topic: t.arn, Protocol: sub.protocol, Endpoint: sub.endpoint,
			MessageID: m.id, FromName: fromName(t), DLQ: redriveTarget(sub.attrs)}
		switch sub.protocol {
		case "email":
			j.Policy = emailPolicy
			j.Subject = m.subject
			if j.Subject == "" {
				j.Subject = "AWS Notification Message"
			}
			j.Body = body + "\n\n--\nIf you wish to stop receiving notifications from this topic, please click or visit the link below to unsubscribe:\n" +
				s.unsubscribeURL(c, sub.arn) + "\n\nPlease do not reply directly to this email.\n"
		case "email-json":
			j.Policy = emailPolicy
			j.Subject = "AWS Notification Message"
			env, err := s.envelope(c, t, sub, m, body, attrs)
			if err != nil {
				return err
			}
			j.Body = env
		default:
			j.Policy = effectivePolicy(t.attrs, sub.attrs)
			if sub.raw() {
				j.Body, j.Raw = body, true
			} else {
				env, err := s.envelope(c, t, sub, m, body, attrs)
				if err != nil {
					return err
				}
				j.Body = env
			}
		}
		jobs = append(jobs, j)
	}
	return s.enqueue(ctx, jobs)
}

func (s *Service) unsubscribeURL(c call, subARN string) string {
	return "http://" + c.host + "/?Action=Unsubscribe&SubscriptionArn=" + subARN
}

func redriveTarget(attrs map[string]string) string {
	var p struct {
		DeadLetterTargetArn string `json:"deadLetterTargetArn"`
	}
	if v := attrs["RedrivePolicy"]; v != "" && json.Unmarshal([]byte(v), &p) == nil {
		return p.DeadLetterTargetArn
	}
	return ""
}

// control is AWS's SubscriptionConfirmation and UnsubscribeConfirmation
// document, its fields in AWS's order.
type control struct {
	Type             string `json:"Type"`
	MessageID        string `json:"MessageId"`
	Token            string `json:"Token"`
	TopicArn         string `json:"TopicArn"`
	Message          string `json:"Message"`
	SubscribeURL     string `json:"SubscribeURL"`
	Timestamp        string `json:"Timestamp"`
	SignatureVersion string `json:"SignatureVersion"`
	Signature        string `json:"Signature"`
	SigningCertURL   string `json:"SigningCertURL"`
}

// sendConfirmation sends sub its SubscriptionConfirmation. Callers hold
// s.mu.
func (s *Service) sendConfirmation(ctx context.Context, c call, t *topic, sub *subscription) error {
	msg := "You have chosen to subscribe to the topic " + t.arn + ".\nTo confirm the subscription, visit the SubscribeURL included in this message."
	return s.sendControl(ctx, c, t, sub, "SubscriptionConfirmation", sub.state.Token, msg)
}

// sendControl renders, signs and enqueues a SubscriptionConfirmation or
// UnsubscribeConfirmation for sub.
func (s *Service) sendControl(ctx context.Context, c call, t *topic, sub *subscription, typ, token, text string) error {
	doc := control{Type: typ, MessageID: s.ids.UUID(), Token: token, TopicArn: t.arn, Message: text,
		SubscribeURL: s.subscribeURL(c, t.arn, token), Timestamp: c.now.UTC().Format("2006-01-02T15:04:05.000Z"),
		SignatureVersion: "1", SigningCertURL: "http://" + c.host + CertPath}
	if t.attrs["SignatureVersion"] == "2" {
		doc.SignatureVersion = "2"
	}
	sig, err := s.signer.signString(doc.SignatureVersion, controlStringToSign(&doc))
	if err != nil {
		return err
	}
	doc.Signature = sig
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(doc); err != nil {
		return err
	}
	j := &job{Type: typ, Sub: sub.arn, Topic: t.arn, Protocol: sub.protocol, Endpoint: sub.endpoint, MessageID: doc.MessageID,
		Body: strings.TrimSuffix(b.String(), "\n"), FromName: fromName(t)}
	switch sub.protocol {
	case "email":
		j.Policy, j.Subject = emailPolicy, "AWS Notification - Subscription Confirmation"
		j.Body = "You have chosen to subscribe to the topic:\n" + t.arn + "\n\nTo confirm this subscription, click or visit the link below (If this was in error no action is necessary):\n" +
			doc.SubscribeURL + "\n\nPlease do not reply directly to this email.\n"
	case "email-json":
		j.Policy, j.Subject = emailPolicy, "AWS Notification - Subscription Confirmation"
	default:
		j.Policy = effectivePolicy(t.attrs, sub.attrs)
	}
	return s.enqueue(ctx, []*job{j})
}

// controlStringToSign is AWS's string to sign for the two confirmation
// types: Message, MessageId, SubscribeURL, Timestamp, Token, TopicArn and
// Type, each as its name, a newline, its value and a newline.
func controlStringToSign(d *control) string {
	var b strings.Builder
	for _, kv := range [][2]string{{"Message", d.Message}, {"MessageId", d.MessageID}, {"SubscribeURL", d.SubscribeURL},
		{"Timestamp", d.Timestamp}, {"Token", d.Token}, {"TopicArn", d.TopicArn}, {"Type", d.Type}} {
		b.WriteString(kv[0] + "\n" + kv[1] + "\n")
	}
	return b.String()
}

// Deliver makes one attempt at an outbox entry of KindHTTP or KindEmail:
// 2xx (or the relay's acceptance) is done; anything else is retried per
// the entry's delivery policy, and a notification that exhausts it goes to
// the subscription's dead-letter queue, or is dropped with a log line.
func (s *Service) Deliver(ctx context.Context, e outbox.Entry) outbox.Outcome {
	var j job
	if err := json.Unmarshal(e.Payload, &j); err != nil {
		s.log.Error("sns: undecodable outbox entry dropped", "id", e.ID, "err", err)
		return outbox.Outcome{Done: true}
	}
	if j.Type == "Notification" {
		s.mu.Lock()
		sub := s.subs[j.Sub]
		live := sub != nil && !sub.state.Pending
		s.mu.Unlock()
		if !live {
			s.log.Debug("sns: subscription gone; notification dropped", "subscription", j.Sub, "messageId", j.MessageID)
			return outbox.Outcome{Done: true}
		}
		if at, over := s.dl.throttled(j.Sub, j.Policy.PerSecond, s.clock.Now()); over {
			return outbox.Outcome{RetryAt: at, NotAttempted: true}
		}
	}
	var err error
	if isEmail(j.Protocol) {
		err = s.dl.sendMail(ctx, &j, s.clock.Now(), s.ids.UUID())
	} else {
		err = s.dl.post(ctx, &j)
	}
	now := s.clock.Now()
	notification := j.Type == "Notification"
	if err == nil {
		if notification {
			s.met.delivered(j.Topic, now)
		}
		return outbox.Outcome{Done: true}
	}
	if notification && !isEmail(j.Protocol) {
		s.met.failed(j.Topic, now) // every failed http/https attempt
	}
	if at, ok := j.Policy.retryAt(e.Attempts, now); ok {
		s.log.Info("sns: delivery failed; will retry", "subscription", j.Sub, "endpoint", j.Endpoint, "attempt", e.Attempts+1, "retryAt", at, "err", err)
		return outbox.Outcome{RetryAt: at}
	}
	if notification && isEmail(j.Protocol) {
		s.met.failed(j.Topic, now) // email: once, when SNS stops trying
	}
	if j.Type != "Notification" || j.DLQ == "" {
		s.log.Warn("sns: delivery policy exhausted; message dropped", "subscription", j.Sub, "endpoint", j.Endpoint, "type", j.Type, "messageId", j.MessageID, "err", err)
		return outbox.Outcome{Done: true}
	}
	derr := s.queues.DeliverAll(ctx, []sqs.Message{{Queue: j.DLQ, Delivery: sqs.Delivery{Body: j.Body, Sender: snsSenderID, Now: now}}})[0]
	switch {
	case derr == nil:
		s.met.redriven(j.Topic, true, now)
		s.log.Info("sns: delivery policy exhausted; message moved to the dead-letter queue", "subscription", j.Sub, "queue", j.DLQ, "messageId", j.MessageID)
	case sqs.Rejected(derr):
		s.met.redriven(j.Topic, false, now)
		s.log.Warn("sns: dead-letter queue refused the message; dropped", "subscription", j.Sub, "queue", j.DLQ, "err", derr)
	default:
		// Our decision: a storage failure of the dead-letter queue keeps
		// the message, tried again in a minute.
		s.log.Warn("sns: dead-letter queue unavailable; will retry", "subscription", j.Sub, "queue", j.DLQ, "err", derr)
		return outbox.Outcome{RetryAt: now.Add(time.Minute), NotAttempted: true}
	}
	return outbox.Outcome{Done: true}
}

// throttled applies a subscription's maxReceivesPerSecond: over the limit,
// it answers the start of the next second.
func (d *deliveries) throttled(sub string, perSecond int, now time.Time) (time.Time, bool) {
	if perSecond <= 0 {
		return time.Time{}, false
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	sec := now.Unix()
	w := d.rates[sub]
	if w == nil || w.second != sec {
		w = &rateWindow{second: sec}
		d.rates[sub] = w
	}
	if w.n >= perSecond {
		return time.Unix(sec+1, 0), true
	}
	w.n++
	return time.Time{}, false
}

// post makes one HTTP/S delivery with AWS's headers.
func (d *deliveries) post(ctx context.Context, j *job) error {
	ctx, cancel := context.WithTimeout(ctx, httpTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, j.Endpoint, strings.NewReader(j.Body))
	if err != nil {
		return err
	}
	h := req.Header
	h.Set("x-amz-sns-message-type", j.Type)
	h.Set("x-amz-sns-message-id", j.MessageID)
	h.Set("x-amz-sns-topic-arn", j.Topic)
	if j.Type != "SubscriptionConfirmation" {
		h.Set("x-amz-sns-subscription-arn", j.Sub)
	}
	if j.Raw {
		h.Set("x-amz-sns-rawdelivery", "true")
	}
	ct := "text/plain; charset=UTF-8"
	if j.Type == "Notification" && j.Policy.ContentType != "" {
		ct = j.Policy.ContentType
	}
	h.Set("Content-Type", ct)
	h.Set("User-Agent", userAgent)
	resp, err := d.client.Do(req)
	if err != nil {
		return err
	}
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("endpoint answered %s", resp.Status)
	}
	return nil
}

// sendMail hands one mail to the relay. Our decision: plain SMTP without
// authentication or STARTTLS, as to a local relay (which then forwards
// with whatever security it is configured for).
func (d *deliveries) sendMail(ctx context.Context, j *job, now time.Time, id string) error {
	if d.smtpRelay == "" {
		return fmt.Errorf("no SMTP relay configured (--smtp-relay)")
	}
	var dialer net.Dialer
	conn, err := dialer.DialContext(ctx, "tcp", d.smtpRelay)
	if err != nil {
		return err
	}
	defer conn.Close()
	if dl, ok := ctx.Deadline(); ok {
		conn.SetDeadline(dl)
	}
	host, _, _ := net.SplitHostPort(d.smtpRelay)
	c, err := smtp.NewClient(conn, host)
	if err != nil {
		return err
	}
	defer c.Close()
	if err := c.Hello("sns.vigil.local"); err != nil {
		return err
	}
	if err := c.Mail(d.smtpFrom); err != nil {
		return err
	}
	if err := c.Rcpt(j.Endpoint); err != nil {
		return err
	}
	w, err := c.Data()
	if err != nil {
		return err
	}
	if _, err := w.Write(d.compose(j, now, id)); err != nil {
		return err
	}
	if err := w.Close(); err != nil {
		return err
	}
	return c.Quit()
}

// compose renders the mail: UTF-8 text, quoted-printable so that long
// lines (a JSON envelope is one line) survive SMTP's line limit.
func (d *deliveries) compose(j *job, now time.Time, id string) []byte {
	var b bytes.Buffer
	from := mime.QEncoding.Encode("UTF-8", j.FromName) + " <" + d.smtpFrom + ">"
	fmt.Fprintf(&b, "From: %s\r\nTo: %s\r\nSubject: %s\r\nDate: %s\r\nMessage-ID: <%s@sns.vigil.local>\r\n",
		from, j.Endpoint, mime.QEncoding.Encode("UTF-8", j.Subject), now.UTC().Format(time.RFC1123Z), id)
	fmt.Fprintf(&b, "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: quoted-printable\r\n")
	fmt.Fprintf(&b, "x-amz-sns-message-id: %s\r\nx-amz-sns-subscription-arn: %s\r\n\r\n", j.MessageID, j.Sub)
	qp := quotedprintable.NewWriter(&b)
	qp.Write([]byte(strings.ReplaceAll(j.Body, "\n", "\r\n")))
	qp.Close()
	return b.Bytes()
}

var _ snsapi.Handler = (*Service)(nil)
