package rpcv2cbor

import (
	"encoding/binary"
	"math"
	"reflect"
	"sort"
	"time"

	"github.com/vigilhq/vigil/internal/api/shape"
)

func appendHead(b []byte, major byte, n uint64) []byte {
	m := major << 5
	switch {
	case n < 24:
		return append(b, m|byte(n))
	case n <= math.MaxUint8:
		return append(b, m|24, byte(n))
	case n <= math.MaxUint16:
		return binary.BigEndian.AppendUint16(append(b, m|25), uint16(n))
	case n <= math.MaxUint32:
		return binary.BigEndian.AppendUint32(append(b, m|26), uint32(n))
	}
	return binary.BigEndian.AppendUint64(append(b, m|27), n)
}

func appendText(b []byte, s string) []byte {
	return append(appendHead(b, majText, uint64(len(s))), s...)
}

func appendInt(b []byte, n int64) []byte {
	if n >= 0 {
		return appendHead(b, majUint, uint64(n))
	}
	return appendHead(b, majNegInt, uint64(-(n + 1)))
}

func appendFloat64(b []byte, f float64) []byte {
	bits := math.Float64bits(f)
	if f != f {
		bits = 0x7ff8000000000000 // canonical NaN
	}
	return binary.BigEndian.AppendUint64(append(b, 0xfb), bits)
}

func appendFloat32(b []byte, f float32) []byte {
	bits := math.Float32bits(f)
	if f != f {
		bits = 0x7fc00000
	}
	return binary.BigEndian.AppendUint32(append(b, 0xfa), bits)
}

// appendTime writes tag 1 and the epoch seconds as a float64 with
// millisecond precision, nudged so that readers that multiply by 1000 and
// truncate (as some SDKs do) get the exact millisecond back.
func appendTime(b []byte, t time.Time) []byte {
	ms := t.UnixMilli()
	f := float64(ms) / 1e3
	for i := 0; i < 4 && int64(f*1e3) != ms; i++ {
		if int64(f*1e3) < ms {
			f = math.Nextafter(f, math.Inf(1))
		} else {
			f = math.Nextafter(f, math.Inf(-1))
		}
	}
	return appendFloat64(append(b, 0xc1), f)
}

func present(f reflect.Value) bool {
	switch f.Kind() {
	case reflect.Pointer, reflect.Slice, reflect.Map, reflect.Interface:
		return !f.IsNil()
	}
	return true
}

// appendStruct writes the struct v of shape s as a definite-length map,
// with extra leading text pairs (for errors: __type, message).
func appendStruct(b []byte, s *shape.Shape, v reflect.Value, extra ...string) []byte {
	for v.IsValid() && (v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface) {
		if v.IsNil() {
			v = reflect.Value{}
			break
		}
		v = v.Elem()
	}
	ok := v.IsValid() && s != nil && v.Kind() == reflect.Struct && (s.GoType == nil || s.GoType == v.Type()) && v.NumField() >= len(s.Members)
	n := len(extra) / 2
	if ok {
		for i := range s.Members {
			if present(v.Field(i)) {
				n++
			}
		}
	}
	b = appendHead(b, majMap, uint64(n))
	for i := 0; i+1 < len(extra); i += 2 {
		b = appendText(b, extra[i])
		b = appendText(b, extra[i+1])
	}
	if ok {
		b = appendMembers(b, s, v)
	}
	return b
}

func appendMembers(b []byte, s *shape.Shape, v reflect.Value) []byte {
	for i, m := range s.Members {
		f := v.Field(i)
		if !present(f) {
			continue
		}
		if f.Kind() == reflect.Pointer {
			f = f.Elem()
		}
		b = appendText(b, m.WireName())
		b = appendValue(b, m.Shape, f)
	}
	return b
}

func appendValue(b []byte, s *shape.Shape, v reflect.Value) []byte {
	switch s.Type {
	case shape.Structure:
		if s.Document {
			if !present(v) {
				return append(b, 0xf6)
			}
			return appendDocument(b, v.Interface())
		}
		return appendStruct(b, s, v)
	case shape.List:
		n := v.Len()
		b = appendHead(b, majArray, uint64(n))
		for i := range n {
			b = appendValue(b, s.Member.Shape, v.Index(i))
		}
		return b
	case shape.Map:
		keys := v.MapKeys()
		sort.Slice(keys, func(i, j int) bool { return keys[i].String() < keys[j].String() })
		b = appendHead(b, majMap, uint64(len(keys)))
		for _, k := range keys {
			b = appendText(b, k.String())
			b = appendValue(b, s.Value.Shape, v.MapIndex(k))
		}
		return b
	case shape.String:
		return appendText(b, v.String())
	case shape.Boolean:
		if v.Bool() {
			return append(b, 0xf5)
		}
		return append(b, 0xf4)
	case shape.Integer, shape.Long:
		return appendInt(b, v.Int())
	case shape.Float:
		return appendFloat32(b, float32(v.Float()))
	case shape.Double:
		return appendFloat64(b, v.Float())
	case shape.Timestamp:
		return appendTime(b, timeOf(v))
	case shape.Blob:
		bs := v.Bytes()
		return append(appendHead(b, majBytes, uint64(len(bs))), bs...)
	}
	return append(b, 0xf6)
}

func timeOf(v reflect.Value) time.Time {
	if v.CanAddr() {
		if p, ok := v.Addr().Interface().(*time.Time); ok {
			return *p
		}
	}
	t, _ := v.Interface().(time.Time)
	return t
}

// appendDocument writes a JSON-like value.
func appendDocument(b []byte, x any) []byte {
	switch x := x.(type) {
	case nil:
		return append(b, 0xf6)
	case string:
		return appendText(b, x)
	case bool:
		if x {
			return append(b, 0xf5)
		}
		return append(b, 0xf4)
	case float64:
		if x == math.Trunc(x) && math.Abs(x) < 1<<53 {
			return appendInt(b, int64(x))
		}
		return appendFloat64(b, x)
	case float32:
		return appendDocument(b, float64(x))
	case int:
		return appendInt(b, int64(x))
	case int32:
		return appendInt(b, int64(x))
	case int64:
		return appendInt(b, x)
	case []byte:
		return append(appendHead(b, majBytes, uint64(len(x))), x...)
	case []any:
		b = appendHead(b, majArray, uint64(len(x)))
		for _, e := range x {
			b = appendDocument(b, e)
		}
		return b
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		b = appendHead(b, majMap, uint64(len(keys)))
		for _, k := range keys {
			b = appendText(b, k)
			b = appendDocument(b, x[k])
		}
		return b
	}
	return append(b, 0xf7) // undefined: not a document value
}
