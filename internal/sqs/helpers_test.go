package sqs

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vigilhq/vigil/internal/api/shape"
	sqsapi "github.com/vigilhq/vigil/internal/api/sqs"
	"github.com/vigilhq/vigil/internal/clock"
	"github.com/vigilhq/vigil/internal/reqctx"
	"github.com/vigilhq/vigil/internal/storage"
)

const (
	testAccount = "000000000000"
	testHost    = "127.0.0.1:4566"
)

var t0 = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

// countingIDs hands out predictable message ids.
type countingIDs struct{ n atomic.Int64 }

func (c *countingIDs) UUID() string {
	return fmt.Sprintf("00000000-0000-4000-8000-%012d", c.n.Add(1))
}

// fixture is a service over a real data directory (Pebble and SQLite) and a
// fake clock.
type fixture struct {
	t   testing.TB
	dir string
	st  *storage.Store
	clk clock.Clock
	ids *countingIDs
	svc *Service
}

func newFixture(t testing.TB) *fixture {
	return newFixtureOn(t, clock.NewFake(t0))
}

// newFixtureOn runs the service on clk: long-poll tests need a clock that
// moves by itself (clock.System), since a wait ends by the clock.
func newFixtureOn(t testing.TB, clk clock.Clock) *fixture {
	f := &fixture{t: t, dir: t.TempDir(), clk: clk, ids: &countingIDs{}}
	f.open()
	t.Cleanup(f.close)
	return f
}

// advance moves a fake clock.
func (f *fixture) advance(d time.Duration) { f.clk.(*clock.Fake).Advance(d) }

func (f *fixture) open() {
	st, err := storage.Open(f.dir)
	if err != nil {
		f.t.Fatal(err)
	}
	svc, err := New(context.Background(), Options{DB: st.SQL, Store: NewPebbleStore(st.Pebble), Clock: f.clk, IDs: f.ids,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		st.Close()
		f.t.Fatal(err)
	}
	f.st, f.svc = st, svc
}

func (f *fixture) close() {
	if f.svc != nil {
		f.svc.Close()
		f.st.Close()
		f.svc = nil
	}
}

// reopen closes everything and opens the same data directory again, as a
// restart does.
func (f *fixture) reopen() {
	f.close()
	f.open()
}

// ctx is a request context of the test account at the fake clock's time.
func (f *fixture) ctx() context.Context {
	return f.ctxAs(testAccount, "us-east-1")
}

func (f *fixture) ctxAs(account, region string) context.Context {
	return reqctx.With(context.Background(), &reqctx.Request{
		Caller: reqctx.Caller{AccountID: account, PrincipalID: account}, Region: region,
		Service: "sqs", Host: testHost, Time: f.clk.Now(),
	})
}

func (f *fixture) create(name string, attrs map[string]string) string {
	f.t.Helper()
	out, err := f.svc.CreateQueue(f.ctx(), &sqsapi.CreateQueueRequest{QueueName: &name, Attributes: attrs})
	if err != nil {
		f.t.Fatalf("CreateQueue %s: %v", name, err)
	}
	return *out.QueueUrl
}

func (f *fixture) send(url, body string) *sqsapi.SendMessageResult {
	f.t.Helper()
	out, err := f.svc.SendMessage(f.ctx(), &sqsapi.SendMessageRequest{QueueUrl: &url, MessageBody: &body})
	if err != nil {
		f.t.Fatalf("SendMessage: %v", err)
	}
	return out
}

func (f *fixture) receive(url string, n int32, extra ...func(*sqsapi.ReceiveMessageRequest)) []sqsapi.Message {
	f.t.Helper()
	in := &sqsapi.ReceiveMessageRequest{QueueUrl: &url, MaxNumberOfMessages: &n, WaitTimeSeconds: shape.Ptr(int32(0))}
	for _, e := range extra {
		e(in)
	}
	out, err := f.svc.ReceiveMessage(f.ctx(), in)
	if err != nil {
		f.t.Fatalf("ReceiveMessage: %v", err)
	}
	return out.Messages
}

func (f *fixture) attrs(url string, names ...string) map[string]string {
	f.t.Helper()
	out, err := f.svc.GetQueueAttributes(f.ctx(), &sqsapi.GetQueueAttributesRequest{QueueUrl: &url, AttributeNames: names})
	if err != nil {
		f.t.Fatalf("GetQueueAttributes: %v", err)
	}
	return out.Attributes
}

func bodies(ms []sqsapi.Message) []string {
	var out []string
	for _, m := range ms {
		out = append(out, *m.Body)
	}
	return out
}

// wantErr asserts err is the AWS error with this awsQuery code and a
// message containing msg.
func wantErr(t testing.TB, err error, code, msg string) {
	t.Helper()
	if err == nil {
		t.Fatalf("want %s, got no error", code)
	}
	got := ""
	var se *shape.Error
	var me shape.ModeledError
	switch {
	case errors.As(err, &se):
		got = se.Code
	case errors.As(err, &me):
		got = me.ErrorShape().Name
		if c := me.ErrorShape().Exception.Code; c != "" {
			got = c
		}
	}
	if got != code {
		t.Fatalf("want %s, got %s (%v)", code, got, err)
	}
	if !strings.Contains(err.Error(), msg) {
		t.Fatalf("want a message with %q, got %q", msg, err.Error())
	}
}
