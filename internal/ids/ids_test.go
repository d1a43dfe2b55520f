package ids

import (
	"bytes"
	"regexp"
	"testing"
)

var uuidRE = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

func TestUUIDIsVersion4AndDeterministicForAReader(t *testing.T) {
	seed := bytes.Repeat([]byte{0xff}, 32)
	g := NewRandom(bytes.NewReader(seed))
	a, b := g.UUID(), g.UUID()
	if a != "ffffffff-ffff-4fff-bfff-ffffffffffff" || a != b {
		t.Fatalf("got %q and %q", a, b)
	}
	if u := NewRandom(nil).UUID(); !uuidRE.MatchString(u) {
		t.Fatalf("not a v4 uuid: %q", u)
	}
}

// Ids drawn from crypto/rand's pooled buffers are all distinct, from many
// goroutines at once, and each costs one allocation (its string).
func TestRandomUUIDsAreDistinct(t *testing.T) {
	g := NewRandom(nil)
	const workers, each = 8, 5000
	out := make(chan []string, workers)
	for range workers {
		go func() {
			ids := make([]string, each)
			for i := range ids {
				ids[i] = g.UUID()
			}
			out <- ids
		}()
	}
	seen := map[string]bool{}
	for range workers {
		for _, id := range <-out {
			if seen[id] || !uuidRE.MatchString(id) {
				t.Fatalf("%q: repeated or not a v4 uuid", id)
			}
			seen[id] = true
		}
	}
	if n := testing.AllocsPerRun(1000, func() { g.UUID() }); n > 1 {
		t.Fatalf("%v allocations per id", n)
	}
}
