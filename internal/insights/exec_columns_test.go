package insights

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"

	"github.com/vigilhq/vigil/internal/insights/funcs"
	"github.com/vigilhq/vigil/internal/insights/query"
	"github.com/vigilhq/vigil/internal/logstore"
)

// columnLines are messages that exercise the column-wise path: flat
// objects whose keys, kinds and spacing vary, nested values, escapes, out
// of range numbers, repeated and escaped keys, text, and "timeout" inside
// keys, values, across a value boundary and nowhere.
func columnLines(seed uint64, n int) []string {
	r := rand.New(rand.NewPCG(seed, 7))
	levels := []string{"INFO", "WARN", "ERROR", `ER\u0052OR`, ""}
	msgs := []string{"request done", "payment provider timeout", "time", "a \\\"quoted\\\" timeout", "cache miss"}
	out := make([]string, n)
	for i := range out {
		lvl := levels[r.IntN(len(levels))]
		msg := msgs[r.IntN(len(msgs))]
		detail := fmt.Sprint("step ", i) // a plain column, with a word index
		if r.IntN(40) == 0 {             // rare words, which the index decides
			detail = []string{"deadlock detected", "upstream Timeout", "connection pool exhausted"}[r.IntN(3)] + fmt.Sprint(" n=", i)
		}
		lat := []string{"12", "3.5", "-0", "1e3", "1e400", `"17"`, "null", "true"}[r.IntN(8)]
		switch r.IntN(12) {
		case 0:
			out[i] = "plain text line with timeout " + fmt.Sprint(i)
		case 1:
			out[i] = fmt.Sprintf(`{"level":%q,"nested":{"a":%d,"b":[1,"x"]},"latency_ms":%s}`, lvl, i, lat)
		case 2:
			out[i] = fmt.Sprintf(`{"level":"%s","level":"dup"}`, lvl)
		case 3:
			out[i] = fmt.Sprintf(`{"lev\u0065l":"%s","latency_ms":%s}`, lvl, lat)
		case 4:
			out[i] = fmt.Sprintf(` { "level" : "%s" , "service": "svc%d", "latency_ms" : %s } `, lvl, r.IntN(3), lat)
		case 5:
			out[i] = fmt.Sprintf(`{"timeout_ms":%d,"level":"%s"}`, r.IntN(100), lvl)
		case 6:
			out[i] = fmt.Sprintf(`{"a":"time","b":"out","level":"%s"}`, lvl)
		default:
			out[i] = fmt.Sprintf(`{"level":"%s","service":"svc%d","msg":"%s","latency_ms":%s,"id":"%x","detail":"%s"}`, lvl, r.IntN(4), msg, lat, r.Uint32(), detail)
		}
	}
	return out
}

// TestColumnsMatchRows runs queries over the same events once flushed
// (column-wise blocks) and once in the head (rows): the answers must be
// identical.
func TestColumnsMatchRows(t *testing.T) {
	ctx := context.Background()
	lines := columnLines(1, 3000)
	cols, rows := openStore(t), openStore(t)
	const t0 = int64(1700000000000)
	for _, s := range []*logstore.Store{cols, rows} {
		var evs []logstore.Event
		for i, l := range lines {
			evs = append(evs, logstore.Event{Timestamp: t0 + int64(i)*1000, IngestionTime: t0, Message: []byte(l)})
		}
		if err := s.Append(ctx, testPart, "g", "s", evs); err != nil {
			t.Fatal(err)
		}
	}
	if err := cols.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	sc, err := cols.Scan(ctx, testPart, logstore.ScanQuery{Groups: []string{"g"}, Columns: true})
	if err != nil {
		t.Fatal(err)
	}
	columnar, byWords := 0, 0
	sc.Run(ctx, 1, func(_ int, b *logstore.Block) error {
		if c := b.Columns(); c != nil {
			columnar++
			if id := c.Column("detail", logstore.KindString); id >= 0 && c.SearchWords(id, "deadlock", make([]bool, b.Len())) {
				byWords++
			}
		}
		return nil
	})
	sc.Close()
	if columnar == 0 || byWords == 0 {
		t.Fatalf("%d column-wise blocks, %d with a word index deciding: the test proves less than it should", columnar, byWords)
	}
	for _, qs := range []string{
		"stats count(*) by level",
		"stats count(*), count(level), count_distinct(service) by service, level",
		"filter @message like /timeout/ | stats count(*)",
		`filter @message like "timeout" | fields @message | sort @timestamp asc | limit 50`,
		`filter @message like "time" and @message like "out" | stats count(*) by level`,
		`filter @message like /ti.eout/ | stats count(*)`,
		`filter @message like /deadlock/ | stats count(*) by level`,
		`filter @message like "Timeout" | fields @message | sort @timestamp asc | limit 50`,
		`filter @message like "xhaust" and @message like "pool" | stats count(*)`,
		`filter level = "ERROR" | stats count(*), avg(latency_ms), sum(latency_ms), min(latency_ms), max(latency_ms) by service`,
		`filter latency_ms > 10 | stats pct(latency_ms, 50), stddev(latency_ms), earliest(level), latest(msg)`,
		"stats count(*) by bin(5m)",
		"stats count(*) by bin(1h), level",
		"fields @timestamp, @message | sort @timestamp desc | limit 20",
		"fields level, nested.a, nested.b.1, latency_ms, timeout_ms | sort @timestamp desc | limit 100",
		"fields @timestamp, level, msg | filter ispresent(msg) | limit 30",
		"stats count(*) by a, b",
		`filter level in ["INFO", "WARN"] and service != "svc1" | stats count(*), max(latency_ms), sortsFirst(level), sortsLast(service) by service, bin(30m)`,
		`filter latency_ms >= 12 or level = "" | stats count(level), earliest(service), latest(latency_ms), pct(latency_ms, 90) by bin(1m)`,
		`filter not ispresent(service) | stats count(*) by level`,
		`filter strlen(level) > 3 | filter level like /R/ | stats count_distinct(latency_ms), stddev(latency_ms) by level, service`,
		"filter isempty(level) | stats count(*)",
		"parse @message 'provider *' as what | stats count(*) by what",
	} {
		spec := Spec{Partition: testPart, Query: query.MustParse(qs), Groups: []string{"g"}, Start: t0, End: t0 + int64(len(lines))*1000}
		want, _, err := NewEngine(rows, nil).Run(ctx, spec, nil)
		if err != nil {
			t.Fatalf("%s: rows: %v", qs, err)
		}
		got, _, err := NewEngine(cols, nil).Run(ctx, spec, nil)
		if err != nil {
			t.Fatalf("%s: columns: %v", qs, err)
		}
		if len(want) == 0 {
			t.Fatalf("%s: no rows: the case proves nothing", qs)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s:\ncolumns: %s\nrows:    %s", qs, brief(got), brief(want))
		}
	}
}

func brief(rows []Row) string {
	var b strings.Builder
	for i, r := range rows {
		if i == 6 {
			fmt.Fprintf(&b, " ... (%d rows)", len(rows))
			break
		}
		fmt.Fprint(&b, r, " ")
	}
	return b.String()
}

// FuzzColumnsMatchJSON: a message the log store writes as a flat shape
// must be one discoverJSON accepts, with the same value for every key.
func FuzzColumnsMatchJSON(f *testing.F) {
	for _, l := range columnLines(3, 40) {
		f.Add(l)
	}
	f.Add(`{"a":"\u00e9\n","b":1e400,"c":-0.5E+3,"d":true,"e":null}`)
	f.Add(`{"a":"x"} `)
	f.Add("{\"a\":\"\x7f\xff\"}")
	s := openStore(f)
	ctx := context.Background()
	n := 0
	f.Fuzz(func(t *testing.T, msg string) {
		n++
		group := fmt.Sprint("g", n)
		// Two copies: a block is column-wise only when most rows are objects.
		evs := []logstore.Event{{Timestamp: 1, Message: []byte(msg)}, {Timestamp: 2, Message: []byte(msg)}}
		if err := s.Append(ctx, testPart, group, "s", evs); err != nil {
			t.Skip()
		}
		if err := s.Flush(ctx); err != nil {
			t.Fatal(err)
		}
		sc, err := s.Scan(ctx, testPart, logstore.ScanQuery{Groups: []string{group}, Columns: true})
		if err != nil {
			t.Fatal(err)
		}
		defer sc.Close()
		err = sc.Run(ctx, 1, func(_ int, b *logstore.Block) error {
			c := b.Columns()
			if c == nil {
				return nil
			}
			sh := c.Shapes()[c.Shape(0)]
			if !sh.Flat {
				return nil
			}
			for _, id := range sh.Slots {
				name, kind := c.ColumnName(id)
				if err := c.Load(id); err != nil {
					return err
				}
				raw, _ := c.Value(id, 0)
				got := columnValue(kind == logstore.KindString, raw)
				env := &fieldEnv{want: map[string]bool{name: true}, prefix: map[string]bool{}}
				var want funcs.Value
				found := false
				for _, nv := range discoverJSON(msg, env) {
					if nv.name == name {
						want, found = nv.v, true
					}
				}
				if found != !got.IsNull() || found && got.String() != want.String() {
					t.Fatalf("%q: key %q: columns %v, discoverJSON %v (found %v)", msg, name, got, want, found)
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	})
}

// A top-k query by time reads blocks newest (oldest) first and skips the
// rest: the answers match a scan of everything, with far fewer records.
func TestTimeTopKSkipsBlocks(t *testing.T) {
	ctx := context.Background()
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	many, err := logstore.Open(t.TempDir(), logstore.Options{Logger: quiet, NoSync: true, BlockBytes: 4096})
	if err != nil {
		t.Fatal(err)
	}
	defer many.Close()
	all := openStore(t)
	const t0 = int64(1700000000000)
	lines := columnLines(5, 4000)
	for part := range 4 { // four flushes of interleaved streams; the last stays in the head
		for _, s := range []*logstore.Store{many, all} {
			for st := range 3 {
				var evs []logstore.Event
				for i := part * 1000; i < (part+1)*1000; i++ {
					if i%3 == st {
						evs = append(evs, logstore.Event{Timestamp: t0 + int64(i/2)*1000, IngestionTime: t0, Message: []byte(lines[i])})
					}
				}
				if err := s.Append(ctx, testPart, "g", fmt.Sprint("s", st), evs); err != nil {
					t.Fatal(err)
				}
			}
		}
		if part < 3 {
			if err := many.Flush(ctx); err != nil {
				t.Fatal(err)
			}
		}
	}
	for _, qs := range []string{
		"fields @timestamp, @message | sort @timestamp desc | limit 7",
		"fields @timestamp, level | sort @timestamp asc | limit 25",
		`filter level = "WARN" | fields @timestamp, @logStream | limit 5`,
		"fields @timestamp, @message, @logStream | sort @timestamp desc, @logStream asc | limit 3",
	} {
		spec := Spec{Partition: testPart, Query: query.MustParse(qs), Groups: []string{"g"}, Start: t0, End: t0 + 4000*1000}
		want, _, err := NewEngine(all, nil).Run(ctx, spec, nil)
		if err != nil {
			t.Fatal(err)
		}
		got, st, err := NewEngine(many, nil).Run(ctx, spec, nil)
		if err != nil {
			t.Fatal(err)
		}
		if len(want) == 0 || !reflect.DeepEqual(got, want) {
			t.Errorf("%s:\nblocks: %s\nall:    %s", qs, brief(got), brief(want))
		}
		if st.RecordsScanned > 2000 {
			t.Errorf("%s: %v of 4000 records scanned: blocks were not skipped", qs, st.RecordsScanned)
		}
	}
}
