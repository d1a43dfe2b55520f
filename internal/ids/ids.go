// Package ids makes the identifiers Vigil hands out (request ids, event ids)
// from an injected source of randomness, so tests can make them predictable.
package ids

import (
	"crypto/rand"
	"encoding/hex"
	"io"
	"sync"
)

// Source makes identifiers. Implementations are safe for concurrent use.
type Source interface {
	// UUID returns a random (version 4) UUID in its canonical text form.
	UUID() string
}

// Random draws from r, or from crypto/rand when r is nil.
type Random struct {
	mu sync.Mutex
	r  io.Reader // nil: crypto/rand, which needs no lock
}

// NewRandom returns a Source reading from r; nil means crypto/rand.
func NewRandom(r io.Reader) *Random {
	return &Random{r: r}
}

// UUID implements Source. crypto/rand is read without the lock: every
// message of a fan-out takes an id, and a shared lock around the system
// call serialised them.
func (g *Random) UUID() string {
	var b [16]byte
	var err error
	if g.r == nil {
		_, err = rand.Read(b[:])
	} else {
		g.mu.Lock()
		_, err = io.ReadFull(g.r, b[:])
		g.mu.Unlock()
	}
	if err != nil {
		// crypto/rand never fails on Linux; a test reader that runs dry is a
		// broken test.
		panic("ids: randomness source failed: " + err.Error())
	}
	return Format(b)
}

// Format renders 16 random bytes as a version 4 UUID.
func Format(b [16]byte) string {
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	var out [36]byte
	hex.Encode(out[0:8], b[0:4])
	out[8] = '-'
	hex.Encode(out[9:13], b[4:6])
	out[13] = '-'
	hex.Encode(out[14:18], b[6:8])
	out[18] = '-'
	hex.Encode(out[19:23], b[8:10])
	out[23] = '-'
	hex.Encode(out[24:], b[10:])
	return string(out[:])
}
