package insights

import (
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/vigilhq/vigil/internal/insights/funcs"
)

func messageSrc(r *row, _ []funcs.Value) funcs.Value { return funcs.Str(r.msg) }

func patternLines(t *testing.T, ps *patternStage, msgs []string) []string {
	t.Helper()
	rows := make([]*row, len(msgs))
	for i, m := range msgs {
		rows[i] = &row{hasEvent: true, msg: m, seq: uint64(i)}
	}
	var out []string
	for _, r := range ps.apply(rows) {
		out = append(out, r.field(nil, "@pattern", "@pattern").String()+" x"+r.field(nil, "@sampleCount", "@sampleCount").String())
	}
	return out
}

// TestPatternOrderIndependent: the patterns depend on the values, not on
// the order the scan workers deliver the rows in.
func TestPatternOrderIndependent(t *testing.T) {
	msgs := []string{
		"user alice logged in", "user bob logged in", "user carol logged out", "user dan logged out",
		"user alice logged out", "Connection opened", "Connection closed", "Connection closed",
		"[ERROR] job 7 failed", "[INFO] job 8 failed", "[INFO] job done", "[INFO] job started",
		"GET /a 200", "GET /b 200", "POST /a 201", "retry 3 of job", "retry all of job",
	}
	ps := &patternStage{src: messageSrc}
	want := patternLines(t, ps, msgs)
	rnd := rand.New(rand.NewPCG(1, 2))
	for range 50 {
		rnd.Shuffle(len(msgs), func(i, j int) { msgs[i], msgs[j] = msgs[j], msgs[i] })
		if got := patternLines(t, ps, msgs); !slices.Equal(got, want) {
			t.Fatalf("order %q:\ngot  %q\nwant %q", msgs, got, want)
		}
	}
}

// TestPatternMultiline: line breaks are separators, kept in @pattern (the
// data-driven tests cannot append a multi-line event).
func TestPatternMultiline(t *testing.T) {
	got := patternLines(t, &patternStage{src: messageSrc}, []string{
		"Exception in thread main\n\tat Foo.bar(Foo.java:12)",
		"Exception in thread main\n\tat Foo.bar(Foo.java:40)",
	})
	want := []string{"Exception in thread main\n\tat Foo.bar(Foo.java:<Token-1>) x2"}
	if !slices.Equal(got, want) {
		t.Fatalf("got %q, want %q", got, want)
	}
}

func TestDiffWindow(t *testing.T) {
	ms := func(s string) int64 {
		tm, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			t.Fatal(err)
		}
		return tm.UnixMilli()
	}
	for _, c := range []struct {
		period, start, end, wantStart, wantEnd string
	}{
		{"", "2023-11-15T00:00:00Z", "2023-11-15T00:59:59.999Z", "2023-11-14T23:00:00Z", "2023-11-14T23:59:59.999Z"},
		{"previousDay", "2023-11-15T00:00:00Z", "2023-11-15T00:59:59.999Z", "2023-11-14T00:00:00Z", "2023-11-14T00:59:59.999Z"},
		{"previousWeek", "2023-11-15T00:00:00Z", "2023-11-15T00:59:59.999Z", "2023-11-08T00:00:00Z", "2023-11-08T00:59:59.999Z"},
		{"previousMonth", "2023-11-15T10:30:00Z", "2023-11-16T10:30:00Z", "2023-10-15T10:30:00Z", "2023-10-16T10:30:00Z"},
		// The day is clamped to the previous month's last; the length stays.
		{"previousMonth", "2024-03-31T12:00:00Z", "2024-04-01T12:00:00Z", "2024-02-29T12:00:00Z", "2024-03-01T12:00:00Z"},
		{"previousMonth", "2023-03-31T00:00:00Z", "2023-03-31T23:59:59.999Z", "2023-02-28T00:00:00Z", "2023-02-28T23:59:59.999Z"},
		{"previousMonth", "2024-01-10T00:00:00Z", "2024-01-10T06:00:00Z", "2023-12-10T00:00:00Z", "2023-12-10T06:00:00Z"},
	} {
		s, e := diffPeriod(c.period).window(ms(c.start), ms(c.end))
		if s != ms(c.wantStart) || e != ms(c.wantEnd) {
			t.Errorf("%q %s..%s: got %s..%s", c.period, c.start, c.end,
				time.UnixMilli(s).UTC().Format(time.RFC3339Nano), time.UnixMilli(e).UTC().Format(time.RFC3339Nano))
		}
	}
}
