package events

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	eventsapi "github.com/vigilhq/vigil/internal/api/events"
	"github.com/vigilhq/vigil/internal/api/shape"
)

// TestEntrySize follows the user guide's "Calculating PutEvents event entry
// size": 14 bytes for a Time, UTF-8 bytes of the rest.
func TestEntrySize(t *testing.T) {
	now := t0
	for _, tc := range []struct {
		e    eventsapi.PutEventsRequestEntry
		want int
	}{
		{eventsapi.PutEventsRequestEntry{Source: shape.Ptr("app"), DetailType: shape.Ptr("dt"), Detail: shape.Ptr("{}")}, 7},
		{eventsapi.PutEventsRequestEntry{Source: shape.Ptr("app"), DetailType: shape.Ptr("dt"), Detail: shape.Ptr("{}"), Time: &now}, 21},
		{eventsapi.PutEventsRequestEntry{Source: shape.Ptr("é"), DetailType: shape.Ptr("dt"), Resources: []string{"a", "bc"}}, 7},
		{eventsapi.PutEventsRequestEntry{}, 0},
	} {
		if got := entrySize(&tc.e); got != tc.want {
			t.Errorf("entrySize(%+v) = %d, want %d", tc.e, got, tc.want)
		}
	}
}

// TestPutEventsTotalSize: the total must be less than 256 KB.
func TestPutEventsTotalSize(t *testing.T) {
	e := newEnv(t)
	entry := func(detailBytes int) eventsapi.PutEventsRequestEntry {
		// {"a":"xxx"} is detailBytes long.
		return eventsapi.PutEventsRequestEntry{Source: shape.Ptr("s"), DetailType: shape.Ptr("d"),
			Detail: shape.Ptr(`{"a":"` + strings.Repeat("x", detailBytes-8) + `"}`)}
	}
	// 2 + 262141 = 262143: accepted.
	out, err := e.s.PutEvents(e.ctx(), &eventsapi.PutEventsRequest{Entries: []eventsapi.PutEventsRequestEntry{entry(262141)}})
	if err != nil || shape.Value(out.FailedEntryCount) != 0 {
		t.Fatalf("262143 bytes: %v %+v", err, out)
	}
	// Exactly 256 KB over two entries: refused as a whole.
	_, err = e.s.PutEvents(e.ctx(), &eventsapi.PutEventsRequest{Entries: []eventsapi.PutEventsRequestEntry{entry(131070), entry(131070)}})
	if err == nil || err.Error() != "ValidationException: Total size of the entries in the request is over the limit." {
		t.Fatalf("262144 bytes: %v", err)
	}
}

// TestPutEventsEnqueueFailure: an outbox failure fails the call; nothing
// is reported accepted.
func TestPutEventsEnqueueFailure(t *testing.T) {
	e := newEnv(t)
	if _, err := e.s.PutRule(e.ctx(), &eventsapi.PutRuleRequest{Name: shape.Ptr("r"), EventPattern: shape.Ptr(`{"source":["s"]}`)}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.s.PutTargets(e.ctx(), &eventsapi.PutTargetsRequest{Rule: shape.Ptr("r"),
		Targets: []eventsapi.Target{{Id: shape.Ptr("q"), Arn: shape.Ptr("arn:aws:sqs:us-east-1:123456789012:q")}}}); err != nil {
		t.Fatal(err)
	}
	e.out.fail = errTest
	_, err := e.s.PutEvents(e.ctx(), &eventsapi.PutEventsRequest{Entries: []eventsapi.PutEventsRequestEntry{
		{Source: shape.Ptr("s"), DetailType: shape.Ptr("d"), Detail: shape.Ptr("{}")}}})
	if _, ok := err.(*eventsapi.InternalException); !ok {
		t.Fatalf("err = %v, want InternalException", err)
	}
}

type testErr string

func (e testErr) Error() string { return string(e) }

const errTest = testErr("disk on fire")

// FuzzEvent: whatever the strings, the built event is valid JSON whose
// envelope reads back as given (invalid UTF-8 replaced).
func FuzzEvent(f *testing.F) {
	f.Add("app", "created", "arn:x", `{"a":1}`)
	f.Add("a\"b\\c\n\x01", "<&>", "\xff", `{"x":"\u2028"}`)
	f.Fuzz(func(t *testing.T, source, detailType, resource, detail string) {
		d, eerr := compactDetail(nil, detail)
		if eerr != nil {
			return
		}
		ev := appendEvent(nil, "id", detailType, source, partition{acct, reg}, time.Unix(0, 0), []string{resource}, d)
		var got struct {
			Source     string          `json:"source"`
			DetailType string          `json:"detail-type"`
			Resources  []string        `json:"resources"`
			Detail     json.RawMessage `json:"detail"`
		}
		if err := json.Unmarshal(ev, &got); err != nil {
			t.Fatalf("event %q is not JSON: %v", ev, err)
		}
		if utf8.ValidString(source) && got.Source != source || utf8.ValidString(detailType) && got.DetailType != detailType ||
			utf8.ValidString(resource) && got.Resources[0] != resource {
			t.Fatalf("envelope changed: %q", ev)
		}
		want := job{Account: acct, Region: reg, Bus: source, Rule: detailType, Target: resource, ID: "id", Time: -1, Hops: 1, Ingest: 7, Replay: len(source)%2 == 0, Event: ev}
		jb := appendJob(nil, &want)
		var j job
		if err := json.Unmarshal(jb, &j); err != nil {
			t.Fatalf("job %q is not JSON: %v", jb, err)
		}
		if utf8.ValidString(source) && utf8.ValidString(detailType) && utf8.ValidString(resource) && !reflect.DeepEqual(j, want) {
			t.Fatalf("job changed: %+v, want %+v", j, want)
		}
	})
}

// compactDetail answers as encoding/json's Compact does: the same text
// accepted as an object, compacted alike.
func FuzzCompactDetail(f *testing.F) {
	for _, s := range []string{`{}`, ` { "a" : [1, 2.5e3, "x y\"z", true, null, {"b": {}}] } `, `{"s":"\u00e9\t"}`, `[1]`, `"x"`, `{`, `{"a":01}`, "{\"a\":\"\x01\"}", "{\"a\":\"\xff\"}", `{} {}`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, detail string) {
		got, gerr := compactDetail([]byte("prefix"), detail)
		var want bytes.Buffer
		werr := json.Compact(&want, []byte(detail))
		isObject := werr == nil && want.Len() > 0 && want.Bytes()[0] == '{'
		if (gerr == nil) != isObject {
			t.Fatalf("%q: compactDetail error %v, encoding/json %v", detail, gerr, werr)
		}
		if gerr == nil && string(got) != "prefix"+want.String() {
			t.Fatalf("%q: compacted to %q, encoding/json to %q", detail, got, want.String())
		}
	})
}
