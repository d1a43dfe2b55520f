package clock

import (
	"sync"
	"testing"
	"time"
)

func TestSystemMoves(t *testing.T) {
	var c Clock = System{}
	a := c.Now()
	if d := time.Since(a); d < 0 || d > time.Minute {
		t.Fatalf("System.Now is %v away from time.Now", d)
	}
}

func TestFakeSetAdvance(t *testing.T) {
	start := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	f := NewFake(start)
	if got := f.Now(); !got.Equal(start) {
		t.Fatalf("Now = %v, want %v", got, start)
	}
	if got := f.Advance(90 * time.Second); !got.Equal(start.Add(90 * time.Second)) {
		t.Fatalf("Advance returned %v", got)
	}
	f.Set(start.Add(-time.Hour))
	if got := f.Now(); !got.Equal(start.Add(-time.Hour)) {
		t.Fatalf("after Set, Now = %v", got)
	}
	var zero Fake
	if !zero.Now().IsZero() {
		t.Fatal("zero Fake should read the zero time")
	}
}

func TestFakeConcurrent(t *testing.T) {
	f := NewFake(time.Unix(0, 0))
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < 1000; j++ {
				f.Advance(time.Millisecond)
				_ = f.Now()
			}
		}()
	}
	wg.Wait()
	if got, want := f.Now(), time.Unix(0, 0).Add(8*time.Second); !got.Equal(want) {
		t.Fatalf("Now = %v, want %v", got, want)
	}
}
