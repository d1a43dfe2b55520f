package rpcv2cbor

import cwapi "github.com/vigilhq/vigil/internal/api/cloudwatch"

// sdkDatum reads a datum laid out as the AWS SDKs write one: an
// indefinite-length map with its members in alphabetical order, each
// dimension an indefinite-length {Name, Value} map. It matches those
// bytes as literals, instead of fields' per-key closure and switch (half
// of the decoder's time went to that dispatch), and reads the values with
// the same readers as datum. On any other layout it reports false with the
// input and h as they were (the arena and the recent strings aside, which
// only cache), and datum reads the datum generically.
func (h *hotDecoder) sdkDatum(m *cwapi.MetricDatum) bool {
	start, dims, floats := h.pos, len(h.dims), len(h.floats)
	if h.sdkDatumMembers(m) {
		return true
	}
	h.pos, h.dims, h.floats = start, h.dims[:dims], h.floats[:floats]
	*m = cwapi.MetricDatum{}
	return false
}

// sdkDatumMembers: every reader it uses refuses a null, as datum's
// valueAhead does.
func (h *hotDecoder) sdkDatumMembers(m *cwapi.MetricDatum) bool {
	var ok bool
	if !h.literal("\xbf") {
		return false
	}
	if h.literal("\x66Counts") {
		if m.Counts, ok = h.floatList(); !ok {
			return false
		}
	}
	if h.literal("\x6aDimensions\x9f") {
		if m.Dimensions, ok = h.sdkDimensions(); !ok {
			return false
		}
	}
	if h.literal("\x6aMetricName") {
		if m.MetricName, ok = h.str(slotMetricName); !ok {
			return false
		}
	}
	if h.literal("\x6fStatisticValues") {
		if m.StatisticValues, ok = h.statisticSet(); !ok {
			return false
		}
	}
	if h.literal("\x71StorageResolution") {
		if m.StorageResolution, ok = h.int32(); !ok {
			return false
		}
	}
	if h.literal("\x69Timestamp") {
		if m.Timestamp, ok = h.timestamp(); !ok {
			return false
		}
	}
	if h.literal("\x64Unit") {
		if m.Unit, ok = h.str(slotUnit); !ok {
			return false
		}
	}
	if h.literal("\x65Value") {
		if m.Value, ok = h.floatPtr(); !ok {
			return false
		}
	}
	if h.literal("\x66Values") {
		if m.Values, ok = h.floatList(); !ok {
			return false
		}
	}
	return h.literal("\xff")
}

// sdkDimensions reads the dimensions of an SDK-written datum, after the
// list's opening byte.
func (h *hotDecoder) sdkDimensions() ([]cwapi.Dimension, bool) {
	if h.dims == nil {
		h.dims = make([]cwapi.Dimension, 0, max(16, 2*cap(h.datums)))
	}
	start := len(h.dims)
	for !h.literal("\xff") {
		slot := min(slotDims+2*(len(h.dims)-start), noSlot)
		if !h.literal("\xbf\x64Name") {
			return nil, false
		}
		name, ok := h.str(slot)
		if !ok || !h.literal("\x65Value") {
			return nil, false
		}
		value, ok := h.str(min(slot+1, noSlot))
		if !ok || !h.literal("\xff") {
			return nil, false
		}
		h.dims = append(h.dims, cwapi.Dimension{Name: name, Value: value})
	}
	// Capped, as in dimensions.
	return h.dims[start:len(h.dims):len(h.dims)], true
}

// literal consumes s if the input continues with it.
func (h *hotDecoder) literal(s string) bool {
	if len(h.data)-h.pos >= len(s) && string(h.data[h.pos:h.pos+len(s)]) == s {
		h.pos += len(s)
		return true
	}
	return false
}
