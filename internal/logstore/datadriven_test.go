package logstore

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/cockroachdb/datadriven"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// TestDataDriven runs the scripts in testdata/. Commands:
//
//	append [account=A] [region=R] group=G stream=S    one event per line: "TS message"
//	read [account=..] group=G [streams=a,b] [prefix=P] [start=T] [end=T]
//	     [backward] [limit=N] [require=a,b] [contains=X] [resume]
//	                       resume continues after the previous read's page
//	getrecord [account=..] n=I    the @ptr of the previous read's I-th record
//	scan [account=..] groups=a,b [start=T] [end=T] [require=a,b]
//	delete-group | delete-stream stream=S | delete-before t=T   (group=G)
//	flush | reopen | reset
//
// require= sets RequiredSubstrings; contains=X is a case-sensitive Match.
func TestDataDriven(t *testing.T) {
	datadriven.Walk(t, "testdata", func(t *testing.T, path string) {
		if strings.HasPrefix(path, segV2Dir) {
			t.Skip("a segment fixture (compat_v2_test.go), not a script")
		}
		h := &harness{t: t, dir: t.TempDir()}
		h.open()
		defer h.s.Close()
		datadriven.RunTest(t, path, func(t *testing.T, d *datadriven.TestData) string {
			out, err := h.run(d)
			if err != nil {
				return "error: " + err.Error() + "\n"
			}
			return out
		})
	})
}

type harness struct {
	t         *testing.T
	dir       string
	s         *Store
	last      *Page
	lastGroup string
	lastQ     Query
}

// open opens the store with 64-byte blocks (a few events each) whose
// summaries are bounded by their fill only, not by the blocks' size.
func (h *harness) open() {
	s, err := Open(h.dir, Options{Logger: quiet, BlockBytes: 64, summaryRatio: 1})
	if err != nil {
		h.t.Fatal(err)
	}
	h.s = s
}

func args(d *datadriven.TestData) map[string]string {
	m := map[string]string{}
	for _, a := range d.CmdArgs {
		m[a.Key] = strings.Join(a.Vals, ",")
	}
	return m
}

func part(a map[string]string) Partition {
	p := Partition{"111111111111", "us-east-1"}
	if v, ok := a["account"]; ok {
		p.Account = v
	}
	if v, ok := a["region"]; ok {
		p.Region = v
	}
	return p
}

func num(a map[string]string, k string) int64 {
	n, _ := strconv.ParseInt(a[k], 10, 64)
	return n
}

func list(a map[string]string, k string) []string {
	if a[k] == "" {
		return nil
	}
	return strings.Split(a[k], ",")
}

func (h *harness) run(d *datadriven.TestData) (string, error) {
	ctx := context.Background()
	a := args(d)
	p := part(a)
	switch d.Cmd {
	case "append":
		var evs []Event
		for _, line := range strings.Split(strings.TrimSpace(d.Input), "\n") {
			ts, msg, _ := strings.Cut(line, " ")
			n, err := strconv.ParseInt(ts, 10, 64)
			if err != nil {
				return "", err
			}
			evs = append(evs, Event{Timestamp: n, IngestionTime: n + 5, Message: []byte(msg)})
		}
		return "ok\n", h.s.Append(ctx, p, a["group"], a["stream"], evs)
	case "read":
		q := Query{Group: a["group"], Streams: list(a, "streams"), StreamPrefix: a["prefix"], Start: num(a, "start"), End: num(a, "end"),
			Limit: int(num(a, "limit")), RequiredSubstrings: list(a, "require")}
		_, q.Backward = a["backward"]
		if c, ok := a["contains"]; ok {
			q.Match = func(m []byte) bool { return strings.Contains(string(m), c) }
		}
		if _, ok := a["resume"]; ok {
			q = h.lastQ
			q.After = h.last.Next
		}
		pg, err := h.s.Read(ctx, p, q)
		if err != nil {
			return "", err
		}
		h.last, h.lastGroup, h.lastQ = pg, q.Group, q
		var b strings.Builder
		for _, r := range pg.Records {
			fmt.Fprintf(&b, "%d %s %s\n", r.Timestamp, r.Stream, r.Message)
		}
		fmt.Fprintf(&b, "more=%v skipped=%d\n", pg.More, pg.Stats.BlocksSkipped)
		return b.String(), nil
	case "getrecord":
		r := h.last.Records[num(a, "n")]
		g, rec, err := h.s.GetRecord(ctx, p, EncodePtr(h.lastGroup, &r))
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("%s %d %s %s ingest=%d\n", g, rec.Timestamp, rec.Stream, rec.Message, rec.IngestionTime), nil
	case "scan":
		sc, err := h.s.Scan(ctx, p, ScanQuery{Groups: list(a, "groups"), Start: num(a, "start"), End: num(a, "end"), RequiredSubstrings: list(a, "require")})
		if err != nil {
			return "", err
		}
		defer sc.Close()
		perWorker := make([][]string, 2)
		err = sc.Run(ctx, 2, func(w int, b *Block) error {
			for i := range b.Len() {
				perWorker[w] = append(perWorker[w], fmt.Sprintf("%d %s/%s %s", b.Timestamp[i], b.Group, b.Streams[b.Stream[i]], b.Message(i)))
			}
			return nil
		})
		lines := append(perWorker[0], perWorker[1]...)
		slices.Sort(lines)
		st := sc.Stats()
		return strings.Join(append(lines, fmt.Sprintf("rows=%d skipped=%d", st.RecordsScanned, st.BlocksSkipped)), "\n") + "\n", err
	case "delete-group":
		return "ok\n", h.s.DeleteLogGroup(ctx, p, a["group"])
	case "delete-stream":
		return "ok\n", h.s.DeleteLogStream(ctx, p, a["group"], a["stream"])
	case "delete-before":
		return "ok\n", h.s.DeleteBefore(ctx, p, a["group"], num(a, "t"))
	case "flush":
		return "ok\n", h.s.Flush(ctx)
	case "reopen":
		if err := h.s.Close(); err != nil {
			return "", err
		}
		h.open()
		return "ok\n", nil
	case "reset":
		return "ok\n", h.s.Reset(ctx)
	}
	return "", fmt.Errorf("unknown command %q", d.Cmd)
}
