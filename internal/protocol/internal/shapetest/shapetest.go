// Package shapetest builds *shape.Shape tables from hand-written Go structs
// for the codecs' tests, until (and besides) the generated packages under
// internal/api. It follows the representation table of package shape:
// *string → string, *int32 → integer, time.Time → timestamp, []byte → blob,
// any → document, struct → structure, and so on.
//
// Struct tags tune a member:
//
//	wire:"name"        the member's LocationName
//	loc:"querystring"  the member's Location (header, headers, querystring, uri, statusCode)
//	ts:"iso8601"       the shape's TimestampFormat
//
// It is for tests only; nothing in production may import it.
package shapetest

import (
	"reflect"
	"strings"
	"sync"
	"time"

	"github.com/vigilhq/vigil/internal/api/shape"
)

var (
	mu    sync.Mutex
	cache = map[reflect.Type]*shape.Shape{}
)

var (
	timeType  = reflect.TypeFor[time.Time]()
	bytesType = reflect.TypeFor[[]byte]()
	anyType   = reflect.TypeFor[any]()
)

// Of returns the structure shape of T, a struct type. Shapes are cached per
// type, so recursive types work and repeated calls are cheap.
func Of[T any]() *shape.Shape { return For(reflect.TypeFor[T]()) }

// For is Of for a reflect.Type.
func For(t reflect.Type) *shape.Shape {
	mu.Lock()
	defer mu.Unlock()
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return build(t, "")
}

func build(t reflect.Type, ts string) *shape.Shape {
	if t.Kind() == reflect.Pointer && t != timeType {
		t = t.Elem()
	}
	if t.Kind() == reflect.Struct && t != timeType {
		if s, ok := cache[t]; ok {
			return s
		}
		s := &shape.Shape{Name: t.Name(), Type: shape.Structure, GoType: t}
		cache[t] = s
		for i := range t.NumField() {
			f := t.Field(i)
			m := &shape.Member{
				Name:         f.Name,
				LocationName: f.Tag.Get("wire"),
				Location:     f.Tag.Get("loc"),
				Index:        i,
			}
			m.Shape = build(f.Type, f.Tag.Get("ts"))
			s.Members = append(s.Members, m)
		}
		return s
	}
	s := &shape.Shape{TimestampFormat: ts}
	switch {
	case t == timeType:
		s.Type, s.Name = shape.Timestamp, "Timestamp"
	case t == bytesType:
		s.Type, s.Name = shape.Blob, "Blob"
	case t == anyType:
		s.Type, s.Name, s.Document = shape.Structure, "Document", true
	default:
		switch t.Kind() {
		case reflect.String:
			s.Type, s.Name = shape.String, "String"
		case reflect.Bool:
			s.Type, s.Name = shape.Boolean, "Boolean"
		case reflect.Int32:
			s.Type, s.Name = shape.Integer, "Integer"
		case reflect.Int64:
			s.Type, s.Name = shape.Long, "Long"
		case reflect.Float32:
			s.Type, s.Name = shape.Float, "Float"
		case reflect.Float64:
			s.Type, s.Name = shape.Double, "Double"
		case reflect.Slice:
			s.Type, s.Name = shape.List, "List"
			s.Member = &shape.Member{Name: "member", Shape: build(t.Elem(), ts)}
		case reflect.Map:
			s.Type, s.Name = shape.Map, "Map"
			s.Key = &shape.Member{Name: "key", Shape: &shape.Shape{Name: "String", Type: shape.String}}
			s.Value = &shape.Member{Name: "value", Shape: build(t.Elem(), ts)}
		default:
			panic("shapetest: unsupported type " + t.String())
		}
	}
	return s
}

// Exception marks the structure shape of T as an error shape and returns it.
func Exception[T any](code string, status int, sender bool) *shape.Shape {
	s := Of[T]()
	mu.Lock()
	defer mu.Unlock()
	if s.Exception == nil {
		s.Exception = &shape.ErrorTrait{Code: code, HTTPStatus: status, SenderFault: sender}
	}
	return s
}

// Op builds an operation whose input and output are the shapes of In and
// Out (a nil shape when the type is struct{}).
func Op[In, Out any](name string, errs ...*shape.Shape) *shape.Operation {
	op := &shape.Operation{Name: name, HTTPMethod: "POST", RequestURI: "/", Errors: errs}
	if reflect.TypeFor[In]() != reflect.TypeFor[struct{}]() {
		op.Input = Of[In]()
	}
	if reflect.TypeFor[Out]() != reflect.TypeFor[struct{}]() {
		op.Output = Of[Out]()
	}
	return op
}

// Service wraps operations into a service.
func Service(id string, queryCompatible bool, ops ...*shape.Operation) *shape.Service {
	for i, op := range ops {
		op.Index = i
	}
	return &shape.Service{ID: id, QueryCompatible: queryCompatible, Operations: ops}
}

// Rename sets the shape's name (shape names matter for error __type).
func Rename(s *shape.Shape, name string) *shape.Shape {
	mu.Lock()
	defer mu.Unlock()
	s.Name = strings.TrimSpace(name)
	return s
}
