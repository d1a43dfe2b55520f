package events

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	eventsapi "github.com/vigilhq/vigil/internal/api/events"
	"github.com/vigilhq/vigil/internal/api/shape"
)

func TestHasSpace(t *testing.T) {
	for _, v := range []string{"", "a", " ", "{}", `{"a":1}`, `{"a": 1}`, "\t", "abcdefgh", "abcdefgh\n", "abcdefg\r",
		"\x00", "\x1f", "\x21\x21\x21\x21\x21\x21\x21\x21", "\x80\x80\x80\x80\x80\x80\x80\x20", "é€\xff"} {
		if got, want := hasSpace(v), strings.IndexFunc(v, func(r rune) bool { return r <= ' ' }) >= 0 || strings.IndexByte(v, 0) >= 0; got != want {
			t.Errorf("%q: got %v, want %v", v, got, want)
		}
	}
	r := rand.New(rand.NewPCG(3, 4))
	for range 20000 {
		s := randomJSONish(r)
		if got, want := hasSpace(s), strings.ContainsAny(s, " \t\n\r") || strings.IndexFunc(s, func(r rune) bool { return r < ' ' }) >= 0; got != want {
			t.Fatalf("hasSpace(%q) = %v, want %v", s, got, want)
		}
	}
}

// randomJSONish is a short string of bytes that matter to escaping.
func randomJSONish(r *rand.Rand) string {
	const alphabet = "ab9 -_.:/\"\\\x00\x1f\x20\x7f\x80\xbf\xc3\xa9\xe2\x80\xa8\xa9\xff\t\n"
	b := make([]byte, r.IntN(40))
	for i := range b {
		if r.IntN(4) == 0 {
			b[i] = alphabet[r.IntN(len(alphabet))]
		} else {
			b[i] = byte('a' + r.IntN(26))
		}
	}
	return string(b)
}

// TestPutEventsAnswer checks the one-allocation answer against the API's
// limit and past it.
func TestPutEventsAnswer(t *testing.T) {
	for _, n := range []int{0, 1, maxEntries, maxEntries + 1} {
		out, ids := newAnswer(n)
		if len(out.Entries) != n || len(ids) != n || out.FailedEntryCount == nil || *out.FailedEntryCount != 0 {
			t.Fatalf("%d: %+v %d", n, out, len(ids))
		}
		if n > 0 {
			// An entry's slot must not reach into the next one's.
			if cap(out.Entries) != n || cap(ids) != n {
				t.Fatalf("%d: capacities %d %d", n, cap(out.Entries), cap(ids))
			}
		}
	}
}

func TestEventTimes(t *testing.T) {
	var c eventTimes
	for _, tm := range []time.Time{
		time.Date(2026, 11, 26, 7, 5, 9, 0, time.UTC),
		time.Date(2026, 11, 26, 7, 5, 9, 999999999, time.UTC), // the same second
		time.Date(2026, 11, 26, 2, 5, 9, 500, time.FixedZone("x", -5*3600)),
		time.Date(2026, 11, 26, 7, 5, 10, 0, time.UTC),
		time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(-1, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(2026, 11, 26, 7, 5, 10, 0, time.UTC),
		time.Date(3000000000, 1, 1, 0, 0, 0, 0, time.UTC), // longer than the cache
		time.Date(3000000000, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(2026, 11, 26, 7, 5, 10, 0, time.UTC),
		{},
	} {
		if got, want := c.text(tm), tm.UTC().AppendFormat(nil, "2006-01-02T15:04:05Z"); string(got) != string(want) {
			t.Errorf("%v: got %s, want %s", tm, got, want)
		}
	}
}

// A ruleCache gives what the bus's map gives, whatever the order and the
// number of names, across buses.
func TestRuleCache(t *testing.T) {
	mk := func(names ...string) *bus {
		b := &bus{rules: map[string]*rule{}}
		for _, n := range names {
			b.rules[n] = &rule{name: n}
		}
		return b
	}
	var all []string
	for i := range 40 {
		all = append(all, fmt.Sprint("r", i))
	}
	b1, b2 := mk(all...), mk("r1", "r3")
	r := rand.New(rand.NewPCG(5, 6))
	var rc ruleCache
	for range 2000 {
		b := b1
		if r.IntN(5) == 0 {
			b = b2
		}
		names := all[:r.IntN(len(all))]
		if r.IntN(3) == 0 {
			names = append([]string(nil), names...)
			r.Shuffle(len(names), func(i, j int) { names[i], names[j] = names[j], names[i] })
		}
		for k, n := range names {
			if got, want := rc.rule(b, k, n), b.rules[n]; got != want {
				t.Fatalf("%s at %d: got %v, want %v", n, k, got, want)
			}
		}
	}
	var nilRC *ruleCache
	if nilRC.rule(b1, 0, "r1") != b1.rules["r1"] {
		t.Fatal("nil cache")
	}
}

// A call's events are built in a buffer the next call reuses: what was
// delivered at once (SQS) and what waits in the outbox (SNS) keep the
// events of their own call.
func TestPutEventsBufferReuse(t *testing.T) {
	e := newEnv(t)
	if _, err := e.s.PutRule(e.ctx(), &eventsapi.PutRuleRequest{Name: shape.Ptr("r"), EventPattern: shape.Ptr(`{"source":["s"]}`)}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.s.PutTargets(e.ctx(), &eventsapi.PutTargetsRequest{Rule: shape.Ptr("r"), Targets: []eventsapi.Target{
		{Id: shape.Ptr("q"), Arn: shape.Ptr("arn:aws:sqs:us-east-1:123456789012:q")},
		{Id: shape.Ptr("t"), Arn: shape.Ptr("arn:aws:sns:us-east-1:123456789012:t")},
	}}); err != nil {
		t.Fatal(err)
	}
	const calls = 5
	for n := range calls {
		var entries []eventsapi.PutEventsRequestEntry
		for i := range 3 {
			entries = append(entries, eventsapi.PutEventsRequestEntry{Source: shape.Ptr("s"), DetailType: shape.Ptr("d"),
				Detail: shape.Ptr(fmt.Sprintf(`{"call": %d, "entry": %d, "pad": "%s"}`, n, i, strings.Repeat("x", n*7)))})
		}
		if out, err := e.s.PutEvents(e.ctx(), &eventsapi.PutEventsRequest{Entries: entries}); err != nil || shape.Value(out.FailedEntryCount) != 0 {
			t.Fatalf("call %d: %v %+v", n, err, out)
		}
	}
	e.out.run(e.s, e.clk.Now())
	got := e.k.take()
	if len(got) != 2*calls*3 {
		t.Fatalf("%d deliveries, want %d:\n%s", len(got), 2*calls*3, strings.Join(got, "\n"))
	}
	seen := map[string]int{}
	for _, g := range got {
		i := strings.Index(g, `"detail":`)
		if i < 0 {
			t.Fatalf("no detail in %s", g)
		}
		var d struct{ Call, Entry int }
		if err := json.NewDecoder(strings.NewReader(g[i+len(`"detail":`):])).Decode(&d); err != nil {
			t.Fatalf("%s: %v", g, err)
		}
		want := fmt.Sprintf(`"detail":{"call":%d,"entry":%d,"pad":"%s"}}`, d.Call, d.Entry, strings.Repeat("x", d.Call*7))
		if !strings.HasSuffix(g, want) {
			t.Fatalf("delivery %s does not end in %s", g, want)
		}
		seen[g[:3]+fmt.Sprint(d.Call, d.Entry)]++
	}
	for n := range calls {
		for i := range 3 {
			if seen[fmt.Sprint("sqs", n, i)] != 1 || seen[fmt.Sprint("sns", n, i)] != 1 {
				t.Fatalf("call %d entry %d: %v", n, i, seen)
			}
		}
	}
}
