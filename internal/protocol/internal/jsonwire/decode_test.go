package jsonwire

import (
	"math/rand/v2"
	"testing"
)

// plainRun's eight-bytes-at-a-time test must stop exactly where the
// byte-by-byte definition does.
func TestPlainRunMatchesByteLoop(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	alphabet := []byte{'a', 'z', ' ', '"', '\\', 0x00, 0x1f, 0x20, 0x21, 0x7f, 0x80, 0xc3, 0xff, 0x5b, 0x5d}
	for range 20000 {
		b := make([]byte, r.IntN(40))
		for i := range b {
			if r.IntN(4) == 0 {
				b[i] = alphabet[r.IntN(len(alphabet))]
			} else {
				b[i] = byte('a' + r.IntN(26))
			}
		}
		start := 0
		if len(b) > 0 {
			start = r.IntN(len(b) + 1)
		}
		want := start
		for want < len(b) && !strSpecial[b[want]] {
			want++
		}
		if got := plainRun(b, start); got != want {
			t.Fatalf("plainRun(%q, %d) = %d, want %d", b, start, got, want)
		}
	}
}
