package eventpattern

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestMatcherRepeatedRules checks rule sets in which most conjunctions
// repeat others exactly (filed and evaluated once: groupReps) and share
// predicates over arrays (whose matching leaves are kept per event:
// predSpan) against matching the patterns one by one.
func TestMatcherRepeatedRules(t *testing.T) {
	g := gen{rand.New(rand.NewPCG(11, 12))}
	for round := 0; round < 20; round++ {
		var pool [][]byte
		for i := 0; i < 15; i++ {
			pool = append(pool, mustJSON(g.patternObject(0)))
		}
		// Array-consistency tests that many rules share.
		pool = append(pool,
			[]byte(`{"a":{"b":["x"],"c":["xy"]}}`),
			[]byte(`{"a":{"b":["x"],"c":[{"prefix":"y"}]}}`),
			[]byte(`{"a":{"b":["x"]},"d":[{"exists":true}]}`))
		m := NewMatcher()
		pats := map[string]*Pattern{}
		for i := 0; i < 150; i++ {
			addRule(t, m, pats, fmt.Sprintf("r%d", i), pool[g.r.IntN(len(pool))])
		}
		events := [][]byte{
			[]byte(`{"a":[{"b":"x","c":"xy"},{"b":"y","c":"yx"}],"d":1}`),
			[]byte(`{"a":[{"b":"y","c":"xy"},{"b":"x","c":"yx"}]}`),
			[]byte(`{"a":[{"b":["x","y"],"c":"x"}],"d":[null]}`),
		}
		for e := 0; e < 100; e++ {
			events = append(events, mustJSON(g.eventObject(0)))
		}
		for _, ev := range events {
			// Twice: the second event must not see the first's outcomes.
			for k := 0; k < 2; k++ {
				got, err := m.MatchEvent(ev, nil)
				if err != nil {
					t.Fatal(err)
				}
				want := matchOneByOne(t, pats, ev)
				slices.Sort(got)
				if !slices.Equal(got, want) {
					t.Fatalf("event %s: matcher %v, one by one %v", ev, got, want)
				}
			}
		}
	}
}
