package insights

import (
	"strconv"

	"github.com/vigilhq/vigil/internal/insights/funcs"
	"github.com/vigilhq/vigil/internal/logstore"
)

// maxJSONFields is how many fields Logs Insights discovers in one JSON
// event ("Supported logs and discovered fields": at most 200 log event
// fields are extracted from a JSON log; the parse page repeats the limit).
const maxJSONFields = 200

// namedVal is one field of a row.
type namedVal struct {
	name string
	v    funcs.Value
}

// row is one event (or one stats result) moving through the pipeline. The
// fields the query computes (fields, display, parse, stats) are in vals,
// newest definitions last; the event's own fields are derived on demand.
// A row kept past its block owns all its memory (msg is a copy).
type row struct {
	hasEvent   bool
	group      string
	stream     string
	ts, ingest int64
	seq        uint64
	msg        string

	vals []namedVal

	json     []namedVal // discovered JSON fields the query references
	jsonDone bool
}

// clone returns a copy whose vals may be extended independently.
func (r *row) clone() *row {
	c := *r
	c.vals = append([]namedVal(nil), r.vals...)
	return &c
}

func (r *row) set(name string, v funcs.Value) {
	for i := range r.vals {
		if r.vals[i].name == name {
			r.vals[i].v = v
			return
		}
	}
	r.vals = append(r.vals, namedVal{name, v})
}

// fieldEnv is what field lookups need beyond the row: the account for @log
// and the JSON names the query references.
type fieldEnv struct {
	account string
	want    map[string]bool // flattened JSON names referenced
	prefix  map[string]bool // every proper dotted prefix of a wanted name
}

// field returns the value of the field called name (flat is the name with
// [n] indexes written as .n, the way flattened JSON arrays are named).
func (r *row) field(env *fieldEnv, name, flat string) funcs.Value {
	for i := len(r.vals) - 1; i >= 0; i-- {
		if r.vals[i].name == name {
			return r.vals[i].v
		}
	}
	if !r.hasEvent {
		return funcs.Null
	}
	switch name {
	case "@timestamp":
		return funcs.Timestamp(r.ts)
	case "@message":
		return funcs.Str(r.msg)
	case "@logStream":
		return funcs.Str(r.stream)
	case "@log":
		return funcs.Str(env.account + ":" + r.group)
	case "@ingestionTime":
		return funcs.Timestamp(r.ingest)
	case "@ptr":
		return funcs.Str(logstore.EncodePtr(r.group, &logstore.Record{Timestamp: r.ts, Seq: r.seq}))
	}
	if !r.jsonDone {
		r.jsonDone = true
		r.json = discoverJSON(r.msg, env)
	}
	for i := range r.json {
		if r.json[i].name == flat {
			return r.json[i].v
		}
	}
	return funcs.Null
}

// discoverJSON flattens a JSON object message into dotted field names
// (nested objects a.b.c, array elements a.0, a.1: "Supported logs and
// discovered fields"), keeping only the names env wants. Only the first
// maxJSONFields leaves, in document order, are discovered.
func discoverJSON(msg string, env *fieldEnv) []namedVal {
	if len(env.want) == 0 || !looksLikeObject(msg) {
		return nil
	}
	v, ok := funcs.ParseJSON(msg)
	if !ok || v.Kind() != funcs.KindMap {
		return nil
	}
	w := jsonWalker{env: env}
	w.walk(v, nil)
	return w.out
}

func looksLikeObject(s string) bool {
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case ' ', '\t', '\r', '\n':
			continue
		case '{':
			return true
		}
		return false
	}
	return false
}

type jsonWalker struct {
	env   *fieldEnv
	count int
	out   []namedVal
}

func (w *jsonWalker) child(path []byte, key string) []byte {
	if len(path) > 0 {
		path = append(path, '.')
	}
	return append(path, key...)
}

// walk visits v at path; leaves past the limit are not discovered.
func (w *jsonWalker) walk(v funcs.Value, path []byte) {
	switch v.Kind() {
	case funcs.KindMap:
		for _, m := range v.Members() {
			w.visit(m.Value, w.child(path, m.Key))
		}
	case funcs.KindList:
		for i, e := range v.Elems() {
			w.visit(e, w.child(path, strconv.Itoa(i)))
		}
	}
}

func (w *jsonWalker) visit(v funcs.Value, path []byte) {
	if w.count >= maxJSONFields {
		return
	}
	switch v.Kind() {
	case funcs.KindMap, funcs.KindList:
		if w.env.prefix[string(path)] {
			w.walk(v, path)
		} else {
			w.count += countLeaves(v)
		}
		return
	}
	w.count++
	if !w.env.want[string(path)] {
		return
	}
	switch v.Kind() {
	case funcs.KindBool:
		// A JSON boolean shows as written, true or false.
		if v.Float() != 0 {
			v = funcs.Str("true")
		} else {
			v = funcs.Str("false")
		}
	case funcs.KindNull:
		return
	}
	w.out = append(w.out, namedVal{string(path), v})
}

func countLeaves(v funcs.Value) int {
	switch v.Kind() {
	case funcs.KindMap:
		n := 0
		for _, m := range v.Members() {
			n += countLeaves(m.Value)
		}
		return n
	case funcs.KindList:
		n := 0
		for _, e := range v.Elems() {
			n += countLeaves(e)
		}
		return n
	}
	return 1
}
