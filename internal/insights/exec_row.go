package insights

import (
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
	src        colSource // a row of a column-wise block: msg is rebuilt on demand

	vals []namedVal

	json     []namedVal // discovered fields the query references (JSON, or exec_discover.go)
	jsonDone bool

	evidence *patternEvidence // a pattern row an anomaly command reads (exec_anomaly.go)
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
		return funcs.Str(r.message())
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
		r.json = discoverJSON(r.message(), env)
		if r.json == nil {
			r.json = discoverText(r.message(), r.group, env)
		}
	}
	for i := range r.json {
		if r.json[i].name == flat {
			return r.json[i].v
		}
	}
	return funcs.Null
}
