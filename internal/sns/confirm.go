package sns

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"maps"
	"net/mail"
	"net/url"
	"strings"
	"time"

	"github.com/vigilhq/vigil/internal/api/shape"
	snsapi "github.com/vigilhq/vigil/internal/api/sns"
	"github.com/vigilhq/vigil/internal/reqctx"
)

// subState is what a confirmable subscription (http, https, email,
// email-json) adds to its row: whether it awaits confirmation, its token,
// and how it was confirmed.
type subState struct {
	Pending       bool      `json:"pending,omitempty"`
	Token         string    `json:"token,omitempty"`
	TokenAt       time.Time `json:"tokenAt,omitzero"`
	Authenticated bool      `json:"authenticated,omitempty"`
	AuthOnUnsub   bool      `json:"authOnUnsubscribe,omitempty"`
}

// tokenTTL: AWS's confirmation tokens are valid for three days.
const tokenTTL = 72 * time.Hour

// pendingARN is what Subscribe and the listings show for a subscription
// awaiting confirmation.
const (
	pendingSubscribeARN = "pending confirmation"
	pendingListedARN    = "PendingConfirmation"
)

// confirmable protocols deliver through the outbox and need the endpoint
// owner's confirmation.
func confirmable(protocol string) bool {
	switch protocol {
	case "http", "https", "email", "email-json":
		return true
	}
	return false
}

func isEmail(protocol string) bool { return protocol == "email" || protocol == "email-json" }

// migrateState adds the state column to subscription tables made before it
// existed, and the table of unsubscribe tokens.
func (s *Service) migrateState(ctx context.Context) error {
	rows, err := s.db.QueryContext(ctx, `SELECT name FROM pragma_table_info('sns_subscriptions')`)
	if err != nil {
		return wrapDB("inspect subscriptions", err)
	}
	has := false
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			rows.Close()
			return wrapDB("inspect subscriptions", err)
		}
		has = has || name == "state"
	}
	rows.Close()
	if !has {
		if _, err := s.db.ExecContext(ctx, `ALTER TABLE sns_subscriptions ADD COLUMN state TEXT NOT NULL DEFAULT '{}'`); err != nil {
			return wrapDB("add subscription state", err)
		}
	}
	_, err = s.db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS sns_unsubscribed (
	token   TEXT PRIMARY KEY,
	topic   TEXT NOT NULL,
	expires INTEGER NOT NULL,
	sub     TEXT NOT NULL
)`)
	return wrapIf("create unsubscribe tokens", err)
}

func (st subState) encode() string {
	b, _ := json.Marshal(st)
	return string(b)
}

// newToken is a confirmation token: 64 hex digits from two random UUIDs,
// as unguessable as the ids source is random.
func (s *Service) newToken() string {
	return strings.ReplaceAll(s.ids.UUID()+s.ids.UUID(), "-", "")
}

// checkEndpoint applies AWS's endpoint rules to a confirmable or lambda
// subscription.
func (s *Service) checkEndpoint(protocol, endpoint string) error {
	switch protocol {
	case "http", "https":
		u, err := url.Parse(endpoint)
		if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
			return invalidParameter("Endpoint", "Endpoint must be a valid URL")
		}
		if u.Scheme != protocol {
			return invalidParameter("Endpoint", "Endpoint must match the specified protocol")
		}
	case "email", "email-json":
		if a, err := mail.ParseAddress(endpoint); err != nil || a.Address != endpoint {
			return invalidParameter("Email address", "")
		}
		if s.dl.smtpRelay == "" {
			return invalidParameter("Protocol", "The "+protocol+" protocol needs an SMTP relay: start Vigil with --smtp-relay host:port")
		}
	case "lambda":
		// AWS accepts any function ARN and fails the deliveries later;
		// Vigil has no functions, so a subscription would only drop
		// messages.
		return invalidParameter("Protocol", "Lambda functions do not exist in Vigil yet, so lambda subscriptions are not supported")
	default:
		return invalidParameter("Protocol", "The "+protocol+" protocol is not supported by Vigil; supported are sqs, http, https, email and email-json")
	}
	return nil
}

// subscribeConfirmable is Subscribe for http, https, email and email-json:
// the subscription is saved pending and a SubscriptionConfirmation is sent
// through the outbox. Subscribing a pending endpoint again sends the
// confirmation again (with the same token while it is valid), as AWS does.
func (s *Service) subscribeConfirmable(ctx context.Context, c call, in *snsapi.SubscribeInput) (*snsapi.SubscribeResponse, error) {
	protocol, endpoint := shape.Value(in.Protocol), shape.Value(in.Endpoint)
	if err := s.checkEndpoint(protocol, endpoint); err != nil {
		return nil, err
	}
	for k, v := range in.Attributes {
		if err := checkSubscriptionAttribute(k, v); err != nil {
			return nil, err
		}
		if k == "RawMessageDelivery" && isEmail(protocol) {
			return nil, invalidParameter("Attributes", "Delivery protocol ["+protocol+"] does not support raw message delivery")
		}
	}
	answer := func(sub *subscription) *snsapi.SubscribeResponse {
		if sub.state.Pending && !shape.Value(in.ReturnSubscriptionArn) {
			return &snsapi.SubscribeResponse{SubscriptionArn: shape.Ptr(pendingSubscribeARN)}
		}
		return &snsapi.SubscribeResponse{SubscriptionArn: shape.Ptr(sub.arn)}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	t, err := s.topicByARN(c, shape.Value(in.TopicArn), "TopicArn")
	if err != nil {
		return nil, err
	}
	if t.fifo() {
		return nil, invalidParameter("Protocol", "FIFO topics only support the sqs protocol")
	}
	for _, sub := range s.subs {
		if sub.topic != t.arn || sub.protocol != protocol || sub.endpoint != endpoint {
			continue
		}
		if len(in.Attributes) > 0 && !maps.Equal(sub.attrs, in.Attributes) {
			return nil, invalidParameter("Attributes", "Subscription already exists with different attributes")
		}
		if !sub.state.Pending {
			return answer(sub), nil
		}
		if c.now.Sub(sub.state.TokenAt) >= tokenTTL {
			next := *sub
			next.state.Token, next.state.TokenAt = s.newToken(), c.now
			if err := s.saveSubscription(ctx, &next); err != nil {
				return nil, err
			}
			*sub = next
		}
		if err := s.sendConfirmation(ctx, c, t, sub); err != nil {
			return nil, err
		}
		return answer(sub), nil
	}
	sub := &subscription{arn: t.arn + ":" + s.ids.UUID(), topic: t.arn, protocol: protocol, endpoint: endpoint,
		owner: c.account, attrs: maps.Clone(nonNil(in.Attributes)),
		state: subState{Pending: true, Token: s.newToken(), TokenAt: c.now}}
	if err := sub.compile(); err != nil {
		return nil, err
	}
	if err := s.saveSubscription(ctx, sub); err != nil {
		return nil, err
	}
	s.subs[sub.arn] = sub
	// A failed send leaves the subscription pending; subscribing again
	// sends the confirmation again.
	if err := s.sendConfirmation(ctx, c, t, sub); err != nil {
		return nil, err
	}
	return answer(sub), nil
}

func (s *Service) subscribeURL(c call, topicARN, token string) string {
	return "http://" + c.host + "/?Action=ConfirmSubscription&TopicArn=" + topicARN + "&Token=" + token
}

// ConfirmSubscription confirms a pending subscription by its token. Our
// decision, as the token is the credential: the caller need not own the
// topic (AWS lets the endpoint's owner confirm from another account).
// Confirming an already confirmed subscription answers its ARN again.
func (s *Service) ConfirmSubscription(ctx context.Context, in *snsapi.ConfirmSubscriptionInput) (*snsapi.ConfirmSubscriptionResponse, error) {
	authOnUnsub := false
	if v := shape.Value(in.AuthenticateOnUnsubscribe); v != "" {
		b, err := parseBool("AuthenticateOnUnsubscribe", v)
		if err != nil {
			return nil, err
		}
		authOnUnsub = b
	}
	arn, err := s.confirm(ctx, shape.Value(in.TopicArn), shape.Value(in.Token), true, authOnUnsub)
	if err != nil {
		return nil, err
	}
	return &snsapi.ConfirmSubscriptionResponse{SubscriptionArn: &arn}, nil
}

// confirm confirms the subscription whose token this is; authenticated
// tells whether the request was signed (an unsigned one, from the
// SubscribeURL, cannot set AuthenticateOnUnsubscribe).
func (s *Service) confirm(ctx context.Context, topicARN, token string, authenticated, authOnUnsub bool) (string, error) {
	c := callOf(ctx)
	if topicARN == "" {
		return "", missingParameter("TopicArn")
	}
	if token == "" {
		return "", missingParameter("Token")
	}
	region, account, _, ok := arnParts(topicARN)
	if !ok {
		return "", invalidParameter("TopicArn", "")
	}
	c.region, c.account = region, account
	s.mu.Lock()
	defer s.mu.Unlock()
	t, err := s.topicByARN(c, topicARN, "TopicArn")
	if err != nil {
		return "", err
	}
	for _, sub := range s.subs {
		if sub.topic != t.arn || sub.state.Token != token {
			continue
		}
		if !sub.state.Pending {
			return sub.arn, nil
		}
		if c.now.Sub(sub.state.TokenAt) >= tokenTTL {
			return "", invalidParameter("Token", "")
		}
		next := *sub
		next.state.Pending, next.state.Authenticated = false, authenticated
		next.state.AuthOnUnsub = authenticated && authOnUnsub
		if err := s.saveSubscription(ctx, &next); err != nil {
			return "", err
		}
		*sub = next
		return sub.arn, nil
	}
	return s.restore(ctx, c, t, token, authenticated, authOnUnsub)
}

// restore re-creates a subscription from the token of its
// UnsubscribeConfirmation, as AWS's SubscribeURL in that message does.
// Callers hold s.mu.
func (s *Service) restore(ctx context.Context, c call, t *topic, token string, authenticated, authOnUnsub bool) (string, error) {
	var raw string
	var expires int64
	err := s.db.QueryRowContext(ctx, `SELECT sub, expires FROM sns_unsubscribed WHERE token = ? AND topic = ?`, token, t.arn).Scan(&raw, &expires)
	if errors.Is(err, sql.ErrNoRows) || err == nil && c.now.UnixNano() >= expires {
		return "", invalidParameter("Token", "")
	}
	if err != nil {
		return "", wrapDB("find unsubscribe token", err)
	}
	var snap savedSubscription
	if err := json.Unmarshal([]byte(raw), &snap); err != nil {
		return "", wrapDB("unsubscribe token", err)
	}
	if old := s.subs[snap.ARN]; old != nil {
		return old.arn, nil
	}
	sub := &subscription{arn: snap.ARN, topic: t.arn, protocol: snap.Protocol, endpoint: snap.Endpoint, owner: snap.Owner,
		attrs: nonNil(snap.Attrs), state: subState{Token: token, TokenAt: c.now, Authenticated: authenticated, AuthOnUnsub: authenticated && authOnUnsub}}
	if err := sub.compile(); err != nil {
		return "", err
	}
	if err := s.saveSubscription(ctx, sub); err != nil {
		return "", err
	}
	if _, err := s.db.ExecContext(ctx, `DELETE FROM sns_unsubscribed WHERE token = ?`, token); err != nil {
		s.log.Warn("sns: forget unsubscribe token", "err", err)
	}
	s.subs[sub.arn] = sub
	return sub.arn, nil
}

type savedSubscription struct {
	ARN, Protocol, Endpoint, Owner string
	Attrs                          map[string]string
}

// afterUnsubscribe sends an http/https endpoint AWS's
// UnsubscribeConfirmation, whose token restores the subscription for three
// days. Callers hold s.mu; sub is already removed. A failure is logged:
// the unsubscribe itself is done.
func (s *Service) afterUnsubscribe(ctx context.Context, c call, sub *subscription) {
	if sub.state.Pending || (sub.protocol != "http" && sub.protocol != "https") {
		return
	}
	t := s.topics[sub.topic]
	if t == nil {
		return
	}
	token := s.newToken()
	snap, _ := json.Marshal(savedSubscription{ARN: sub.arn, Protocol: sub.protocol, Endpoint: sub.endpoint, Owner: sub.owner, Attrs: sub.attrs})
	if _, err := s.db.ExecContext(ctx, `INSERT OR REPLACE INTO sns_unsubscribed (token, topic, expires, sub) VALUES (?, ?, ?, ?)`,
		token, t.arn, c.now.Add(tokenTTL).UnixNano(), string(snap)); err != nil {
		s.log.Warn("sns: save unsubscribe token", "subscription", sub.arn, "err", err)
		return
	}
	msg := "You have chosen to deactivate subscription " + sub.arn + ".\nTo cancel this operation and restore the subscription, visit the SubscribeURL included in this message."
	if err := s.sendControl(ctx, c, t, sub, "UnsubscribeConfirmation", token, msg); err != nil {
		s.log.Warn("sns: send UnsubscribeConfirmation", "subscription", sub.arn, "err", err)
	}
}

// publicContext is the context of an unsigned request from a SubscribeURL or
// UnsubscribeURL: the account and region are the ARN's.
func publicContext(host, arn string, now time.Time) (context.Context, bool) {
	region, account, _, ok := arnParts(arn)
	if !ok {
		return nil, false
	}
	req := &reqctx.Request{Caller: reqctx.Caller{AccountID: account, PrincipalID: "anonymous"}, Region: region, Service: "sns",
		Host: host, Time: now}
	return reqctx.With(context.Background(), req), true
}
