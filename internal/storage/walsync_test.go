package storage

import (
	"fmt"
	"path/filepath"
	"testing"

	"github.com/cockroachdb/pebble/v2"
	"github.com/cockroachdb/pebble/v2/vfs"

	"github.com/vigilhq/vigil/internal/wal"
)

// Pebble's WAL files, created or recycled, sync through the syncer; its
// other files are the default file system's.
func TestPebbleFSWrapsOnlyTheWAL(t *testing.T) {
	syncer := wal.NewFileSyncer()
	defer syncer.Close()
	fs := pebbleFS{FS: vfs.Default, syncer: syncer}
	dir := t.TempDir()
	f, err := fs.Create(filepath.Join(dir, "000001.log"), walCategory)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := f.(*walFile); !ok {
		t.Fatalf("WAL file is %T", f)
	}
	if _, err := f.Write([]byte("record")); err != nil {
		t.Fatal(err)
	}
	if err := f.SyncData(); err != nil {
		t.Fatal(err)
	}
	if err := f.Sync(); err != nil {
		t.Fatal(err)
	}
	if full, err := f.SyncTo(3); err != nil || !full {
		t.Fatalf("SyncTo: %v %v, want a full sync", full, err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	if f, err = fs.ReuseForWrite(filepath.Join(dir, "000001.log"), filepath.Join(dir, "000002.log"), walCategory); err != nil {
		t.Fatal(err)
	}
	if _, ok := f.(*walFile); !ok {
		t.Fatalf("recycled WAL file is %T", f)
	}
	f.Close()
	if f, err = fs.Create(filepath.Join(dir, "000003.sst"), vfs.WriteCategoryUnspecified); err != nil {
		t.Fatal(err)
	}
	if _, ok := f.(*walFile); ok {
		t.Fatal("a table file syncs as the WAL")
	}
	f.Close()
}

// Synced writes through the store survive closing and opening again.
func TestStoreSyncedWritesSurviveReopen(t *testing.T) {
	dir := t.TempDir()
	st, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 100 {
		if err := st.Pebble.Set(fmt.Appendf(nil, "k%03d", i), []byte("v"), pebble.Sync); err != nil {
			t.Fatal(err)
		}
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	if st, err = Open(dir); err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	for i := range 100 {
		v, closer, err := st.Pebble.Get(fmt.Appendf(nil, "k%03d", i))
		if err != nil || string(v) != "v" {
			t.Fatalf("k%03d: %q %v", i, v, err)
		}
		closer.Close()
	}
}
