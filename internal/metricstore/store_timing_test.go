package metricstore

import (
	"bufio"
	"context"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vigilhq/vigil/internal/clock"
)

// makeBatches builds 1000-datum batches cycling over nSeries series (3
// dimensions each), one datum per series per batch.
func makeBatches(nSeries, nBatches int) [][]Datum {
	keys := make([]SeriesKey, nSeries)
	for i := range keys {
		keys[i] = SeriesKey{Namespace: "Bench/App", MetricName: "Latency", Dims: []Dim{
			{"Host", "host-" + strconv.Itoa(i)}, {"Service", "svc-" + strconv.Itoa(i%50)}, {"Zone", "z" + strconv.Itoa(i%3)}}}
	}
	out := make([][]Datum, nBatches)
	k := 0
	for b := range out {
		ds := make([]Datum, 1000)
		for j := range ds {
			ds[j] = Datum{Key: keys[k%nSeries], T: base.UnixMilli() + int64(k/nSeries)*1000, Value: float64(k % 97), Count: 1, Unit: "Milliseconds"}
			k++
		}
		out[b] = ds
	}
	return out
}

func peakRSSMiB() float64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			kb, _ := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")))
			return float64(kb) / 1024
		}
	}
	return 0
}

// BenchmarkAppend appends 1000-datum batches. sync: each Append waits for
// the WAL fsync (4 concurrent writers share fsyncs, as the server's request
// goroutines do); nosync: Options.NoSync, the engine's CPU cost alone.
// Reports ns/datum, the live heap after the run and the process's peak RSS.
func BenchmarkAppend(b *testing.B) {
	for _, nSeries := range []int{1000, 100_000} {
		for _, mode := range []string{"nosync", "sync"} {
			b.Run("series="+strconv.Itoa(nSeries)+"/"+mode, func(b *testing.B) {
				dir := b.TempDir()
				db := openPebble(b, dir)
				defer db.Close()
				s, err := Open(db, filepath.Join(dir, "metrics"), Options{Clock: clock.NewFake(base), Logger: quiet, NoSync: mode == "nosync"})
				if err != nil {
					b.Fatal(err)
				}
				defer s.Close()
				batches := makeBatches(nSeries, 200)
				ctx := context.Background()
				p := Partition{"111111111111", "us-east-1"}
				// Create the series first: steady state is what we measure.
				for i := 0; i < nSeries/1000; i++ {
					if err := s.Append(ctx, p, batches[i%len(batches)]); err != nil {
						b.Fatal(err)
					}
				}
				var next atomic.Int64
				b.SetParallelism(2) // 2 × GOMAXPROCS(2) = 4 writers
				b.ReportAllocs()
				b.ResetTimer()
				start := time.Now()
				b.RunParallel(func(pb *testing.PB) {
					for pb.Next() {
						i := next.Add(1)
						if err := s.Append(ctx, p, batches[int(i)%len(batches)]); err != nil {
							b.Error(err)
							return
						}
					}
				})
				el := time.Since(start)
				b.StopTimer()
				b.ReportMetric(float64(el.Nanoseconds())/float64(b.N*1000), "ns/datum")
				b.ReportMetric(float64(b.N*1000)/el.Seconds(), "datums/s")
				runtime.GC()
				var ms runtime.MemStats
				runtime.ReadMemStats(&ms)
				b.ReportMetric(float64(ms.HeapInuse)/(1<<20), "heap-MiB")
				b.ReportMetric(peakRSSMiB(), "peakRSS-MiB")
			})
		}
	}
}

// BenchmarkQuery1440 queries one day of one-minute data (1440 buckets) of
// one series, persisted as the flushes of a day would leave it.
func BenchmarkQuery1440(b *testing.B) {
	dir := b.TempDir()
	db := openPebble(b, dir)
	defer db.Close()
	clk := clock.NewFake(base)
	s, err := Open(db, filepath.Join(dir, "metrics"), Options{Clock: clk, Logger: quiet, NoSync: true})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	p := Partition{"1", "r"}
	key := SeriesKey{Namespace: "NS", MetricName: "m", Dims: []Dim{{"Host", "a"}}}
	for m := 0; m < 1440; m++ {
		ds := []Datum{{Key: key, T: base.UnixMilli() + int64(m)*minute, Value: float64(m % 13), Count: 1}}
		if err := s.Append(ctx, p, ds); err != nil {
			b.Fatal(err)
		}
		if m%10 == 9 { // a flush every 10 minutes
			clk.Advance(10 * time.Minute)
			if err := s.Maintain(ctx); err != nil {
				b.Fatal(err)
			}
		}
	}
	clk.Set(base.Add(24*time.Hour + time.Minute))
	if err := s.Maintain(ctx); err != nil {
		b.Fatal(err)
	}
	q := Query{Key: key, Start: base, End: base.Add(24 * time.Hour), Period: time.Minute}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		bs, err := s.Query(ctx, p, q)
		if err != nil || len(bs) != 1440 {
			b.Fatal(len(bs), err)
		}
	}
}
