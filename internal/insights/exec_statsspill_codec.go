package insights

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"slices"

	"github.com/vigilhq/vigil/internal/insights/funcs"
)

// The spill encoding of stats groups (exec_statsspill.go). A spill file is
// only ever read back by the query that wrote it, so the format has no
// version; it must round-trip every Value and every acc field exactly.
//
//	value  = kind:byte body
//	         null: nothing; bool: 0|1; number: float64 bits (LE, finite);
//	         string: uvarint len, bytes; time: varint ms;
//	         map: uvarint n, n × (uvarint len, key bytes, value);
//	         list: uvarint n, n × value
//	acc    = flags:byte, then the parts flags names, in this order:
//	         accN: varint n; accSums: float64 sum, float64 sumsq;
//	         accExt: value ext, float64 extNum, varint extTs, uvarint extSeq
//	         (and has is true); accNums: uvarint n, n × float64;
//	         accDistinct: uvarint n, n × (uvarint len, bytes), sorted
//	group  = len(by) × value, len(aggs) × acc

const (
	accN = 1 << iota
	accSums
	accExt
	accNums
	accDistinct
)

// maxValueDepth bounds the nesting of a decoded map or list, so corrupt
// input cannot exhaust the stack. jsonParse values are far shallower.
const maxValueDepth = 512

var errSpillCorrupt = errors.New("insights: corrupt stats spill record")

func appendFloat(dst []byte, f float64) []byte {
	return binary.LittleEndian.AppendUint64(dst, math.Float64bits(f))
}

// appendSpillValue appends the encoding of v.
func appendSpillValue(dst []byte, v funcs.Value) []byte {
	dst = append(dst, byte(v.Kind()))
	switch v.Kind() {
	case funcs.KindBool:
		if v.Float() != 0 {
			return append(dst, 1)
		}
		return append(dst, 0)
	case funcs.KindNumber:
		return appendFloat(dst, v.Float())
	case funcs.KindString:
		dst = binary.AppendUvarint(dst, uint64(len(v.Text())))
		return append(dst, v.Text()...)
	case funcs.KindTime:
		return binary.AppendVarint(dst, v.Millis())
	case funcs.KindMap:
		ms := v.Members()
		dst = binary.AppendUvarint(dst, uint64(len(ms)))
		for _, m := range ms {
			dst = binary.AppendUvarint(dst, uint64(len(m.Key)))
			dst = append(dst, m.Key...)
			dst = appendSpillValue(dst, m.Value)
		}
	case funcs.KindList:
		es := v.Elems()
		dst = binary.AppendUvarint(dst, uint64(len(es)))
		for _, e := range es {
			dst = appendSpillValue(dst, e)
		}
	}
	return dst
}

// appendSpillAcc appends the encoding of a.
func appendSpillAcc(dst []byte, a *acc) []byte {
	var flags byte
	if a.n != 0 {
		flags |= accN
	}
	if math.Float64bits(a.sum) != 0 || math.Float64bits(a.sumsq) != 0 {
		flags |= accSums
	}
	if a.has {
		flags |= accExt
	}
	if a.nums != nil {
		flags |= accNums
	}
	if a.distinct != nil {
		flags |= accDistinct
	}
	dst = append(dst, flags)
	if flags&accN != 0 {
		dst = binary.AppendVarint(dst, a.n)
	}
	if flags&accSums != 0 {
		dst = appendFloat(appendFloat(dst, a.sum), a.sumsq)
	}
	if flags&accExt != 0 {
		dst = appendSpillValue(dst, a.ext)
		dst = appendFloat(dst, a.extNum)
		dst = binary.AppendVarint(dst, a.extTs)
		dst = binary.AppendUvarint(dst, a.extSeq)
	}
	if flags&accNums != 0 {
		dst = binary.AppendUvarint(dst, uint64(len(a.nums)))
		for _, x := range a.nums {
			dst = appendFloat(dst, x)
		}
	}
	if flags&accDistinct != 0 {
		// Sorted so that an encoding is a function of the set (golden tests).
		keys := make([]string, 0, len(a.distinct))
		for k := range a.distinct {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		dst = binary.AppendUvarint(dst, uint64(len(keys)))
		for _, k := range keys {
			dst = binary.AppendUvarint(dst, uint64(len(k)))
			dst = append(dst, k...)
		}
	}
	return dst
}

// appendSpillGroup appends the encoding of a group's by values and
// accumulators.
func appendSpillGroup(dst []byte, keys []funcs.Value, accs []acc) []byte {
	for _, k := range keys {
		dst = appendSpillValue(dst, k)
	}
	for i := range accs {
		dst = appendSpillAcc(dst, &accs[i])
	}
	return dst
}

// spillDecoder reads encoded values from b; the first error sticks.
type spillDecoder struct {
	b   []byte
	err error
}

func (d *spillDecoder) fail() {
	if d.err == nil {
		d.err = errSpillCorrupt
	}
	d.b = nil
}

func (d *spillDecoder) byte() byte {
	if len(d.b) < 1 {
		d.fail()
		return 0
	}
	c := d.b[0]
	d.b = d.b[1:]
	return c
}

func (d *spillDecoder) float() float64 {
	if len(d.b) < 8 {
		d.fail()
		return 0
	}
	f := math.Float64frombits(binary.LittleEndian.Uint64(d.b))
	d.b = d.b[8:]
	return f
}

func (d *spillDecoder) uvarint() uint64 {
	x, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.fail()
		return 0
	}
	d.b = d.b[n:]
	return x
}

func (d *spillDecoder) varint() int64 {
	x, n := binary.Varint(d.b)
	if n <= 0 {
		d.fail()
		return 0
	}
	d.b = d.b[n:]
	return x
}

// count reads a length of items at least min bytes each, refusing one the
// remaining input cannot hold (so corrupt input cannot allocate much).
func (d *spillDecoder) count(minBytes int) int {
	n := d.uvarint()
	if n > uint64(len(d.b)/minBytes) {
		d.fail()
		return 0
	}
	return int(n)
}

func (d *spillDecoder) string() string {
	n := d.count(1)
	s := string(d.b[:n])
	d.b = d.b[n:]
	return s
}

func (d *spillDecoder) value(depth int) funcs.Value {
	if depth > maxValueDepth {
		d.fail()
		return funcs.Null
	}
	switch k := funcs.Kind(d.byte()); k {
	case funcs.KindNull:
		return funcs.Null
	case funcs.KindBool:
		switch d.byte() {
		case 0:
			return funcs.Bool(false)
		case 1:
			return funcs.Bool(true)
		}
	case funcs.KindNumber:
		f := d.float()
		// Num maps non-finite numbers to null and -0 to 0: neither is
		// ever written.
		if v := funcs.Num(f); !v.IsNull() && math.Float64bits(f) == math.Float64bits(v.Float()) {
			return v
		}
	case funcs.KindString:
		return funcs.Str(d.string())
	case funcs.KindTime:
		return funcs.Timestamp(d.varint())
	case funcs.KindMap:
		n := d.count(2)
		var ms []funcs.Member
		if n > 0 {
			ms = make([]funcs.Member, n)
		}
		for i := range ms {
			ms[i].Key = d.string()
			ms[i].Value = d.value(depth + 1)
		}
		if d.err == nil {
			return funcs.Map(ms...)
		}
	case funcs.KindList:
		n := d.count(1)
		var es []funcs.Value
		if n > 0 {
			es = make([]funcs.Value, n)
		}
		for i := range es {
			es[i] = d.value(depth + 1)
		}
		if d.err == nil {
			return funcs.List(es...)
		}
	}
	d.fail()
	return funcs.Null
}

func (d *spillDecoder) acc(a *acc) {
	flags := d.byte()
	if flags >= 1<<5 {
		d.fail()
		return
	}
	if flags&accN != 0 {
		a.n = d.varint()
	}
	if flags&accSums != 0 {
		a.sum, a.sumsq = d.float(), d.float()
	}
	if flags&accExt != 0 {
		a.has = true
		a.ext = d.value(0)
		a.extNum = d.float()
		a.extTs = d.varint()
		a.extSeq = d.uvarint()
	}
	if flags&accNums != 0 {
		n := d.count(8)
		a.nums = make([]float64, n)
		for i := range a.nums {
			a.nums[i] = d.float()
		}
	}
	if flags&accDistinct != 0 {
		n := d.count(1)
		a.distinct = make(map[string]struct{}, n)
		for range n {
			a.distinct[d.string()] = struct{}{}
		}
	}
}

// group decodes one group of nBy by values and len(accs) accumulators into
// keys and accs (which it overwrites).
func (d *spillDecoder) group(keys []funcs.Value, accs []acc) error {
	for i := range keys {
		keys[i] = d.value(0)
	}
	for i := range accs {
		accs[i] = acc{}
		d.acc(&accs[i])
	}
	if d.err != nil {
		return fmt.Errorf("insights: stats spill: %w", d.err)
	}
	return nil
}
