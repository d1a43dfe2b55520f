// Package storage owns Vigil's data directory: it opens the embedded stores
// (Pebble for ordered, write-heavy data; SQLite for documents and relations),
// guards the directory against a second server, and wipes state on a dev
// reset. It knows nothing about what the services keep in the stores: each
// service owns its keys, tables and the interface it reads them through.
package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"

	"github.com/cockroachdb/pebble/v2"
	"github.com/cockroachdb/pebble/v2/vfs"
	_ "modernc.org/sqlite" // registers the pure-Go "sqlite" driver

	"github.com/vigilhq/vigil/internal/wal"
)

// Store is an open data directory.
type Store struct {
	Dir    string
	Pebble *pebble.DB
	SQL    *sql.DB

	walSyncer *wal.FileSyncer // Pebble's WAL syncs (walsync.go)
	lock      *os.File
	closeOnce sync.Once
	closeErr  error
}

// keepOnReset lists the SQLite tables a dev reset leaves alone: the
// credentials, without which nobody could call the reset server again.
var keepOnReset = map[string]bool{"access_keys": true}

// Open opens (creating if needed) the data directory dir. Only one process
// may hold a directory's Pebble store; a second Open fails with a message
// saying so.
func Open(dir string) (*Store, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("create data dir %s: %w", dir, err)
	}
	lock, err := os.OpenFile(filepath.Join(dir, "LOCK"), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open lock file: %w", err)
	}
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		lock.Close()
		return nil, fmt.Errorf("data dir %s is in use by another vigil server: %w", dir, err)
	}
	syncer := wal.NewFileSyncer()
	db, err := pebble.Open(filepath.Join(dir, "pebble"), &pebble.Options{Logger: quietLogger{}, FS: pebbleFS{FS: vfs.Default, syncer: syncer}})
	if err != nil {
		syncer.Close()
		lock.Close()
		return nil, fmt.Errorf("open pebble store: %w", err)
	}
	sqldb, err := OpenSQL(dir)
	if err != nil {
		db.Close()
		syncer.Close()
		lock.Close()
		return nil, err
	}
	return &Store{Dir: dir, Pebble: db, SQL: sqldb, walSyncer: syncer, lock: lock}, nil
}

// OpenSQL opens only the SQLite database of dir. Tools that run beside a live
// server (`vigil admin`) use it: SQLite's WAL lets both write safely.
func OpenSQL(dir string) (*sql.DB, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("create data dir %s: %w", dir, err)
	}
	// synchronous(FULL): a committed transaction is on disk before Exec
	// returns, which is what "an acknowledged write survives kill -9" needs.
	dsn := "file:" + filepath.Join(dir, "vigil.db") +
		"?_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)&_pragma=busy_timeout(5000)&_pragma=foreign_keys(ON)"
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("open sqlite: %w", err)
	}
	if err := db.Ping(); err != nil {
		db.Close()
		return nil, fmt.Errorf("open sqlite %s: %w", dir, err)
	}
	return db, nil
}

// Reset wipes every piece of state except credentials: all Pebble keys and
// the rows of every SQLite table but access_keys. It is the dev-mode reset
// and must not run concurrently with requests that write.
func (s *Store) Reset(ctx context.Context) error {
	if err := s.Pebble.DeleteRange([]byte{}, []byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, pebble.Sync); err != nil {
		return fmt.Errorf("reset pebble: %w", err)
	}
	rows, err := s.SQL.QueryContext(ctx, `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`)
	if err != nil {
		return fmt.Errorf("reset sqlite: list tables: %w", err)
	}
	var tables []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			rows.Close()
			return fmt.Errorf("reset sqlite: %w", err)
		}
		if !keepOnReset[name] {
			tables = append(tables, name)
		}
	}
	rows.Close()
	for _, t := range tables {
		if _, err := s.SQL.ExecContext(ctx, `DELETE FROM "`+strings.ReplaceAll(t, `"`, `""`)+`"`); err != nil {
			return fmt.Errorf("reset sqlite table %s: %w", t, err)
		}
	}
	return nil
}

// Close closes the stores and releases the directory. It is safe to call
// more than once.
func (s *Store) Close() error {
	s.closeOnce.Do(func() {
		s.closeErr = errors.Join(s.SQL.Close(), s.Pebble.Close(), s.walSyncer.Close())
		s.lock.Close()
	})
	return s.closeErr
}

// quietLogger sends Pebble's informational chatter to slog at debug level.
type quietLogger struct{}

func (quietLogger) Infof(format string, args ...any) {
	slog.Debug("pebble: " + fmt.Sprintf(format, args...))
}
func (quietLogger) Errorf(format string, args ...any) {
	slog.Error("pebble: " + fmt.Sprintf(format, args...))
}
func (quietLogger) Fatalf(format string, args ...any) {
	slog.Error("pebble: " + fmt.Sprintf(format, args...))
	os.Exit(1)
}
