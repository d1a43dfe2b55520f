package arena

import (
	"reflect"
	"testing"
	"time"
	"unsafe"
)

func TestPointersStayValidAcrossChunks(t *testing.T) {
	var a Arena
	var ps []*float64
	for i := 0; i < 3*chunk; i++ {
		p := a.New(reflect.TypeFor[float64]()).Interface().(*float64)
		*p = float64(i)
		ps = append(ps, p)
	}
	for i, p := range ps {
		if *p != float64(i) {
			t.Fatalf("pointer %d reads %v", i, *p)
		}
	}
	tp := a.New(reflect.TypeFor[time.Time]()).Interface().(*time.Time)
	if !tp.IsZero() {
		t.Fatal("time not zero")
	}
	type other struct{ X int }
	if _, ok := a.New(reflect.TypeFor[other]()).Interface().(*other); !ok {
		t.Fatal("struct fallback")
	}
}

func TestStringInterning(t *testing.T) {
	var a Arena
	x, y := a.String([]byte("Host")), a.String([]byte("Host"))
	if x != "Host" || unsafe.StringData(x) != unsafe.StringData(y) {
		t.Fatal("equal short strings not shared")
	}
	long := make([]byte, internMax+1)
	if s := a.String(long); len(s) != internMax+1 {
		t.Fatal("long string")
	}
}

func BenchmarkNewFloat(b *testing.B) {
	var a Arena
	typ := reflect.TypeFor[float64]()
	for b.Loop() {
		a.New(typ)
	}
}
