package cloudtrail

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/cockroachdb/pebble/v2"

	ctapi "github.com/vigilhq/vigil/internal/api/cloudtrail"
	"github.com/vigilhq/vigil/internal/api/shape"
	"github.com/vigilhq/vigil/internal/audit"
	"github.com/vigilhq/vigil/internal/clock"
	"github.com/vigilhq/vigil/internal/reqctx"
)

var now = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

const acct = "123456789012"

func ctxFor(account, region string) context.Context {
	return reqctx.With(context.Background(), &reqctx.Request{
		Caller: reqctx.Caller{AccountID: account, Type: "Root"}, Region: region, Time: now,
	})
}

type fixture struct {
	svc   *Service
	store audit.Store
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	db, err := pebble.Open(t.TempDir(), &pebble.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	st := audit.NewPebbleStore(db)
	return &fixture{svc: New(st, clock.NewFake(now)), store: st}
}

// ev is a management event at now-ago.
func ev(account, region, id, name string, ago time.Duration, mod ...func(*audit.Event)) *audit.Event {
	e := &audit.Event{
		EventVersion:       audit.EventVersion,
		UserIdentity:       audit.UserIdentity{Type: "IAMUser", AccountID: account, AccessKeyID: "AKIDALICE", UserName: "alice"},
		EventTime:          audit.Time{Time: now.Add(-ago)},
		EventSource:        "logs.amazonaws.com",
		EventName:          name,
		AWSRegion:          region,
		EventID:            id,
		EventType:          "AwsApiCall",
		ManagementEvent:    true,
		RecipientAccountID: account,
		EventCategory:      audit.CategoryManagement,
		Username:           "alice",
	}
	for _, m := range mod {
		m(e)
	}
	return e
}

func (f *fixture) add(t *testing.T, evs ...*audit.Event) {
	t.Helper()
	if err := f.store.Append(context.Background(), evs); err != nil {
		t.Fatal(err)
	}
}

func eventIDs(out *ctapi.LookupEventsResponse) []string {
	var ids []string
	for _, e := range out.Events {
		ids = append(ids, *e.EventId)
	}
	return ids
}

func attr(k, v string) []ctapi.LookupAttribute {
	return []ctapi.LookupAttribute{{AttributeKey: &k, AttributeValue: &v}}
}

func tp(d time.Duration) *time.Time { t := now.Add(-d); return &t }

func TestLookupEventsAttributesAndFields(t *testing.T) {
	f := newFixture(t)
	f.add(t,
		ev(acct, "us-east-1", "e1", "CreateLogGroup", 3*time.Hour, func(e *audit.Event) {
			e.LookupResources = []audit.ResourceRef{{Type: "AWS::Logs::LogGroup", Name: "/app"}}
		}),
		ev(acct, "us-east-1", "e2", "DescribeAlarms", 2*time.Hour, func(e *audit.Event) {
			e.EventSource, e.ReadOnly = "monitoring.amazonaws.com", true
			e.Username, e.UserIdentity = "root", audit.UserIdentity{Type: "Root", AccountID: acct, AccessKeyID: "AKROOT"}
		}),
		ev(acct, "us-east-1", "e3", "PutMetricAlarm", time.Hour, func(e *audit.Event) {
			e.EventSource = "monitoring.amazonaws.com"
			e.LookupResources = []audit.ResourceRef{{Type: "AWS::CloudWatch::Alarm", Name: "high-cpu"}}
		}),
	)
	ctx := ctxFor(acct, "us-east-1")
	for _, c := range []struct {
		attrs []ctapi.LookupAttribute
		want  []string
	}{
		{nil, []string{"e3", "e2", "e1"}},
		{attr("EventId", "e2"), []string{"e2"}},
		{attr("EventName", "CreateLogGroup"), []string{"e1"}},
		{attr("ReadOnly", "true"), []string{"e2"}},
		{attr("ReadOnly", "false"), []string{"e3", "e1"}},
		{attr("Username", "root"), []string{"e2"}},
		{attr("Username", "alice"), []string{"e3", "e1"}},
		{attr("ResourceType", "AWS::CloudWatch::Alarm"), []string{"e3"}},
		{attr("ResourceName", "/app"), []string{"e1"}},
		{attr("EventSource", "monitoring.amazonaws.com"), []string{"e3", "e2"}},
		{attr("AccessKeyId", "AKROOT"), []string{"e2"}},
		{attr("AccessKeyId", "nope"), nil},
	} {
		out, err := f.svc.LookupEvents(ctx, &ctapi.LookupEventsRequest{LookupAttributes: c.attrs})
		if err != nil {
			t.Fatalf("%v: %v", c.attrs, err)
		}
		if got := eventIDs(out); !reflect.DeepEqual(got, c.want) {
			t.Errorf("%+v: got %v want %v", c.attrs, got, c.want)
		}
		if out.NextToken != nil {
			t.Errorf("%+v: unexpected NextToken", c.attrs)
		}
	}

	out, _ := f.svc.LookupEvents(ctx, &ctapi.LookupEventsRequest{LookupAttributes: attr("EventId", "e2")})
	e := out.Events[0]
	if *e.EventName != "DescribeAlarms" || *e.ReadOnly != "true" || *e.AccessKeyId != "AKROOT" || *e.Username != "root" ||
		*e.EventSource != "monitoring.amazonaws.com" || !e.EventTime.Equal(now.Add(-2*time.Hour)) {
		t.Fatalf("event fields: %+v", e)
	}
	var rec map[string]any
	if err := json.Unmarshal([]byte(*e.CloudTrailEvent), &rec); err != nil || rec["eventID"] != "e2" || rec["readOnly"] != true {
		t.Fatalf("CloudTrailEvent: %v %s", err, *e.CloudTrailEvent)
	}
	out, _ = f.svc.LookupEvents(ctx, &ctapi.LookupEventsRequest{LookupAttributes: attr("EventId", "e1")})
	if r := out.Events[0].Resources; len(r) != 1 || *r[0].ResourceType != "AWS::Logs::LogGroup" || *r[0].ResourceName != "/app" ||
		*out.Events[0].ReadOnly != "false" {
		t.Fatalf("resources: %+v", out.Events[0])
	}
}

func TestLookupEventsTimeRange(t *testing.T) {
	f := newFixture(t)
	f.add(t,
		ev(acct, "us-east-1", "old", "A", 91*24*time.Hour), // beyond Event history
		ev(acct, "us-east-1", "d89", "A", 89*24*time.Hour),
		ev(acct, "us-east-1", "h2", "A", 2*time.Hour),
		ev(acct, "us-east-1", "h1", "A", time.Hour),
		ev(acct, "us-east-1", "future", "A", -time.Hour), // after the default end time
	)
	ctx := ctxFor(acct, "us-east-1")
	for _, c := range []struct {
		name       string
		start, end *time.Time
		want       []string
	}{
		{"defaults: last 90 days until now", nil, nil, []string{"h1", "h2", "d89"}},
		{"inclusive bounds", tp(2 * time.Hour), tp(time.Hour), []string{"h1", "h2"}},
		{"start only", tp(90 * time.Minute), nil, []string{"h1"}},
		{"end only", nil, tp(90 * time.Minute), []string{"h2", "d89"}},
		{"start older than 90 days is clamped", tp(365 * 24 * time.Hour), nil, []string{"h1", "h2", "d89"}},
		{"explicit future end", nil, tp(-2 * time.Hour), []string{"future", "h1", "h2", "d89"}},
		{"window before history", tp(200 * 24 * time.Hour), tp(100 * 24 * time.Hour), nil},
		{"start equals end", tp(time.Hour), tp(time.Hour), []string{"h1"}},
	} {
		out, err := f.svc.LookupEvents(ctx, &ctapi.LookupEventsRequest{StartTime: c.start, EndTime: c.end})
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if got := eventIDs(out); !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: got %v want %v", c.name, got, c.want)
		}
	}
}

func TestLookupEventsPagination(t *testing.T) {
	f := newFixture(t)
	var evs []*audit.Event
	for i := 0; i < 123; i++ {
		// Pairs share a second, so ties are ordered by event id.
		evs = append(evs, ev(acct, "us-east-1", fmt.Sprintf("id-%03d", i), "PutMetricAlarm", time.Duration(200-i/2)*time.Second))
	}
	f.add(t, evs...)
	// Expected order: newest second first, ties ascending by id.
	var want []string
	for sec := 61; sec >= 0; sec-- {
		for _, i := range []int{2 * sec, 2*sec + 1} {
			if i < 123 {
				want = append(want, fmt.Sprintf("id-%03d", i))
			}
		}
	}
	ctx := ctxFor(acct, "us-east-1")
	for _, c := range []struct {
		max   *int32
		attrs []ctapi.LookupAttribute
	}{
		{nil, nil},
		{shape.Ptr(int32(1)), nil},
		{shape.Ptr(int32(7)), attr("EventName", "PutMetricAlarm")},
		{shape.Ptr(int32(50)), attr("Username", "alice")},
	} {
		var got []string
		var token *string
		pages := 0
		for {
			out, err := f.svc.LookupEvents(ctx, &ctapi.LookupEventsRequest{MaxResults: c.max, NextToken: token, LookupAttributes: c.attrs})
			if err != nil {
				t.Fatal(err)
			}
			limit := 50
			if c.max != nil {
				limit = int(*c.max)
			}
			if len(out.Events) > limit || len(out.Events) == 0 {
				t.Fatalf("page of %d events (limit %d)", len(out.Events), limit)
			}
			got = append(got, eventIDs(out)...)
			pages++
			if out.NextToken == nil {
				break
			}
			token = out.NextToken
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("max %v attrs %v: %d events, order/gaps differ:\n got %v\nwant %v", c.max, c.attrs, len(got), got, want)
		}
	}
	// A token with different parameters, another account or a mangled token
	// is refused.
	first, _ := f.svc.LookupEvents(ctx, &ctapi.LookupEventsRequest{MaxResults: shape.Ptr(int32(5))})
	// MaxResults may change between pages.
	if _, err := f.svc.LookupEvents(ctx, &ctapi.LookupEventsRequest{MaxResults: shape.Ptr(int32(9)), NextToken: first.NextToken}); err != nil {
		t.Fatalf("changed MaxResults: %v", err)
	}
	for name, c := range map[string]struct {
		ctx context.Context
		in  *ctapi.LookupEventsRequest
	}{
		"other attribute": {ctx, &ctapi.LookupEventsRequest{NextToken: first.NextToken, LookupAttributes: attr("EventName", "X")}},
		"other start":     {ctx, &ctapi.LookupEventsRequest{NextToken: first.NextToken, StartTime: tp(time.Hour)}},
		"other region":    {ctxFor(acct, "eu-west-1"), &ctapi.LookupEventsRequest{NextToken: first.NextToken}},
		"other account":   {ctxFor("999999999999", "us-east-1"), &ctapi.LookupEventsRequest{NextToken: first.NextToken}},
		"garbage":         {ctx, &ctapi.LookupEventsRequest{NextToken: shape.Ptr("not-a-token!")}},
		"truncated":       {ctx, &ctapi.LookupEventsRequest{NextToken: shape.Ptr((*first.NextToken)[:10])}},
	} {
		_, err := f.svc.LookupEvents(c.ctx, c.in)
		expectCode(t, name, err, "InvalidNextTokenException")
	}
}

func TestLookupEventsIsolation(t *testing.T) {
	f := newFixture(t)
	f.add(t,
		ev("111111111111", "us-east-1", "a-use1", "A", time.Hour),
		ev("111111111111", "eu-west-1", "a-euw1", "A", time.Hour),
		ev("222222222222", "us-east-1", "b-use1", "A", time.Hour),
	)
	for _, c := range []struct{ account, region, want string }{
		{"111111111111", "us-east-1", "a-use1"},
		{"111111111111", "eu-west-1", "a-euw1"},
		{"222222222222", "us-east-1", "b-use1"},
	} {
		for _, attrs := range [][]ctapi.LookupAttribute{nil, attr("EventName", "A"), attr("EventId", "a-use1")} {
			out, err := f.svc.LookupEvents(ctxFor(c.account, c.region), &ctapi.LookupEventsRequest{LookupAttributes: attrs})
			if err != nil {
				t.Fatal(err)
			}
			got := eventIDs(out)
			if len(attrs) == 1 && *attrs[0].AttributeKey == "EventId" && c.want != "a-use1" {
				if len(got) != 0 {
					t.Errorf("%s/%s sees %v", c.account, c.region, got)
				}
				continue
			}
			if !reflect.DeepEqual(got, []string{c.want}) {
				t.Errorf("%s/%s %v: got %v", c.account, c.region, attrs, got)
			}
		}
	}
}

func TestLookupEventsInvalidInput(t *testing.T) {
	f := newFixture(t)
	ctx := ctxFor(acct, "us-east-1")
	two := append(attr("EventName", "A"), attr("Username", "root")...)
	for _, c := range []struct {
		name string
		in   *ctapi.LookupEventsRequest
		code string
	}{
		{"two attributes", &ctapi.LookupEventsRequest{LookupAttributes: two}, "InvalidLookupAttributesException"},
		{"unknown key", &ctapi.LookupEventsRequest{LookupAttributes: attr("Region", "x")}, "InvalidLookupAttributesException"},
		{"empty value", &ctapi.LookupEventsRequest{LookupAttributes: attr("EventName", "")}, "InvalidLookupAttributesException"},
		{"missing key", &ctapi.LookupEventsRequest{LookupAttributes: []ctapi.LookupAttribute{{AttributeValue: shape.Ptr("x")}}}, "InvalidLookupAttributesException"},
		{"insight with Username", &ctapi.LookupEventsRequest{EventCategory: shape.Ptr("insight"), LookupAttributes: attr("Username", "root")}, "InvalidLookupAttributesException"},
		{"start after end", &ctapi.LookupEventsRequest{StartTime: tp(time.Hour), EndTime: tp(2 * time.Hour)}, "InvalidTimeRangeException"},
		{"max 0", &ctapi.LookupEventsRequest{MaxResults: shape.Ptr(int32(0))}, "InvalidMaxResultsException"},
		{"max 51", &ctapi.LookupEventsRequest{MaxResults: shape.Ptr(int32(51))}, "InvalidMaxResultsException"},
		{"max negative", &ctapi.LookupEventsRequest{MaxResults: shape.Ptr(int32(-1))}, "InvalidMaxResultsException"},
		{"bad category", &ctapi.LookupEventsRequest{EventCategory: shape.Ptr("management")}, "InvalidEventCategoryException"},
	} {
		_, err := f.svc.LookupEvents(ctx, c.in)
		expectCode(t, c.name, err, c.code)
	}
}

func TestLookupEventsInsightIsEmpty(t *testing.T) {
	f := newFixture(t)
	f.add(t, ev(acct, "us-east-1", "e1", "A", time.Hour))
	out, err := f.svc.LookupEvents(ctxFor(acct, "us-east-1"), &ctapi.LookupEventsRequest{
		EventCategory: shape.Ptr("insight"), LookupAttributes: attr("EventName", "A")})
	if err != nil || out.Events == nil || len(out.Events) != 0 || out.NextToken != nil {
		t.Fatalf("insight: %+v %v", out, err)
	}
}

func expectCode(t *testing.T, name string, err error, code string) {
	t.Helper()
	var me shape.ModeledError
	if !errors.As(err, &me) || me.ErrorShape().Name != code || me.ErrorShape().Exception.HTTPStatus != 400 ||
		!strings.HasPrefix(me.Error(), code+": ") {
		t.Errorf("%s: got %v, want %s with a message", name, err, code)
		return
	}
	// The code names an exception the operation models.
	for _, es := range ctapi.Model.Operation("LookupEvents").Errors {
		if es == me.ErrorShape() {
			return
		}
	}
	t.Errorf("%s: %s is not a modeled LookupEvents error", name, code)
}

// TestLookupEventsAfterReopen appends, closes the database with no flush
// call of any kind and looks the events up from a reopened one.
func TestLookupEventsAfterReopen(t *testing.T) {
	dir := t.TempDir()
	db, err := pebble.Open(dir, &pebble.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := audit.NewPebbleStore(db).Append(context.Background(), []*audit.Event{
		ev(acct, "us-east-1", "kept-1", "A", 2*time.Hour), ev(acct, "us-east-1", "kept-2", "A", time.Hour),
	}); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	db, err = pebble.Open(dir, &pebble.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	out, err := New(audit.NewPebbleStore(db), clock.NewFake(now)).LookupEvents(ctxFor(acct, "us-east-1"), &ctapi.LookupEventsRequest{})
	if err != nil || !reflect.DeepEqual(eventIDs(out), []string{"kept-2", "kept-1"}) {
		t.Fatalf("after reopen: %v %v", eventIDs(out), err)
	}
}
