package insights

import (
	"cmp"
	"context"
	"slices"
	"strconv"
	"sync"
	"unsafe"

	"github.com/vigilhq/vigil/internal/insights/funcs"
	"github.com/vigilhq/vigil/internal/logstore"
)

// FieldShare is one field of GetLogGroupFields: its name and the share of
// the sampled events that have it, in whole percent.
type FieldShare struct {
	Name    string
	Percent int32
}

// systemFields are in every event (CWL_AnalyzeLogData-discoverable-fields).
var systemFields = []string{"@ingestionTime", "@log", "@logStream", "@message", "@timestamp"}

// maxFieldSample bounds the events GetLogGroupFields reads.
const maxFieldSample = 100_000

// LogGroupFields lists the fields of the group's events with a timestamp in
// [start, end] (ms): the system fields, and the flattened names of JSON
// events (the first 200 leaves of each, as queries see them), with the
// share of events having each. At most maxFieldSample events are read.
func (e *Engine) LogGroupFields(ctx context.Context, p logstore.Partition, group string, start, end int64) ([]FieldShare, error) {
	sc, err := e.blocks.Scan(ctx, p, logstore.ScanQuery{Groups: []string{group}, Start: start, End: end + 1})
	if err != nil {
		return nil, err
	}
	defer sc.Close()
	var mu sync.Mutex
	counts := map[string]int{}
	events := 0
	err = sc.Run(ctx, scanWorkers, func(_ int, b *logstore.Block) error {
		local := map[string]int{}
		n := 0
		for i := range b.Len() {
			n++
			m := b.Message(i)
			msg := unsafe.String(unsafe.SliceData(m), len(m))
			if !looksLikeObject(msg) {
				discoveredNames(msg, b.Group, func(name string) { local[name]++ })
				continue
			}
			v, ok := funcs.ParseJSON(msg)
			if !ok || v.Kind() != funcs.KindMap {
				continue
			}
			seen := 0
			leafNames(v, nil, &seen, func(name string) { local[name]++ })
		}
		mu.Lock()
		defer mu.Unlock()
		if events >= maxFieldSample {
			return nil
		}
		events += n
		for k, c := range local {
			counts[k] += c
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if events == 0 {
		return []FieldShare{}, nil
	}
	out := make([]FieldShare, 0, len(systemFields)+len(counts))
	for _, f := range systemFields {
		out = append(out, FieldShare{f, 100})
	}
	for name, c := range counts {
		out = append(out, FieldShare{name, int32(c * 100 / events)})
	}
	slices.SortFunc(out, func(a, b FieldShare) int { return cmp.Compare(a.Name, b.Name) })
	return out, nil
}

// leafNames calls fn with the flattened name of each leaf of v, stopping
// after maxJSONFields leaves.
func leafNames(v funcs.Value, path []byte, seen *int, fn func(string)) {
	child := func(key string) []byte {
		p := path[:len(path):len(path)]
		if len(p) > 0 {
			p = append(p, '.')
		}
		return append(p, key...)
	}
	switch v.Kind() {
	case funcs.KindMap:
		for _, m := range v.Members() {
			leafNames(m.Value, child(m.Key), seen, fn)
		}
	case funcs.KindList:
		for i, el := range v.Elems() {
			leafNames(el, child(strconv.Itoa(i)), seen, fn)
		}
	default:
		if *seen < maxJSONFields {
			*seen++
			fn(string(path))
		}
	}
}
