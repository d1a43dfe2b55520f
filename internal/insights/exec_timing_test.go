package insights

import (
	"context"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/vigilhq/vigil/internal/bench"
	"github.com/vigilhq/vigil/internal/cputime"
	"github.com/vigilhq/vigil/internal/insights/query"
	"github.com/vigilhq/vigil/internal/logstore"
)

// BenchmarkEngine runs queries over 64 MB (VIGIL_BENCH_MB to change it;
// the goals are for 1024) of generated JSON log lines in flushed
// segments (one group, four streams, one event per 10 ms).
func BenchmarkEngine(b *testing.B) {
	total := 64 << 20
	if mb, err := strconv.Atoi(os.Getenv("VIGIL_BENCH_MB")); err == nil && mb > 0 {
		total = mb << 20
	}
	const size = 300
	n := total / size
	lines := bench.LogLines(1, n, size)
	s := openStore(b)
	ctx := context.Background()
	const t0 = int64(1700000000000)
	var bytes int64
	for i := 0; i < n; i += 10000 {
		var evs []logstore.Event
		for j := i; j < min(i+10000, n); j++ {
			ts := t0 + int64(j)*10
			evs = append(evs, logstore.Event{Timestamp: ts, IngestionTime: ts, Message: []byte(lines[j])})
			bytes += int64(len(lines[j]))
		}
		if err := s.Append(ctx, testPart, "bench", "s"+string(rune('0'+i/10000%4)), evs); err != nil {
			b.Fatal(err)
		}
	}
	if err := s.Flush(ctx); err != nil {
		b.Fatal(err)
	}
	e := NewEngine(s, nil)
	for _, qs := range []string{
		"stats count(*) by level",
		"filter @message like /timeout/ | stats count(*)",
		`filter level = "ERROR" | stats count(*), avg(latency_ms) by service`,
		"stats count(*) by bin(5m)",
		"fields @timestamp, @message | sort @timestamp desc | limit 20",
	} {
		b.Run(qs, func(b *testing.B) {
			spec := Spec{Partition: testPart, Query: query.MustParse(qs), Groups: []string{"bench"}, Start: t0, End: t0 + int64(n)*10}
			b.SetBytes(bytes)
			var rows []Row
			var st Stats
			start, cpu0 := time.Now(), cpu()
			for b.Loop() {
				var err error
				rows, st, err = e.Run(ctx, spec, nil)
				if err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(time.Since(start).Milliseconds())/float64(b.N), "ms/query")
			// CPU time (both workers) suffers less than wall time from the
			// machine's other load.
			b.ReportMetric(float64((cpu()-cpu0).Milliseconds())/float64(b.N), "cpu-ms/query")
			b.ReportMetric(st.BytesScanned/float64(1<<20), "MB-scanned")
			if len(rows) == 0 {
				b.Fatal("no rows")
			}
		})
	}
}

// cpu is the process's CPU time so far (0 where it cannot be read).
func cpu() time.Duration {
	d, _ := cputime.Process()
	return d
}
