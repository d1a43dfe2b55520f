package insights

import (
	"bytes"
	"slices"
	"strings"

	"github.com/vigilhq/vigil/internal/insights/funcs"
	"github.com/vigilhq/vigil/internal/logstore"
)

// Column-wise blocks (logstore: JSON lines written as shapes and per-key
// columns) are read without parsing JSON or rebuilding messages: a row of a
// flat shape (a JSON object of strings and scalars) gets the fields the
// query names straight from their columns, converted as discoverJSON
// converts them, and its message is rebuilt only if something reads
// @message. Other rows of the block (nested values, text) get their
// message rebuilt and take the ordinary path.
//
// A query that opens with `filter @message like "text"` (the
// requiredSubstrings form) tests each row against the block's shapes and
// columns instead of its message (logstore's Columns.FindText), when the
// text is free of JSON's structural characters (logstore.TextSafe).

// colSource is where a row of a column-wise block rebuilds its message
// (r nil: nowhere, the row has its message).
type colSource struct {
	r *colReader
	i int
}

// colWant is one field name the query references and its columns in the
// current block.
type colWant struct {
	name     string
	str, num int             // column ids, or -1
	dict     [][]funcs.Value // per column (str, num): a dictionary column's values by code
}

// colReader fills rows from one column-wise block; a worker keeps one and
// reuses it block after block.
type colReader struct {
	names []string // wanted JSON names (not @fields), fixed per query
	lits  []string // the required substrings the reader checks exactly, or nil
	// skip: how many of the plan's first stages fill has decided for the
	// rows it accepts (1: the filter lits come from is nothing else).
	skip int

	cols  *logstore.Columns
	wants []colWant
	hit   []bool // per row of the block: contains every lit (when lits)
	vec   *vecStats
	vecs  vecScratch
	msg   []byte
	err   error // a message could not be rebuilt; fails the query
}

// newColReader returns a worker's reader for a plan: the JSON names it
// reads, the required substrings it can decide on the columns (all or
// none), and the vectorised form of the plan's stats when it has one.
func newColReader(p *plan) *colReader {
	r := &colReader{}
	for name := range p.env.want {
		if !strings.HasPrefix(name, "@") {
			r.names = append(r.names, name)
		}
	}
	if !slices.ContainsFunc(p.required, func(l string) bool { return !logstore.TextSafe(l) }) {
		r.lits = p.required
		if p.requiredExact {
			r.skip = 1
		}
	}
	r.vec = newVecStats(p, r.skip)
	return r
}

// begin prepares for block b's columns; false when a column cannot be read
// (a corrupt block), with the error.
func (r *colReader) begin(c *logstore.Columns, n int) error {
	r.cols = c
	r.wants = r.wants[:0]
	for _, name := range r.names {
		w := colWant{name: name, str: c.Column(name, logstore.KindString), num: c.Column(name, logstore.KindScalar)}
		w.dict = make([][]funcs.Value, 2)
		for k, id := range []int{w.str, w.num} {
			if id < 0 {
				continue
			}
			if err := c.Load(id); err != nil {
				return err
			}
			if d, _ := c.Dict(id, nil); d != nil {
				vals := make([]funcs.Value, len(d))
				for j, v := range d {
					vals[j] = columnValue(k == 0, v)
				}
				w.dict[k] = vals
			}
		}
		r.wants = append(r.wants, w)
	}
	if r.lits == nil {
		return nil
	}
	r.hit = r.hit[:0]
	for range n {
		r.hit = append(r.hit, true)
	}
	for _, lit := range r.lits {
		if err := r.markHits(lit, n); err != nil {
			return err
		}
	}
	return nil
}

// markHits clears hit for the rows whose message does not contain lit.
func (r *colReader) markHits(lit string, n int) error {
	found := make([]bool, n)
	if err := r.cols.FindText(lit, found); err != nil {
		return err
	}
	for i, f := range found {
		r.hit[i] = r.hit[i] && f
	}
	return nil
}

// fill sets up ev (already holding the row's system fields) as row i of
// the block. It reports false when the row fails the required substrings.
func (r *colReader) fill(ev *row, i int) bool {
	if r.lits != nil && !r.hit[i] {
		return false
	}
	ev.src = colSource{r: r, i: i}
	sh := &r.cols.Shapes()[r.cols.Shape(i)]
	if !sh.Flat || len(sh.Slots) > maxJSONFields {
		return true // discovered from the rebuilt message
	}
	ev.json = ev.json[:0]
	for wi := range r.wants {
		w := &r.wants[wi]
		if v := w.value(r.cols, i); !v.IsNull() {
			ev.json = append(ev.json, namedVal{w.name, v})
		}
	}
	ev.jsonDone = true
	return true
}

// value is row i's value of the field (null when it has none).
func (w *colWant) value(c *logstore.Columns, i int) funcs.Value {
	for k, id := range [2]int{w.str, w.num} {
		if id < 0 {
			continue
		}
		if d := w.dict[k]; d != nil {
			if code, ok := c.Code(id, i); ok {
				return d[code]
			}
		} else if raw, ok := c.Value(id, i); ok {
			return columnValue(k == 0, raw)
		}
	}
	return funcs.Null
}

// want returns the reader's entry for a field name, or nil.
func (r *colReader) want(name string) *colWant {
	for i := range r.wants {
		if r.wants[i].name == name {
			return &r.wants[i]
		}
	}
	return nil
}

// codes returns the field's values in the block as codes, or nil when one
// of its columns is not a dictionary.
func (r *colReader) codes(name string, n int, scratch *[]int16) *vecField {
	w := r.want(name)
	if w == nil {
		return nil
	}
	f := &vecField{vals: []funcs.Value{funcs.Null}, codes: make([]uint16, n)}
	for k, id := range [2]int{w.str, w.num} {
		if id < 0 {
			continue
		}
		if w.dict[k] == nil {
			return nil
		}
		var codes []int16
		_, codes = r.cols.Dict(id, (*scratch)[:0])
		*scratch = codes
		base := len(f.vals)
		f.vals = append(f.vals, w.dict[k]...)
		for i, c := range codes {
			if c >= 0 {
				f.codes[i] = uint16(base + int(c))
			}
		}
	}
	return f
}

// valueOf reads a field that is not (only) dictionary columns.
func (r *colReader) valueOf(name string) func(i int) funcs.Value {
	w := r.want(name)
	return func(i int) funcs.Value {
		if w == nil {
			return funcs.Null
		}
		return w.value(r.cols, i)
	}
}

// columnValue converts a column value as discoverJSON converts the same
// JSON token: a string's content (str) or a number/true/false/null.
func columnValue(str bool, raw []byte) funcs.Value {
	if str {
		return jsonStringValue(string(raw), bytes.IndexByte(raw, '\\') >= 0)
	}
	return jsonScalarValue(string(raw))
}

// message returns the row's message, rebuilding it from a column-wise
// block the first time.
func (ev *row) message() string {
	if src := ev.src; src.r != nil {
		ev.src = colSource{}
		m, err := src.r.cols.AppendMessage(src.r.msg[:0], src.i)
		if err != nil {
			src.r.err = err
			return ""
		}
		src.r.msg = m
		ev.msg = string(m)
	}
	return ev.msg
}
