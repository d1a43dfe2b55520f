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
