package eventpattern

import (
	"math/rand/v2"
	"strings"
	"testing"
	"unicode/utf8"
)

// refFold is the rune-at-a-time definition of fold.
func refFold(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r < utf8.RuneSelf {
			if r >= 'A' && r <= 'Z' {
				r += 'a' - 'A'
			}
			b.WriteRune(r)
			continue
		}
		b.WriteRune(foldRune(r))
	}
	return b.String()
}

// TestFoldWords checks the word-at-a-time folding against refFold, with
// every ASCII byte at every position of a word and non-ASCII runes in
// between.
func TestFoldWords(t *testing.T) {
	check := func(s string) {
		t.Helper()
		want := refFold(s)
		if got := string(appendFold([]byte("x"), []byte(s))); got != "x"+want {
			t.Fatalf("appendFold(%q) = %q, want %q", s, got[1:], want)
		}
		if got := isFolded([]byte(s)); got != (want == s && !strings.ContainsFunc(s, func(r rune) bool { return r >= utf8.RuneSelf })) {
			t.Fatalf("isFolded(%q) = %v", s, got)
		}
		if got := fold(s); got != want {
			t.Fatalf("fold(%q) = %q, want %q", s, got, want)
		}
	}
	for c := 0; c < 0x80; c++ {
		for pos := 0; pos < 17; pos++ {
			b := []byte(strings.Repeat("m", 17))
			b[pos] = byte(c)
			check(string(b))
		}
	}
	r := rand.New(rand.NewPCG(7, 8))
	alphabet := []string{"A", "Z", "a", "z", "@", "[", "`", "{", "0", "\x7f", "\x00", "é", "É", "K", "\u212a", "ß", "\xff"}
	for n := 0; n < 2000; n++ {
		var b strings.Builder
		for k := r.IntN(30); k > 0; k-- {
			b.WriteString(alphabet[r.IntN(len(alphabet))])
		}
		check(b.String())
	}
}
