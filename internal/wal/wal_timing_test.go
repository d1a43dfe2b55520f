package wal

import (
	"sync"
	"testing"

	"github.com/vigilhq/vigil/internal/cputime"
)

// BenchmarkGroupCommit writes 12 KB records (a PutMetricData call's) from
// four goroutines, each waiting for its record to be durable, to a new
// segment and to a recycled one. cpu-µs/op counts the process's CPU,
// which includes the kernel's io_uring workers doing the syncs.
func BenchmarkGroupCommit(b *testing.B) {
	const workers, size = 4, 12 << 10
	for _, bc := range []struct {
		name     string
		recycled bool
	}{{"new", false}, {"recycled", true}} {
		b.Run(bc.name, func(b *testing.B) {
			w, err := Open(b.TempDir(), 1, Options{})
			if err != nil {
				b.Fatal(err)
			}
			defer w.Close()
			if bc.recycled {
				// Segment 1 grows to what the timed writes need, then
				// becomes segment 3.
				buf := make([]byte, size)
				for range b.N {
					if err := w.Write(buf); err != nil {
						b.Fatal(err)
					}
				}
				w.Rotate()
				w.RemoveThrough(1)
				w.Rotate()
			}
			var wg sync.WaitGroup
			next := make(chan struct{}, b.N)
			for range b.N {
				next <- struct{}{}
			}
			close(next)
			cpu, _ := cputime.Process()
			b.ResetTimer()
			for range workers {
				wg.Add(1)
				go func() {
					defer wg.Done()
					buf := make([]byte, size)
					for range next {
						if err := w.Write(buf); err != nil {
							b.Error(err)
							return
						}
					}
				}()
			}
			wg.Wait()
			b.StopTimer()
			end, _ := cputime.Process()
			b.ReportMetric(float64((end-cpu).Microseconds())/float64(b.N), "cpu-µs/op")
		})
	}
}
