package rpcv2cbor

import (
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
func DecodePutMetricData(body []byte, in *cwapi.PutMetricDataInput) bool {
	if len(body) == 0 || isNull(body[0]) {
		return false
	}
	h := hotDecoder{decoder: decoder{data: body}}
	return h.input(in) && h.pos == len(body)
}

// hotDecoder adds shared backing arrays for the lists of a request: every
// datum's Dimensions (and Values, Counts) is a slice of one array instead of
// an allocation of its own.
type hotDecoder struct {
	decoder
	dims   []cwapi.Dimension
	floats []float64
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
		more, err := h.more(n, i)
		if err != nil {
			return false
		}
		if !more {
			break
		}
		key, err := h.key()
		if err != nil || h.pos >= len(h.data) || h.atNull() {
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
		more, err := h.more(n, i)
		if err != nil {
			return false
		}
		if !more {
			break
		}
		if h.pos >= len(h.data) || h.atNull() || !elem() {
			return false
		}
	}
	h.depth--
	return true
}

func (h *hotDecoder) input(in *cwapi.PutMetricDataInput) bool {
	return h.fields(func(key []byte) (uint16, bool) {
		switch string(key) {
		case "Namespace":
			var ok bool
			in.Namespace, ok = h.str()
			return 1, ok
		case "MetricData":
			// The SDKs send indefinite-length arrays; guess the count from
			// the size (an SDK datum takes 60-120 bytes) to grow rarely.
			in.MetricData = make([]cwapi.MetricDatum, 0, min((len(h.data)-h.pos)/64+1, 1024))
			h.dims = make([]cwapi.Dimension, 0, cap(in.MetricData))
			return 2, h.list(func() bool {
				in.MetricData = append(in.MetricData, cwapi.MetricDatum{})
				return h.datum(&in.MetricData[len(in.MetricData)-1])
			})
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
	return h.fields(func(key []byte) (uint16, bool) {
		var ok bool
		switch string(key) {
		case "MetricName":
			m.MetricName, ok = h.str()
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
			m.Unit, ok = h.str()
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
		h.dims = make([]cwapi.Dimension, 0, 16)
	}
	start := len(h.dims)
	ok := h.list(func() bool {
		h.dims = append(h.dims, cwapi.Dimension{})
		d := &h.dims[len(h.dims)-1]
		return h.fields(func(key []byte) (uint16, bool) {
			var ok bool
			switch string(key) {
			case "Name":
				d.Name, ok = h.str()
				return 1, ok
			case "Value":
				d.Value, ok = h.str()
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

// text reads a text string (definite or chunked), interned like Decode's.
func (h *hotDecoder) text() (string, bool) {
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

func (h *hotDecoder) str() (*string, bool) {
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
	if major == majTag {
		if arg != 1 {
			return nil, false
		}
		if major, info, arg, err = h.head(); err != nil {
			return nil, false
		}
	}
	t, err := h.epochTime(major, info, arg)
	if err != nil {
		return nil, false
	}
	p := h.arena.NewTime()
	*p = t
	return p, true
}
