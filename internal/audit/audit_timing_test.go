package audit

import (
	"context"
	"fmt"
	"testing"
)

func benchEvents(n int) []*Event {
	evs := make([]*Event, n)
	for i := range evs {
		evs[i] = mkEvent("123456789012", "us-east-1", i, fmt.Sprintf("%08d-0000-4000-8000-000000000000", i))
	}
	return evs
}

// BenchmarkPebbleAppend measures durable batch appends; ns/op is per event.
func BenchmarkPebbleAppend(b *testing.B) {
	for _, size := range []int{1, 64, 512} {
		b.Run(fmt.Sprintf("batch=%d", size), func(b *testing.B) {
			db := openPebble(b, b.TempDir())
			b.Cleanup(func() { db.Close() })
			s := NewPebbleStore(db)
			evs := benchEvents(size)
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i += size {
				if err := s.Append(context.Background(), evs); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkRecorder measures Record from parallel goroutines through to a
// durable commit (one Flush at the end); ns/op is per event.
func BenchmarkRecorder(b *testing.B) {
	db := openPebble(b, b.TempDir())
	b.Cleanup(func() { db.Close() })
	s := NewPebbleStore(db)
	r := NewRecorder(s, RecorderOptions{Logger: quiet})
	defer r.Close()
	evs := benchEvents(1024)
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			r.Record(evs[i%len(evs)])
			i++
		}
	})
	if err := r.Flush(context.Background()); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkBatchBuild measures the CPU cost of encoding one event and its
// index keys into a Pebble batch, without the commit and its fsync.
func BenchmarkBatchBuild(b *testing.B) {
	db := memPebble(b)
	evs := benchEvents(512)
	b.ReportAllocs()
	b.ResetTimer()
	batch := db.NewBatch()
	bytes := 0
	for i := 0; i < b.N; i++ {
		if i%len(evs) == 0 {
			bytes += len(batch.Repr())
			batch.Close()
			batch = db.NewBatch()
		}
		if err := addEvent(batch, evs[i%len(evs)]); err != nil {
			b.Fatal(err)
		}
	}
	bytes += len(batch.Repr())
	batch.Close()
	b.ReportMetric(float64(bytes)/float64(b.N), "batchB/event")
}
