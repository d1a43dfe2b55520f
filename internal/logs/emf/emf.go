package emf

import (
	"bytes"
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"
	"unsafe"

	"github.com/vigilhq/vigil/internal/metricstore"
)

// maxDatums bounds what one log event may produce (Vigil's limit, not AWS's:
// the specification bounds metrics per directive and values per metric, but
// not directives or dimension sets). A document that would produce more is
// invalid as a whole.
const maxDatums = 100_000

// maxTimestamp: larger timestamps are not exact in a JSON number read as a
// double (year 287396; CloudWatch accepts nothing near it).
const maxTimestamp = 1 << 53

// awsTail is the end of "_aws": searching for it rather than for the whole
// quoted name skips ahead on '_', rarer in log lines than '"'.
var awsTail = []byte(`_aws"`)

// hasAWS reports whether b contains "_aws" with its quotes.
func hasAWS(b []byte) bool {
	for {
		i := bytes.Index(b, awsTail)
		if i < 0 {
			return false
		}
		if i > 0 && b[i-1] == '"' {
			return true
		}
		b = b[i+4:] // keep the quote: it may open the next "_aws"
	}
}

// Extract reads one log event message. ok is false when the message is not
// an EMF document or is invalid as a whole. ds are the datums to write into
// the metrics engine (metricstore.Datum: Key{Namespace, MetricName, Dims},
// T (ms), Unit, HighRes, Value, Count).
//
// ds may be empty when ok: an EMF document whose directives or metrics are
// all invalid still is one. Every datum has Count 1 and its dimensions
// sorted by name; datums of one dimension set share their Dims array. ds
// does not alias message, which Extract does not modify or retain. Extract
// is safe for concurrent use; it returns without allocating when message
// does not contain the bytes "_aws" with their quotes.
func Extract(message []byte) (ds []metricstore.Datum, ok bool) {
	if !hasAWS(message) || len(message) > math.MaxInt32 {
		return nil, false
	}
	x := extractors.Get().(*extractor)
	x.msg = message
	ds, ok = x.run()
	x.reset()
	extractors.Put(x)
	return ds, ok
}

var extractors = sync.Pool{New: func() any { return new(extractor) }}

// extractor holds one Extract call's state; the zero value is ready. While
// it works, the strings it puts in datums alias msg where they can; run
// copies them out (own) before returning.
type extractor struct {
	msg   []byte
	root  []member       // the root object's members, in order
	index map[string]int // root member name → its last index, for large roots
	tape  []tok          // the _aws value (tape.go)
	ds    []metricstore.Datum
	dims  []metricstore.Dim   // backing array of the dimension sets
	sets  [][]metricstore.Dim // the current directive's valid sets
	vals  []float64           // the current metric's values

	// notes, when not nil, receives why the document or parts of it were
	// rejected (tests).
	notes *[]string
}

type member struct{ key, val span }

// reset readies x for the pool: it keeps its scratch buffers (unless they
// grew large) and drops everything it returned or read.
func (x *extractor) reset() {
	const keep = 4096
	x.msg, x.index, x.ds, x.dims, x.notes = nil, nil, nil, nil, nil
	if cap(x.root) > keep {
		x.root = nil
	}
	if cap(x.tape) > keep {
		x.tape = nil
	}
	clear(x.sets[:cap(x.sets)])
	x.root, x.tape, x.sets, x.vals = x.root[:0], x.tape[:0], x.sets[:0], x.vals[:0]
}

func (x *extractor) note(format string, args ...any) {
	if x.notes != nil {
		*x.notes = append(*x.notes, fmt.Sprintf(format, args...))
	}
}

func (x *extractor) run() ([]metricstore.Datum, bool) {
	aws, ok := x.parseRoot()
	if !ok {
		x.note("not EMF: the message is not a JSON object")
		return nil, false
	}
	if aws < 0 {
		x.note("not EMF: no _aws member")
		return nil, false
	}
	meta := x.root[aws].val
	if meta.kind != kObject {
		x.note("invalid: _aws is not an object")
		return nil, false
	}
	x.buildTape(meta)
	ts, cwm := -1, -1
	for k := 1; k < x.next(0); k = x.next(k + 1) {
		switch {
		case x.is(k, "Timestamp"):
			ts = k + 1
		case x.is(k, "CloudWatchMetrics"):
			cwm = k + 1
		}
	}
	switch x.kind(cwm) {
	case kArray:
	case kMissing:
		x.note("not EMF: no _aws.CloudWatchMetrics")
		return nil, false
	default:
		x.note("invalid: _aws.CloudWatchMetrics is not an array")
		return nil, false
	}
	t, ok := x.timestamp(ts)
	if !ok {
		return nil, false
	}
	for i, d := 0, cwm+1; d < x.next(cwm); i, d = i+1, x.next(d) {
		if !x.directive(i, d, t) {
			x.note("invalid: more than %d datums", maxDatums)
			return nil, false
		}
	}
	x.own()
	return x.ds, true
}

// own gives the datums their own copy of every string that aliases msg, all
// in one allocation.
func (x *extractor) own() {
	n := 0
	var ns, name string
	var dims []metricstore.Dim
	for i := range x.ds {
		k := &x.ds[i].Key
		if !same(k.Namespace, ns) {
			ns = k.Namespace
			n += len(ns)
		}
		if !same(k.MetricName, name) {
			name = k.MetricName
			n += len(name)
		}
		if len(k.Dims) > 0 && (len(dims) == 0 || &k.Dims[0] != &dims[0]) {
			dims = k.Dims
			for _, d := range dims {
				n += len(d.Name) + len(d.Value)
			}
		}
	}
	arena := make([]byte, 0, n)
	copyOut := func(s string) string {
		if !x.aliases(s) {
			return s
		}
		start := len(arena)
		arena = append(arena, s...)
		return unsafe.String(&arena[start], len(s)) // arena never grows: n bounds it
	}
	ns, name = "", ""
	var ownNS, ownName string
	for i := range x.ds {
		k := &x.ds[i].Key
		if !same(k.Namespace, ns) {
			ns, ownNS = k.Namespace, copyOut(k.Namespace)
		}
		if !same(k.MetricName, name) {
			name, ownName = k.MetricName, copyOut(k.MetricName)
		}
		k.Namespace, k.MetricName = ownNS, ownName
		// Datums share their sets' arrays: the first visit copies, later
		// ones find the strings owned already.
		for j := range k.Dims {
			d := &k.Dims[j]
			d.Name, d.Value = copyOut(d.Name), copyOut(d.Value)
		}
	}
}

// same reports whether a and b are the same bytes in memory.
func same(a, b string) bool {
	return len(a) == len(b) && unsafe.StringData(a) == unsafe.StringData(b)
}

// aliases reports whether s points into msg.
func (x *extractor) aliases(s string) bool {
	if len(s) == 0 || len(x.msg) == 0 {
		return false
	}
	p := uintptr(unsafe.Pointer(unsafe.StringData(s)))
	b := uintptr(unsafe.Pointer(unsafe.SliceData(x.msg)))
	return p >= b && p < b+uintptr(len(x.msg))
}

// parseRoot validates the whole message as one JSON object (blanks around
// it allowed), records its members, and returns the index of the last _aws
// member (-1 when none).
func (x *extractor) parseRoot() (aws int, ok bool) {
	p := parser{b: x.msg}
	p.ws()
	if p.i >= len(p.b) || p.b[p.i] != '{' {
		return -1, false
	}
	aws = -1
	if !p.object(func(k, v span) {
		if is(x.msg, k, "_aws") {
			aws = len(x.root)
		}
		x.root = append(x.root, member{k, v})
	}) {
		return -1, false
	}
	p.ws()
	return aws, p.i == len(p.b)
}

// array iterates an array value parseRoot accepted.
func (x *extractor) array(v span, fn func(v span)) {
	p := parser{b: x.msg, i: v.start, trusted: true}
	p.array(fn)
}

// linearMax: roots with more members are searched through a map.
const linearMax = 16

// target returns the root member named name; with duplicate names the last
// one counts, as with encoding/json.
func (x *extractor) target(name string) span {
	if len(x.root) <= linearMax {
		for i := len(x.root) - 1; i >= 0; i-- {
			if is(x.msg, x.root[i].key, name) {
				return x.root[i].val
			}
		}
		return span{}
	}
	if x.index == nil {
		x.index = make(map[string]int, len(x.root))
		for i, m := range x.root {
			x.index[view(x.msg, m.key)] = i
		}
	}
	if i, ok := x.index[name]; ok {
		return x.root[i].val
	}
	return span{}
}

// timestamp validates _aws.Timestamp (tape index ts, -1 when missing):
// required, a whole number of milliseconds since the epoch.
func (x *extractor) timestamp(ts int) (int64, bool) {
	if x.kind(ts) != kNumber {
		x.note("invalid: _aws.Timestamp is missing or not a number")
		return 0, false
	}
	f := number(x.msg, x.span(ts))
	if f != math.Trunc(f) || f < 0 || f > maxTimestamp {
		x.note("invalid: _aws.Timestamp %s is not a whole number of milliseconds in [0, 2^53]", x.raw(ts))
		return 0, false
	}
	return int64(f), true
}

// directive extracts the metrics of the i-th MetricDirective (tape index
// d). It returns false only when the datum bound is exceeded.
func (x *extractor) directive(i, d int, t int64) bool {
	if x.kind(d) != kObject {
		x.note("CloudWatchMetrics[%d]: not an object", i)
		return true
	}
	ns, dims, metrics := -1, -1, -1
	for k := d + 1; k < x.next(d); k = x.next(k + 1) {
		switch {
		case x.is(k, "Namespace"):
			ns = k + 1
		case x.is(k, "Dimensions"):
			dims = k + 1
		case x.is(k, "Metrics"):
			metrics = k + 1
		}
	}
	if x.kind(ns) != kString {
		x.note("CloudWatchMetrics[%d]: Namespace is missing or not a string", i)
		return true
	}
	namespace := view(x.msg, x.span(ns))
	if !validNamespace(namespace) {
		x.note("CloudWatchMetrics[%d]: invalid Namespace %q", i, namespace)
		return true
	}
	if x.kind(metrics) != kArray {
		x.note("CloudWatchMetrics[%d]: Metrics is missing or not an array", i)
		return true
	}
	n := 0
	for m := metrics + 1; m < x.next(metrics); m = x.next(m) {
		n++
	}
	if n > maxMetrics {
		x.note("CloudWatchMetrics[%d]: %d MetricDefinitions, more than %d", i, n, maxMetrics)
		return true
	}
	if !x.dimensionSets(i, dims) || len(x.sets) == 0 {
		return true
	}
	for j, m := 0, metrics+1; m < x.next(metrics); j, m = j+1, x.next(m) {
		if !x.metric(i, j, n, m, namespace, t) {
			return false
		}
	}
	return true
}

// dimensionSets validates the directive's Dimensions (tape index dims, -1
// when missing) into x.sets. A missing (or null) Dimensions member and an
// empty array mean one empty set; an invalid set is dropped alone. It
// returns false when the directive is dropped.
func (x *extractor) dimensionSets(i, dims int) bool {
	clear(x.sets)
	x.sets = x.sets[:0]
	switch x.kind(dims) {
	case kMissing, kNull:
		x.sets = append(x.sets, nil)
		return true
	case kArray:
	default:
		x.note("CloudWatchMetrics[%d]: Dimensions is not an array", i)
		return false
	}
	// Size x.dims for the directive's keys at once (up to a bound: invalid
	// sets add nothing): growing it set by set copies what is there.
	keys := 0
	for set := dims + 1; set < x.next(dims); set = x.next(set) {
		keys += x.next(set) - set - 1 // a set's members are one token each
	}
	x.dims = slices.Grow(x.dims, min(keys, 256))
	j := 0
	for set := dims + 1; set < x.next(dims); set = x.next(set) {
		if ds, why := x.dimensionSet(set); why != "" {
			x.note("CloudWatchMetrics[%d].Dimensions[%d]: %s", i, j, why)
		} else {
			x.sets = append(x.sets, ds)
		}
		j++
	}
	if j == 0 {
		x.sets = append(x.sets, nil)
	}
	return true
}

// dimensionSet resolves one DimensionSet (tape index set) against the
// root's target members. It returns the dimensions sorted by name, or why
// the set is invalid.
func (x *extractor) dimensionSet(set int) (ds []metricstore.Dim, why string) {
	if x.kind(set) != kArray {
		return nil, "not an array"
	}
	n := 0
	for key := set + 1; key < x.next(set); key = x.next(key) {
		n++
	}
	if n > maxSetDims {
		return nil, fmt.Sprintf("more than %d dimension keys", maxSetDims)
	}
	if n == 0 {
		return nil, ""
	}
	start := len(x.dims)
	for key := set + 1; key < x.next(set); key = x.next(key) {
		if why = x.dimension(key); why != "" {
			x.dims = x.dims[:start]
			return nil, why
		}
	}
	ds = x.dims[start:len(x.dims):len(x.dims)]
	slices.SortFunc(ds, func(a, b metricstore.Dim) int { return strings.Compare(a.Name, b.Name) })
	for k := 1; k < len(ds); k++ {
		if ds[k].Name == ds[k-1].Name {
			x.dims = x.dims[:start]
			return nil, fmt.Sprintf("dimension %q listed twice", ds[k].Name)
		}
	}
	return ds, ""
}

// dimension appends to x.dims the dimension a key (tape index) names, or
// returns why it is invalid.
func (x *extractor) dimension(key int) (why string) {
	if x.kind(key) != kString {
		return "a dimension key is not a string"
	}
	name := view(x.msg, x.span(key))
	if !validDimName(name) {
		return fmt.Sprintf("invalid dimension name %q", name)
	}
	v := x.target(name)
	switch v.kind {
	case kString:
	case kMissing:
		return fmt.Sprintf("no target member %q", name)
	default:
		return fmt.Sprintf("target member %q is not a string", name)
	}
	value := view(x.msg, v)
	if !validDimValue(value) {
		return fmt.Sprintf("invalid value %q for dimension %q", value, name)
	}
	x.dims = append(x.dims, metricstore.Dim{Name: name, Value: value})
	return ""
}

// metric extracts the j-th of the nMetrics MetricDefinitions of directive
// i (tape index m): one datum per value per dimension set. It returns false
// only when the datum bound is exceeded.
func (x *extractor) metric(i, j, nMetrics, m int, namespace string, t int64) bool {
	if x.kind(m) != kObject {
		x.note("CloudWatchMetrics[%d].Metrics[%d]: not an object", i, j)
		return true
	}
	nameV, unitV, resV := -1, -1, -1
	for k := m + 1; k < x.next(m); k = x.next(k + 1) {
		switch {
		case x.is(k, "Name"):
			nameV = k + 1
		case x.is(k, "Unit"):
			unitV = k + 1
		case x.is(k, "StorageResolution"):
			resV = k + 1
		}
	}
	if x.kind(nameV) != kString {
		x.note("CloudWatchMetrics[%d].Metrics[%d]: Name is missing or not a string", i, j)
		return true
	}
	name := view(x.msg, x.span(nameV))
	if !validMetricName(name) {
		x.note("CloudWatchMetrics[%d].Metrics[%d]: invalid Name %q", i, j, name)
		return true
	}
	var unit string
	switch x.kind(unitV) {
	case kMissing, kNull:
	case kString:
		u := x.raw(unitV)
		if x.tape[unitV].esc {
			u = unescape(u) // "Bytes\/Second" is Bytes/Second
		}
		var ok bool
		if unit, ok = units[string(u)]; !ok {
			x.note("CloudWatchMetrics[%d].Metrics[%d] %q: invalid Unit %q", i, j, name, u)
			return true
		}
	default:
		x.note("CloudWatchMetrics[%d].Metrics[%d] %q: Unit is not a string", i, j, name)
		return true
	}
	highRes := false
	switch x.kind(resV) {
	case kMissing, kNull:
	case kNumber:
		switch number(x.msg, x.span(resV)) {
		case 1:
			highRes = true
		case 60:
		default:
			x.note("CloudWatchMetrics[%d].Metrics[%d] %q: StorageResolution %s is neither 1 nor 60", i, j, name, x.raw(resV))
			return true
		}
	default:
		x.note("CloudWatchMetrics[%d].Metrics[%d] %q: StorageResolution is not a number", i, j, name)
		return true
	}
	if why := x.values(x.target(name)); why != "" {
		x.note("CloudWatchMetrics[%d].Metrics[%d] %q: %s", i, j, name, why)
		return true
	}
	if len(x.ds)+len(x.sets)*len(x.vals) > maxDatums {
		return false
	}
	if x.ds == nil {
		// Most documents have one directive and one value per metric.
		x.ds = make([]metricstore.Datum, 0, nMetrics*len(x.sets)*len(x.vals))
	}
	for _, dims := range x.sets {
		d := metricstore.Datum{
			Key:     metricstore.SeriesKey{Namespace: namespace, MetricName: name, Dims: dims},
			T:       t,
			Unit:    unit,
			HighRes: highRes,
			Count:   1,
		}
		for _, v := range x.vals {
			d.Value = v
			x.ds = append(x.ds, d)
		}
	}
	return true
}

// values reads a metric target (a root member) into x.vals: a number, or an
// array of at most 100 numbers, each finite and within ±2^360. It returns
// why the target is invalid.
func (x *extractor) values(v span) (why string) {
	x.vals = x.vals[:0]
	switch v.kind {
	case kNumber:
		f := number(x.msg, v)
		if !validValue(f) {
			return fmt.Sprintf("value %s is out of range", raw(x.msg, v))
		}
		x.vals = append(x.vals, f)
	case kArray:
		n := 0
		x.array(v, func(e span) {
			if n++; why != "" {
				return
			}
			if n > maxValues {
				why = fmt.Sprintf("more than %d values", maxValues)
				return
			}
			if e.kind != kNumber {
				why = "a value is not a number"
				return
			}
			f := number(x.msg, e)
			if !validValue(f) {
				why = fmt.Sprintf("value %s is out of range", raw(x.msg, e))
				return
			}
			x.vals = append(x.vals, f)
		})
	case kMissing:
		return "no target member"
	default:
		return "the target member is neither a number nor an array of numbers"
	}
	return why
}
