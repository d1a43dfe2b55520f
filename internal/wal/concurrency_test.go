package wal

import (
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// TestConcurrentSubmitRotate: writers submit under a lock and wait outside
// it while segments rotate; every record lands once, each writer's in its
// order. One record in seven is large, so batches mix records gathered
// into one write with records written from their own buffers.
func TestConcurrentSubmitRotate(t *testing.T) {
	dir := t.TempDir()
	w, err := Open(dir, 1, Options{NoSync: testing.Short()})
	if err != nil {
		t.Fatal(err)
	}
	const writers, each = 8, 150
	var wg sync.WaitGroup
	var order sync.Mutex // submit under a lock, wait outside it, as the stores do
	for g := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				order.Lock()
				rec := record(fmt.Sprintf("%d-%d-", g, i))
				if (g+i)%7 == 0 {
					rec = append(rec, make([]byte, largeRecord+i)...)
				}
				tk, err := w.Submit(rec)
				order.Unlock()
				if err != nil {
					t.Error(err)
					return
				}
				if err := tk.Wait(); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		for range 20 {
			if _, err := w.Rotate(); err != nil {
				t.Error(err)
				return
			}
		}
	}()
	wg.Wait()
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	segs, _ := Segments(dir)
	if len(segs) != 21 {
		t.Fatalf("%d segments after 20 rotations", len(segs))
	}
	next := make([]int, writers)
	for _, seg := range segs {
		_, err := ReadSegment(filepath.Join(dir, SegmentName(seg)), func(p []byte) error {
			gs, rest, _ := strings.Cut(string(p), "-")
			is, pad, _ := strings.Cut(rest, "-")
			g, _ := strconv.Atoi(gs)
			i, _ := strconv.Atoi(is)
			wantPad := 0
			if (g+i)%7 == 0 {
				wantPad = largeRecord + i
			}
			if len(pad) != wantPad {
				return fmt.Errorf("writer %d: record %d has %d bytes after its number", g, i, len(pad))
			}
			if i != next[g] {
				return fmt.Errorf("writer %d: record %d after %d", g, i, next[g]-1)
			}
			next[g]++
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	for g, n := range next {
		if n != each {
			t.Errorf("writer %d: %d records, want %d", g, n, each)
		}
	}
}
