package arena

import (
	"fmt"
	"testing"
	"unsafe"
)

// The table keeps every distinct short string once across growth, up to
// internLimit, and beyond that still returns equal strings.
func TestInternTableGrowsAndLimits(t *testing.T) {
	var a Arena
	first := map[string]unsafe.Pointer{}
	for round := 0; round < 2; round++ {
		for i := 0; i < internLimit+100; i++ {
			b := []byte(fmt.Sprintf("name-%d", i))
			s := a.String(b)
			if s != string(b) {
				t.Fatalf("String(%q) = %q", b, s)
			}
			if i >= internLimit {
				continue
			}
			if round == 0 {
				first[s] = unsafe.Pointer(unsafe.StringData(s))
			} else if unsafe.Pointer(unsafe.StringData(s)) != first[s] {
				t.Fatalf("%q not shared after growth", s)
			}
		}
	}
	if a.intern.n != internLimit {
		t.Fatalf("%d strings interned, want the limit %d", a.intern.n, internLimit)
	}
}

// Text checks UTF-8 once per distinct string, also for a string first
// interned unchecked by String; TextPointer shares one pointer per string.
func TestTextChecksUTF8AndSharesPointers(t *testing.T) {
	var a Arena
	a.String([]byte("\xff")) // interned without a check
	if _, ok := a.Text([]byte("\xff")); ok {
		t.Fatal("invalid UTF-8 accepted because String had interned it")
	}
	p, ok := a.TextPointer([]byte("Host"))
	q, ok2 := a.TextPointer([]byte("Host"))
	if !ok || !ok2 || p != q || *p != "Host" {
		t.Fatalf("TextPointer: %p %p", p, q)
	}
	if s, ok := a.Text([]byte("Host")); !ok || s != "Host" || unsafe.StringData(s) != unsafe.StringData(*p) {
		t.Fatal("Text does not share TextPointer's string")
	}
	long := make([]byte, internMax+1)
	for i := range long {
		long[i] = 'x'
	}
	lp, ok := a.TextPointer(long)
	lq, _ := a.TextPointer(long)
	if !ok || lp == lq || *lp != string(long) {
		t.Fatal("a long string should get its own pointer")
	}
	if _, ok := a.TextPointer(append(long, 0xff)); ok {
		t.Fatal("invalid UTF-8 in a long string accepted")
	}
	if s, ok := a.Text(nil); !ok || s != "" {
		t.Fatal("empty string")
	}
}

// Reset forgets the interned strings but not what was handed out.
func TestResetKeepsHandedOutValid(t *testing.T) {
	var a Arena
	p, _ := a.TextPointer([]byte("Shard"))
	a.Reset()
	if a.intern.n != 0 || *p != "Shard" {
		t.Fatalf("after Reset: %d interned, *p = %q", a.intern.n, *p)
	}
	q, _ := a.TextPointer([]byte("Shard"))
	if q == p {
		t.Fatal("Reset kept a pointer it had handed out")
	}
}
