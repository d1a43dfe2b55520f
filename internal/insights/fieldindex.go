package insights

import (
	"cmp"
	"context"
	"slices"
	"sync"
	"unsafe"

	"github.com/vigilhq/vigil/internal/insights/funcs"
	"github.com/vigilhq/vigil/internal/logstore"
)

// IndexedField is a field a log group indexes: its name as an index policy
// writes it and the ingestion time (ms) from which events were indexed.
type IndexedField struct {
	Name  string
	Since int64
}

// FieldSpan is an indexed field found in the events: the timestamps of the
// first and last event holding it.
type FieldSpan struct {
	Name        string
	First, Last int64
}

// IndexedFieldSpans reads every event of group and reports, for each of
// fields that occurs in an event ingested since the field's Since, the
// first and last such event (DescribeFieldIndexes). The fields are those
// queries see: the generated ones, and the discovered fields of the
// message. Spans come ordered by name.
func (e *Engine) IndexedFieldSpans(ctx context.Context, p logstore.Partition, group string, fields []IndexedField) ([]FieldSpan, error) {
	sc, err := e.blocks.Scan(ctx, p, logstore.ScanQuery{Groups: []string{group}})
	if err != nil {
		return nil, err
	}
	defer sc.Close()
	var mu sync.Mutex
	found := map[string]*FieldSpan{}
	err = sc.Run(ctx, scanWorkers, func(_ int, b *logstore.Block) error {
		local := map[string]*FieldSpan{}
		for i := range b.Len() {
			ts, ingest := b.Timestamp[i], b.IngestionTime[i]
			var names map[string]bool // the event's fields, read when first needed
			for _, f := range fields {
				if ingest < f.Since {
					continue
				}
				if !slices.Contains(derivedFields, f.Name) {
					if names == nil {
						names = eventFieldNames(b.Message(i), group)
					}
					if !names[f.Name] {
						continue
					}
				}
				widen(local, f.Name, ts, ts)
			}
		}
		mu.Lock()
		defer mu.Unlock()
		for name, sp := range local {
			widen(found, name, sp.First, sp.Last)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	out := make([]FieldSpan, 0, len(found))
	for _, sp := range found {
		out = append(out, *sp)
	}
	slices.SortFunc(out, func(a, b FieldSpan) int { return cmp.Compare(a.Name, b.Name) })
	return out, nil
}

func widen(m map[string]*FieldSpan, name string, first, last int64) {
	sp := m[name]
	if sp == nil {
		m[name] = &FieldSpan{Name: name, First: first, Last: last}
		return
	}
	sp.First, sp.Last = min(sp.First, first), max(sp.Last, last)
}

// eventFieldNames are the index names of the fields discovered in a
// message (exec_fields.go discovers the same for GetLogGroupFields).
func eventFieldNames(m []byte, group string) map[string]bool {
	names := map[string]bool{}
	add := func(name string) { names[indexName(name)] = true }
	msg := unsafe.String(unsafe.SliceData(m), len(m))
	if !looksLikeObject(msg) {
		discoveredNames(msg, group, add)
		return names
	}
	if v, ok := funcs.ParseJSON(msg); ok && v.Kind() == funcs.KindMap {
		seen := 0
		leafNames(v, nil, &seen, add)
	}
	return names
}
