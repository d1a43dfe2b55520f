package logstore

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
)

// blockOf builds a block of msgs in one stream, timestamps 1, 2, ...
func blockOf(msgs []string) *Block {
	h := newHead()
	evs := make([]Event, len(msgs))
	for i, m := range msgs {
		evs[i] = Event{Timestamp: int64(i + 1), IngestionTime: int64(i + 1), Message: []byte(m)}
	}
	h.add("s", 1, evs)
	return h.block("g", nil)
}

// roundTrip encodes b column-wise and checks that both ways of decoding
// give every message back byte for byte; it returns the column-wise block.
func roundTrip(t testing.TB, b *Block) (*Block, bool) {
	t.Helper()
	data, ok := encodeColumnar(nil, b)
	if !ok {
		return nil, false
	}
	var rows, cols Block
	if err := decodeBlock(data, &rows, false); err != nil {
		t.Fatalf("decode: %v", err)
	}
	if err := decodeBlock(data, &cols, true); err != nil {
		t.Fatalf("decode columns: %v", err)
	}
	if rows.Columns() != nil || cols.Columns() == nil {
		t.Fatalf("Columns(): rows %v, columns %v", rows.Columns() != nil, cols.Columns() != nil)
	}
	if rows.Len() != b.Len() || cols.Len() != b.Len() {
		t.Fatalf("rows: %d and %d, want %d", rows.Len(), cols.Len(), b.Len())
	}
	var msg []byte
	for i := range b.Len() {
		if !bytes.Equal(rows.Message(i), b.Message(i)) {
			t.Fatalf("row %d: %q, want %q", i, rows.Message(i), b.Message(i))
		}
		var err error
		if msg, err = cols.Columns().AppendMessage(msg[:0], i); err != nil || !bytes.Equal(msg, b.Message(i)) {
			t.Fatalf("row %d column-wise: %q (%v), want %q", i, msg, err, b.Message(i))
		}
		if rows.Timestamp[i] != b.Timestamp[i] || cols.Seq[i] != b.Seq[i] {
			t.Fatalf("row %d: header differs", i)
		}
	}
	return &cols, true
}

func TestColumnarRoundTrip(t *testing.T) {
	msgs := []string{
		`{"level":"INFO","status":200,"msg":"ok"}`,
		`{"level":"ERROR","status":503,"msg":"upstream \"timeout\"\n","ok":false}`,
		` { "level" : "WARN" , "n": -1.5e3, "tags": ["a", {"b": null}], "x": {} } `,
		`not json at all`,
		`{"a":1,"a":2}`,    // repeated key: raw
		`{"\u0061":1}`,     // escaped key: raw
		`{"a":1`,           // invalid: raw
		`{}`,               // an object without members
		`{"status":"200"}`, // same key, a string this time
		`{"level":"INFO","status":200,"msg":"ok"}`,
		"",
	}
	cols, ok := roundTrip(t, blockOf(msgs))
	if !ok {
		t.Fatal("not written column-wise")
	}
	c := cols.Columns()
	level := c.Column("level", KindString)
	num, str := c.Column("status", KindScalar), c.Column("status", KindString)
	tags := c.Column("tags", KindContainer)
	raw := c.Column("", KindRaw)
	for _, id := range []int{level, num, str, tags, raw} {
		if id < 0 {
			t.Fatalf("missing column: level %d status %d/%d tags %d raw %d", level, num, str, tags, raw)
		}
		if err := c.Load(id); err != nil {
			t.Fatal(err)
		}
	}
	want := func(id, row int, v string, has bool) {
		t.Helper()
		got, ok := c.Value(id, row)
		if ok != has || string(got) != v {
			t.Fatalf("column %d row %d: %q %v, want %q %v", id, row, got, ok, v, has)
		}
	}
	want(level, 0, "INFO", true)
	want(level, 2, "WARN", true)
	want(level, 3, "", false)
	want(num, 1, "503", true)
	want(str, 8, "200", true)
	want(num, 8, "", false)
	want(tags, 2, `["a", {"b": null}]`, true)
	want(raw, 3, "not json at all", true)
	want(raw, 4, `{"a":1,"a":2}`, true)
	if c.Column("msg", KindString) < 0 || c.Column("\\u0061", KindScalar) >= 0 {
		t.Fatal("columns for msg and the escaped key")
	}
	flat := func(row int) bool { return c.Shapes()[c.Shape(row)].Flat }
	if !flat(0) || flat(2) || flat(3) || !flat(7) {
		t.Fatalf("Flat: %v %v %v %v", flat(0), flat(2), flat(3), flat(7))
	}
}

func TestColumnarDictionary(t *testing.T) {
	// 300 distinct values overflow a dictionary; 3 fit one.
	var msgs []string
	for i := range 600 {
		msgs = append(msgs, fmt.Sprintf(`{"id":"%d","level":"%s"}`, i%300, []string{"INFO", "WARN", "ERROR"}[i%3]))
	}
	cols, ok := roundTrip(t, blockOf(msgs))
	if !ok {
		t.Fatal("not written column-wise")
	}
	c := cols.Columns()
	id, level := c.Column("id", KindString), c.Column("level", KindString)
	for _, col := range []int{id, level} {
		if err := c.Load(col); err != nil {
			t.Fatal(err)
		}
	}
	if d, _ := c.Dict(id, nil); d != nil {
		t.Fatal("id has a dictionary")
	}
	d, codes := c.Dict(level, nil)
	if len(d) != 3 || len(codes) != 600 || string(d[codes[4]]) != "WARN" {
		t.Fatalf("dictionary %q, codes %d", d, len(codes))
	}
}

func TestColumnarNotForText(t *testing.T) {
	if _, ok := encodeColumnar(nil, blockOf([]string{"a", "b", `{"a":1}`})); ok {
		t.Fatal("a block of mostly text written column-wise")
	}
}

// A column-wise block sliced to a time range and narrowed by deletions
// reads the right rows.
func TestColumnarSliceAndKeep(t *testing.T) {
	var msgs []string
	for i := range 50 {
		msgs = append(msgs, fmt.Sprintf(`{"i":%d}`, i))
	}
	cols, _ := roundTrip(t, blockOf(msgs))
	cols.slice(10, 20)
	c := cols.Columns()
	id := c.Column("i", KindScalar)
	if err := c.Load(id); err != nil {
		t.Fatal(err)
	}
	if v, _ := c.Value(id, 0); string(v) != "10" || cols.Len() != 10 {
		t.Fatalf("after slice: %q, %d rows", v, cols.Len())
	}
	keep := make([]bool, 10)
	keep[3], keep[7] = true, true
	if err := cols.keep(keep); err != nil {
		t.Fatal(err)
	}
	if cols.Columns() != nil || string(cols.Message(0)) != `{"i":13}` || string(cols.Message(1)) != `{"i":17}` {
		t.Fatalf("after keep: %q %q", cols.Message(0), cols.Message(1))
	}
}

func FuzzColumnar(f *testing.F) {
	f.Add(`{"a":1}` + "\n" + `{"a":"x","b":[1,2]}` + "\n" + `text`)
	f.Add(`{"a":1,"a":2}` + "\n" + ` {"b" : true} `)
	f.Add("{\"k\":\"\\u00e9\\n\"}\n{\"k\":\"\x01\"}")
	// Shapes predicted from the message before: the same keys with values
	// of other kinds, lengths, escapes and nesting, and near misses.
	f.Add(`{"a":1,"b":"x"}` + "\n" + `{"a":"1","b":"x"}` + "\n" + `{"a":[1],"b":"x\"y"}` + "\n" + `{"a":{"c":2},"b":""}` + "\n" + `{"a":1e5,"b":"x"} ` + "\n" + `{"a":-0.5,"b":"x"}` + "\n" + `{"a":1,"b":"x"}x` + "\n" + `{"a":1,"b":"x}` + "\n" + `{"a":tru,"b":"x"}` + "\n" + `{"a":null,"b":"\u0041"}`)
	f.Add("0\n{\"a\":[0],\"b\":\"0\\b0\"}\n{\"a\":{\"0\":0},\"b\":\"\"\"}") // a string's closing quote starts the next literal
	f.Add(`{"a": 1, "b": "x"}` + "\n" + `{"a": 2, "b": "y", "c": 3}` + "\n" + `{"a": 2, "b": "y"}` + "\n" + `{"a": 2,"b": "y"}` + "\n" + `{"a": 01, "b": "y"}` + "\n" + `{"a": 1, "b": "y\x01"}` + "\n" + `{"a": [1,{"b":2}], "b": "y"}`)
	// Every column gets its summary and word index (when it qualifies).
	defer func(n int) { colIndexMinBytes = n }(colIndexMinBytes)
	colIndexMinBytes = 0
	f.Fuzz(func(t *testing.T, in string) {
		msgs := strings.Split(in, "\n")
		b := blockOf(msgs)
		data, ok := encodeColumnar(nil, b)
		// Shape prediction (colpredict.go) changes nothing in the encoding.
		predictShapes = false
		plain, plainOK := encodeColumnar(nil, b)
		predictShapes = true
		if ok != plainOK || !bytes.Equal(data, plain) {
			t.Fatalf("with shape prediction: %v %x, without: %v %x", ok, data, plainOK, plain)
		}
		if !ok {
			return
		}
		cols, _ := roundTrip(t, b)
		// The word index agrees with the values, for words of the input.
		words := strings.FieldsFunc(in, func(r rune) bool { return r >= 0x80 || !isLetter[r] })
		if len(words) > 8 {
			words = words[:8]
		}
		for _, w := range words {
			words = append(words, w[len(w)/2:])
		}
		checkSearchWords(t, cols.Columns(), cols.Len(), words)
		// FindText agrees with the rebuilt messages, for texts of the input.
		texts := strings.FieldsFunc(in, func(r rune) bool { return r < '0' || r > 'z' })
		if len(texts) > 8 {
			texts = texts[:8]
		}
		checkFindText(t, cols.Columns(), append(texts, "0", "00", "a"))
		// Any corruption is an error, never a panic.
		for _, i := range []int{0, 1, len(data) / 2, len(data) - 1} {
			bad := bytes.Clone(data)
			bad[i] ^= 0x5a
			var d Block
			if decodeBlock(bad, &d, true) == nil {
				c := d.Columns()
				for i := range d.Len() {
					c.AppendMessage(nil, i)
				}
			}
		}
	})
}

// BenchmarkColumnarEncode is the cost flush pays per message byte for
// writing JSON lines column-wise, against the row format.
func BenchmarkColumnarEncode(b *testing.B) {
	g := newLogGen(1)
	var msgs []string
	for range 3500 {
		msgs = append(msgs, string(g.line(nil)))
	}
	blk := blockOf(msgs)
	b.Run("rows", func(b *testing.B) {
		b.SetBytes(int64(blk.MessageBytes()))
		var dst []byte
		for b.Loop() {
			dst = encodeBlock(dst[:0], blk)
		}
		b.ReportMetric(float64(len(dst))/float64(blk.MessageBytes()), "ratio")
	})
	b.Run("columns", func(b *testing.B) {
		b.SetBytes(int64(blk.MessageBytes()))
		var dst []byte
		for b.Loop() {
			dst, _ = encodeColumnar(dst[:0], blk)
		}
		b.ReportMetric(float64(len(dst))/float64(blk.MessageBytes()), "ratio")
	})
}

func TestColumnarSearch(t *testing.T) {
	msgs := []string{
		`{"msg":"payment provider timeout","id":"ab"}`,
		`{"msg":"time","id":"out"}`, // "timeout" only across two values
		`{"id":"c"}`,
		`{"msg":"a timeout"}`,
		`{"msg":"timeou","id":"t"}`,
	}
	cols, _ := roundTrip(t, blockOf(msgs))
	cols.slice(1, 5) // the view starts at the second row
	c := cols.Columns()
	msg, id := c.Column("msg", KindString), c.Column("id", KindString)
	if c.MayContain(id, "timeout") || !c.MayContain(msg, "timeout") {
		t.Fatal("MayContain")
	}
	if err := c.Load(msg); err != nil {
		t.Fatal(err)
	}
	found := make([]bool, cols.Len())
	c.Search(msg, "timeout", found)
	if fmt.Sprint(found) != "[false false true false]" {
		t.Fatalf("found %v", found)
	}
}

// BenchmarkColumnarDecode: reading a block of JSON lines back, whole
// (every column and the messages rebuilt) or one column, against the row
// format (MB/s of message bytes).
func BenchmarkColumnarDecode(b *testing.B) {
	g := newLogGen(1)
	var msgs []string
	for range 3500 {
		msgs = append(msgs, string(g.line(nil)))
	}
	blk := blockOf(msgs)
	rows := encodeBlock(nil, blk)
	cols, _ := encodeColumnar(nil, blk)
	b.Run("rows", func(b *testing.B) {
		b.SetBytes(int64(blk.MessageBytes()))
		var d Block
		for b.Loop() {
			if err := decodeBlock(rows, &d, false); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("columns-whole", func(b *testing.B) {
		b.SetBytes(int64(blk.MessageBytes()))
		var d Block
		for b.Loop() {
			if err := decodeBlock(cols, &d, false); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("columns-msg", func(b *testing.B) {
		b.SetBytes(int64(blk.MessageBytes()))
		var d Block
		for b.Loop() {
			if err := decodeBlock(cols, &d, true); err != nil {
				b.Fatal(err)
			}
			if err := d.Columns().Load(d.Columns().Column("msg", KindString)); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// Search agrees with testing each value, for texts and views of all kinds.
func TestColumnarSearchAgrees(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	words := []string{"time", "out", "timeout", "t", "mout", "tim", "eout", "x"}
	var msgs []string
	for range 300 {
		var b strings.Builder
		for range r.IntN(4) {
			b.WriteString(words[r.IntN(len(words))])
		}
		msgs = append(msgs, fmt.Sprintf(`{"m":%q}`, b.String()))
	}
	blk, _ := roundTrip(t, blockOf(msgs))
	lo, hi := 17, 280
	blk.slice(lo, hi)
	c := blk.Columns()
	id := c.Column("m", KindString)
	if err := c.Load(id); err != nil {
		t.Fatal(err)
	}
	for _, s := range append(words, "timeoutt", "ou", "zz") {
		found := make([]bool, blk.Len())
		c.Search(id, s, found)
		for i := range found {
			v, _ := c.Value(id, i)
			if want := strings.Contains(string(v), s); found[i] != want {
				t.Fatalf("%q in row %d (%q): %v, want %v", s, i, v, found[i], want)
			}
		}
	}
}
