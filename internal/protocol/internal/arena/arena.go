// Package arena gives decoders cheap storage for the pointers and strings a
// decoded request needs. Generated inputs hold optional scalars by pointer
// (*string, *float64, *time.Time, …); a 1000-datum PutMetricData would
// otherwise make thousands of tiny allocations. An Arena hands pointers out
// of a few shared chunks instead, and interns the short strings a request
// repeats (metric and dimension names). It belongs to one decode call and is
// not safe for concurrent use; what it hands out stays valid after the
// decode (the chunks are ordinary garbage-collected memory).
package arena

import (
	"reflect"
	"time"
	"unsafe"
)

// Arena is per decode call; the zero value is ready.
type Arena struct {
	strs   []string
	f64s   []float64
	i32s   []int32
	i64s   []int64
	bools  []bool
	times  []time.Time
	intern internTable
}

const (
	chunk = 128
	// firstChunk is the size of a decode's first chunk of each kind; the
	// next ones double up to chunk, so that a small call (a handful of
	// optional members: most calls) does not pay for 128 of each.
	firstChunk = 4
	// internMax bounds what is interned: short strings repeat (names,
	// dimension values), long ones (messages) rarely do.
	internMax   = 64
	internLimit = 4096
)

var timeType = reflect.TypeFor[time.Time]()

// New returns a pointer Value for elem, a pointer field's element type: from
// the arena for the scalar kinds the generated types use, else reflect.New.
func (a *Arena) New(elem reflect.Type) reflect.Value {
	var p unsafe.Pointer
	switch elem.Kind() {
	case reflect.String:
		p = unsafe.Pointer(next(&a.strs))
	case reflect.Float64:
		p = unsafe.Pointer(next(&a.f64s))
	case reflect.Int32:
		p = unsafe.Pointer(next(&a.i32s))
	case reflect.Int64:
		p = unsafe.Pointer(next(&a.i64s))
	case reflect.Bool:
		p = unsafe.Pointer(next(&a.bools))
	case reflect.Struct:
		if elem != timeType {
			return reflect.New(elem)
		}
		p = unsafe.Pointer(next(&a.times))
	default:
		return reflect.New(elem)
	}
	return reflect.NewAt(elem, p)
}

// next returns a pointer to a fresh zero element of *s, starting a new chunk
// when the current one is full (earlier chunks stay where they are, so
// pointers already handed out remain valid).
func next[T any](s *[]T) *T {
	if len(*s) == cap(*s) {
		*s = make([]T, 0, min(chunk, max(firstChunk, 2*cap(*s))))
	}
	*s = (*s)[:len(*s)+1]
	return &(*s)[len(*s)-1]
}

// String returns b as a string, sharing one copy among equal short strings
// of this decode.
func (a *Arena) String(b []byte) string {
	if len(b) == 0 || len(b) > internMax {
		return string(b)
	}
	s, _ := a.intern.intern(b)
	return s
}

// NewString, NewFloat64, NewInt32 and NewTime return a pointer to a fresh
// zero value from the arena, for hand-tuned decoders that know the type
// without reflection.
func (a *Arena) NewString() *string { return next(&a.strs) }

// NewFloat64: see NewString.
func (a *Arena) NewFloat64() *float64 { return next(&a.f64s) }

// NewInt32: see NewString.
func (a *Arena) NewInt32() *int32 { return next(&a.i32s) }

// NewTime: see NewString.
func (a *Arena) NewTime() *time.Time { return next(&a.times) }
