package wal

import (
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// failingSyncer fails every Sync with err.
type failingSyncer struct {
	err    error
	closed bool
}

func (s *failingSyncer) Sync(*os.File) error { return s.err }
func (s *failingSyncer) Close() error        { s.closed = true; return nil }

// A failure of the syncer itself switches the writer to File.Sync, which
// then decides; an fsync's own error (an *os.PathError) is the answer and
// is not retried another way (Linux reports a writeback error only once).
func TestSyncFileFallsBackOnlyForTheSyncersOwnFailures(t *testing.T) {
	f, err := os.Create(filepath.Join(t.TempDir(), "f"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()

	ring := &failingSyncer{err: errors.New("io_uring: fsync not run")}
	w := &Writer{sync: ring}
	if err := w.syncFile(f); err != nil {
		t.Fatalf("fallback: %v", err)
	}
	if _, ok := w.sync.(fileSyncer); !ok || !ring.closed {
		t.Fatalf("writer kept %T (closed %v)", w.sync, ring.closed)
	}

	eio := &os.PathError{Op: "sync", Path: f.Name(), Err: syscall.EIO}
	ring = &failingSyncer{err: eio}
	w = &Writer{sync: ring}
	if err := w.syncFile(f); !errors.Is(err, syscall.EIO) {
		t.Fatalf("fsync error: %v, want EIO", err)
	}
	if w.sync != ring || ring.closed {
		t.Fatal("an fsync error switched the syncer")
	}
}
