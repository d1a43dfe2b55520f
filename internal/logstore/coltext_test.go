package logstore

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"testing"
)

func TestTextSafe(t *testing.T) {
	for s, want := range map[string]bool{
		"timeout": true, "u-89412": true, "a b": true, "x=1/2": true, "0000": true,
		"": false, " a": false, "a ": false, `a"`: false, "a:b": false, "{": false, "a,b": false,
		"[1]": false, `a\b`: false, "a\tb": false,
	} {
		if got := TextSafe(s); got != want {
			t.Errorf("TextSafe(%q) = %v, want %v", s, got, want)
		}
	}
}

// checkFindText checks that FindText marks exactly the rows of c whose
// message contains each text (the TextSafe ones).
func checkFindText(t *testing.T, c *Columns, texts []string) {
	t.Helper()
	var msg []byte
	for _, s := range texts {
		if !TextSafe(s) {
			continue
		}
		found := make([]bool, c.Len())
		if err := c.FindText(s, found); err != nil {
			t.Fatalf("FindText(%q): %v", s, err)
		}
		for i := range found {
			var err error
			if msg, err = c.AppendMessage(msg[:0], i); err != nil {
				t.Fatal(err)
			}
			if want := bytes.Contains(msg, []byte(s)); found[i] != want {
				t.Fatalf("%q in row %d (%q): %v, want %v", s, i, msg, found[i], want)
			}
		}
	}
}

// FindText agrees with searching the rebuilt messages: texts in values, in
// keys, in free text, made of digits common enough that the search changes
// method midway, in a view that starts and ends inside the block.
func TestFindTextAgrees(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	var msgs []string
	for i := range 400 {
		switch i % 4 {
		case 0:
			msgs = append(msgs, fmt.Sprintf(`{"id":"%07d","n":%d,"msg":"took %d ms"}`, r.IntN(3000), r.IntN(100000), r.IntN(50)))
		case 1:
			msgs = append(msgs, fmt.Sprintf(`{ "level" : "ERROR", "code" : %d, "path": "/a/%d" }`, 500+r.IntN(4), r.IntN(1000)))
		case 2:
			msgs = append(msgs, fmt.Sprintf("plain text 000%d timeout", r.IntN(100)))
		default:
			msgs = append(msgs, fmt.Sprintf(`{"nested":{"id":"%07d"},"tags":["x","took"]}`, r.IntN(3000)))
		}
	}
	blk, _ := roundTrip(t, blockOf(msgs))
	blk.slice(9, 390)
	checkFindText(t, blk.Columns(), []string{
		"0000", "00001", "000", "0", "took", "took 1", "ERROR", "level", "code", "/a/1", "timeout", "plain text 0", "nested", "x", "zzz", "501",
	})
}

// textFinder finds every occurrence bytes.Index finds, before and after it
// gives up on its anchor byte (digits in numbers: the anchor is common).
func TestTextFinder(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	var data []byte
	for range 2000 {
		data = fmt.Appendf(data, "%07d,", r.IntN(20000))
	}
	for _, s := range []string{"0000", "00001", "19999", "0", "x", "000,0"} {
		f := newTextFinder(s, 0)
		at := 0
		for {
			got := f.next(data, at)
			want := bytes.Index(data[at:], []byte(s))
			if want >= 0 {
				want += at
			}
			if got != want {
				t.Fatalf("%q from %d: %d, want %d", s, at, got, want)
			}
			if got < 0 {
				break
			}
			at = got + 1
		}
		if s == "0000" && f.fails <= 8 {
			t.Fatalf("%q: %d misses: the anchor was never given up", s, f.fails)
		}
	}
}

// A text found across the end of one message and the start of the next is
// no hit; rows need every text of one alternative.
func TestTextFilterOnMessages(t *testing.T) {
	b := blockOf([]string{"abc", "def", "xcdex", "ab def", "zzz"})
	for _, tc := range []struct {
		anyOf [][]string
		want  string // per row: 1 kept
	}{
		{[][]string{{"cde"}}, "00100"},
		{[][]string{{"ab", "def"}}, "00010"},
		{[][]string{{"zz"}, {"abc"}}, "10001"},
		{[][]string{{"fx"}}, "00000"}, // "def" then "xcdex"
		{[][]string{{"def"}, {"x", "e"}}, "01110"},
	} {
		tf := newTextFilter(tc.anyOf)
		tf.onMessages(b, 0, b.Len())
		got := ""
		for i := range b.Len() {
			got += map[bool]string{false: "0", true: "1"}[tf.keep(i)]
		}
		if got != tc.want {
			t.Errorf("%q: rows kept %s, want %s", tc.anyOf, got, tc.want)
		}
	}
	if newTextFilter([][]string{{"a"}, {}}) != nil || newTextFilter([][]string{{"a"}, {""}}) != nil {
		t.Error("an alternative without texts filters rows")
	}
	tf := newTextFilter([][]string{{"", "def"}}) // the empty text is in every message
	tf.onMessages(b, 0, b.Len())
	if !tf.keep(1) || tf.keep(0) {
		t.Error("an empty text among others changed which rows are kept")
	}
}

func TestSafePiece(t *testing.T) {
	for s, want := range map[string]string{
		`0000000"`: "0000000", `"level":"ERROR"`: "ERROR", `{"id":"0001234"}`: "0001234",
		`a":"b`: "", `" took 12 ms"`: "took 12 ms", `ab:cd`: "", `x\"yz"`: "", `timeout,`: "timeout",
	} {
		if got := safePiece(s); got != want {
			t.Errorf("safePiece(%q) = %q, want %q", s, got, want)
		}
	}
}

// On columns, a text that is not TextSafe is narrowed by its longest safe
// piece: every row holding the text is kept, and rows lacking the piece
// are not.
func TestTextFilterOnColumnsNarrowsByPiece(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	var msgs []string
	for range 300 {
		msgs = append(msgs, fmt.Sprintf(`{"id":"%07d","level":"%s","msg":"took %d ms"}`, r.IntN(3000), []string{"INFO", "ERROR"}[r.IntN(2)], r.IntN(50)))
	}
	blk, _ := roundTrip(t, blockOf(msgs))
	c := blk.Columns()
	for _, text := range []string{`"level":"ERROR"`, `0000123"`, `took 7 ms"`, `"id":"000`} {
		tf := newTextFilter([][]string{{text}})
		decided, err := tf.onColumns(c)
		if err != nil || !decided {
			t.Fatalf("%q: decided=%v %v", text, decided, err)
		}
		piece, kept := safePiece(text), 0
		var msg []byte
		for i := range c.Len() {
			if msg, err = c.AppendMessage(msg[:0], i); err != nil {
				t.Fatal(err)
			}
			if bytes.Contains(msg, []byte(text)) && !tf.keep(i) {
				t.Fatalf("%q: row %d (%s) holds it and was dropped", text, i, msg)
			}
			if tf.keep(i) != bytes.Contains(msg, []byte(piece)) {
				t.Fatalf("%q: row %d (%s) kept=%v, piece %q", text, i, msg, tf.keep(i), piece)
			}
			if tf.keep(i) {
				kept++
			}
		}
		if kept == c.Len() && text != `"id":"000` {
			t.Errorf("%q: every row kept", text)
		}
	}
	// No piece long enough: left to Match, undecided on the columns.
	if decided, _ := newTextFilter([][]string{{`a":"b`}}).onColumns(c); decided {
		t.Error(`a":"b was decided on the columns`)
	}
}
