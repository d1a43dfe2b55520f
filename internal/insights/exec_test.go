package insights

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"testing"

	"github.com/cockroachdb/datadriven"

	"github.com/vigilhq/vigil/internal/insights/query"
	"github.com/vigilhq/vigil/internal/logstore"
)

var testPart = logstore.Partition{Account: "123456789012", Region: "us-east-1"}

func openStore(t testing.TB) *logstore.Store {
	s, err := logstore.Open(t.TempDir(), logstore.Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// TestExecDataDriven runs testdata/exec/. Commands:
//
//	append group=G stream=S      one event per line: "<ms> <message>"
//	                             (ingestion time is the timestamp + 1000)
//	flush                        write the head to a segment
//	query groups=a,b start=T end=T [limit=N]
//	                             input: the query; output: one line per row,
//	                             "name=value" cells joined by " | ", @ptr
//	                             shown as the event GetRecord resolves it to,
//	                             then "stats: matched=M scanned=S bytes=B"
//	                             or "error: ..."
//	unsupported                  input: a query; Unsupported's answer
//	lookup-table name=T          input: the table's CSV, header first
//	index group=G field=F from=T [until=T]
//	                             F is indexed in G for events ingested
//	                             from T (until T); the queries see both
func TestExecDataDriven(t *testing.T) {
	datadriven.Walk(t, "testdata/exec", func(t *testing.T, path string) {
		s := openStore(t)
		e := NewEngine(s, nil)
		src := newTestSources()
		ctx := context.Background()
		datadriven.RunTest(t, path, func(t *testing.T, d *datadriven.TestData) string {
			switch d.Cmd {
			case "append":
				var group, stream string
				d.ScanArgs(t, "group", &group)
				d.ScanArgs(t, "stream", &stream)
				var evs []logstore.Event
				for _, line := range strings.Split(strings.TrimSpace(d.Input), "\n") {
					ts, msg, _ := strings.Cut(line, " ")
					n, err := strconv.ParseInt(ts, 10, 64)
					if err != nil {
						t.Fatalf("%s: %v", d.Pos, err)
					}
					evs = append(evs, logstore.Event{Timestamp: n, IngestionTime: n + 1000, Message: []byte(msg)})
				}
				if err := s.Append(ctx, testPart, group, stream, evs); err != nil {
					return "error: " + err.Error() + "\n"
				}
				return ""
			case "lookup-table", "index":
				return src.define(t, d)
			case "flush":
				if err := s.Flush(ctx); err != nil {
					return "error: " + err.Error() + "\n"
				}
				return ""
			case "unsupported":
				q, err := query.Parse(d.Input)
				if err != nil {
					return "parse error: " + err.Error() + "\n"
				}
				if err := Unsupported(q); err != nil {
					return "error: " + err.Error() + "\n"
				}
				return "ok\n"
			case "query":
				var groups string
				var start, end int64
				var limit int
				d.ScanArgs(t, "groups", &groups)
				d.ScanArgs(t, "start", &start)
				d.ScanArgs(t, "end", &end)
				if d.HasArg("limit") {
					d.ScanArgs(t, "limit", &limit)
				}
				q, err := query.Parse(d.Input)
				if err != nil {
					return "parse error: " + err.Error() + "\n"
				}
				spec := Spec{Partition: testPart, Query: q, QueryString: d.Input, Groups: strings.Split(groups, ","), Start: start, End: end, Limit: limit,
					Lookups: src, Indexes: src}
				rows, st, err := e.Run(ctx, spec, nil)
				if err != nil {
					return "error: " + err.Error() + "\n"
				}
				var b strings.Builder
				for _, r := range rows {
					cells := make([]string, len(r))
					for i, f := range r {
						v := f.Value
						if f.Name == "@ptr" {
							g, rec, err := s.GetRecord(ctx, testPart, v)
							if err != nil {
								v = "unresolved: " + err.Error()
							} else {
								v = fmt.Sprintf("→%s/%s/%d", g, rec.Stream, rec.Timestamp)
							}
						}
						cells[i] = f.Name + "=" + v
					}
					b.WriteString(strings.Join(cells, " | "))
					b.WriteByte('\n')
				}
				fmt.Fprintf(&b, "stats: matched=%v scanned=%v bytes=%v\n", st.RecordsMatched, st.RecordsScanned, st.BytesScanned)
				return b.String()
			}
			t.Fatalf("%s: unknown command %q", d.Pos, d.Cmd)
			return ""
		})
	})
}

// TestExecTopKAndCancel: a sorted, limited query over more events than a
// worker keeps returns the right rows; a cancelled context stops Run.
func TestExecTopKAndCancel(t *testing.T) {
	s := openStore(t)
	ctx := context.Background()
	const n = 5000
	for i := 0; i < n; i += 1000 {
		var evs []logstore.Event
		for j := i; j < i+1000; j++ {
			evs = append(evs, logstore.Event{Timestamp: int64(j), IngestionTime: int64(j), Message: []byte(fmt.Sprintf(`{"n":%d}`, j))})
		}
		if err := s.Append(ctx, testPart, "g", "s", evs); err != nil {
			t.Fatal(err)
		}
		if err := s.Flush(ctx); err != nil {
			t.Fatal(err)
		}
	}
	e := NewEngine(s, nil)
	spec := Spec{Partition: testPart, Query: query.MustParse("fields n | sort n % 7 desc, n asc | limit 3"), Groups: []string{"g"}, Start: 0, End: n}
	rows, st, err := e.Run(ctx, spec, func([]Row, Stats) {})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range rows {
		got = append(got, r[0].Value)
	}
	if strings.Join(got, ",") != "6,13,20" || st.RecordsScanned != n || st.RecordsMatched != n {
		t.Fatalf("got %v, %+v", got, st)
	}
	// Without a limit, all 5000 rows (under MaxResults), newest first.
	spec.Query = query.MustParse("fields n")
	rows, _, err = e.Run(ctx, spec, nil)
	if err != nil || len(rows) != n || rows[0][0].Value != "4999" {
		t.Fatalf("%d rows, first %v, err %v", len(rows), rows[0], err)
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, _, err := e.Run(cctx, spec, nil); err == nil {
		t.Fatal("cancelled query ran")
	}
}
