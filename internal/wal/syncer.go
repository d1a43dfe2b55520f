package wal

import (
	"errors"
	"os"
)

// syncer makes a segment's writes durable: File.Sync, or on Linux the
// same fsync through io_uring (uring_linux.go explains why).
type syncer interface {
	Sync(f *os.File) error
	Close() error
}

// fileSyncer is File.Sync.
type fileSyncer struct{}

func (fileSyncer) Sync(f *os.File) error { return f.Sync() }
func (fileSyncer) Close() error          { return nil }

// openSyncer returns the best syncer the system offers.
func openSyncer() syncer {
	if s, err := newSyncer(); err == nil {
		return s
	}
	return fileSyncer{}
}

// syncFile syncs f with w's syncer. An error of the syncer's own making
// (not the fsync's, which is an *os.PathError) switches w to File.Sync for
// good, which then decides.
func (w *Writer) syncFile(f *os.File) error {
	err := w.sync.Sync(f)
	var pe *os.PathError
	if err == nil || errors.As(err, &pe) {
		return err
	}
	if _, ok := w.sync.(fileSyncer); ok {
		return err
	}
	w.sync.Close()
	w.sync = fileSyncer{}
	return f.Sync()
}
