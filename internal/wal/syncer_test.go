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

func (s *failingSyncer) Sync(uintptr, string, bool) error { return s.err }
func (s *failingSyncer) Close() error                     { s.closed = true; return nil }

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

// A FileSyncer syncs a file's data, or its data and metadata, from many
// goroutines at once; a sync that fails is the system call's error.
func TestFileSyncer(t *testing.T) {
	fs := NewFileSyncer()
	defer fs.Close()
	dir := t.TempDir()
	errs := make(chan error, 8)
	for g := range 8 {
		go func() {
			f, err := os.Create(filepath.Join(dir, string(rune('a'+g))))
			if err != nil {
				errs <- err
				return
			}
			defer f.Close()
			for i := range 50 {
				if _, err := f.Write([]byte("record\n")); err != nil {
					errs <- err
					return
				}
				if err := fs.Sync(f.Fd(), f.Name(), i%2 == 0); err != nil {
					errs <- err
					return
				}
			}
			errs <- nil
		}()
	}
	for range 8 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	checkPipeSyncFails(t, fs.Sync)
}

// checkPipeSyncFails checks that sync fails on a pipe with the system
// call's EINVAL, as an *os.PathError.
func checkPipeSyncFails(t *testing.T, sync func(fd uintptr, name string, dataOnly bool) error) {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	var pe *os.PathError
	if err := sync(w.Fd(), w.Name(), true); !errors.As(err, &pe) || !errors.Is(err, syscall.EINVAL) {
		t.Fatalf("sync of a pipe: %v, want EINVAL", err)
	}
}
