package wal

import "sync"

// FileSyncer syncs the files of other stores (Pebble's write-ahead log) the
// way a Writer syncs its segments: through io_uring where the kernel runs
// it, so that the waiting goroutine parks in the netpoller instead of
// holding its P in a system call (uring_linux.go explains the cost), else
// with the system call. It is safe for concurrent use; its syncs run one at
// a time.
type FileSyncer struct {
	mu sync.Mutex
	s  syncer
}

// NewFileSyncer returns a syncer; Close releases it.
func NewFileSyncer() *FileSyncer { return &FileSyncer{s: openSyncer()} }

// Sync makes the writes to the file open as fd durable: fsync(2), or with
// dataOnly fdatasync(2). The caller keeps fd open meanwhile; name is for
// errors.
func (fs *FileSyncer) Sync(fd uintptr, name string, dataOnly bool) error {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	return syncWith(&fs.s, fd, name, dataOnly)
}

// Close releases the syncer's ring.
func (fs *FileSyncer) Close() error {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	return fs.s.Close()
}
