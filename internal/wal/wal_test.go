package wal

import (
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
)

func record(s string) []byte { return append(make([]byte, HeaderLen), s...) }

// TestWriteRotateReplay writes concurrently, rotates, tears the last
// record and replays.
func TestWriteRotateReplay(t *testing.T) {
	dir := t.TempDir()
	w, err := Open(dir, 1, Options{})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 25 {
				if err := w.Write(record(fmt.Sprintf("g%d-%d", g, i))); err != nil {
					t.Error(err)
				}
			}
		}()
	}
	wg.Wait()
	closed, err := w.Rotate()
	if err != nil || closed != 1 {
		t.Fatalf("rotate: %d %v", closed, err)
	}
	big := record(string(make([]byte, 100<<10))) // written without copying
	if err := w.Write(big); err != nil {
		t.Fatal(err)
	}
	if err := w.Write(record("last")); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if err := w.Write(record("x")); err != ErrClosed {
		t.Fatalf("write after close: %v", err)
	}
	segs, _ := Segments(dir)
	if len(segs) != 2 {
		t.Fatalf("segments %v", segs)
	}
	n := 0
	clean, err := ReadSegment(filepath.Join(dir, SegmentName(1)), func([]byte) error { n++; return nil })
	if !clean || err != nil || n != 100 {
		t.Fatalf("segment 1: %d records clean=%v %v", n, clean, err)
	}
	p := filepath.Join(dir, SegmentName(2))
	st, _ := os.Stat(p)
	os.Truncate(p, st.Size()-1)
	var got []int
	clean, err = ReadSegment(p, func(b []byte) error { got = append(got, len(b)); return nil })
	if clean || err != nil || len(got) != 1 || got[0] != 100<<10 {
		t.Fatalf("torn segment 2: %v clean=%v %v", got, clean, err)
	}
	w2, _ := Open(dir, 3, Options{NoSync: true})
	if err := w2.RemoveThrough(2); err != nil {
		t.Fatal(err)
	}
	w2.Close()
	if segs, _ := Segments(dir); len(segs) != 1 || segs[0] != 3 {
		t.Fatalf("after RemoveThrough: %v", segs)
	}
}
