package storage

import (
	"context"
	"strings"
	"testing"

	"github.com/cockroachdb/pebble/v2"
)

func TestOpenLocksTheDirectory(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := Open(dir); err == nil || !strings.Contains(err.Error(), "in use") {
		t.Fatalf("second open: %v", err)
	}
}

func TestResetKeepsCredentialsOnly(t *testing.T) {
	ctx := context.Background()
	s, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for _, q := range []string{
		`CREATE TABLE access_keys (id TEXT)`, `INSERT INTO access_keys VALUES ('k')`,
		`CREATE TABLE alarms (name TEXT)`, `INSERT INTO alarms VALUES ('a')`,
	} {
		if _, err := s.SQL.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Pebble.Set([]byte("metrics/x"), []byte("1"), pebble.Sync); err != nil {
		t.Fatal(err)
	}
	if err := s.Reset(ctx); err != nil {
		t.Fatal(err)
	}
	count := func(table string) (n int) {
		if err := s.SQL.QueryRow(`SELECT count(*) FROM ` + table).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if count("access_keys") != 1 || count("alarms") != 0 {
		t.Fatalf("after reset: keys=%d alarms=%d", count("access_keys"), count("alarms"))
	}
	if _, closer, err := s.Pebble.Get([]byte("metrics/x")); err != pebble.ErrNotFound {
		if closer != nil {
			closer.Close()
		}
		t.Fatalf("pebble key survived reset: %v", err)
	}
}
