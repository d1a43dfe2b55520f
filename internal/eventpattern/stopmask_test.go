package eventpattern

import (
	"math"
	"math/bits"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
	"unsafe"
)

// refStops is the byte-at-a-time definition of the stop masks of a padded
// event: quotes, backslashes and bytes below 0x20 (the padding's zeros
// among them).
func refStops(pad []byte) []uint64 {
	out := make([]uint64, len(pad)/64)
	for i, c := range pad {
		if c == '"' || c == '\\' || c < 0x20 {
			out[i/64] |= 1 << (i % 64)
		}
	}
	return out
}

func checkStops(t *testing.T, src []byte) {
	t.Helper()
	pad := padEvent(nil, src)
	if len(pad)%64 != 0 || len(pad)-len(src) < walkPad || string(pad[:len(src)]) != string(src) {
		t.Fatalf("padEvent(%d bytes) = %d bytes", len(src), len(pad))
	}
	want := refStops(pad)
	got := stopMasksPadded(pad, nil)
	if len(got) != len(want) {
		t.Fatalf("stopMasksPadded: %d words, want %d", len(got), len(want))
	}
	// The fused copy, over storage holding junk from a longer event.
	junk := make([]byte, len(pad)+200)
	for i := range junk {
		junk[i] = '"'
	}
	junkStops := make([]uint64, len(junk)/64)
	for i := range junkStops {
		junkStops[i] = 0x5555
	}
	pad2, stops2 := padWithStops(junk[:0], junkStops[:0], src)
	if string(pad2) != string(pad) {
		t.Fatalf("padWithStops(%q): padded %q, want %q", src, pad2, pad)
	}
	if len(stops2) != len(want) {
		t.Fatalf("padWithStops: %d words, want %d", len(stops2), len(want))
	}
	for i := range want {
		if stops2[i] != want[i] {
			t.Fatalf("padWithStops word %d = %#x, want %#x (src %q)", i, stops2[i], want[i], src)
		}
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("stopMasksPadded word %d = %#x, want %#x (src %q)", i, got[i], want[i], src)
		}
	}
	// Each routine alone, over src's full blocks (the bytes after them in
	// dst and the words after theirs must stay as they were) and over the
	// padded copy, at an odd address.
	for name, copyMasks := range stopMaskVariants() {
		for _, in := range [][]byte{src, append([]byte{'x'}, pad...)[1:]} {
			dst := make([]byte, len(in)+64)
			for i := range dst {
				dst[i] = '"'
			}
			masks := make([]uint64, len(in)/64+1)
			for i := range masks {
				masks[i] = 0x5555
			}
			copyMasks(in, dst, masks)
			n := len(in) / 64
			if string(dst[:n*64]) != string(in[:n*64]) || strings.Count(string(dst[n*64:]), `"`) != len(dst)-n*64 {
				t.Fatalf("%s: copy of %q is %q", name, in, dst)
			}
			for i := range masks {
				w := uint64(0x5555)
				if i < n {
					w = want[i]
				}
				if masks[i] != w {
					t.Fatalf("%s: word %d of %d = %#x, want %#x (src %q)", name, i, n, masks[i], w, src)
				}
			}
		}
	}
}

func TestStopMasks(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	// Every byte value at every position of a block, next to each other.
	for c := 0; c < 256; c++ {
		src := make([]byte, 130)
		for i := range src {
			src[i] = byte(c)
			if i%3 == 0 {
				src[i] = byte(c ^ 1)
			}
		}
		checkStops(t, src)
	}
	alphabet := []byte("\"\\\x00\x1f\x20!#][\xa2\xdc\x9f\x80\xffaZ")
	for n := 0; n < 300; n++ {
		src := make([]byte, r.IntN(400))
		for i := range src {
			if r.IntN(2) == 0 {
				src[i] = alphabet[r.IntN(len(alphabet))]
			} else {
				src[i] = byte(r.IntN(256))
			}
		}
		checkStops(t, src)
	}
}

func FuzzStopMasks(f *testing.F) {
	f.Add([]byte(`{"a":"b\"c\\d"}`))
	f.Fuzz(func(t *testing.T, src []byte) { checkStops(t, src) })
}

func TestKeyWordsStable(t *testing.T) {
	// A key's words and hash depend on its bytes only: the same key at any
	// position of any buffer gives the same ones.
	r := rand.New(rand.NewPCG(7, 8))
	for n := 0; n < 40; n++ {
		k := make([]byte, n)
		for i := range k {
			k[i] = byte(r.IntN(256))
		}
		a, b := keyWords(k)
		h := wordsHash(a, b, k)
		for off := 0; off < 9; off++ {
			buf := make([]byte, off+n+9)
			for i := range buf {
				buf[i] = byte(r.IntN(256))
			}
			copy(buf[off:], k)
			k2 := buf[off : off+n]
			a2, b2 := keyWords(k2)
			if h2 := wordsHash(a2, b2, k2); a2 != a || b2 != b || h2 != h {
				t.Fatalf("len %d off %d: words %x %x hash %x, want %x %x %x", n, off, a2, b2, h2, a, b, h)
			}
		}
	}
}

func TestNumberQ(t *testing.T) {
	ref := func(s string) (int64, bool) {
		if v, err := strconv.ParseFloat(s, 64); err == nil || !math.IsInf(v, 0) {
			return quantize(v)
		}
		return 0, false
	}
	cases := []string{"0", "-0", "1", "-1", "5000000000", "5000000001", "-5000000000", "-5000000001",
		"9999999999", "-9999999999", "12345678901", "1.5", "1e3", "-0.0000005", "1e400", "-1e400", "123456789012"}
	r := rand.New(rand.NewPCG(11, 12))
	for i := 0; i < 5000; i++ {
		cases = append(cases, strconv.FormatInt(r.Int64N(2e10)-1e10, 10), strconv.Itoa(r.IntN(1000)))
	}
	for _, c := range cases {
		q, ok := numberQ([]byte(c))
		wq, wok := ref(c)
		if q != wq || ok != wok {
			t.Fatalf("numberQ(%s) = %d, %v; want %d, %v", c, q, ok, wq, wok)
		}
	}
}

// TestFastScanKeyLengths checks the fast scanner's key lookup (findIn reads
// around the key) for keys of every length up to 40, at every small offset.
func TestFastScanKeyLengths(t *testing.T) {
	var paths []string
	for n := 1; n <= 40; n++ {
		k := strings.Repeat(string(rune('a'+n%26)), n)
		paths = append(paths, k, "o."+k)
	}
	pt := scanTable(paths...)
	for _, p := range paths {
		key := strings.TrimPrefix(p, "o.")
		for pad := 0; pad < 10; pad++ {
			sp := strings.Repeat(" ", pad)
			evs := []string{
				`{` + sp + `"` + key + `":1}`,
				`{"o":{` + sp + `"` + key + `":"x","` + key + `x":2}}`,
				`{"` + key[:len(key)-1] + `":1,"` + key + `":[true]}`,
			}
			for _, ev := range evs {
				checkScan(t, pt, []byte(ev))
				var f flat
				f.reset(pt, []byte(ev))
				if !f.fastScan() || len(f.leaves) == 0 {
					t.Fatalf("fast scan of %s found no leaf", ev)
				}
			}
		}
	}
}

func TestNextStop(t *testing.T) {
	r := rand.New(rand.NewPCG(13, 14))
	for n := 0; n < 2000; n++ {
		src := make([]byte, r.IntN(400))
		for i := range src {
			src[i] = 'a'
			if r.IntN(1+n%150) == 0 {
				src[i] = '"'
			}
		}
		pad := padEvent(nil, src)
		stops := stopMasksPadded(pad, nil)
		for i := 0; i <= len(src); i++ {
			want := i
			for want < len(src) && src[want] != '"' {
				want++
			}
			for _, v := range nextStopVariants() {
				if got := v.fn(unsafe.Pointer(&stops[0]), i); got != want {
					t.Fatalf("%s(%d) = %d, want %d (len %d)", v.name, i, got, want, len(src))
				}
			}
			// stopWindow: exact up to its lowest set bit, and zero only
			// when the stop byte is beyond the 57 positions it covers
			// at least.
			if m := stopWindow(unsafe.Pointer(&stops[0]), i); m != 0 {
				if got := i + bits.TrailingZeros64(m); got != want {
					t.Fatalf("stopWindow(%d) finds %d, want %d (len %d)", i, got, want, len(src))
				}
			} else if want-i < 57 {
				t.Fatalf("stopWindow(%d) = 0 with a stop byte at %d (len %d)", i, want, len(src))
			}
		}
	}
}

// nextStopVariants are the ways to find the next stop byte: the one the
// walker uses (nextstop_*.go) and the portable one.
func nextStopVariants() []struct {
	name string
	fn   func(sp unsafe.Pointer, i int) int
} {
	return []struct {
		name string
		fn   func(sp unsafe.Pointer, i int) int
	}{{"nextStopAt", nextStopAt}, {"nextStopWords", nextStopWords}}
}

// padEvent and stopMasksPadded are padWithStops in two steps, the second
// portable: the oracle the one-pass version (SSE2 or AVX2 on amd64) is
// checked against.
func padEvent(dst, src []byte) []byte {
	n := (len(src)/64 + 2) * 64
	if cap(dst) < n {
		dst = make([]byte, n, n+n/4)
	}
	dst = dst[:n]
	copy(dst, src)
	clear(dst[len(src):])
	return dst
}

func stopMasksPadded(pad []byte, dst []uint64) []uint64 {
	n := len(pad) / 64
	if cap(dst) < n {
		dst = make([]uint64, n, n+n/4)
	}
	dst = dst[:n]
	stopMasksGeneric(pad, dst)
	return dst
}
