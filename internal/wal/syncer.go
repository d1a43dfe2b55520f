package wal

import (
	"errors"
	"os"
	"syscall"
)

// syncer makes a file's writes durable: the system call, or on Linux the
// same through io_uring (uring_linux.go explains why).
type syncer interface {
	// Sync is fsync(2) of the file open as fd, or fdatasync(2) with
	// dataOnly; name is for errors, which are *os.PathError when the sync
	// itself failed.
	Sync(fd uintptr, name string, dataOnly bool) error
	Close() error
}

// fileSyncer is the system call.
type fileSyncer struct{}

func (fileSyncer) Sync(fd uintptr, name string, dataOnly bool) error {
	for {
		err := syncFd(int(fd), dataOnly)
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return &os.PathError{Op: "sync", Path: name, Err: err}
		}
		return nil
	}
}

func (fileSyncer) Close() error { return nil }

// openSyncer returns the best syncer the system offers.
func openSyncer() syncer {
	if s, err := newSyncer(); err == nil {
		return s
	}
	return fileSyncer{}
}

// syncFile makes f's data durable with w's syncer: fdatasync, as a
// segment's size is the only metadata its reader needs.
func (w *Writer) syncFile(f *os.File) error {
	conn, err := f.SyscallConn()
	if err != nil {
		return err
	}
	// Inside Control the descriptor stays open.
	if cerr := conn.Control(func(fd uintptr) { err = syncWith(&w.sync, fd, f.Name(), true) }); cerr != nil {
		return cerr
	}
	return err
}

// syncWith syncs with *s. An error of the syncer's own making (not the
// sync's, which is an *os.PathError) switches *s to the system call for
// good, which then decides.
func syncWith(s *syncer, fd uintptr, name string, dataOnly bool) error {
	err := (*s).Sync(fd, name, dataOnly)
	var pe *os.PathError
	if err == nil || errors.As(err, &pe) {
		return err
	}
	if _, ok := (*s).(fileSyncer); ok {
		return err
	}
	(*s).Close()
	*s = fileSyncer{}
	return (*s).Sync(fd, name, dataOnly)
}
