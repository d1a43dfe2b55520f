package logstore

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
)

// TestSortRowKeys: merging runs sorts like a general sort, for heads of
// long runs, short runs and none.
func TestSortRowKeys(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for _, runLen := range []int{1, 3, 50, 1000} {
		for _, n := range []int{0, 1, 2, 17, 1000, 5000} {
			keys := make([]rowKey, n)
			seq := uint64(1)
			for i := range keys {
				if i%runLen == 0 {
					seq = uint64(r.IntN(1 << 20))
				}
				ts := int64(i%runLen + r.IntN(3)) // ties broken by seq
				keys[i] = rowKey{ts, seq<<20 | uint64(i), i}
			}
			want := slices.Clone(keys)
			slices.SortFunc(want, func(a, b rowKey) int {
				if a.less(b) {
					return -1
				}
				if b.less(a) {
					return 1
				}
				return 0
			})
			if got := sortRowKeys(keys); !slices.Equal(got, want) {
				t.Fatalf("runs of %d, %d keys: not sorted", runLen, n)
			}
		}
	}
}

// TestRecycledRecords: batches big enough for their records to be reused
// after flushes (recFree), appended from 4 goroutines while others read,
// are all there, byte for byte, after many flushes.
func TestRecycledRecords(t *testing.T) {
	s, err := Open(t.TempDir(), Options{Logger: quiet, NoSync: true, MaxHeadBytes: 256 << 10, BlockBytes: 64 << 10})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	const workers, calls, per = 4, 40, 100
	msg := func(w, c, j int) string {
		return fmt.Sprintf(`{"w":%d,"c":%d,"j":%d,"pad":"%0180d"}`, w, c, j, c*j)
	}
	var wg sync.WaitGroup
	stop := make(chan struct{})
	go func() { // reads copy head rows while flushes recycle records
		for {
			select {
			case <-stop:
				return
			default:
				pg, err := s.Read(context.Background(), tp, Query{Group: "g", Limit: 10000})
				if err != nil {
					t.Error(err)
					return
				}
				for _, r := range pg.Records { // intact: not overwritten by a reused record
					var w, c, j int
					if _, err := fmt.Sscanf(string(r.Message), `{"w":%d,"c":%d,"j":%d,`, &w, &c, &j); err != nil || string(r.Message) != msg(w, c, j) {
						t.Errorf("read %q", r.Message)
						return
					}
				}
			}
		}
	}()
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for c := range calls {
				evs := make([]Event, per)
				for j := range evs {
					evs[j] = Event{Timestamp: int64(1000 + c*per + j), IngestionTime: 5000, Message: []byte(msg(w, c, j))}
				}
				if err := s.Append(context.Background(), tp, "g", fmt.Sprint("s", w), evs); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(stop)
	if err := s.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	got := countAll(t, s, "g")
	for w := range workers {
		for c := range calls {
			for j := range per {
				if m := msg(w, c, j); got[m] != 1 {
					t.Fatalf("%s: %d times", m, got[m])
				}
			}
		}
	}
	if len(got) != workers*calls*per {
		t.Fatalf("%d distinct messages, want %d", len(got), workers*calls*per)
	}
}

// TestRecFree: a buffer is reused only for a batch of about its size, the
// list keeps at most its limit, and idle drops it once unused.
func TestRecFree(t *testing.T) {
	var f recFree
	h := &head{recs: [][]byte{make([]byte, 100<<10), make([]byte, 8<<10), make([]byte, 300<<10)}}
	f.put(h, 350<<10)
	if len(f.bufs) != 1 || cap(f.bufs[0]) != 100<<10 {
		t.Fatalf("kept %d buffers", len(f.bufs)) // the small one is not worth it, the last over the limit
	}
	if b := f.get(40 << 10); cap(b) == 100<<10 {
		t.Fatal("a 100 KiB buffer for a 40 KiB batch")
	}
	if b := f.get(90 << 10); cap(b) != 100<<10 || len(b) != 0 {
		t.Fatalf("got cap %d len %d, want the recycled buffer", cap(b), len(b))
	}
	f.put(&head{recs: [][]byte{make([]byte, 100<<10)}}, 1<<20)
	f.idle() // used since the last call: kept
	if len(f.bufs) != 1 {
		t.Fatal("dropped while in use")
	}
	f.idle()
	if len(f.bufs) != 0 || f.bytes != 0 {
		t.Fatal("kept while idle")
	}
}
