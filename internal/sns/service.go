package sns

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"net/http"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/vigilhq/vigil/internal/api/shape"
	snsapi "github.com/vigilhq/vigil/internal/api/sns"
	"github.com/vigilhq/vigil/internal/clock"
	"github.com/vigilhq/vigil/internal/ids"
	"github.com/vigilhq/vigil/internal/reqctx"
)

// Options configure a Service.
type Options struct {
	DB     *sql.DB // the topic and subscription tables live here
	Clock  clock.Clock
	IDs    ids.Source // subscription and message ids
	Logger *slog.Logger
	Queues Queues // where sqs subscriptions deliver
	// SigningKeyFile holds the notification signing key and certificate,
	// created on first start; empty keeps a fresh key in memory (tests).
	SigningKeyFile string
	// SMTPRelay (host:port) carries email and email-json deliveries; empty
	// refuses those protocols. SMTPFrom is the sender (DefaultSMTPFrom).
	SMTPRelay, SMTPFrom string
	// HTTPClient makes http/https deliveries (default: 15 s timeout, no
	// redirects).
	HTTPClient *http.Client
}

// Service is the SNS handler. Operations not implemented here answer
// NotImplemented through the embedded generated type. Its methods are safe
// for concurrent use: one mutex serialises every change (the control plane
// is low-rate) and is held across the SQLite write so memory and table
// never disagree.
type Service struct {
	snsapi.Unimplemented
	db     *sql.DB
	clock  clock.Clock
	ids    ids.Source
	log    *slog.Logger
	queues Queues
	signer *signer
	dl     *deliveries // http, https and email deliveries (delivery.go)
	met    *Metrics    // AWS/SNS metrics; nil records nothing (metrics.go)

	mu     sync.Mutex
	topics map[string]*topic        // by ARN
	subs   map[string]*subscription // by ARN
	fifos  map[string]*fifoState    // FIFO topics' publishing state, by ARN

	serverHost atomic.Value // string: see SetServerHost
}

// New opens the catalog and loads every topic and subscription.
func New(ctx context.Context, o Options) (*Service, error) {
	if o.Clock == nil {
		o.Clock = clock.System{}
	}
	if o.IDs == nil {
		o.IDs = ids.NewRandom(nil)
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	s := &Service{db: o.DB, clock: o.Clock, ids: o.IDs, log: o.Logger, queues: o.Queues, fifos: map[string]*fifoState{}, dl: newDeliveries(o)}
	if err := s.load(ctx); err != nil {
		return nil, err
	}
	var err error
	if s.signer, err = loadSigner(o.SigningKeyFile, o.Clock.Now()); err != nil {
		return nil, err
	}
	return s, nil
}

// Reset forgets every topic and subscription after the data directory was
// wiped (dev mode).
func (s *Service) Reset() {
	s.mu.Lock()
	s.topics, s.subs, s.fifos = map[string]*topic{}, map[string]*subscription{}, map[string]*fifoState{}
	s.mu.Unlock()
}

// --- the caller ---------------------------------------------------------------

type call struct {
	account, region, host string
	now                   time.Time
}

func callOf(ctx context.Context) call {
	r := reqctx.From(ctx)
	host := r.Host
	if host == "" {
		host = "localhost"
	}
	return call{account: r.Caller.AccountID, region: r.Region, host: host, now: r.Time}
}

func (c call) topicARN(name string) string {
	return "arn:aws:sns:" + c.region + ":" + c.account + ":" + name
}

// --- paging -------------------------------------------------------------------

// pageSize is AWS's page for ListTopics and ListSubscriptions(ByTopic).
const pageSize = 100

// page returns up to pageSize of the sorted keys after the token (the last
// key of the previous page) and the next token. Our decision: the token is
// that key itself, so a page stays correct when items are added or removed
// between calls; a token that is not an ARN of the listed kind is refused.
func page(keys []string, token string) ([]string, *string, error) {
	sort.Strings(keys)
	start := 0
	if token != "" {
		if !strings.HasPrefix(token, "arn:aws:sns:") {
			return nil, nil, invalidParameter("NextToken", "")
		}
		start = sort.SearchStrings(keys, token)
		if start < len(keys) && keys[start] == token {
			start++
		}
	}
	end := min(start+pageSize, len(keys))
	out := keys[start:end]
	if end < len(keys) {
		return out, shape.Ptr(out[len(out)-1]), nil
	}
	return out, nil, nil
}

// --- errors: codes and messages as SNS words them ------------------------------

// invalidParameter is SNS's "Invalid parameter: <name>" with an optional
// reason.
func invalidParameter(name, reason string) error {
	msg := "Invalid parameter: " + name
	if reason != "" {
		msg += " Reason: " + reason
	}
	return &snsapi.InvalidParameterException{Message: &msg}
}

func missingParameter(name string) error {
	return invalidParameter(name, name+" is required")
}

func errNoTopic() error {
	return &snsapi.NotFoundException{Message: shape.Ptr("Topic does not exist")}
}

func errNoSubscription() error {
	return &snsapi.NotFoundException{Message: shape.Ptr("Subscription does not exist")}
}

func errNoResource() error {
	return &snsapi.ResourceNotFoundException{Message: shape.Ptr("Resource does not exist")}
}

func wrapDB(what string, err error) error {
	return fmt.Errorf("sns: %s: %w", what, err)
}
