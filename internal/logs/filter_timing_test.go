package logs

import (
	"testing"
	"time"

	logsapi "github.com/vigilhq/vigil/internal/api/logs"
	"github.com/vigilhq/vigil/internal/api/shape"
	"github.com/vigilhq/vigil/internal/bench"
)

// BenchmarkFilterLogEvents measures FilterLogEvents through the handler
// over 64 MB of the load generator's JSON application logs, flushed to
// segments: MB/s is raw message bytes of the group scanned per second on
// one goroutine (the goal: ≥ 500 MB/s per core for a term pattern).
func BenchmarkFilterLogEvents(b *testing.B) {
	f := newFixture(b)
	f.mustCreate(b, "app", "s")
	lines := bench.LogLines(7, 16384, 300)
	raw := int64(0)
	start := f.now.Add(-time.Hour).UnixMilli()
	for n := 0; raw < 64<<20; n++ {
		evs := make([]logsapi.InputLogEvent, 1000)
		for i := range evs {
			m := lines[(n*1000+i)%len(lines)]
			evs[i] = logsapi.InputLogEvent{Timestamp: shape.Ptr(start + int64(n)), Message: shape.Ptr(m)}
			raw += int64(len(m))
		}
		if _, err := f.put("app", "s", evs); err != nil {
			b.Fatal(err)
		}
	}
	if err := f.events.Flush(f.ctx()); err != nil {
		b.Fatal(err)
	}
	for _, tc := range []struct{ name, pattern string }{
		// Skipped by the blocks' trigram summaries.
		{"term-absent", `kraken`},
		// Alternatives require no substring, so no block is skipped; each
		// block's columns are ruled out by their byte sets, trigram
		// summaries and word indexes, without decompression.
		{"terms-or-absent", `?kraken ?zebra`},
		// Digits are in most columns' summaries: those columns are
		// decompressed and searched, and the rows still rebuilt and
		// matched are the ones that hold the text (none here).
		{"digits-absent", `0000000`},
		// Not decided on columns (a quote could span a literal and a
		// value): every message is rebuilt and matched.
		{"quoted-absent", `"0000000\""`},
		{"json-absent", `{ $.service = "kraken" }`},
	} {
		b.Run(tc.name, func(b *testing.B) {
			b.SetBytes(raw)
			for b.Loop() {
				out, err := f.svc.FilterLogEvents(f.ctx(), &logsapi.FilterLogEventsRequest{LogGroupName: shape.Ptr("app"), FilterPattern: shape.Ptr(tc.pattern)})
				if err != nil || len(out.Events) != 0 {
					b.Fatal(err, len(out.Events))
				}
			}
		})
	}
}
