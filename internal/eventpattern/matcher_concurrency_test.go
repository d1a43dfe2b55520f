package eventpattern

import (
	"fmt"
	"slices"
	"sync"
	"testing"
)

// TestMatcherConcurrentChanges runs MatchEvent while rules are added and
// removed (run it with -race): rules that never change are always found, and
// once the writer stops the result is exact.
func TestMatcherConcurrentChanges(t *testing.T) {
	m := NewMatcher()
	stable := []string{"s0", "s1"}
	for _, id := range stable {
		p, err := Compile([]byte(`{"source":["aws.svc1"]}`))
		if err != nil {
			t.Fatal(err)
		}
		m.Add(id, p)
	}
	ev := benchEvent(1)
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for g := 0; g < 3; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var out []string
			for {
				select {
				case <-stop:
					return
				default:
				}
				var err error
				out, err = m.MatchEvent(ev, out[:0])
				if err != nil {
					t.Error(err)
					return
				}
				for _, id := range stable {
					if !slices.Contains(out, id) {
						t.Errorf("%s missing from %v", id, out)
						return
					}
				}
			}
		}()
	}
	for i := 0; i < 200; i++ {
		p, err := Compile([]byte(benchRule(i)))
		if err != nil {
			t.Fatal(err)
		}
		id := fmt.Sprint("r", i)
		m.Add(id, p)
		if i%3 == 0 {
			m.Remove(id)
		}
	}
	close(stop)
	wg.Wait()
	got, err := m.MatchEvent(ev, nil)
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, id := range m.order {
		if ok, _ := m.rules[id].Match(ev); ok {
			want = append(want, id)
		}
	}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Fatalf("after changes: got %v, want %v", got, want)
	}
}
