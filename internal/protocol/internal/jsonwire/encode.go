package jsonwire

import (
	"encoding/base64"
	"encoding/json"
	"math"
	"reflect"
	"sort"
	"strconv"
	"time"

	"github.com/vigilhq/vigil/internal/api/shape"
	"github.com/vigilhq/vigil/internal/jsonscan"
)

// AppendStruct appends the JSON object of v, a struct (or pointer to one) of
// shape s. Nil pointers, slices and maps are omitted; a nil v, and a v
// whose type is not s's Go type, are "{}".
func AppendStruct(b []byte, s *shape.Shape, v reflect.Value, opt Options) []byte {
	return AppendStructWithType(b, "", s, v, opt)
}

// AppendStructWithType is AppendStruct with a leading "__type" key when typ
// is not empty (error bodies).
func AppendStructWithType(b []byte, typ string, s *shape.Shape, v reflect.Value, opt Options) []byte {
	for v.IsValid() && (v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface) {
		if v.IsNil() {
			v = reflect.Value{}
			break
		}
		v = v.Elem()
	}
	b = append(b, '{')
	first := true
	if typ != "" {
		b = append(b, `"__type":`...)
		b = jsonscan.AppendString(b, typ)
		first = false
	}
	if v.IsValid() && s != nil && v.Kind() == reflect.Struct && (s.GoType == nil || s.GoType == v.Type()) && v.NumField() >= len(s.Members) {
		b = appendMembers(b, s, v, first, opt.BodyOnly)
	}
	return append(b, '}')
}

func appendMembers(b []byte, s *shape.Shape, v reflect.Value, first, bodyOnly bool) []byte {
	for i, m := range s.Members {
		if bodyOnly && m.Location != "" {
			continue
		}
		f := v.Field(i)
		switch f.Kind() {
		case reflect.Pointer, reflect.Slice, reflect.Map, reflect.Interface:
			if f.IsNil() {
				continue
			}
		}
		if f.Kind() == reflect.Pointer {
			f = f.Elem()
		}
		if !first {
			b = append(b, ',')
		}
		first = false
		b = jsonscan.AppendString(b, m.WireName())
		b = append(b, ':')
		b = appendValue(b, m.Shape, f)
	}
	return b
}

func appendValue(b []byte, s *shape.Shape, v reflect.Value) []byte {
	switch s.Type {
	case shape.Structure:
		if s.Document {
			if !v.IsValid() || ((v.Kind() == reflect.Interface || v.Kind() == reflect.Pointer) && v.IsNil()) {
				return append(b, "null"...)
			}
			return AppendDocument(b, v.Interface())
		}
		if v.Kind() == reflect.Pointer {
			if v.IsNil() {
				return append(b, "null"...)
			}
			v = v.Elem()
		}
		b = append(b, '{')
		b = appendMembers(b, s, v, true, false)
		return append(b, '}')
	case shape.List:
		b = append(b, '[')
		for i := range v.Len() {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendValue(b, s.Member.Shape, v.Index(i))
		}
		return append(b, ']')
	case shape.Map:
		b = append(b, '{')
		keys := v.MapKeys()
		sort.Slice(keys, func(i, j int) bool { return keys[i].String() < keys[j].String() })
		for i, k := range keys {
			if i > 0 {
				b = append(b, ',')
			}
			b = jsonscan.AppendString(b, k.String())
			b = append(b, ':')
			b = appendValue(b, s.Value.Shape, v.MapIndex(k))
		}
		return append(b, '}')
	case shape.String:
		return jsonscan.AppendString(b, v.String())
	case shape.Boolean:
		return strconv.AppendBool(b, v.Bool())
	case shape.Integer, shape.Long:
		return strconv.AppendInt(b, v.Int(), 10)
	case shape.Float:
		return AppendFloat(b, v.Float(), 32)
	case shape.Double:
		return AppendFloat(b, v.Float(), 64)
	case shape.Timestamp:
		return appendTimestamp(b, s, TimeOf(v))
	case shape.Blob:
		bs := v.Bytes()
		b = append(b, '"')
		b = base64.StdEncoding.AppendEncode(b, bs)
		return append(b, '"')
	}
	return append(b, "null"...)
}

func appendTimestamp(b []byte, s *shape.Shape, t time.Time) []byte {
	switch s.TimestampFormat {
	case "iso8601":
		b = append(b, '"')
		b = t.UTC().AppendFormat(b, "2006-01-02T15:04:05.999Z")
		return append(b, '"')
	case "rfc822":
		b = append(b, '"')
		b = t.UTC().AppendFormat(b, "Mon, 02 Jan 2006 15:04:05 GMT")
		return append(b, '"')
	}
	return AppendEpoch(b, t)
}

// AppendEpoch appends t as epoch seconds with millisecond precision:
// 1700000000 or 1700000000.123.
func AppendEpoch(b []byte, t time.Time) []byte {
	ms := t.UnixMilli()
	if ms < 0 && ms%1000 != 0 {
		b = append(b, '-')
		ms = -ms
	}
	b = strconv.AppendInt(b, ms/1000, 10)
	frac := ms % 1000
	if frac == 0 {
		return b
	}
	b = append(b, '.', byte('0'+frac/100))
	if frac%100 != 0 {
		b = append(b, byte('0'+frac/10%10))
		if frac%10 != 0 {
			b = append(b, byte('0'+frac%10))
		}
	}
	return b
}

// AppendFloat appends f the way AWS JSON protocols expect: the shortest
// representation, with NaN and ±Inf as the strings "NaN", "Infinity" and
// "-Infinity".
func AppendFloat(b []byte, f float64, bits int) []byte {
	switch {
	case math.IsNaN(f):
		return append(b, `"NaN"`...)
	case math.IsInf(f, 1):
		return append(b, `"Infinity"`...)
	case math.IsInf(f, -1):
		return append(b, `"-Infinity"`...)
	}
	abs := math.Abs(f)
	format := byte('f')
	if abs != 0 && (bits == 64 && (abs < 1e-6 || abs >= 1e21) || bits == 32 && (float32(abs) < 1e-6 || float32(abs) >= 1e21)) {
		format = 'e'
	}
	return strconv.AppendFloat(b, f, format, -1, bits)
}

// AppendDocument appends a document value (map[string]any, []any, string,
// numbers, bool, nil); other types go through encoding/json.
func AppendDocument(b []byte, x any) []byte {
	switch x := x.(type) {
	case nil:
		return append(b, "null"...)
	case string:
		return jsonscan.AppendString(b, x)
	case bool:
		return strconv.AppendBool(b, x)
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return append(b, "null"...)
		}
		return AppendFloat(b, x, 64)
	case float32:
		return AppendDocument(b, float64(x))
	case int:
		return strconv.AppendInt(b, int64(x), 10)
	case int32:
		return strconv.AppendInt(b, int64(x), 10)
	case int64:
		return strconv.AppendInt(b, x, 10)
	case json.Number:
		return append(b, x...)
	case []any:
		b = append(b, '[')
		for i, e := range x {
			if i > 0 {
				b = append(b, ',')
			}
			b = AppendDocument(b, e)
		}
		return append(b, ']')
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		b = append(b, '{')
		for i, k := range keys {
			if i > 0 {
				b = append(b, ',')
			}
			b = jsonscan.AppendString(b, k)
			b = append(b, ':')
			b = AppendDocument(b, x[k])
		}
		return append(b, '}')
	}
	out, err := json.Marshal(x)
	if err != nil {
		return append(b, "null"...)
	}
	return append(b, out...)
}

// TimeOf reads a time.Time from v without allocating when v is addressable.
func TimeOf(v reflect.Value) time.Time {
	if v.CanAddr() {
		if p, ok := v.Addr().Interface().(*time.Time); ok {
			return *p
		}
	}
	t, _ := v.Interface().(time.Time)
	return t
}
