package insights

import (
	"slices"
	"strings"

	"github.com/vigilhq/vigil/internal/insights/funcs"
	"github.com/vigilhq/vigil/internal/insights/query"
)

// FieldIndexes tells filterIndex which fields of a log group were indexed
// when an event was ingested (PutIndexPolicy, and the default indexes).
// Field names are written as in an index policy: a custom field whose name
// starts with @ is "@@name" (CloudWatchLogs-Field-Indexing-Syntax). It is
// called from the scan workers concurrently.
type FieldIndexes interface {
	Indexed(group, field string, ingestionTime int64) bool
}

// derivedFields are the fields a row derives from its event (exec_row.go):
// every event has them.
var derivedFields = []string{"@timestamp", "@message", "@logStream", "@log", "@ingestionTime", "@ptr"}

// generatedFields are the @ fields Logs Insights generates: the derived
// ones and those discovered in Lambda logs
// (CWL_AnalyzeLogData-discoverable-fields). An index policy names them as
// they are.
var generatedFields = append(slices.Clone(derivedFields), "@type", "@requestId", "@duration", "@billedDuration",
	"@memorySize", "@maxMemoryUsed", "@initDuration", "@xrayTraceId", "@xraySegmentId")

// indexName is the index policy's name for the event field a query calls
// name: generated fields keep their name; a field of the message starting
// with @ takes a second @.
func indexName(name string) string {
	if strings.HasPrefix(name, "@") && !slices.Contains(generatedFields, name) {
		return "@" + name
	}
	return name
}

// indexFilter is filterIndex (CWL_QuerySyntax-FilterIndex): "return indexed
// data only". A log group not indexed on a field of the condition is
// skipped, and so is an event ingested before the field's index existed
// ("it also returns only results from after the field index was created",
// CWL_QuerySyntax-FilterIndex-Filter); neither is an error. Within indexed
// data the query "attempts to scan only log events that have the indexed
// field".
//
// So an event passes when at least one field of the condition is indexed
// for it and has a value in it, and the condition holds with every field
// that is not indexed for it seen as missing. The index holds what was
// ingested: the fields are the event's own (message and generated), never
// those computed by earlier commands. The guide shows = and in; any
// condition is evaluated this way (our decision).
type indexFilter struct {
	cond evalFn
	refs []indexRef
	src  FieldIndexes // bound at Run; nil: nothing is indexed
}

// indexRef is one field the condition reads.
type indexRef struct {
	index string   // its name in an index policy
	value evalFn   // its value in the event
	hide  []string // the row names that must read as missing when it is not indexed
}

func compileFilterIndex(c *compiler, cmd *query.FilterIndexCmd) (*indexFilter, error) {
	cond, err := c.compile(cmd.Cond)
	if err != nil {
		return nil, err
	}
	f := &indexFilter{cond: cond}
	seen := map[string]bool{}
	for _, fr := range fieldRefs(cmd.Cond, nil) {
		name, flat := fr.Name(), flatName(fr)
		if seen[flat] {
			continue
		}
		seen[flat] = true
		hide := []string{name, flat}
		if len(fr.Path) > 1 && !fr.Path[0].IsIndex {
			hide = append(hide, fr.Path[0].Name) // a.b may also read member b of a map a
		}
		f.refs = append(f.refs, indexRef{index: indexName(flat), value: c.fieldRef(fr), hide: hide})
	}
	return f, nil
}

// fieldRefs appends the field references of e.
func fieldRefs(e query.Expr, out []*query.FieldRef) []*query.FieldRef {
	switch e := e.(type) {
	case *query.FieldRef:
		out = append(out, e)
	case *query.Binary:
		out = fieldRefs(e.R, fieldRefs(e.L, out))
	case *query.Unary:
		out = fieldRefs(e.X, out)
	case *query.Call:
		for _, a := range e.Args {
			out = fieldRefs(a, out)
		}
	case *query.InList:
		out = fieldRefs(e.X, out)
		for _, x := range e.List {
			out = fieldRefs(x, out)
		}
	case *query.Like:
		out = fieldRefs(e.Pattern, fieldRefs(e.X, out))
	}
	return out
}

// eval evaluates the condition on the event as the index holds it.
func (f *indexFilter) eval(r *row, aggs []funcs.Value) funcs.Value {
	if !r.hasEvent || f.src == nil {
		return funcs.Bool(false)
	}
	// The event alone: no computed fields, and the unindexed ones hidden.
	ev := *r
	ev.vals = nil
	indexed := make([]bool, len(f.refs))
	for i, ref := range f.refs {
		indexed[i] = f.src.Indexed(r.group, ref.index, r.ingest)
	}
	for i, ref := range f.refs {
		if indexed[i] {
			continue
		}
		for _, n := range ref.hide {
			if !f.readsIndexed(n, indexed) {
				ev.vals = append(ev.vals, namedVal{n, funcs.Null})
			}
		}
	}
	found := false
	for i, ref := range f.refs {
		found = found || (indexed[i] && !ref.value(&ev, nil).IsNull())
	}
	ok := found && funcs.Truthy(f.cond(&ev, aggs))
	if !r.jsonDone && ev.jsonDone {
		r.json, r.jsonDone = ev.json, true
	}
	return funcs.Bool(ok)
}

// readsIndexed reports whether the row name n is an indexed field of the
// condition, which hiding another field must not hide.
func (f *indexFilter) readsIndexed(n string, indexed []bool) bool {
	for i, ref := range f.refs {
		if indexed[i] && (ref.hide[0] == n || ref.hide[1] == n) {
			return true
		}
	}
	return false
}
