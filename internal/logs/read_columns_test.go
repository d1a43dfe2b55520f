package logs

import (
	"fmt"
	"reflect"
	"slices"
	"testing"
	"time"

	logsapi "github.com/vigilhq/vigil/internal/api/logs"
	"github.com/vigilhq/vigil/internal/api/shape"
	"github.com/vigilhq/vigil/internal/logs/filterpattern"
)

// checkFilterAcrossFlush stores msgs and checks that FilterLogEvents with
// each pattern answers exactly the messages the pattern matches one by one,
// before a flush (rows in the head, searched as one run of bytes) and after
// it (column-wise blocks, tested on their columns first). Every pattern
// but those in empty must match something, or its case proves nothing.
func checkFilterAcrossFlush(t *testing.T, msgs, patterns []string, empty ...string) {
	t.Helper()
	f := newFixture(t)
	f.mustCreate(t, "g", "s")
	t0 := f.now.Add(-2 * time.Hour).UnixMilli()
	var evs []logsapi.InputLogEvent
	for i, m := range msgs {
		evs = append(evs, logsapi.InputLogEvent{Timestamp: shape.Ptr(t0 + int64(i)), Message: shape.Ptr(m)})
	}
	if _, err := f.put("g", "s", evs); err != nil {
		t.Fatal(err)
	}
	filter := func(pat string) []string {
		out, err := f.svc.FilterLogEvents(f.ctx(), &logsapi.FilterLogEventsRequest{LogGroupName: shape.Ptr("g"), FilterPattern: shape.Ptr(pat)})
		if err != nil {
			t.Fatalf("%s: %v", pat, err)
		}
		var got []string
		for _, e := range out.Events {
			got = append(got, *e.Message)
		}
		return got
	}
	want := map[string][]string{}
	for _, p := range patterns {
		pat, err := filterpattern.Parse(p)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range msgs {
			if pat.Match(m) {
				want[p] = append(want[p], m)
			}
		}
		if len(want[p]) == 0 && !slices.Contains(empty, p) {
			t.Fatalf("%s matches nothing: the case proves nothing", p)
		}
		if got := filter(p); !reflect.DeepEqual(got, want[p]) {
			t.Errorf("%s: in the head %d events, matching each message %d", p, len(got), len(want[p]))
		}
	}
	if err := f.events.Flush(f.ctx()); err != nil {
		t.Fatal(err)
	}
	for _, p := range patterns {
		if got := filter(p); !reflect.DeepEqual(got, want[p]) {
			t.Errorf("%s: after the flush %d events, matching each message %d", p, len(got), len(want[p]))
		}
	}
}

// JSON patterns over top-level properties, decided on the properties'
// columns.
func TestFilterJSONOnColumns(t *testing.T) {
	var msgs []string
	for i := range 600 {
		switch i % 7 {
		case 0:
			msgs = append(msgs, fmt.Sprintf("text line %d level=ERROR", i))
		case 1:
			msgs = append(msgs, fmt.Sprintf(`{"level":"ERR\u004fR","status":%d,"nested":{"a":1}}`, 500+i%3))
		case 2:
			msgs = append(msgs, fmt.Sprintf(`{"level":"ERROR","status":"%d","msg":"upstream timeout"}`, 500+i%5))
		case 3:
			msgs = append(msgs, fmt.Sprintf(` { "level" : "WARN", "status" : %d, "ok": true } `, 400+i%5))
		case 4:
			msgs = append(msgs, `{"level":"ERROR","level":"INFO"}`)
		default:
			msgs = append(msgs, fmt.Sprintf(`{"level":"INFO","status":200,"latency":%d,"tags":["a"]}`, i))
		}
	}
	checkFilterAcrossFlush(t, msgs, []string{
		`{ $.level = "ERROR" }`, `{ $.status >= 500 && $.level != "INFO" }`, `{ $.ok IS TRUE }`,
		`{ $.latency > 300 }`, `{ $.tags = "a" }`, `{ $.nested NOT EXISTS }`, `{ $.msg = "*timeout" }`,
	}, `{ $.tags = "a" }`)
}

// Term patterns, decided on the shapes and columns: terms in values, in
// keys only (the shapes' literals), in free text, alternatives,
// exclusions, phrases, and texts that could span a literal and a value
// (left to Match).
func TestFilterTermsOnColumns(t *testing.T) {
	var msgs []string
	for i := range 700 {
		switch i % 7 {
		case 0:
			msgs = append(msgs, fmt.Sprintf("text line %d level=ERROR upstream timeout", i))
		case 1:
			msgs = append(msgs, fmt.Sprintf(`{"level":"ERR\u004fR","status":%d,"nested":{"a":"kraken"}}`, 500+i%3))
		case 2:
			msgs = append(msgs, fmt.Sprintf(`{"level":"ERROR","status":"%d","msg":"upstream timeout id-%d"}`, 500+i%5, i))
		case 3:
			msgs = append(msgs, fmt.Sprintf(` { "level" : "WARN", "status" : %d, "ok": true } `, 400+i%5))
		case 4:
			msgs = append(msgs, `{"level":"ERROR","level":"INFO","zebra_key":1}`)
		default:
			msgs = append(msgs, fmt.Sprintf(`{"level":"INFO","status":200,"latency":%d,"tags":["a","timeout"]}`, i))
		}
	}
	checkFilterAcrossFlush(t, msgs, []string{
		`ERROR`, `timeout`, `zebra_key`, `status`, `kraken`, `ERROR timeout`, `?WARN ?kraken`,
		`ERROR -timeout`, `"upstream timeout"`, `"id-42"`, `502`, `true`, `": true"`, `"ok\": true"`, `absentword`,
		`?absentword ?zebra_key`, `-ERROR`, `" "`,
	}, `absentword`)
}
