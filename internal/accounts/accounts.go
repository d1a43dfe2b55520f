// Package accounts keeps Vigil's accounts and their access keys in the data
// directory's SQLite database, and answers the authenticator's key look-ups
// from memory after the first one. It must not log or return secrets
// anywhere but to the verifier.
package accounts

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/vigilhq/vigil/internal/auth"
)

const schema = `CREATE TABLE IF NOT EXISTS access_keys (
	access_key_id TEXT PRIMARY KEY,
	secret        TEXT NOT NULL,
	account_id    TEXT NOT NULL,
	user_name     TEXT NOT NULL DEFAULT '',
	created       INTEGER NOT NULL
)`

// Keys is the SQLite-backed access-key store. It is safe for concurrent use.
// Keys are never changed once created, so a key found once is cached for
// good; a key not found is looked up again next time, because `vigil admin`
// may have added it from another process.
type Keys struct {
	db    *sql.DB
	cache sync.Map // access key id → auth.Key
}

// Open prepares the key table in db.
func Open(ctx context.Context, db *sql.DB) (*Keys, error) {
	if _, err := db.ExecContext(ctx, schema); err != nil {
		return nil, fmt.Errorf("create access_keys table: %w", err)
	}
	return &Keys{db: db}, nil
}

// LookupAccessKey implements auth.KeyStore.
func (k *Keys) LookupAccessKey(ctx context.Context, id string) (auth.Key, bool, error) {
	if v, ok := k.cache.Load(id); ok {
		return v.(auth.Key), true, nil
	}
	var key auth.Key
	var created int64
	err := k.db.QueryRowContext(ctx,
		`SELECT access_key_id, secret, account_id, user_name, created FROM access_keys WHERE access_key_id = ?`, id).
		Scan(&key.AccessKeyID, &key.Secret, &key.AccountID, &key.UserName, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return auth.Key{}, false, nil
	}
	if err != nil {
		return auth.Key{}, false, fmt.Errorf("look up access key: %w", err)
	}
	key.Created = time.Unix(0, created).UTC()
	k.cache.Store(id, key)
	return key, true, nil
}

// Create stores a new key. The write is durable when Create returns.
func (k *Keys) Create(ctx context.Context, key auth.Key) error {
	_, err := k.db.ExecContext(ctx,
		`INSERT INTO access_keys (access_key_id, secret, account_id, user_name, created) VALUES (?, ?, ?, ?, ?)`,
		key.AccessKeyID, key.Secret, key.AccountID, key.UserName, key.Created.UnixNano())
	if err != nil {
		return fmt.Errorf("store access key %s: %w", key.AccessKeyID, err)
	}
	return nil
}

// Count returns how many access keys exist.
func (k *Keys) Count(ctx context.Context) (int, error) {
	var n int
	if err := k.db.QueryRowContext(ctx, `SELECT count(*) FROM access_keys`).Scan(&n); err != nil {
		return 0, fmt.Errorf("count access keys: %w", err)
	}
	return n, nil
}

// DefaultAccount and the test key pair are what a loopback server with no
// keys bootstraps, so local tools work with the usual test credentials.
const (
	DefaultAccount = "000000000000"
	TestKeyID      = "test"
	TestSecret     = "test"
)

// Bootstrap creates the default account's test key when no key exists yet.
// It reports whether it did.
func (k *Keys) Bootstrap(ctx context.Context, now time.Time) (bool, error) {
	n, err := k.Count(ctx)
	if err != nil || n > 0 {
		return false, err
	}
	err = k.Create(ctx, auth.Key{AccessKeyID: TestKeyID, Secret: TestSecret, AccountID: DefaultAccount, Created: now})
	return err == nil, err
}
