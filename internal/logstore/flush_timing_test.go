package logstore

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/vigilhq/vigil/internal/bench"
	"github.com/vigilhq/vigil/internal/cputime"
)

// flushHead is a frozen head as the server's ingest benchmark
// (BenchmarkPutLogEvents1000) leaves it: calls of 1,000 of its JSON lines
// from 4 streams whose timestamps interleave (each call stamps its events
// t, t+1, ...), in arrival order.
func flushHead(mb int) (*group, int) {
	lines := bench.LogLines(1, 4000, 300)
	h := newHead()
	seq := uint64(1)
	raw := 0
	evs := make([]Event, 1000)
	for c := 0; raw < mb<<20; c++ {
		base := int64(1767225600000 + (c/4)*1000)
		for i := range evs {
			m := lines[(c%4)*1000+i]
			evs[i] = Event{Timestamp: base + int64(i), IngestionTime: base + 1000, Message: []byte(m)}
			raw += len(m)
		}
		h.add(fmt.Sprint("s", c%4), seq, evs)
		seq += uint64(len(evs))
	}
	return &group{key: groupKey(tp, "app"), p: tp, name: "app", frozen: h}, raw
}

// BenchmarkFlush is the flush's CPU per MB of messages: sorting a 64 MiB
// head, cutting it into blocks, summarising and encoding them and writing
// the segment (no fsync).
func BenchmarkFlush(b *testing.B) {
	g, raw := flushHead(64)
	s := &Store{dir: b.TempDir(), opts: Options{BlockBytes: 1 << 20, NoSync: true, summaryRatio: sumMaxRatio}, nextSeg: 1}
	os.MkdirAll(filepath.Join(s.dir, "seg"), 0o700)
	b.SetBytes(int64(raw))
	cpu, _ := cputime.Process()
	for b.Loop() {
		sg, _, err := s.writeSegment([]*group{g}, 0, 0)
		if err != nil {
			b.Fatal(err)
		}
		sg.release()
		os.Remove(sg.path)
	}
	end, _ := cputime.Process()
	b.ReportMetric(float64((end-cpu).Microseconds())/1000/(float64(b.N)*float64(raw)/1e6), "cpu-ms/MB")
}
