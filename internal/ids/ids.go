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

// UUID implements Source. crypto/rand is read a few hundred bytes at a
// time into buffers of a pool, not once per id: every message of a fan-out
// and every event of a PutEvents call takes an id, and a read per id cost a
// trip into the kernel's random source and two allocations. Each id takes
// bytes no other id took (a buffer is one goroutine's while it is out of
// the pool). A reader given to NewRandom is read per id, under the lock.
func (g *Random) UUID() string {
	if g.r != nil {
		return Format(g.read())
	}
	var b [16]byte
	rb := randBufs.Get().(*randBuf)
	if rb.off+len(b) > len(rb.b) {
		rand.Read(rb.b[:]) // never fails (Go 1.24+)
		rb.off = 0
	}
	copy(b[:], rb.b[rb.off:])
	rb.off += len(b)
	randBufs.Put(rb)
	return Format(b)
}

// read draws an id's bytes from g.r (apart from UUID, whose array would
// otherwise escape through the reader).
func (g *Random) read() (b [16]byte) {
	g.mu.Lock()
	_, err := io.ReadFull(g.r, b[:])
	g.mu.Unlock()
	if err != nil {
		// A test reader that runs dry is a broken test.
		panic("ids: randomness source failed: " + err.Error())
	}
	return b
}

// randBuf is random bytes not handed out yet: b[off:].
type randBuf struct {
	b   [512]byte
	off int
}

var randBufs = sync.Pool{New: func() any { return &randBuf{off: 512} }}

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
