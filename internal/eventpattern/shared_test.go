package eventpattern

import (
	"fmt"
	"slices"
	"testing"
)

// TestMatcherStampsAfterGrowth replaces a rule by one with more conjunctions
// between two events: the scratch's per-conjunction stamps are reallocated
// then, and no stamp kept from the first event (here the other rule's) may
// be taken for one of the second.
func TestMatcherStampsAfterGrowth(t *testing.T) {
	m := NewMatcher()
	m.Add("a", mustCompile(t, `{"x":["1"]}`))
	m.Add("b", mustCompile(t, `{"y":["2"]}`))
	ev := []byte(`{"x":"1","y":"2"}`)
	for i := 0; i < 3; i++ {
		got, err := m.MatchEvent(ev, nil)
		if err != nil {
			t.Fatal(err)
		}
		slices.Sort(got)
		if !slices.Equal(got, []string{"a", "b"}) {
			t.Fatalf("round %d: got %v, want [a b]", i, got)
		}
		// Same rules, one more conjunction each round.
		var or string
		for k := 0; k <= i+1; k++ {
			or += fmt.Sprintf(`,{"z":["%d"]}`, k)
		}
		m.Add("a", mustCompile(t, `{"$or":[{"x":["1"]}`+or+`]}`))
	}
}

// TestSharedPredicates checks conjunctions that share field tests, with and
// without arrays, against matching the patterns one by one, on events
// where the shared test holds, fails, or holds only in some array element.
func TestSharedPredicates(t *testing.T) {
	patterns := []string{
		`{"k":["v"],"a":{"b":["1"]}}`,
		`{"k":["v"],"a":{"c":["2"]}}`,
		`{"k":["v"],"a":{"b":["1"],"c":["2"]}}`,
		`{"k":["w"],"a":{"b":["1"],"c":["3"]}}`,
		`{"a":{"b":["1"],"c":["3"]}}`,
		`{"a":{"b":["1"]},"e":[{"exists":false}]}`,
		`{"a":{"c":["2"]},"e":[{"exists":false}]}`,
		`{"$or":[{"a":{"b":["1"]}},{"k":["v"]}],"a":{"c":["3"]}}`,
		`{"k":[{"anything-but":"w"}],"a":{"b":["1"]}}`,
		`{"k":[{"anything-but":"w"}],"a":{"c":[{"prefix":"3"}]}}`,
	}
	events := []string{
		`{"k":"v","a":{"b":"1","c":"2"}}`,
		`{"k":"v","a":[{"b":"1","c":"3"},{"b":"0","c":"2"}]}`,
		`{"k":"w","a":[{"b":"1","c":"2"},{"b":"0","c":"3"}]}`,
		`{"k":["v","w"],"a":[{"b":"1"},{"c":"3"}],"e":1}`,
		`{"k":"x","a":[{"b":["1","0"],"c":"3"}]}`,
		`{"a":{"b":"1","c":"3"}}`,
		`{"k":"v"}`,
	}
	m := NewMatcher()
	pats := map[string]*Pattern{}
	for i, src := range patterns {
		id := fmt.Sprint("p", i)
		pats[id] = mustCompile(t, src)
		m.Add(id, pats[id])
	}
	for _, ev := range events {
		got, err := m.MatchEvent([]byte(ev), nil)
		if err != nil {
			t.Fatal(err)
		}
		want := matchOneByOne(t, pats, []byte(ev))
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Errorf("%s: matcher %v, one by one %v", ev, got, want)
		}
	}
}

func mustCompile(t *testing.T, src string) *Pattern {
	t.Helper()
	p, err := Compile([]byte(src))
	if err != nil {
		t.Fatalf("%s: %v", src, err)
	}
	return p
}
