package auth

import (
	"context"
	"crypto/sha256"
	"encoding/base32"
	"encoding/base64"
	"io"
	"sync"
	"time"
)

// Key is one access key and what it belongs to.
type Key struct {
	AccessKeyID string
	Secret      string
	AccountID   string
	// UserName is the IAM user owning the key; empty for the account's root
	// key.
	UserName string
	Created  time.Time
}

// KeyStore finds access keys. Implementations are safe for concurrent use
// and fast: LookupAccessKey is on every request's path. A key that does not
// exist is (Key{}, false, nil); an error means the store could not answer.
type KeyStore interface {
	LookupAccessKey(ctx context.Context, accessKeyID string) (Key, bool, error)
}

// MemKeys is an in-memory KeyStore for tests and bootstrapping. The zero
// value is an empty store. Safe for concurrent use; must not be copied after
// first use.
type MemKeys struct {
	mu   sync.RWMutex
	keys map[string]Key
}

// NewMemKeys returns a store holding keys.
func NewMemKeys(keys ...Key) *MemKeys {
	m := &MemKeys{}
	for _, k := range keys {
		m.Add(k)
	}
	return m
}

// Add stores k, replacing any key with the same id.
func (m *MemKeys) Add(k Key) {
	m.mu.Lock()
	if m.keys == nil {
		m.keys = make(map[string]Key)
	}
	m.keys[k.AccessKeyID] = k
	m.mu.Unlock()
}

// Remove deletes the key with that id, if any.
func (m *MemKeys) Remove(accessKeyID string) {
	m.mu.Lock()
	delete(m.keys, accessKeyID)
	m.mu.Unlock()
}

// LookupAccessKey implements KeyStore.
func (m *MemKeys) LookupAccessKey(_ context.Context, accessKeyID string) (Key, bool, error) {
	m.mu.RLock()
	k, ok := m.keys[accessKeyID]
	m.mu.RUnlock()
	return k, ok, nil
}

// NewAccessKey makes a new AWS-style long-term access key for account's root
// (set UserName for a user's key, and Created from the caller's clock): an id
// of "AKIA" and 16 characters of [A-Z2-7], and a 40-character secret of
// [A-Za-z0-9+/]. rand supplies all randomness (crypto/rand.Reader in
// production); NewAccessKey panics if it cannot read 40 bytes from it.
func NewAccessKey(rand io.Reader, account string) Key {
	var b [40]byte // 10 bytes for the id, 30 for the secret
	if _, err := io.ReadFull(rand, b[:]); err != nil {
		panic("auth: NewAccessKey: reading randomness: " + err.Error())
	}
	return Key{
		AccessKeyID: "AKIA" + base32.StdEncoding.EncodeToString(b[:10]), // 80 bits → 16 chars, no padding
		Secret:      base64.StdEncoding.EncodeToString(b[10:]),          // 240 bits → 40 chars, no padding
		AccountID:   account,
	}
}

// userID is the stable AWS-style unique id ("AIDA" + 17 characters) of an
// IAM user, derived from its account and name so that no store is needed.
// Vigil's IAM (when it exists) must keep using this derivation or store ids.
func userID(account, user string) string {
	sum := sha256.Sum256([]byte(account + "/" + user))
	return "AIDA" + base32.StdEncoding.EncodeToString(sum[:15])[:17]
}
