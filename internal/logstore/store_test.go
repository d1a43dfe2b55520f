package logstore

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/vigilhq/vigil/internal/crashtest"
	"github.com/vigilhq/vigil/internal/wal"
)

var tp = Partition{"111111111111", "us-east-1"}

func countAll(t testing.TB, s *Store, group string) map[string]int {
	t.Helper()
	out := map[string]int{}
	q := Query{Group: group, Limit: 10000}
	for {
		pg, err := s.Read(context.Background(), tp, q)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range pg.Records {
			out[string(r.Message)]++
		}
		if !pg.More {
			return out
		}
		q.After = pg.Next
	}
}

// TestAppendSurvivesKill9 appends from 4 goroutines in a child process
// (with background flushes: a small head) that kills itself with SIGKILL
// once its Appends returned; the parent reopens and finds every event
// exactly once.
func TestAppendSurvivesKill9(t *testing.T) {
	const workers, calls, per = 4, 40, 100
	dir := crashtest.Run(t, func(dir string) {
		s, err := Open(dir, Options{Logger: quiet, MaxHeadBytes: 64 << 10, BlockBytes: 8 << 10})
		if err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		for w := range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for c := range calls {
					evs := make([]Event, per)
					for j := range evs {
						evs[j] = Event{Timestamp: int64(1000 + j), IngestionTime: 2000, Message: fmt.Appendf(nil, `{"w":%d,"c":%d,"j":%d,"msg":"hello"}`, w, c, j)}
					}
					if err := s.Append(context.Background(), tp, "g", fmt.Sprint("s", w%2), evs); err != nil {
						panic(err)
					}
				}
			}()
		}
		wg.Wait()
	})
	segs, _ := os.ReadDir(filepath.Join(dir, "seg"))
	s, err := Open(dir, Options{Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	got := countAll(t, s, "g")
	if len(got) != workers*calls*per {
		t.Fatalf("after kill -9: %d distinct events, want %d (segments %d)", len(got), workers*calls*per, len(segs))
	}
	for m, n := range got {
		if n != 1 {
			t.Fatalf("event %s seen %d times", m, n)
		}
	}
	t.Logf("%d segment files at the kill", len(segs))
}

// TestTornTailIgnored cuts the WAL's last record short: replay keeps the
// records before it.
func TestTornTailIgnored(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(dir, Options{Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		if err := s.Append(context.Background(), tp, "g", "s", []Event{{Timestamp: int64(i), Message: fmt.Appendf(nil, "event %d", i)}}); err != nil {
			t.Fatal(err)
		}
	}
	// Simulate a crash: no Close. Truncate the newest WAL segment by 3 bytes.
	segs, _ := wal.Segments(filepath.Join(dir, "wal"))
	path := filepath.Join(dir, "wal", wal.SegmentName(segs[len(segs)-1]))
	st, _ := os.Stat(path)
	if err := os.Truncate(path, st.Size()-3); err != nil {
		t.Fatal(err)
	}
	s.stopFlusher()
	s.wal.Close()
	s2, err := Open(dir, Options{Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	got := countAll(t, s2, "g")
	if len(got) != 2 || got["event 0"] != 1 || got["event 1"] != 1 {
		t.Fatalf("after torn tail: %v", got)
	}
	// Appends continue after the torn record.
	if err := s2.Append(context.Background(), tp, "g", "s", []Event{{Timestamp: 9, Message: []byte("after")}}); err != nil {
		t.Fatal(err)
	}
	if got := countAll(t, s2, "g"); len(got) != 3 {
		t.Fatalf("after append: %v", got)
	}
}

// TestConcurrent appends to one stream from several goroutines while
// flushes, reads and scans run; the final read sees every event once, in
// order.
func TestConcurrent(t *testing.T) {
	s, err := Open(t.TempDir(), Options{Logger: quiet, MaxHeadBytes: 32 << 10, BlockBytes: 4 << 10})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	const workers, calls, per = 4, 50, 50
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for c := range calls {
				evs := make([]Event, per)
				for j := range evs {
					evs[j] = Event{Timestamp: int64((c*per + j) % 997), Message: fmt.Appendf(nil, "w%d c%d j%d", w, c, j)}
				}
				if err := s.Append(ctx, tp, "g", "one", evs); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	var rwg sync.WaitGroup
	rwg.Add(1)
	go func() {
		defer rwg.Done()
		last := 0
		for {
			select {
			case <-stop:
				return
			default:
			}
			if _, err := s.Read(ctx, tp, Query{Group: "g", Limit: 500, Backward: true}); err != nil {
				t.Error(err)
				return
			}
			// One page of everything: each event at most once, and
			// never fewer than the read before saw.
			pg, err := s.Read(ctx, tp, Query{Group: "g", Limit: workers * calls * per})
			if err != nil {
				t.Error(err)
				return
			}
			seen := make(map[uint64]bool, len(pg.Records))
			for _, r := range pg.Records {
				if seen[r.Seq] {
					t.Errorf("event %d read twice", r.Seq)
					return
				}
				seen[r.Seq] = true
			}
			if len(pg.Records) < last {
				t.Errorf("read %d events after %d", len(pg.Records), last)
				return
			}
			last = len(pg.Records)
			sc, err := s.Scan(ctx, tp, ScanQuery{Groups: []string{"g"}})
			if err != nil {
				t.Error(err)
				return
			}
			// The scan too: each event at most once.
			var mu sync.Mutex
			scanned := map[uint64]bool{}
			err = sc.Run(ctx, 2, func(_ int, b *Block) error {
				mu.Lock()
				defer mu.Unlock()
				for _, q := range b.Seq {
					if scanned[q] {
						return fmt.Errorf("event %d scanned twice", q)
					}
					scanned[q] = true
				}
				return nil
			})
			if err != nil {
				t.Error(err)
			}
			sc.Close()
		}
	}()
	wg.Wait()
	close(stop)
	rwg.Wait()
	got := countAll(t, s, "g")
	if len(got) != workers*calls*per {
		t.Fatalf("%d distinct events, want %d", len(got), workers*calls*per)
	}
	// Order: the full read is sorted by (timestamp, seq).
	pg, err := s.Read(ctx, tp, Query{Group: "g", Limit: workers * calls * per})
	if err != nil {
		t.Fatal(err)
	}
	for i := 1; i < len(pg.Records); i++ {
		a, b := pg.Records[i-1], pg.Records[i]
		if a.Timestamp > b.Timestamp || a.Timestamp == b.Timestamp && a.Seq >= b.Seq {
			t.Fatalf("out of order at %d: %+v then %+v", i, a, b)
		}
	}
}

func FuzzDecodeBlock(f *testing.F) {
	h := newHead()
	h.add("s1", 1, []Event{{5, 6, []byte("hello world")}, {3, 9, []byte(`{"a":1}`)}})
	h.add("s2", 3, []Event{{4, 4, nil}})
	f.Add(encodeBlock(nil, h.block("g", nil)))
	f.Add([]byte{})
	f.Add(zenc.EncodeAll([]byte{3, 1, 1, 'x', 2, 2, 2, 0, 0, 0, 2, 2, 2, 0, 0, 0, 0, 0, 0}, nil))
	f.Fuzz(func(t *testing.T, data []byte) {
		var b Block
		if err := decodeBlock(data, &b, false); err != nil {
			return
		}
		for i := range b.Len() {
			_ = b.Record(i)
		}
		// Re-encoding a decoded block round-trips.
		var b2 Block
		if err := decodeBlock(encodeBlock(nil, &b), &b2, false); err != nil || b2.Len() != b.Len() {
			t.Fatalf("round trip: %v", err)
		}
	})
}

func FuzzParseBlock(f *testing.F) {
	h := newHead()
	h.add("s1", 1, []Event{{5, 6, []byte("hello world")}, {3, 9, []byte(`{"a":1}`)}})
	var b Block
	raw, _ := zdec.DecodeAll(encodeBlock(nil, h.block("g", nil)), nil)
	f.Add(raw)
	f.Fuzz(func(t *testing.T, data []byte) {
		if err := parseBlock(data, &b); err != nil {
			return
		}
		for i := range b.Len() {
			_ = b.Message(i)
		}
	})
}
