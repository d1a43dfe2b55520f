package sns

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vigilhq/vigil/internal/api/shape"
	snsapi "github.com/vigilhq/vigil/internal/api/sns"
	sqsapi "github.com/vigilhq/vigil/internal/api/sqs"
	"github.com/vigilhq/vigil/internal/clock"
	"github.com/vigilhq/vigil/internal/reqctx"
	"github.com/vigilhq/vigil/internal/sqs"
	"github.com/vigilhq/vigil/internal/storage"
)

const testAccount = "000000000000"

var t0 = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

type countingIDs struct{ n atomic.Int64 }

func (c *countingIDs) UUID() string {
	return fmt.Sprintf("00000000-0000-4000-8000-%012d", c.n.Add(1))
}

// fixture is a service over a real data directory and a fake clock.
type fixture struct {
	t   testing.TB
	dir string
	st  *storage.Store
	clk *clock.Fake
	ids *countingIDs
	q   *fakeQueues
	svc *Service
}

// fakeQueues records deliveries; refuse names queues that answer a
// rejection, fail ones that answer a storage error.
type fakeQueues struct {
	mu           sync.Mutex
	got          []delivered
	refuse, fail map[string]bool
}

type delivered struct {
	queue string
	d     sqs.Delivery
}

func (q *fakeQueues) DeliverAll(_ context.Context, ms []sqs.Message) []error {
	errs := make([]error, len(ms))
	for i, m := range ms {
		errs[i] = q.deliver(m.Queue, m.Delivery)
	}
	return errs
}

func (q *fakeQueues) deliver(arn string, d sqs.Delivery) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	switch {
	case q.refuse[arn]:
		return &sqsapi.QueueDoesNotExist{Message: shape.Ptr("The specified queue does not exist.")}
	case q.fail[arn]:
		return errors.New("disk on fire")
	}
	q.got = append(q.got, delivered{arn, d})
	return nil
}

// take returns and forgets the deliveries so far, sorted by queue.
func (q *fakeQueues) take() []delivered {
	q.mu.Lock()
	defer q.mu.Unlock()
	got := q.got
	q.got = nil
	sort.SliceStable(got, func(i, j int) bool { return got[i].queue < got[j].queue })
	return got
}

func newFixture(t testing.TB) *fixture {
	f := &fixture{t: t, dir: t.TempDir(), clk: clock.NewFake(t0), ids: &countingIDs{},
		q: &fakeQueues{refuse: map[string]bool{}, fail: map[string]bool{}}}
	f.open()
	t.Cleanup(f.close)
	return f
}

func (f *fixture) open() {
	st, err := storage.Open(f.dir)
	if err != nil {
		f.t.Fatal(err)
	}
	svc, err := New(context.Background(), Options{DB: st.SQL, Clock: f.clk, IDs: f.ids, Queues: f.q, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		st.Close()
		f.t.Fatal(err)
	}
	f.st, f.svc = st, svc
}

func (f *fixture) close() {
	if f.svc != nil {
		f.st.Close()
		f.svc = nil
	}
}

// reopen closes everything and opens the same data directory again.
func (f *fixture) reopen() {
	f.close()
	f.open()
}

func (f *fixture) ctx() context.Context { return f.ctxAs(testAccount, "us-east-1") }

func (f *fixture) ctxAs(account, region string) context.Context {
	return reqctx.With(context.Background(), &reqctx.Request{
		Caller: reqctx.Caller{AccountID: account, PrincipalID: account}, Region: region,
		Service: "sns", Host: "127.0.0.1:4566", Time: f.clk.Now(),
	})
}

func (f *fixture) topic(name string, attrs map[string]string) string {
	f.t.Helper()
	out, err := f.svc.CreateTopic(f.ctx(), &snsapi.CreateTopicInput{Name: &name, Attributes: attrs})
	if err != nil {
		f.t.Fatalf("CreateTopic %s: %v", name, err)
	}
	return *out.TopicArn
}

func (f *fixture) subscribe(topic, queueARN string, attrs map[string]string) string {
	f.t.Helper()
	out, err := f.svc.Subscribe(f.ctx(), &snsapi.SubscribeInput{TopicArn: &topic, Protocol: shape.Ptr("sqs"), Endpoint: &queueARN, Attributes: attrs})
	if err != nil {
		f.t.Fatalf("Subscribe %s: %v", queueARN, err)
	}
	return *out.SubscriptionArn
}

func (f *fixture) topicAttrs(arn string) map[string]string {
	f.t.Helper()
	out, err := f.svc.GetTopicAttributes(f.ctx(), &snsapi.GetTopicAttributesInput{TopicArn: &arn})
	if err != nil {
		f.t.Fatalf("GetTopicAttributes %s: %v", arn, err)
	}
	return out.Attributes
}

// wantErr asserts err is the generated error type E with a message
// containing msg.
func wantErr[E error](t testing.TB, what string, err error, msg string) {
	t.Helper()
	var e E
	if !errors.As(err, &e) {
		t.Fatalf("%s: want %T, got %v", what, e, err)
	}
	if !strings.Contains(err.Error(), msg) {
		t.Fatalf("%s: message %q does not contain %q", what, err.Error(), msg)
	}
}
