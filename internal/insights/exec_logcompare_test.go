package insights

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vigilhq/vigil/internal/insights/query"
	"github.com/vigilhq/vigil/internal/logstore"
)

// TestLogCompareIsDiff: logcompare timeshift D answers as pattern @message
// | diff with the comparison window D back, for every shift diff has.
func TestLogCompareIsDiff(t *testing.T) {
	s := openStore(t)
	ctx := context.Background()
	base := time.Date(2024, 3, 31, 12, 0, 0, 0, time.UTC)
	var evs []logstore.Event
	msgs := []string{"user alice logged in", "user bob logged in", "[ERROR] payment 5 declined", "cache miss for key k1", "GET /a 200"}
	for i, back := range []time.Duration{0, time.Hour, 24 * time.Hour, 7 * 24 * time.Hour, 31 * 24 * time.Hour, 30 * 24 * time.Hour, 29 * 24 * time.Hour} {
		for j, m := range msgs[:1+i%len(msgs)] {
			ts := base.Add(-back).Add(time.Duration(j) * time.Minute).UnixMilli()
			evs = append(evs, logstore.Event{Timestamp: ts, IngestionTime: ts, Message: []byte(m)})
		}
	}
	slices.SortFunc(evs, func(a, b logstore.Event) int { return int(a.Timestamp - b.Timestamp) })
	if err := s.Append(ctx, testPart, "g", "s", evs); err != nil {
		t.Fatal(err)
	}
	e := NewEngine(s, nil)
	run := func(q string) string {
		spec := Spec{Partition: testPart, Query: query.MustParse(q), Groups: []string{"g"},
			Start: base.UnixMilli(), End: base.Add(time.Hour).UnixMilli() - 1}
		rows, st, err := e.Run(ctx, spec, nil)
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		return fmt.Sprint(rows, st)
	}
	for _, c := range []struct{ diff, shift string }{
		{"", "1h"}, {"", "60m"}, {"previousDay", "1d"}, {"previousDay", "24h"},
		{"previousWeek", "7d"}, {"previousWeek", "1w"}, {"previousMonth", "1mo"},
	} {
		want := run(strings.TrimSpace("filter @message not like /GET/ | pattern @message | diff " + c.diff))
		got := run("filter @message not like /GET/ | logcompare timeshift " + c.shift)
		if !regexp.MustCompile(`@previousSampleCount [1-9]`).MatchString(want) {
			t.Fatalf("diff %s compares nothing: %s", c.diff, want)
		}
		if got != want {
			t.Errorf("timeshift %s:\ngot  %s\nwant %s (diff %s)", c.shift, got, want, c.diff)
		}
	}
}

func TestTimeShiftBack(t *testing.T) {
	at := func(s string) int64 {
		tm, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			t.Fatal(err)
		}
		return tm.UnixMilli()
	}
	for _, c := range []struct{ shift, from, want string }{
		{"90s", "2024-01-01T00:00:00Z", "2023-12-31T23:58:30Z"},
		{"2w", "2024-01-15T06:00:00Z", "2024-01-01T06:00:00Z"},
		{"1mo", "2024-03-31T12:00:00Z", "2024-02-29T12:00:00Z"},
		{"1q", "2024-05-31T00:00:00.5Z", "2024-02-29T00:00:00.5Z"},
		{"1y", "2024-02-29T00:00:00Z", "2023-02-28T00:00:00Z"},
		{"13mo", "2024-01-10T00:00:00Z", "2022-12-10T00:00:00Z"},
	} {
		q := query.MustParse("logcompare timeshift " + c.shift)
		sh, err := shiftOf(q.Commands[0].(*query.LogCompareCmd).Shift)
		if err != nil {
			t.Fatal(err)
		}
		if got := sh.back(at(c.from)); got != at(c.want) {
			t.Errorf("%s back from %s: got %s, want %s", c.shift, c.from, fmtMillis(got), c.want)
		}
	}
}

// TestSourceWindow: SOURCE start= and end= replace StartQuery's bounds.
func TestSourceWindow(t *testing.T) {
	now := time.Date(2024, 3, 31, 12, 0, 0, 0, time.UTC).UnixMilli()
	start, end := now-10*3_600_000, now-3_600_000 // startTime, endTime
	for _, c := range []struct{ q, want string }{
		{"fields @message", "2024-03-31T02:00:00Z..2024-03-31T11:00:00Z"},
		{"SOURCE lg | fields @message", "2024-03-31T02:00:00Z..2024-03-31T11:00:00Z"},
		{"SOURCE lg start=-1d end=now | logcompare timeshift 7d", "2024-03-30T12:00:00Z..2024-03-31T12:00:00Z"},
		{"SOURCE lg start=-1mo", "2024-02-29T12:00:00Z..2024-03-31T11:00:00Z"},
		{"SOURCE lg end=-5h", "2024-03-31T02:00:00Z..2024-03-31T07:00:00Z"},
		{"SOURCE a start=-2h | SOURCE b start=-2h end=-30m", "2024-03-31T10:00:00Z..2024-03-31T11:30:00Z"},
		{"SOURCE a start=-2h | SOURCE b start=-1h", "error: SOURCE start=-1h differs from start=-2h given before: a query has one time window (at offset 30)"},
		{"SOURCE lg end=-12h", "error: The query's time window is empty: it starts at 2024-03-31T02:00:00Z, after its end at 2024-03-31T00:00:00Z (at offset 10)"},
		{"SOURCE lg start=-1h end=-2h", "error: The query's time window is empty: it starts at 2024-03-31T11:00:00Z, after its end at 2024-03-31T10:00:00Z (at offset 10)"},
		{"SOURCE lg start=-36531d", "error: time shift 36531d is too long: at most 36530 days (at offset 17)"},
	} {
		q := query.MustParse(c.q)
		s, e, err := SourceWindow(q.Source, now, start, end)
		got := fmtMillis(s) + ".." + fmtMillis(e)
		if err != nil {
			got = "error: " + err.Error()
		}
		if got != c.want {
			t.Errorf("%s:\ngot  %s\nwant %s", c.q, got, c.want)
		}
	}
}
