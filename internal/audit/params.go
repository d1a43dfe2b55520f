package audit

import (
	"encoding/json"
	"math"
	"reflect"
	"strconv"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/vigilhq/vigil/internal/api/shape"
)

// Params renders a generated API value as CloudTrail's requestParameters or
// responseElements:
//   - structure members are named as in the API with the first letter
//     lower-cased ("LogGroupName" → "logGroupName", "DBName" → "dBName");
//   - nil members are omitted; an empty top-level structure renders as null,
//     as does a nil v;
//   - timestamps are ISO 8601 in UTC;
//   - blobs are omitted (CloudTrail does not carry payload bytes);
//   - a value whose shape is Sensitive, at any depth, is replaced by
//     "HIDDEN_DUE_TO_SECURITY_REASONS";
//   - NaN and ±Inf (not JSON numbers) render as strings.
//
// v follows the representation table of package shape: a structure is *T or
// T, with Members[i] stored in field i. Params is safe for concurrent use.
func Params(s *shape.Shape, v any) json.RawMessage {
	if s == nil || v == nil {
		return nil
	}
	rv := reflect.ValueOf(v)
	if !rv.IsValid() || (rv.Kind() == reflect.Pointer && rv.IsNil()) {
		return nil
	}
	var w paramWriter
	if !w.value(s, rv, true) {
		return nil
	}
	return json.RawMessage(w.b)
}

type paramWriter struct{ b []byte }

// value writes v and reports whether anything was written. top marks the
// top-level structure, which renders as nothing when it has no members.
func (w *paramWriter) value(s *shape.Shape, v reflect.Value, top bool) bool {
	for v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface {
		if v.IsNil() {
			return false
		}
		if s.Type != shape.Structure && v.Kind() == reflect.Interface {
			break
		}
		v = v.Elem()
	}
	if s.Sensitive {
		w.b = strconv.AppendQuote(w.b, Redacted)
		return true
	}
	if s.Document {
		b, err := json.Marshal(v.Interface())
		if err != nil {
			return false
		}
		w.b = append(w.b, b...)
		return true
	}
	switch s.Type {
	case shape.Structure:
		if v.Kind() != reflect.Struct {
			return false
		}
		mark := len(w.b)
		w.b = append(w.b, '{')
		n := 0
		for i, m := range s.Members {
			if i >= v.NumField() {
				break
			}
			f := v.Field(i)
			if isNil(f) || m.Shape.Type == shape.Blob && !m.Shape.Sensitive {
				continue
			}
			if n > 0 {
				w.b = append(w.b, ',')
			}
			at := len(w.b)
			w.b = strconv.AppendQuote(w.b, lowerFirst(m.Name))
			w.b = append(w.b, ':')
			if !w.value(m.Shape, f, false) {
				w.b = w.b[:at]
				if n > 0 {
					w.b = w.b[:at-1]
				}
				continue
			}
			n++
		}
		if n == 0 && top {
			w.b = w.b[:mark]
			return false
		}
		w.b = append(w.b, '}')
		return true
	case shape.List:
		if v.Kind() != reflect.Slice && v.Kind() != reflect.Array {
			return false
		}
		w.b = append(w.b, '[')
		n := 0
		for i := 0; i < v.Len(); i++ {
			if n > 0 {
				w.b = append(w.b, ',')
			}
			at := len(w.b)
			if !w.value(s.Member.Shape, v.Index(i), false) {
				w.b = append(w.b[:at], "null"...)
			}
			n++
		}
		w.b = append(w.b, ']')
		return true
	case shape.Map:
		if v.Kind() != reflect.Map {
			return false
		}
		keys := v.MapKeys()
		sortValues(keys)
		w.b = append(w.b, '{')
		for i, k := range keys {
			if i > 0 {
				w.b = append(w.b, ',')
			}
			w.b = appendJSONString(w.b, k.String())
			w.b = append(w.b, ':')
			at := len(w.b)
			if !w.value(s.Value.Shape, v.MapIndex(k), false) {
				w.b = append(w.b[:at], "null"...)
			}
		}
		w.b = append(w.b, '}')
		return true
	case shape.String:
		w.b = appendJSONString(w.b, v.String())
	case shape.Boolean:
		w.b = strconv.AppendBool(w.b, v.Bool())
	case shape.Integer, shape.Long:
		w.b = strconv.AppendInt(w.b, v.Int(), 10)
	case shape.Float, shape.Double:
		f := v.Float()
		bits := 64
		if s.Type == shape.Float {
			bits = 32
		}
		switch {
		case math.IsNaN(f):
			w.b = append(w.b, `"NaN"`...)
		case math.IsInf(f, 1):
			w.b = append(w.b, `"Infinity"`...)
		case math.IsInf(f, -1):
			w.b = append(w.b, `"-Infinity"`...)
		default:
			w.b = strconv.AppendFloat(w.b, f, 'g', -1, bits)
		}
	case shape.Timestamp:
		t, ok := v.Interface().(time.Time)
		if !ok {
			return false
		}
		w.b = append(w.b, '"')
		w.b = t.UTC().AppendFormat(w.b, time.RFC3339Nano)
		w.b = append(w.b, '"')
	case shape.Blob:
		// A sensitive blob was redacted above; others are omitted.
		return false
	default:
		return false
	}
	return true
}

func isNil(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface, reflect.Slice, reflect.Map:
		return v.IsNil()
	}
	return false
}

func lowerFirst(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if r == utf8.RuneError || unicode.IsLower(r) {
		return s
	}
	return string(unicode.ToLower(r)) + s[n:]
}

func appendJSONString(b []byte, s string) []byte {
	q, _ := json.Marshal(s) // never fails for a string
	return append(b, q...)
}

func sortValues(keys []reflect.Value) {
	// Insertion sort keeps this allocation-free for the small maps of API
	// inputs; large maps are rare.
	for i := 1; i < len(keys); i++ {
		for j := i; j > 0 && keys[j].String() < keys[j-1].String(); j-- {
			keys[j], keys[j-1] = keys[j-1], keys[j]
		}
	}
}
