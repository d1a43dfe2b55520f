package wal

import (
	"os"
	"path/filepath"
	"testing"
)

func uringOrSkip(t *testing.T) *uringSyncer {
	t.Helper()
	if err := uringWorks(); err != nil {
		t.Skipf("no io_uring here: %v", err)
	}
	u, err := newURingSyncer()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { u.Close() })
	return u
}

// Many fsyncs in a row each complete, and a failing fsync is the fsync's
// own error, as File.Sync reports it.
func TestURingSync(t *testing.T) {
	u := uringOrSkip(t)
	f, err := os.Create(filepath.Join(t.TempDir(), "f"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for i := range 200 {
		if _, err := f.Write([]byte("record\n")); err != nil {
			t.Fatal(err)
		}
		if err := u.Sync(f.Fd(), f.Name(), i%2 == 1); err != nil { // fsync, then fdatasync
			t.Fatalf("sync %d: %v", i, err)
		}
	}
	checkPipeSyncFails(t, u.Sync)
	if err := u.Sync(f.Fd(), f.Name(), true); err != nil {
		t.Fatalf("sync after a failed one: %v", err)
	}
}

// The writer uses the ring where the system has one, and its records are
// all there after Close.
func TestWriterSyncsThroughURing(t *testing.T) {
	uringOrSkip(t)
	dir := t.TempDir()
	w, err := Open(dir, 1, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := w.sync.(*uringSyncer); !ok {
		t.Fatalf("writer syncs with %T", w.sync)
	}
	for i := range 50 {
		buf := append(make([]byte, HeaderLen), byte(i))
		if err := w.Write(buf); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(dir, SegmentName(1)))
	if err != nil {
		t.Fatal(err)
	}
	if len(data) != 50*(HeaderLen+1) {
		t.Fatalf("segment holds %d bytes", len(data))
	}
}
