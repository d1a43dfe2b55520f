package rpcv2cbor

import (
	"sync"
	"time"

	cwapi "github.com/vigilhq/vigil/internal/api/cloudwatch"
	"github.com/vigilhq/vigil/internal/api/shape"
)

// DecodePutMetricData is the hand-tuned decoder of CloudWatch's
// PutMetricData, the hottest call of the API (DESIGN.md allows one for hot
// operations; the generic decoder's reflection cost ~40% of a 1000-datum
// call's CPU). It fills in, a fresh input, from body exactly as Decode
// would, reusing Decode's readers for every item, and reports whether it
// could. It declines, rather than reproduces, what the SDKs do not send:
// unknown or repeated keys (in entity maps too), nulls, tags other than a
// timestamp's, a body that is not one map. On false in holds garbage;
// the caller decodes generically into a fresh value, so every error is
// Decode's own.
//
// in's lists are lent from a pool: release gives them back, and must be
// called (in either case) once nothing uses in any more.
func DecodePutMetricData(body []byte, in *cwapi.PutMetricDataInput) (release func(), ok bool) {
	h := hotDecoders.Get().(*hotDecoder)
	h.reset(body)
	ok = len(body) > 0 && !isNull(body[0]) && h.input(in) && h.pos == len(body)
	return h.release, ok
}

// hotDecoder adds shared backing arrays for the lists of a request: every
// datum's Dimensions (and Values, Counts) is a slice of one array instead of
// an allocation of its own. Decoders are pooled with those arrays, so a
// steady stream of calls reuses them instead of making the garbage
// collector sweep ~150 KB of pointers per 1000-datum call.
type hotDecoder struct {
	decoder
	datums []cwapi.MetricDatum
	dims   []cwapi.Dimension
	floats []float64
	// lastTime is the timestamp read last, which the next datum's shares
	// when it is the same.
	lastTime *time.Time
	// lastTimeRaw is lastTime's encoding (after its tag), in the body.
	lastTimeRaw []byte
	recent      [noSlot]recentStrings
}

var hotDecoders = sync.Pool{New: func() any { return new(hotDecoder) }}

func (h *hotDecoder) reset(body []byte) {
	h.data, h.pos, h.depth = body, 0, 0
}

// release pools h again. The arrays keep the finished call's pointers
// until the next decode overwrites them: clearing ~150 KB per call would
// cost more than the little garbage they hold up.
func (h *hotDecoder) release() {
	h.datums, h.dims, h.floats = h.datums[:0], h.dims[:0], h.floats[:0]
	h.arena.Reset()
	h.data, h.lastTime, h.lastTimeRaw, h.recent = nil, nil, nil, [noSlot]recentStrings{}
	hotDecoders.Put(h)
}

// fields reads a map whose keys the caller knows, calling member for each
// key with the input positioned on a non-null value. Each key must appear
// at most once and be known (member's bit, or 0 for an unknown key).
func (h *hotDecoder) fields(member func(key []byte) (bit uint16, ok bool)) bool {
	n, err := h.containerHead(majMap, "Structure")
	if err != nil {
		return false
	}
	var seen uint16
	for i := 0; ; i++ {
		more, ok := h.next(n, i)
		if !ok {
			return false
		}
		if !more {
			break
		}
		key, ok := h.tinyText() // a member name: see name
		if !ok {
			key, ok = h.name()
		}
		if !ok || !h.valueAhead() {
			return false
		}
		bit, ok := member(key)
		if !ok || bit == 0 || seen&bit != 0 {
			return false
		}
		seen |= bit
	}
	h.depth--
	return true
}

// list reads an array, calling elem for each element (never null).
func (h *hotDecoder) list(elem func() bool) bool {
	n, err := h.containerHead(majArray, "List")
	if err != nil {
		return false
	}
	for i := 0; ; i++ {
		more, ok := h.next(n, i)
		if !ok {
			return false
		}
		if !more {
			break
		}
		if !h.valueAhead() || !elem() {
			return false
		}
	}
	h.depth--
	return true
}

// next is more without its error, small enough to be inlined in the loops
// over a call's thousands of items: whether the container being read (n
// items, or -1 for an indefinite one) has an item i, and false when the
// input ends first.
func (h *hotDecoder) next(n, i int) (more, ok bool) {
	switch {
	case n >= 0:
		return i < n, true
	case h.pos >= len(h.data):
		return false, false
	case h.data[h.pos] == 0xff:
		h.pos++
		return false, true
	}
	return true, true
}

// valueAhead reports whether a value other than null follows.
func (h *hotDecoder) valueAhead() bool {
	return h.pos < len(h.data) && !isNull(h.data[h.pos])
}

func (h *hotDecoder) input(in *cwapi.PutMetricDataInput) bool {
	return h.fields(func(key []byte) (uint16, bool) {
		switch string(key) {
		case "Namespace":
			var ok bool
			in.Namespace, ok = h.str(noSlot)
			return 1, ok
		case "MetricData":
			if h.datums == nil {
				// The SDKs send indefinite-length arrays; guess the count
				// from the size (an SDK datum takes 60-120 bytes) to grow
				// rarely.
				h.datums = make([]cwapi.MetricDatum, 0, min((len(h.data)-h.pos)/64+1, 1024))
			}
			ok := h.list(func() bool {
				h.datums = append(h.datums, cwapi.MetricDatum{})
				return h.datum(&h.datums[len(h.datums)-1])
			})
			in.MetricData = h.datums[:len(h.datums):len(h.datums)]
			return 2, ok
		case "EntityMetricData":
			// The CloudWatch agent sends its metrics this way.
			in.EntityMetricData = make([]cwapi.EntityMetricData, 0, 2)
			return 8, h.list(func() bool {
				in.EntityMetricData = append(in.EntityMetricData, cwapi.EntityMetricData{})
				return h.entityMetricData(&in.EntityMetricData[len(in.EntityMetricData)-1])
			})
		case "StrictEntityValidation":
			major, info, _, err := h.head()
			if err != nil || major != majSimple || info != 20 && info != 21 {
				return 0, false
			}
			b := info == 21
			in.StrictEntityValidation = &b
			return 4, true
		}
		return 0, false
	})
}

func (h *hotDecoder) entityMetricData(e *cwapi.EntityMetricData) bool {
	return h.fields(func(key []byte) (uint16, bool) {
		switch string(key) {
		case "Entity":
			e.Entity = &cwapi.Entity{}
			return 1, h.fields(func(key []byte) (uint16, bool) {
				var ok bool
				switch string(key) {
				case "KeyAttributes":
					e.Entity.KeyAttributes, ok = h.stringMap()
					return 1, ok
				case "Attributes":
					e.Entity.Attributes, ok = h.stringMap()
					return 2, ok
				}
				return 0, false
			})
		case "MetricData":
			e.MetricData = make([]cwapi.MetricDatum, 0, 8)
			return 2, h.list(func() bool {
				e.MetricData = append(e.MetricData, cwapi.MetricDatum{})
				return h.datum(&e.MetricData[len(e.MetricData)-1])
			})
		}
		return 0, false
	})
}

// stringMap reads a map of strings; it declines a repeated key (Decode
// keeps the last value) and a null value (Decode skips it).
func (h *hotDecoder) stringMap() (map[string]string, bool) {
	n, err := h.containerHead(majMap, "Map")
	if err != nil {
		return nil, false
	}
	m := make(map[string]string, max(n, 0))
	for i := 0; ; i++ {
		more, err := h.more(n, i)
		if err != nil {
			return nil, false
		}
		if !more {
			break
		}
		kb, err := h.key()
		if err != nil || h.pos >= len(h.data) || h.atNull() {
			return nil, false
		}
		k := string(kb)
		if _, dup := m[k]; dup {
			return nil, false
		}
		v, ok := h.text()
		if !ok {
			return nil, false
		}
		m[k] = v
	}
	h.depth--
	return m, true
}

func (h *hotDecoder) datum(m *cwapi.MetricDatum) bool {
	if h.sdkDatum(m) {
		return true
	}
	return h.fields(func(key []byte) (uint16, bool) {
		var ok bool
		switch string(key) {
		case "MetricName":
			m.MetricName, ok = h.str(slotMetricName)
			return 1 << 0, ok
		case "Dimensions":
			m.Dimensions, ok = h.dimensions()
			return 1 << 1, ok
		case "Timestamp":
			m.Timestamp, ok = h.timestamp()
			return 1 << 2, ok
		case "Value":
			m.Value, ok = h.floatPtr()
			return 1 << 3, ok
		case "StatisticValues":
			m.StatisticValues, ok = h.statisticSet()
			return 1 << 4, ok
		case "Values":
			m.Values, ok = h.floatList()
			return 1 << 5, ok
		case "Counts":
			m.Counts, ok = h.floatList()
			return 1 << 6, ok
		case "Unit":
			m.Unit, ok = h.str(slotUnit)
			return 1 << 7, ok
		case "StorageResolution":
			m.StorageResolution, ok = h.int32()
			return 1 << 8, ok
		}
		return 0, false
	})
}

func (h *hotDecoder) dimensions() ([]cwapi.Dimension, bool) {
	if h.dims == nil {
		h.dims = make([]cwapi.Dimension, 0, max(16, 2*cap(h.datums)))
	}
	start := len(h.dims)
	ok := h.list(func() bool {
		h.dims = append(h.dims, cwapi.Dimension{})
		d := &h.dims[len(h.dims)-1]
		slot := min(slotDims+2*(len(h.dims)-1-start), noSlot)
		return h.fields(func(key []byte) (uint16, bool) {
			var ok bool
			switch string(key) {
			case "Name":
				d.Name, ok = h.str(slot)
				return 1, ok
			case "Value":
				d.Value, ok = h.str(min(slot+1, noSlot))
				return 2, ok
			}
			return 0, false
		})
	})
	// Capped, so that appending to one datum's dimensions cannot overwrite
	// the next datum's.
	return h.dims[start:len(h.dims):len(h.dims)], ok
}

func (h *hotDecoder) floatList() ([]float64, bool) {
	if h.floats == nil {
		h.floats = make([]float64, 0, 64)
	}
	start := len(h.floats)
	ok := h.list(func() bool {
		f, ok := h.float()
		h.floats = append(h.floats, f)
		return ok
	})
	return h.floats[start:len(h.floats):len(h.floats)], ok
}

func (h *hotDecoder) statisticSet() (*cwapi.StatisticSet, bool) {
	s := &cwapi.StatisticSet{}
	return s, h.fields(func(key []byte) (uint16, bool) {
		var ok bool
		switch string(key) {
		case "SampleCount":
			s.SampleCount, ok = h.floatPtr()
			return 1, ok
		case "Sum":
			s.Sum, ok = h.floatPtr()
			return 2, ok
		case "Minimum":
			s.Minimum, ok = h.floatPtr()
			return 4, ok
		case "Maximum":
			s.Maximum, ok = h.floatPtr()
			return 8, ok
		}
		return 0, false
	})
}

// name reads a structure's member name. A short one skips Decode's UTF-8
// check: the caller compares the bytes with its members' ASCII names, so a
// name it accepts is valid, and it declines any other.
func (h *hotDecoder) name() ([]byte, bool) {
	if b, ok := h.shortText(); ok {
		return b, true
	}
	b, err := h.key()
	return b, err == nil
}

// tinyText reads a text string of up to 23 bytes (names, units, most
// dimensions) without checking its UTF-8, or reports false and reads
// nothing. Small enough to be inlined; shortText does the rest.
func (h *hotDecoder) tinyText() ([]byte, bool) {
	if h.pos < len(h.data) {
		if n := int(h.data[h.pos] ^ majText<<5); n < 24 && n < len(h.data)-h.pos {
			start := h.pos + 1
			h.pos = start + n
			return h.data[start:h.pos], true
		}
	}
	return nil, false
}

// shortText reads a definite-length text string of up to 255 bytes without
// checking its UTF-8, or declines.
func (h *hotDecoder) shortText() ([]byte, bool) {
	if b, ok := h.tinyText(); ok {
		return b, true
	}
	if h.pos >= len(h.data) {
		return nil, false
	}
	start, n := h.pos+1, int(h.data[h.pos]^majText<<5)
	switch {
	case n < 24:
	case n == 24 && start < len(h.data):
		n = int(h.data[start])
		start++
	default:
		return nil, false
	}
	if n > len(h.data)-start {
		return nil, false
	}
	h.pos = start + n
	return h.data[start:h.pos], true
}

// text reads a text string, interned like Decode's; a short one takes the
// arena's path, which checks the UTF-8 of bytes it has not seen before.
func (h *hotDecoder) text() (string, bool) {
	if b, ok := h.shortText(); ok {
		return h.arena.Text(b)
	}
	major, info, arg, err := h.head()
	if err != nil || major != majText {
		return "", false
	}
	b, err := h.stringBytes(major, info, arg)
	if err != nil {
		return "", false
	}
	return h.arena.String(b), true
}

// Slots of the strings datums repeat (see str): the metric name, the unit,
// then the name and value of each of the first four dimensions.
const (
	slotMetricName = iota
	slotUnit
	slotDims
	noSlot = slotDims + 8
)

// recentStrings are the strings a slot held lately, filed by their first and
// last bytes and length.
type recentStrings [8]struct {
	b []byte // in the body
	p *string
}

func (r *recentStrings) entry(b []byte) int {
	return int(uint(b[0])+3*uint(b[len(b)-1])+5*uint(len(b))) % len(r)
}

// str reads an optional text member; equal short strings share one
// pointer (see arena.TextPointer). A call's datums repeat their units,
// dimension names and values, and a handful of metric names: the slot's
// recent strings are compared first, which is cheaper than the arena's
// hashing.
func (h *hotDecoder) str(slot int) (*string, bool) {
	b, ok := h.tinyText()
	if !ok {
		b, ok = h.shortText()
	}
	if ok {
		if slot < noSlot && len(b) > 0 {
			e := &h.recent[slot][h.recent[slot].entry(b)]
			if e.p != nil && string(e.b) == string(b) {
				return e.p, true
			}
			p, ok := h.arena.TextPointer(b)
			e.b, e.p = b, p
			return p, ok
		}
		return h.arena.TextPointer(b)
	}
	s, ok := h.text()
	if !ok {
		return nil, false
	}
	p := h.arena.NewString()
	*p = s
	return p, true
}

func (h *hotDecoder) float() (float64, bool) {
	major, info, arg, err := h.head()
	if err != nil {
		return 0, false
	}
	return h.number(major, info, arg)
}

func (h *hotDecoder) floatPtr() (*float64, bool) {
	f, ok := h.float()
	if !ok {
		return nil, false
	}
	p := h.arena.NewFloat64()
	*p = f
	return p, true
}

func (h *hotDecoder) int32() (*int32, bool) {
	major, info, arg, err := h.head()
	if err != nil || major == majTag {
		return nil, false
	}
	n, err := h.integer(shape.Integer, major, info, arg)
	if err != nil {
		return nil, false
	}
	p := h.arena.NewInt32()
	*p = int32(n)
	return p, true
}

// timestamp reads epoch seconds, optionally tagged 1 as the SDKs send them.
func (h *hotDecoder) timestamp() (*time.Time, bool) {
	major, info, arg, err := h.head()
	if err != nil {
		return nil, false
	}
	var raw []byte
	if major == majTag {
		if arg != 1 {
			return nil, false
		}
		start := h.pos
		if major, info, arg, err = h.head(); err != nil {
			return nil, false
		}
		// A call's datums mostly share one timestamp, and then one
		// pointer: the same encoding is not converted again.
		raw = h.data[start:h.pos]
		if h.lastTime != nil && string(raw) == string(h.lastTimeRaw) {
			return h.lastTime, true
		}
	}
	t, err := h.epochTime(major, info, arg)
	if err != nil {
		return nil, false
	}
	// Only now: lastTimeRaw must always be lastTime's encoding (sdkDatum
	// may read a timestamp again after a failed attempt).
	h.lastTimeRaw = raw
	if h.lastTime != nil && *h.lastTime == t {
		return h.lastTime, true
	}
	p := h.arena.NewTime()
	*p = t
	h.lastTime = p
	return p, true
}
