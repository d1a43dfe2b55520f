package storage

import (
	"github.com/cockroachdb/pebble/v2/vfs"

	"github.com/vigilhq/vigil/internal/wal"
)

// pebbleFS is the file system Pebble gets: the default one, except that the
// syncs of Pebble's write-ahead log go through a wal.FileSyncer, that is
// through io_uring where the kernel runs it. Pebble syncs its WAL from a
// goroutine of its own with the fdatasync system call; a goroutine blocked
// in a system call keeps its P until the runtime's sysmon takes it back,
// and every such retake sets sysmon back to waking every 20 µs. SQS sends,
// SNS publishes and EventBridge's matched events each wait for one of these
// syncs: on this project's 2-core machines sysmon's wake-ups were ~10% of
// the server's CPU in the SQS workload (internal/wal/uring_linux.go has the
// same story for Vigil's own WAL).
type pebbleFS struct {
	vfs.FS
	syncer *wal.FileSyncer
}

// walCategory is how Pebble marks the files of its write-ahead log
// (pebble/wal: Create and ReuseForWrite of log files).
const walCategory vfs.DiskWriteCategory = "pebble-wal"

func (fs pebbleFS) Create(name string, category vfs.DiskWriteCategory) (vfs.File, error) {
	f, err := fs.FS.Create(name, category)
	return fs.wrap(f, name, category, err)
}

func (fs pebbleFS) ReuseForWrite(oldname, newname string, category vfs.DiskWriteCategory) (vfs.File, error) {
	f, err := fs.FS.ReuseForWrite(oldname, newname, category)
	return fs.wrap(f, newname, category, err)
}

func (fs pebbleFS) wrap(f vfs.File, name string, category vfs.DiskWriteCategory, err error) (vfs.File, error) {
	if err != nil || category != walCategory || f.Fd() == vfs.InvalidFd {
		return f, err
	}
	return &walFile{File: f, name: name, syncer: fs.syncer}, nil
}

// walFile is a WAL file whose syncs go through the syncer. Pebble never
// closes it during a sync, which keeps the descriptor valid.
type walFile struct {
	vfs.File
	name   string
	syncer *wal.FileSyncer
}

func (f *walFile) Sync() error     { return f.syncer.Sync(f.Fd(), f.name, false) }
func (f *walFile) SyncData() error { return f.syncer.Sync(f.Fd(), f.name, true) }

// SyncTo syncs the whole file's data: more than asked, which the contract
// allows, and reported as such.
func (f *walFile) SyncTo(int64) (fullSync bool, err error) { return true, f.SyncData() }
