package logstore

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"testing"

	"github.com/cockroachdb/pebble/v2"
	"github.com/cockroachdb/pebble/v2/sstable"
)

// logGen produces realistic, varied JSON application log lines (~300 B):
// ISO timestamps, levels, services, hosts, request ids, HTTP routes,
// statuses, latencies, users and messages from a vocabulary.
type logGen struct {
	r  *rand.Rand
	ts int64
}

var (
	genServices = []string{"checkout", "payments", "inventory", "auth", "search", "catalog", "shipping", "notifications", "gateway", "recommendations"}
	genLevels   = []string{"DEBUG", "INFO", "INFO", "INFO", "INFO", "INFO", "INFO", "WARN", "ERROR", "INFO"}
	genMethods  = []string{"GET", "GET", "GET", "POST", "PUT", "DELETE"}
	genPaths    = []string{"/api/v1/orders", "/api/v1/orders/%d", "/api/v1/users/%d/cart", "/api/v2/search", "/api/v1/products/%d", "/healthz", "/api/v1/payments/%d/capture", "/api/v1/login"}
	genMsgs     = []string{"request completed", "order lookup completed", "cache miss for product", "user session refreshed", "payment authorized", "inventory reserved",
		"slow query detected on orders table", "retrying upstream call", "connection pool exhausted, waiting", "token validated", "rate limit applied to client",
		"search index query executed", "cart updated", "shipment label created", "email notification queued", "feature flag evaluated", "circuit breaker half-open",
		"upstream returned 503", "failed to parse request body", "database transaction committed"}
)

func newLogGen(seed uint64) *logGen {
	return &logGen{r: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)), ts: 1767225600000}
}

func (g *logGen) line(buf []byte) []byte {
	r := g.r
	g.ts += int64(r.IntN(5))
	lvl := genLevels[r.IntN(len(genLevels))]
	path := genPaths[r.IntN(len(genPaths))]
	if bytes.Contains([]byte(path), []byte("%d")) {
		path = fmt.Sprintf(path, r.IntN(100000))
	}
	status := 200
	switch lvl {
	case "WARN":
		status = []int{429, 404, 400}[r.IntN(3)]
	case "ERROR":
		status = []int{500, 502, 503}[r.IntN(3)]
	}
	msg := genMsgs[r.IntN(len(genMsgs))]
	ts := g.ts
	return fmt.Appendf(buf, `{"timestamp":"2026-01-01T%02d:%02d:%02d.%03dZ","level":"%s","service":"%s","host":"ip-10-0-%d-%d","request_id":"%08x-%04x-%04x-%04x-%012x","method":"%s","path":"%s","status":%d,"latency_ms":%.1f,"user_id":"u-%d","bytes":%d,"msg":"%s"}`,
		ts/3600000%24, ts/60000%60, ts/1000%60, ts%1000, lvl, genServices[r.IntN(len(genServices))], r.IntN(8), r.IntN(250),
		r.Uint32(), r.IntN(65536), r.IntN(65536), r.IntN(65536), r.Uint64()&0xffffffffffff,
		genMethods[r.IntN(len(genMethods))], path, status, r.ExpFloat64()*40, r.IntN(50000), r.IntN(20000), msg)
}

// batch returns n events; one in rareEvery carries "kraken".
func (g *logGen) batch(n, rareEvery int) ([]Event, int) {
	evs := make([]Event, n)
	size := 0
	for i := range evs {
		m := g.line(nil)
		if rareEvery > 0 && g.r.IntN(rareEvery) == 0 {
			m = append(m[:len(m)-1], `,"note":"kraken sighted"}`...)
		}
		evs[i] = Event{Timestamp: g.ts, IngestionTime: g.ts + 100, Message: m}
		size += len(m)
	}
	return evs, size
}

var appendBatches = sync.OnceValues(func() ([][]Event, int) {
	pre := make([][]Event, 64)
	size := 0
	g := newLogGen(1)
	for i := range pre {
		pre[i], size = g.batch(1000, 0)
	}
	return pre, size
})

// BenchmarkAppend: 1,000 JSON lines per call from 4 goroutines, fsync on,
// background flushes running (MB/s = accepted message bytes).
func BenchmarkAppend(b *testing.B) {
	s, err := Open(b.TempDir(), Options{Logger: quiet})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	pre, size := appendBatches()
	b.SetBytes(int64(size))
	b.ReportAllocs()
	b.SetParallelism(4 / max(1, min(4, runtimeProcs())))
	var n sync.Mutex
	idx := 0
	b.RunParallel(func(pb *testing.PB) {
		n.Lock()
		w := idx
		idx++
		n.Unlock()
		i := 0
		for pb.Next() {
			if err := s.Append(context.Background(), tp, "app", fmt.Sprint("stream-", w), pre[(w*7+i)%len(pre)]); err != nil {
				b.Fatal(err)
			}
			i++
		}
	})
}

func dirSize(dir string) int64 {
	var n int64
	filepath.Walk(dir, func(_ string, fi os.FileInfo, err error) error {
		if err == nil && !fi.IsDir() {
			n += fi.Size()
		}
		return nil
	})
	return n
}

// loaded is a store holding ~64 MiB of flushed JSON logs in one group.
var loaded struct {
	once sync.Once
	dir  string
	s    *Store
	raw  int64
	disk int64
}

const loadMB = 64

func loadStore(b *testing.B) *Store {
	loaded.once.Do(func() {
		dir, _ := os.MkdirTemp("", "logstore-bench")
		loaded.dir = dir
		s, err := Open(dir, Options{Logger: quiet, NoSync: true})
		if err != nil {
			b.Fatal(err)
		}
		g := newLogGen(2)
		for w := 0; loaded.raw < loadMB<<20; w++ {
			// "kraken" in ~1 of 200,000 events: a handful of blocks.
			evs, size := g.batch(1000, 200000)
			if err := s.Append(context.Background(), tp, "app", fmt.Sprint("stream-", w%8), evs); err != nil {
				b.Fatal(err)
			}
			loaded.raw += int64(size)
		}
		if err := s.Flush(context.Background()); err != nil {
			b.Fatal(err)
		}
		loaded.disk = dirSize(filepath.Join(dir, "seg"))
		loaded.s = s
	})
	return loaded.s
}

func TestMain(m *testing.M) {
	code := m.Run()
	if loaded.s != nil {
		loaded.s.Close()
		os.RemoveAll(loaded.dir)
	}
	os.Exit(code)
}

// BenchmarkDiskRatio reports segment bytes / raw message bytes.
func BenchmarkDiskRatio(b *testing.B) {
	loadStore(b)
	for b.Loop() {
	}
	b.ReportMetric(float64(loaded.disk)/float64(loaded.raw), "disk/raw")
	b.ReportMetric(float64(loaded.raw)/(1<<20), "rawMB")
}

// BenchmarkScanFilter: a term filter over the stored data with one worker
// (MB/s = raw message bytes of the whole group per second, per core); the
// term is the scan's required substring unless "nosummary".
func BenchmarkScanFilter(b *testing.B) {
	s := loadStore(b)
	for _, tc := range []struct {
		name, term string
		summary    bool
	}{
		{"common-ERROR", `"level":"ERROR"`, true},
		{"common-ERROR-nosummary", `"level":"ERROR"`, false},
		{"rare-kraken", "kraken", true},
		{"rare-kraken-nosummary", "kraken", false},
	} {
		b.Run(tc.name, func(b *testing.B) {
			b.SetBytes(loaded.raw)
			b.ReportAllocs()
			term := []byte(tc.term)
			var req []string
			if tc.summary {
				req = []string{tc.term}
			}
			var st ScanStats
			var matched int
			for b.Loop() {
				sc, err := s.Scan(context.Background(), tp, ScanQuery{Groups: []string{"app"}, RequiredSubstrings: req})
				if err != nil {
					b.Fatal(err)
				}
				matched = 0
				err = sc.Run(context.Background(), 1, func(_ int, blk *Block) error {
					// Column-friendly: search the message buffer once, map hits to rows.
					msgs := blk.Msgs[blk.Offsets[0]:blk.Offsets[blk.Len()]]
					base := blk.Offsets[0]
					row := 0
					for off := 0; ; {
						i := bytes.Index(msgs[off:], term)
						if i < 0 {
							break
						}
						pos := uint32(off+i) + base
						for blk.Offsets[row+1] <= pos {
							row++
						}
						matched++
						off = int(blk.Offsets[row+1] - base)
						row++
						if row >= blk.Len() {
							break
						}
					}
					return nil
				})
				if err != nil {
					b.Fatal(err)
				}
				st = sc.Stats()
				sc.Close()
			}
			b.ReportMetric(float64(st.BlocksSkipped), "skipped")
			b.ReportMetric(float64(st.Blocks), "blocks")
			b.ReportMetric(float64(matched), "matched")
		})
	}
}

// BenchmarkFilterLogEvents: the FilterLogEvents path (Read with a Match
// callback, merged by time) over the whole group, the term also given as a
// required substring (but for "nosummary").
func BenchmarkFilterLogEvents(b *testing.B) {
	s := loadStore(b)
	for _, tc := range []struct {
		name string
		term string
		req  []string
	}{{"rare", "kraken", []string{"kraken"}}, {"rare-nosummary", "kraken", nil}, {"common-first-page", `"level":"ERROR"`, []string{`"level":"ERROR"`}}} {
		b.Run(tc.name, func(b *testing.B) {
			term := []byte(tc.term)
			b.SetBytes(loaded.raw)
			var st ScanStats
			for b.Loop() {
				pg, err := s.Read(context.Background(), tp, Query{Group: "app", RequiredSubstrings: tc.req, Match: func(m []byte) bool { return bytes.Contains(m, term) }})
				if err != nil {
					b.Fatal(err)
				}
				st = pg.Stats
			}
			b.ReportMetric(float64(st.BytesScanned)/(1<<20), "MBdecoded")
			b.ReportMetric(float64(st.BlocksSkipped), "skipped")
			b.ReportMetric(float64(st.Blocks), "blocks")
		})
	}
}

// BenchmarkSummary: building one 1 MiB block's trigram summary (MB/s of
// messages), folding it, and testing it for a required substring.
func BenchmarkSummary(b *testing.B) {
	g := newLogGen(2)
	var msgs [][]byte
	raw := 0
	for raw < 1<<20 {
		m := g.line(nil)
		msgs = append(msgs, m)
		raw += len(m)
	}
	tb := new(trigramBits)
	b.Run("build", func(b *testing.B) {
		b.SetBytes(int64(raw))
		for b.Loop() {
			tb.reset()
			for _, m := range msgs {
				tb.addMessage(m)
			}
		}
	})
	var sum []byte
	b.Run("fold", func(b *testing.B) {
		for b.Loop() {
			c := *tb
			sum = c.appendSummary(sum[:0], raw/sumMaxRatio)
		}
		b.ReportMetric(float64(len(sum)), "bytes")
	})
	req := requiredTrigrams([]string{"kraken"})
	b.Run("test", func(b *testing.B) {
		for b.Loop() {
			if req.mayMatch(sum) {
				b.Fatal("kraken in the summary")
			}
		}
	})
}

// BenchmarkPebbleEvents is DESIGN.md's comparison: the same events kept in
// Pebble (key group/ts/seq, value message; zstd in every level), one
// synced batch per 1,000 events from 4 goroutines, then a full scan with
// the same term test.
func BenchmarkPebbleEvents(b *testing.B) {
	dir := b.TempDir()
	opts := &pebble.Options{Logger: quietPebble{}}
	for i := range opts.Levels {
		opts.Levels[i].Compression = func() *sstable.CompressionProfile { return sstable.ZstdCompression }
	}
	db, err := pebble.Open(dir, opts)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	g := newLogGen(2)
	var raw int64
	batches := make([][]Event, 0, 64)
	for raw < 32<<20 {
		evs, size := g.batch(1000, 0)
		batches = append(batches, evs)
		raw += int64(size)
	}
	var seq uint64
	var mu sync.Mutex
	b.Run("ingest", func(b *testing.B) {
		b.SetBytes(raw / int64(len(batches)))
		var next int
		b.SetParallelism(2)
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				mu.Lock()
				evs := batches[next%len(batches)]
				next++
				first := seq
				seq += uint64(len(evs))
				mu.Unlock()
				wb := db.NewBatch()
				for i, e := range evs {
					k := append([]byte("app\x00"), binary.BigEndian.AppendUint64(nil, uint64(e.Timestamp))...)
					k = binary.BigEndian.AppendUint64(k, first+uint64(i))
					wb.Set(k, e.Message, nil)
				}
				if err := wb.Commit(pebble.Sync); err != nil {
					b.Fatal(err)
				}
				wb.Close()
			}
		})
	})
	db.Flush()
	db.Compact(context.Background(), []byte("a"), []byte("b"), true)
	m := db.Metrics()
	var stored int64
	for _, l := range m.Levels {
		stored += l.TablesSize
	}
	b.Run("scan-common", func(b *testing.B) {
		b.SetBytes(int64(seq) * (raw / int64(len(batches)) / 1000))
		term := []byte(`"level":"ERROR"`)
		for b.Loop() {
			it, _ := db.NewIter(nil)
			n := 0
			for it.First(); it.Valid(); it.Next() {
				if bytes.Contains(it.Value(), term) {
					n++
				}
			}
			it.Close()
		}
		b.ReportMetric(float64(stored)/float64(int64(seq)*(raw/int64(len(batches))/1000)), "disk/raw")
	})
}

type quietPebble struct{}

func (quietPebble) Infof(string, ...any)      {}
func (quietPebble) Errorf(string, ...any)     {}
func (quietPebble) Fatalf(f string, a ...any) { panic(fmt.Sprintf(f, a...)) }

func runtimeProcs() int { return runtime.GOMAXPROCS(0) }
