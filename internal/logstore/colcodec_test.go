package logstore

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/klauspost/compress/huff0"

	"github.com/vigilhq/vigil/internal/bench"
)

// codecs returns each column's codec by name, for a block encoded
// column-wise.
func codecs(t *testing.T, b *Block) map[string]byte {
	t.Helper()
	cols, ok := roundTrip(t, b)
	if !ok {
		t.Fatal("not column-wise")
	}
	out := map[string]byte{}
	for _, c := range cols.Columns().cols {
		out[c.name] = c.codec
	}
	return out
}

func TestColumnCodecs(t *testing.T) {
	// The load generator's lines: the message in S2, request ids and
	// dictionary columns Huffman coded, the rest zstd.
	got := codecs(t, blockOf(bench.LogLines(1, 3500, 300)))
	want := map[string]byte{"": 0, "time": 0, "level": encHuff, "service": encHuff, "request_id": encHuff, "method": encHuff,
		"path": 0, "status": encHuff, "latency_ms": 0, "user": 0, "msg": encS2}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("codecs %v, want %v", got, want)
	}
	// Free text that S2 compresses well enough, next to a column of
	// random identifiers that nothing compresses much: over the disk
	// budget with S2, so zstd.
	r := rand.New(rand.NewPCG(1, 2))
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
	vocab := strings.Fields("user login failed succeeded for account timeout retry queue worker started stopped cache miss hit payment declined approved order shipped")
	var msgs []string
	var text []byte
	for i := range 3000 {
		var id, w strings.Builder
		for range 48 {
			id.WriteByte(alphabet[r.IntN(len(alphabet))])
		}
		for range 14 {
			w.WriteString(vocab[r.IntN(len(vocab))])
			w.WriteByte(' ')
		}
		text = append(text, w.String()...)
		msgs = append(msgs, fmt.Sprintf(`{"id":"%s","n":%d,"msg":%q}`, id.String(), i, w.String()))
	}
	if s2 := len(appendS2(nil, text)); float64(s2) > colS2MaxRatio*float64(len(text)) {
		t.Fatalf("the text is S2 %d of %d: the case needs text S2 does well on", s2, len(text))
	}
	b := blockOf(msgs)
	got = codecs(t, b)
	if got["msg"] != 0 {
		t.Fatalf("over the budget, msg has codec %x", got["msg"])
	}
	// A constant dictionary column: a run, one byte per chunk.
	msgs = msgs[:0]
	for i := range 1000 {
		msgs = append(msgs, fmt.Sprintf(`{"host":"a","i":%d}`, i))
	}
	if c := codecs(t, blockOf(msgs)); c["host"] != encHuff {
		t.Fatalf("host codec %x", c["host"])
	}
}

func TestHuffFrames(t *testing.T) {
	var s huff0.Scratch
	r := rand.New(rand.NewPCG(3, 4))
	for _, n := range []int{1, 2, 100, colHuffChunk - 1, colHuffChunk, colHuffChunk + 1, 3*colHuffChunk + 17} {
		for _, kind := range []string{"hex", "run", "random"} {
			src := make([]byte, n)
			for i := range src {
				switch kind {
				case "hex":
					src[i] = "0123456789abcdef"[r.IntN(16)]
				case "run":
					src[i] = 'x'
				default:
					src[i] = byte(r.Uint32())
				}
			}
			frame := appendHuff([]byte("x"), src, &s)[1:]
			got, err := decodeHuff(nil, frame, &s)
			if err != nil || !bytes.Equal(got, src) {
				t.Fatalf("%s %d: %v", kind, n, err)
			}
			if kind != "random" && len(frame) > n/2+n/64+64 {
				t.Fatalf("%s %d: frame of %d bytes", kind, n, len(frame))
			}
		}
	}
}

// FuzzColumnFrames: the frame decoders never panic, and a frame decodes
// back to what was encoded.
func FuzzColumnFrames(f *testing.F) {
	f.Add([]byte("0123456789abcdef-0123"), []byte{3, 1, 'a'})
	f.Add(bytes.Repeat([]byte("ab"), 300), []byte{5, 0, 1, 2, 3, 4, 5})
	f.Fuzz(func(t *testing.T, src, junk []byte) {
		var s huff0.Scratch
		frame := appendHuff(nil, src, &s)
		got, err := decodeHuff(nil, frame, &s)
		if err != nil || !bytes.Equal(got, src) {
			t.Fatalf("huff round trip: %v", err)
		}
		got, err = decodeS2(nil, appendS2(nil, src))
		if err != nil || !bytes.Equal(got, src) {
			t.Fatalf("s2 round trip: %v", err)
		}
		decodeHuff(nil, junk, &s)
		decodeS2(nil, junk)
		if len(frame) > 0 {
			bad := bytes.Clone(frame)
			bad[len(junk)%len(bad)] ^= byte(len(src)) | 1
			decodeHuff(nil, bad, &s)
		}
	})
}
