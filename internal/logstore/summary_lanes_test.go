package logstore

import (
	"math/rand/v2"
	"testing"
)

// addMessageOneChain is addMessage as one dependency chain, the reference
// for its two-chain form.
func (s *trigramBits) addMessageOneChain(msg []byte) {
	if len(msg) < 3 {
		return
	}
	acc := trigramTab[msg[0]]>>tabStride ^ trigramTab[msg[1]]
	for _, c := range msg[2:] {
		acc = acc>>tabStride ^ trigramTab[c]
		s[acc>>6&(sumWords-1)] |= uint64(1) << (acc & 63)
	}
}

// TestAddMessageChains: the two-chain addMessage sets exactly the bits of
// the message's trigrams, at every length around the split.
func TestAddMessageChains(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for n := range 200 {
		for range 20 {
			msg := make([]byte, n)
			for i := range msg {
				msg[i] = byte(r.IntN(256))
				if r.IntN(2) == 0 {
					msg[i] = "abcAB "[r.IntN(6)]
				}
			}
			var got, want trigramBits
			got.addMessage(msg)
			want.addMessageOneChain(msg)
			if got != want {
				t.Fatalf("%q: bits differ", msg)
			}
		}
	}
}

// TestDictTable: codes are given in order of first appearance, whatever
// the values' lengths and hashes.
func TestDictTable(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	var d dictTable
	var order [][]byte
	want := map[string]uint8{}
	buf := make([]byte, 0, 1<<16)
	for len(order) < colDictMax {
		n := r.IntN(20)
		start := len(buf)
		for range n {
			buf = append(buf, "ab\x00"[r.IntN(3)])
		}
		v := buf[start:len(buf):len(buf)]
		if r.IntN(2) == 0 {
			v = buf[start:len(buf)] // capacity past the value: the one-load hash
		}
		code, slot, ok := d.lookup(v, order)
		if w, seen := want[string(v)]; seen != ok || (ok && code != w) {
			t.Fatalf("%q: code %d %v, want %d %v", v, code, ok, w, seen)
		}
		if !ok {
			code = uint8(len(order))
			d.insert(slot, code)
			order = append(order, v)
			want[string(v)] = code
		}
	}
}

// TestLetters8 agrees with isLetter on every byte at every position.
func TestLetters8(t *testing.T) {
	for c := range 256 {
		for pos := range 8 {
			x := uint64(0x2e2e2e2e2e2e2e2e) // '.'
			x = x&^(0xff<<(8*pos)) | uint64(c)<<(8*pos)
			got := letters8(x)>>(8*pos+7)&1 == 1
			if got != isLetter[c] || letters8(x)&^(0x80<<(8*pos)) != 0 {
				t.Fatalf("byte %#x at %d: %v", c, pos, got)
			}
		}
	}
}
