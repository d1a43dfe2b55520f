package logstore

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/vigilhq/vigil/internal/bench"
)

// messageSummary is the block summary as it was built before blocksum.go:
// every message hashed whole.
func messageSummary(b *Block, limit int) []byte {
	tri := new(trigramBits)
	for i := range b.Len() {
		tri.addMessage(b.Message(i))
	}
	return tri.appendSummary(nil, limit)
}

// checkBlockSummary: the summary encodeBlockSummary writes is the one of
// the messages, bit for bit, and the payload after it decodes to them.
func checkBlockSummary(t *testing.T, b *Block, limit int) bool {
	t.Helper()
	out, sumLen := encodeBlockSummary([]byte("prefix"), b, new(trigramBits), limit)
	if !bytes.HasPrefix(out, []byte("prefix")) {
		t.Fatal("dst clobbered")
	}
	out = out[len("prefix"):]
	if want := messageSummary(b, limit); !bytes.Equal(out[:sumLen], want) {
		t.Fatalf("summary %x, want %x", out[:sumLen], want)
	}
	var d Block
	if err := decodeBlock(out[sumLen:], &d, false); err != nil {
		t.Fatal(err)
	}
	for i := range b.Len() {
		if !bytes.Equal(d.Message(i), b.Message(i)) {
			t.Fatalf("row %d: %q, want %q", i, d.Message(i), b.Message(i))
		}
	}
	if len(out) == sumLen || out[sumLen] != colMagic {
		return false
	}
	// Each column's byte set is exactly the bytes of its values.
	var cb Block
	if err := decodeBlock(out[sumLen:], &cb, true); err != nil {
		t.Fatal(err)
	}
	c := cb.Columns()
	for id := range c.NumColumns() {
		if err := c.Load(id); err != nil {
			t.Fatal(err)
		}
		var seen [256]bool
		for r := range cb.Len() {
			if v, ok := c.Value(id, r); ok {
				for _, x := range v {
					seen[x] = true
				}
			}
		}
		if want := byteSetOf(&seen); c.cols[id].bytes != want {
			t.Fatalf("column %d: byte set %x, want %x", id, c.cols[id].bytes, want)
		}
	}
	return true
}

func TestBlockSummaryFromColumns(t *testing.T) {
	var cases [][]string
	cases = append(cases, bench.LogLines(3, 3500, 300))
	g := newLogGen(5)
	var lines []string
	for range 2000 {
		lines = append(lines, string(g.line(nil)))
	}
	cases = append(cases, lines)
	// Contexts that differ by shape, short and empty values, white space,
	// containers, raw messages among objects, dictionary and plain columns.
	r := rand.New(rand.NewPCG(1, 2))
	var mixed []string
	for i := range 3000 {
		switch r.IntN(8) {
		case 0:
			mixed = append(mixed, fmt.Sprintf(`{"a":%d,"b":"%s"}`, r.IntN(10), strings.Repeat("x", r.IntN(3))))
		case 1:
			mixed = append(mixed, fmt.Sprintf(`{"b":"%s","a":%d}`, strings.Repeat("yz", r.IntN(4)), r.IntN(1000)))
		case 2:
			mixed = append(mixed, fmt.Sprintf(` { "a" : %d , "c" : [1, {"d": "e%d"}] } `, i, r.IntN(400)))
		case 3:
			mixed = append(mixed, fmt.Sprintf(`plain text line %d with ERROR`, i))
		case 4:
			mixed = append(mixed, fmt.Sprintf(`{"a":1,"a":%d}`, i)) // repeated key: raw
		case 5:
			mixed = append(mixed, `{}`, `{"":""}`, `{"e":""}`)
		case 6:
			mixed = append(mixed, fmt.Sprintf(`{"b":"%c","a":%d,"f":null}`, 'A'+rune(r.IntN(26)), r.IntN(2)))
		default:
			mixed = append(mixed, fmt.Sprintf(`{"a":%d,"b":"v%d w%d"}`, r.IntN(3), r.IntN(600), r.IntN(7)))
		}
	}
	cases = append(cases, mixed)
	for i, msgs := range cases {
		b := blockOf(msgs)
		for _, limit := range []int{b.MessageBytes() / sumMaxRatio, 64, 0} {
			if !checkBlockSummary(t, b, limit) {
				t.Fatalf("case %d: not column-wise", i)
			}
		}
	}
	// A block of text lines is summarised message by message.
	if checkBlockSummary(t, blockOf([]string{"a line", "another line of text"}), 1024) {
		t.Fatal("text block written column-wise")
	}
}

func FuzzBlockSummary(f *testing.F) {
	f.Add(`{"a":1}` + "\n" + `{"a":"x","b":[1,2]}` + "\n" + `text`)
	f.Add(`{"a":1,"a":2}` + "\n" + ` {"b" : true} `)
	f.Add(`{"a":"","b":"x"}` + "\n" + `{"b":"","a":1}` + "\n" + `{"a":1}` + "\n" + `{}` + "\n" + `{"":""}`)
	f.Add(`{"a": 1, "b": "x"}` + "\n" + `{"a": 2, "b": "y", "c": 3}` + "\n" + `{"a":2,"b": "y"}`)
	defer func(n int) { colIndexMinBytes = n }(colIndexMinBytes)
	colIndexMinBytes = 0
	f.Fuzz(func(t *testing.T, in string) {
		msgs := strings.Split(in, "\n")
		// Enough rows for dictionary and plain columns: repeated, with
		// variations.
		if len(msgs) < 300 {
			for i := range 300 {
				msgs = append(msgs, strings.Replace(msgs[i%len(msgs)], "1", fmt.Sprint(i), 1))
			}
		}
		b := blockOf(msgs)
		checkBlockSummary(t, b, b.MessageBytes()/sumMaxRatio)
		checkBlockSummary(t, b, 8)
	})
}

// BenchmarkBlockEncode: a 1 MiB block of the load generator's JSON lines
// summarised and encoded, the summary built from the messages (as before
// blocksum.go) or from the columns.
func BenchmarkBlockEncode(b *testing.B) {
	blk := blockOf(bench.LogLines(1, 3500, 300))
	tri := new(trigramBits)
	limit := blk.MessageBytes() / sumMaxRatio
	b.Run("messages", func(b *testing.B) {
		b.SetBytes(int64(blk.MessageBytes()))
		var dst []byte
		for b.Loop() {
			tri.reset()
			for i := range blk.Len() {
				tri.addMessage(blk.Message(i))
			}
			dst = tri.appendSummary(dst[:0], limit)
			dst, _ = encodeColumnar(dst, blk)
		}
	})
	b.Run("columns", func(b *testing.B) {
		b.SetBytes(int64(blk.MessageBytes()))
		var dst []byte
		for b.Loop() {
			dst, _ = encodeBlockSummary(dst[:0], blk, tri, limit)
		}
	})
}
