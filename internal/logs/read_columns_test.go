package logs

import (
	"fmt"
	"reflect"
	"testing"
	"time"

	logsapi "github.com/vigilhq/vigil/internal/api/logs"
	"github.com/vigilhq/vigil/internal/api/shape"
	"github.com/vigilhq/vigil/internal/logs/filterpattern"
)

// FilterLogEvents with a JSON pattern answers the same before a flush
// (rows in the head) and after it (column-wise blocks, tested on their
// columns).
func TestFilterJSONOnColumns(t *testing.T) {
	f := newFixture(t)
	f.mustCreate(t, "g", "s")
	t0 := f.now.Add(-2 * time.Hour).UnixMilli()
	var evs []logsapi.InputLogEvent
	for i := range 600 {
		var m string
		switch i % 7 {
		case 0:
			m = fmt.Sprintf("text line %d level=ERROR", i)
		case 1:
			m = fmt.Sprintf(`{"level":"ERR\u004fR","status":%d,"nested":{"a":1}}`, 500+i%3)
		case 2:
			m = fmt.Sprintf(`{"level":"ERROR","status":"%d","msg":"upstream timeout"}`, 500+i%5)
		case 3:
			m = fmt.Sprintf(` { "level" : "WARN", "status" : %d, "ok": true } `, 400+i%5)
		case 4:
			m = `{"level":"ERROR","level":"INFO"}`
		default:
			m = fmt.Sprintf(`{"level":"INFO","status":200,"latency":%d,"tags":["a"]}`, i)
		}
		evs = append(evs, logsapi.InputLogEvent{Timestamp: shape.Ptr(t0 + int64(i)), Message: shape.Ptr(m)})
	}
	if _, err := f.put("g", "s", evs); err != nil {
		t.Fatal(err)
	}
	patterns := []string{
		`{ $.level = "ERROR" }`, `{ $.status >= 500 && $.level != "INFO" }`, `{ $.ok IS TRUE }`,
		`{ $.latency > 300 }`, `{ $.tags = "a" }`, `{ $.nested NOT EXISTS }`, `{ $.msg = "*timeout" }`,
	}
	filter := func(pat string) []string {
		out, err := f.svc.FilterLogEvents(f.ctx(), &logsapi.FilterLogEventsRequest{LogGroupName: shape.Ptr("g"), FilterPattern: shape.Ptr(pat)})
		if err != nil {
			t.Fatal(err)
		}
		var msgs []string
		for _, e := range out.Events {
			msgs = append(msgs, *e.Message)
		}
		return msgs
	}
	before := map[string][]string{}
	for _, p := range patterns {
		before[p] = filter(p)
		if len(before[p]) == 0 && p != `{ $.tags = "a" }` {
			t.Fatalf("%s matches nothing: the case proves nothing", p)
		}
	}
	if err := f.events.Flush(f.ctx()); err != nil {
		t.Fatal(err)
	}
	for _, p := range patterns {
		if got := filter(p); !reflect.DeepEqual(got, before[p]) {
			t.Errorf("%s: after the flush %d events, before %d", p, len(got), len(before[p]))
		}
	}
}

// FilterLogEvents with a term pattern answers the same before a flush (rows
// in the head) and after it (column-wise blocks, whose rows are first
// tested on their shapes and columns): terms in values, in keys only (the
// shapes' literals), in free text, alternatives, exclusions, phrases, and
// texts that could span a literal and a value (left to Match).
func TestFilterTermsOnColumns(t *testing.T) {
	f := newFixture(t)
	f.mustCreate(t, "g", "s")
	t0 := f.now.Add(-2 * time.Hour).UnixMilli()
	var evs []logsapi.InputLogEvent
	for i := range 700 {
		var m string
		switch i % 7 {
		case 0:
			m = fmt.Sprintf("text line %d level=ERROR upstream timeout", i)
		case 1:
			m = fmt.Sprintf(`{"level":"ERR\u004fR","status":%d,"nested":{"a":"kraken"}}`, 500+i%3)
		case 2:
			m = fmt.Sprintf(`{"level":"ERROR","status":"%d","msg":"upstream timeout id-%d"}`, 500+i%5, i)
		case 3:
			m = fmt.Sprintf(` { "level" : "WARN", "status" : %d, "ok": true } `, 400+i%5)
		case 4:
			m = `{"level":"ERROR","level":"INFO","zebra_key":1}`
		default:
			m = fmt.Sprintf(`{"level":"INFO","status":200,"latency":%d,"tags":["a","timeout"]}`, i)
		}
		evs = append(evs, logsapi.InputLogEvent{Timestamp: shape.Ptr(t0 + int64(i)), Message: shape.Ptr(m)})
	}
	if _, err := f.put("g", "s", evs); err != nil {
		t.Fatal(err)
	}
	patterns := []string{
		`ERROR`, `timeout`, `zebra_key`, `status`, `kraken`, `ERROR timeout`, `?WARN ?kraken`,
		`ERROR -timeout`, `"upstream timeout"`, `"id-42"`, `502`, `true`, `": true"`, `"ok\": true"`, `absentword`,
		`?absentword ?zebra_key`, `-ERROR`, `" "`,
	}
	filter := func(pat string) []string {
		out, err := f.svc.FilterLogEvents(f.ctx(), &logsapi.FilterLogEventsRequest{LogGroupName: shape.Ptr("g"), FilterPattern: shape.Ptr(pat)})
		if err != nil {
			t.Fatalf("%s: %v", pat, err)
		}
		var msgs []string
		for _, e := range out.Events {
			msgs = append(msgs, *e.Message)
		}
		return msgs
	}
	before := map[string][]string{}
	for _, p := range patterns {
		// The head's rows are searched as one run of bytes: they must
		// agree with matching each message.
		pat, err := filterpattern.Parse(p)
		if err != nil {
			t.Fatal(err)
		}
		var want []string
		for _, e := range evs {
			if pat.Match(*e.Message) {
				want = append(want, *e.Message)
			}
		}
		before[p] = filter(p)
		if !reflect.DeepEqual(before[p], want) {
			t.Errorf("%s: in the head %d events, matching each message %d", p, len(before[p]), len(want))
		}
		if len(before[p]) == 0 && p != `absentword` {
			t.Fatalf("%s matches nothing: the case proves nothing", p)
		}
	}
	if err := f.events.Flush(f.ctx()); err != nil {
		t.Fatal(err)
	}
	for _, p := range patterns {
		if got := filter(p); !reflect.DeepEqual(got, before[p]) {
			t.Errorf("%s: after the flush %d events, before %d", p, len(got), len(before[p]))
		}
	}
}
