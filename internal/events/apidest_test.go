package events

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cockroachdb/datadriven"

	"github.com/vigilhq/vigil/internal/metricstore"
	"github.com/vigilhq/vigil/internal/outbox"
)

// endpoint is a local HTTP server standing for API destinations and an
// OAuth authorization server: it records what it receives and answers
// with the status set for its path (default 200).
type endpoint struct {
	*httptest.Server
	mu      sync.Mutex
	got     []string
	status  map[string]int
	headers map[string]http.Header // response headers by path
	tokens  int                    // tokens issued by /token
	expires int                    // expires_in of the tokens issued; 0 leaves it out
}

func newEndpoint(t *testing.T) *endpoint {
	ep := &endpoint{status: map[string]int{}, headers: map[string]http.Header{}}
	ep.Server = httptest.NewServer(http.HandlerFunc(ep.serve))
	t.Cleanup(ep.Close)
	return ep
}

func (ep *endpoint) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	ep.mu.Lock()
	defer ep.mu.Unlock()
	if r.URL.Path == "/token" {
		form, _ := url.ParseQuery(string(body))
		ep.tokens++
		ep.got = append(ep.got, fmt.Sprintf("token %s %s auth=%s grant_type=%s", r.Method, r.URL.Path, r.Header.Get("Authorization"), form.Get("grant_type")))
		exp := ""
		if ep.expires > 0 {
			exp = `,"expires_in":` + strconv.Itoa(ep.expires)
		}
		fmt.Fprintf(w, `{"access_token":"tok%d","token_type":"Bearer"%s}`, ep.tokens, exp)
		return
	}
	var hs []string
	for k := range r.Header {
		switch k {
		case "Content-Length":
			continue
		}
		hs = append(hs, k+"="+r.Header.Get(k))
	}
	sort.Strings(hs)
	code := ep.status[r.URL.Path]
	if code == 0 {
		code = 200
	}
	ep.got = append(ep.got, fmt.Sprintf("http %s %s -> %d headers[%s]: %s", r.Method, r.URL.RequestURI(), code, strings.Join(hs, " "), body))
	for k, vs := range ep.headers[r.URL.Path] {
		w.Header()[k] = vs
	}
	w.WriteHeader(code)
}

func (ep *endpoint) take() []string {
	ep.mu.Lock()
	defer ep.mu.Unlock()
	out := ep.got
	ep.got = nil
	return out
}

// memMetrics is a MetricsSink keeping what was appended.
type memMetrics struct {
	mu sync.Mutex
	ds []string
}

func (m *memMetrics) Append(_ context.Context, p metricstore.Partition, ds []metricstore.Datum) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, d := range ds {
		var dims []string
		for _, dm := range d.Key.Dims {
			dims = append(dims, dm.Name+"="+dm.Value)
		}
		m.ds = append(m.ds, fmt.Sprintf("%s %s{%s} n=%g sum=%g %s", d.Key.Namespace, d.Key.MetricName, strings.Join(dims, ","), d.SetCount, d.Sum, d.Unit))
	}
	return nil
}

func (m *memMetrics) take() []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := m.ds
	m.ds = nil
	sort.Strings(out)
	return out
}

// TestAPIDestScript runs testdata/apidest: the commands of TestScript
// (call, deliver, advance, missing/failing/healthy) plus
//
//	status <path> <code>   the local endpoint answers path with code
//	header <path> <k> <v>  ... and with that response header
//	metrics                flush AWS/Events metrics and print them
//
// "$URL" in a request stands for the local endpoint's base URL, and is
// printed back as $URL.
func TestAPIDestScript(t *testing.T) {
	datadriven.Walk(t, "testdata/apidest", func(t *testing.T, path string) {
		e := newEnv(t)
		ep := newEndpoint(t)
		sink := &memMetrics{}
		setup := func() {
			e.s.SetMetrics(NewMetrics(sink, MetricsOptions{Clock: e.clk, Every: -1}))
		}
		setup()
		unURL := func(s string) string { return strings.ReplaceAll(s, ep.URL, "$URL") }
		datadriven.RunTest(t, path, func(t *testing.T, d *datadriven.TestData) string {
			switch d.Cmd {
			case "call":
				account, region := acct, reg
				d.MaybeScanArgs(t, "account", &account)
				d.MaybeScanArgs(t, "region", &region)
				return unURL(invoke(t, e.s, e.ctxIn(account, region), d.CmdArgs[0].Key, strings.ReplaceAll(d.Input, "$URL", ep.URL)))
			case "deliver":
				log := e.out.run(e.s, e.clk.Now())
				log = append(log, ep.take()...)
				log = append(log, e.k.take()...)
				if len(log) == 0 {
					return "nothing due\n"
				}
				return unURL(strings.Join(log, "\n")) + "\n"
			case "advance":
				dur, err := time.ParseDuration(d.CmdArgs[0].Key)
				if err != nil {
					t.Fatal(err)
				}
				e.clk.Advance(dur)
				return ""
			case "missing", "failing", "healthy":
				arn := d.CmdArgs[0].Key
				e.k.mu.Lock()
				e.k.missing[arn] = d.Cmd == "missing"
				e.k.failing[arn] = d.Cmd == "failing"
				e.k.mu.Unlock()
				return ""
			case "status":
				code, err := strconv.Atoi(d.CmdArgs[1].Key)
				if err != nil {
					t.Fatal(err)
				}
				ep.mu.Lock()
				ep.status[d.CmdArgs[0].Key] = code
				ep.mu.Unlock()
				return ""
			case "header":
				ep.mu.Lock()
				if ep.headers[d.CmdArgs[0].Key] == nil {
					ep.headers[d.CmdArgs[0].Key] = http.Header{}
				}
				ep.headers[d.CmdArgs[0].Key].Set(d.CmdArgs[1].Key, d.CmdArgs[2].Key)
				ep.mu.Unlock()
				return ""
			case "restart":
				e.restart()
				setup()
				return ""
			case "metrics":
				e.s.met.Flush(context.Background())
				out := sink.take()
				if len(out) == 0 {
					return "no datapoints\n"
				}
				return strings.Join(out, "\n") + "\n"
			}
			t.Fatalf("unknown command %s", d.Cmd)
			return ""
		})
	})
}

// apiTarget sets up a connection of the given kind, an API destination on
// ep's path and a rule with the destination as target.
func apiTarget(t *testing.T, e *env, ep *endpoint, authType, authParams, path string, rate int, target string) {
	t.Helper()
	ctx := e.ctx()
	out := invoke(t, e.s, ctx, "CreateConnection", `{"Name":"c","AuthorizationType":"`+authType+`","AuthParameters":`+strings.ReplaceAll(authParams, "$URL", ep.URL)+`}`)
	if strings.HasPrefix(out, "error") {
		t.Fatal(out)
	}
	connARN := "arn:aws:events:us-east-1:123456789012:connection/c/00000000-0000-0000-0000-000000000001"
	out = invoke(t, e.s, ctx, "CreateApiDestination", fmt.Sprintf(`{"Name":"d","ConnectionArn":%q,"InvocationEndpoint":%q,"HttpMethod":"POST","InvocationRateLimitPerSecond":%d}`, connARN, ep.URL+path, rate))
	if strings.HasPrefix(out, "error") {
		t.Fatal(out)
	}
	for _, c := range []struct{ op, in string }{
		{"PutRule", `{"Name":"r","EventPattern":"{\"source\":[\"app\"]}"}`},
		{"PutTargets", `{"Rule":"r","Targets":[` + target + `]}`},
	} {
		if out := invoke(t, e.s, ctx, c.op, c.in); strings.HasPrefix(out, "error") {
			t.Fatalf("%s: %s", c.op, out)
		}
	}
}

const destARN = "arn:aws:events:us-east-1:123456789012:api-destination/d/00000000-0000-0000-0000-000000000002"

func putApp(t *testing.T, e *env, n int) {
	t.Helper()
	var entries []string
	for range n {
		entries = append(entries, `{"Source":"app","DetailType":"d","Detail":"{}"}`)
	}
	if out := invoke(t, e.s, e.ctx(), "PutEvents", `{"Entries":[`+strings.Join(entries, ",")+`]}`); strings.Contains(out, "ErrorCode") || strings.HasPrefix(out, "error") {
		t.Fatal(out)
	}
}

func TestAPIDestOAuthTokenReused(t *testing.T) {
	e := newEnv(t)
	ep := newEndpoint(t)
	ep.expires = 3600
	apiTarget(t, e, ep, "OAUTH_CLIENT_CREDENTIALS",
		`{"OAuthParameters":{"ClientParameters":{"ClientID":"id","ClientSecret":"secret"},"AuthorizationEndpoint":"$URL/token","HttpMethod":"POST"}}`,
		"/hook", 300, `{"Id":"t","Arn":"`+destARN+`"}`)
	// CreateConnection authorized it: one token request.
	got := ep.take()
	if len(got) != 1 || got[0] != "token POST /token auth=Basic aWQ6c2VjcmV0 grant_type=client_credentials" {
		t.Fatalf("authorization: %q", got)
	}
	putApp(t, e, 3)
	e.out.run(e.s, e.clk.Now())
	got = ep.take()
	if len(got) != 3 {
		t.Fatalf("got %q", got)
	}
	for _, g := range got {
		if !strings.Contains(g, "Authorization=Bearer tok1") {
			t.Fatalf("token not reused: %s", g)
		}
	}
	// After expiry a new token is fetched once.
	e.clk.Advance(2 * time.Hour)
	putApp(t, e, 2)
	e.out.run(e.s, e.clk.Now())
	got = ep.take()
	if len(got) != 3 || !strings.HasPrefix(got[0], "token ") || !strings.Contains(got[1], "Bearer tok2") || !strings.Contains(got[2], "Bearer tok2") {
		t.Fatalf("after expiry: %q", got)
	}
	// A 401 drops the token; the retry fetches a new one.
	ep.status["/hook"] = 401
	putApp(t, e, 1)
	log := e.out.run(e.s, e.clk.Now())
	if len(log) != 1 || !strings.Contains(log[0], "retry") {
		t.Fatalf("401 not retried: %q", log)
	}
	ep.take()
	ep.status["/hook"] = 200
	e.clk.Advance(time.Minute)
	e.out.run(e.s, e.clk.Now())
	got = ep.take()
	if len(got) != 2 || !strings.HasPrefix(got[0], "token ") || !strings.Contains(got[1], "Bearer tok3") {
		t.Fatalf("after 401: %q", got)
	}
}

// TestAPIDestRateLimit: over its InvocationRateLimitPerSecond, a delivery
// is deferred without counting an attempt, and ThrottledRules records it.
func TestAPIDestRateLimit(t *testing.T) {
	e := newEnv(t)
	ep := newEndpoint(t)
	sink := &memMetrics{}
	m := NewMetrics(sink, MetricsOptions{Clock: e.clk, Every: -1})
	e.s.SetMetrics(m)
	apiTarget(t, e, ep, "API_KEY", `{"ApiKeyAuthParameters":{"ApiKeyName":"x-api-key","ApiKeyValue":"k"}}`, "/hook", 2, `{"Id":"t","Arn":"`+destARN+`"}`)
	putApp(t, e, 3)
	var outs []outbox.Outcome
	for _, en := range e.out.entries {
		outs = append(outs, e.s.Deliver(context.Background(), en.Entry))
	}
	if !outs[0].Done || !outs[1].Done {
		t.Fatalf("first two not delivered: %+v", outs)
	}
	if outs[2].Done || !outs[2].NotAttempted || outs[2].RetryAt.Sub(e.clk.Now()) != 500*time.Millisecond {
		t.Fatalf("third not throttled: %+v", outs[2])
	}
	if got := ep.take(); len(got) != 2 {
		t.Fatalf("endpoint got %d calls", len(got))
	}
	e.clk.Advance(500 * time.Millisecond)
	if out := e.s.Deliver(context.Background(), e.out.entries[2].Entry); !out.Done {
		t.Fatalf("after refill: %+v", out)
	}
	m.Flush(context.Background())
	ms := strings.Join(sink.take(), "\n")
	for _, want := range []string{
		"AWS/Events ThrottledRules{RuleName=r} n=1 sum=1 Count",
		"AWS/Events Invocations{} n=3 sum=3 Count", // one second's aggregate
	} {
		if !strings.Contains(ms, want) {
			t.Errorf("metrics lack %q:\n%s", want, ms)
		}
	}
}

func TestTokenBucket(t *testing.T) {
	b := &tokenBucket{rate: 1, tokens: 1, last: t0}
	if _, ok := b.take(t0); !ok {
		t.Fatal("first refused")
	}
	if wait, ok := b.take(t0); ok || wait != time.Second {
		t.Fatalf("second: %v %v", wait, ok)
	}
	if _, ok := b.take(t0.Add(time.Second)); !ok {
		t.Fatal("after a second refused")
	}
}

// TestMetricsCloseFlushes: the flushing goroutine stops on Close, which
// writes what is pending.
func TestMetricsCloseFlushes(t *testing.T) {
	sink := &memMetrics{}
	m := NewMetrics(sink, MetricsOptions{Every: time.Hour})
	m.putEvents(partition{acct, reg}, 10, 1, 0, t0)
	m.Close()
	if got := sink.take(); len(got) != 3 {
		t.Fatalf("flushed %q", got)
	}
	var nilM *Metrics
	nilM.putEvents(partition{acct, reg}, 10, 1, 0, t0) // records nothing, no panic
	nilM.Close()
}

// TestAPIDestOAuthConcurrentFetch: deliveries running at once with no
// cached token share one token request.
func TestAPIDestOAuthConcurrentFetch(t *testing.T) {
	e := newEnv(t)
	ep := newEndpoint(t)
	apiTarget(t, e, ep, "OAUTH_CLIENT_CREDENTIALS",
		`{"OAuthParameters":{"ClientParameters":{"ClientID":"id","ClientSecret":"secret"},"AuthorizationEndpoint":"$URL/token","HttpMethod":"GET"}}`,
		"/hook", 300, `{"Id":"t","Arn":"`+destARN+`"}`)
	e.s.api.mu.Lock()
	clear(e.s.api.tokens)
	e.s.api.mu.Unlock()
	ep.mu.Lock()
	ep.tokens = 0
	ep.mu.Unlock()
	putApp(t, e, 6)
	var wg sync.WaitGroup
	for _, en := range e.out.entries {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if out := e.s.Deliver(context.Background(), en.Entry); !out.Done {
				t.Errorf("not delivered: %+v", out)
			}
		}()
	}
	wg.Wait()
	ep.mu.Lock()
	defer ep.mu.Unlock()
	if ep.tokens != 1 {
		t.Fatalf("%d token requests, want 1", ep.tokens)
	}
}
