package eventpattern

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// gen produces random patterns and events over a small vocabulary, so that
// matches are frequent.
type gen struct{ r *rand.Rand }

var (
	genKeys    = []string{"a", "b", "c", "d"}
	genStrings = []string{"", "x", "xy", "Xy", "yx", "10.0.0.1", "10.0.1.7", "2001:db8::1", "a*b", "abc", "ABC"}
)

func (g gen) scalar() any {
	switch g.r.IntN(6) {
	case 0:
		return g.r.IntN(5) - 2
	case 1:
		return float64(g.r.IntN(9)) / 2
	case 2:
		return nil
	case 3:
		return g.r.IntN(2) == 0
	default:
		return genStrings[g.r.IntN(len(genStrings))]
	}
}

func (g gen) eventValue(depth int) any {
	switch n := g.r.IntN(10); {
	case n < 2 && depth < 3:
		return g.eventObject(depth + 1)
	case n < 4 && depth < 3:
		arr := []any{}
		for i := g.r.IntN(4); i > 0; i-- {
			arr = append(arr, g.eventValue(depth+1))
		}
		return arr
	default:
		return g.scalar()
	}
}

func (g gen) eventObject(depth int) map[string]any {
	o := map[string]any{}
	for _, k := range genKeys {
		if g.r.IntN(3) > 0 {
			o[k] = g.eventValue(depth)
		}
	}
	return o
}

func (g gen) matcher() any {
	s := genStrings[g.r.IntN(len(genStrings))]
	switch g.r.IntN(16) {
	case 0:
		return map[string]any{"prefix": s}
	case 1:
		return map[string]any{"suffix": map[string]any{"equals-ignore-case": s}}
	case 2:
		return map[string]any{"equals-ignore-case": s}
	case 3:
		return map[string]any{"anything-but": s}
	case 4:
		return map[string]any{"anything-but": []any{g.r.IntN(3), 1.5}}
	case 5:
		return map[string]any{"numeric": []any{">", g.r.IntN(3) - 1, "<=", 3}}
	case 6:
		return map[string]any{"numeric": []any{"<", float64(g.r.IntN(5)) / 2}}
	case 7:
		return map[string]any{"exists": g.r.IntN(2) == 0}
	case 8:
		return map[string]any{"cidr": []string{"10.0.0.0/24", "2001:db8::/64", "10.0.0.1"}[g.r.IntN(3)]}
	case 9:
		return map[string]any{"wildcard": []string{"*", "x*", "*y", "a\\*b", "*b*"}[g.r.IntN(5)]}
	case 10:
		return map[string]any{"anything-but": map[string]any{"prefix": "x"}}
	case 11:
		return map[string]any{"prefix": map[string]any{"equals-ignore-case": "x"}}
	default:
		return g.scalar()
	}
}

func (g gen) patternObject(depth int) map[string]any {
	o := map[string]any{}
	for len(o) == 0 {
		for _, k := range genKeys {
			switch n := g.r.IntN(8); {
			case n < 4:
			case n == 4 && depth < 2:
				o[k] = g.patternObject(depth + 1)
			case n == 5 && depth < 2:
				o["$or"] = []any{g.patternObject(depth + 1), g.patternObject(depth + 1)}
			default:
				var vals []any
				for i := 1 + g.r.IntN(2); i > 0; i-- {
					vals = append(vals, g.matcher())
				}
				o[k] = vals
			}
		}
	}
	return o
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

// addRule compiles src and adds it as rule id to m and to pats.
func addRule(t *testing.T, m *Matcher, pats map[string]*Pattern, id string, src []byte) {
	t.Helper()
	p, err := Compile(src)
	if err != nil {
		t.Fatalf("%s: %v", src, err)
	}
	pats[id] = p
	m.Add(id, p)
}

// TestMatcherAgreesWithPatterns checks that the indexed Matcher returns
// exactly the rules whose Pattern.Match is true, over random rules and events,
// including after removals.
func TestMatcherAgreesWithPatterns(t *testing.T) {
	g := gen{rand.New(rand.NewPCG(1, 2))}
	for round := 0; round < 20; round++ {
		m := NewMatcher()
		pats := map[string]*Pattern{}
		for i := 0; i < 200; i++ {
			addRule(t, m, pats, fmt.Sprintf("r%d", i), mustJSON(g.patternObject(0)))
		}
		for i := 0; i < 50; i++ {
			id := fmt.Sprintf("r%d", g.r.IntN(200))
			delete(pats, id)
			m.Remove(id)
		}
		for e := 0; e < 300; e++ {
			ev := mustJSON(g.eventObject(0))
			got, err := m.MatchEvent(ev, nil)
			if err != nil {
				t.Fatal(err)
			}
			want := matchOneByOne(t, pats, ev)
			slices.Sort(got)
			if !slices.Equal(got, want) {
				missing, extra := diff(want, got), diff(got, want)
				var b strings.Builder
				for _, id := range append(missing, extra...) {
					fmt.Fprintf(&b, "\n  %s: %s", id, pats[id])
				}
				t.Fatalf("event %s\nmissing %v extra %v%s", ev, missing, extra, b.String())
			}
		}
	}
}

func diff(a, b []string) []string {
	var out []string
	for _, x := range a {
		if !slices.Contains(b, x) {
			out = append(out, x)
		}
	}
	return out
}

func FuzzCompile(f *testing.F) {
	for _, s := range []string{
		`{"source":["aws.ec2"]}`, `{"a":[{"numeric":[">",0,"<=",5]}]}`, `{"$or":[{"a":["b"]},{"c":[1]}]}`,
		`{"a":[{"anything-but":{"equals-ignore-case":["x"]}}]}`, `{"a":[{"wildcard":"a\\*b*"}]}`,
		`{"a":[{"cidr":"10.0.0.0/8"}]}`, `{"a":{"b":[{"exists":false}]}}`, `{"a":[null,"",true,1e3]}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := Compile(b)
		if err != nil {
			if _, ok := err.(*PatternError); !ok {
				t.Fatalf("error of type %T", err)
			}
			return
		}
		if !json.Valid(b) {
			t.Fatalf("accepted invalid JSON %q", b)
		}
		// A compiled pattern must evaluate without panicking.
		_, _ = p.Match([]byte(`{"a":"b","c":[1,{"d":null}]}`))
	})
}

func FuzzMatch(f *testing.F) {
	f.Add([]byte(`{"a":[{"prefix":"x"}],"b":{"c":[{"numeric":[">",1]}]}}`), []byte(`{"a":"xy","b":[{"c":2},{"c":0}]}`))
	f.Add([]byte(`{"a":{"b":["1"],"c":["2"]}}`), []byte(`{"a":[{"b":"1","c":"3"},{"b":"0","c":"2"}]}`))
	f.Add([]byte(`{"$or":[{"a":[{"exists":false}]},{"a":[{"cidr":"::/0"}]}]}`), []byte(`{"a":"::1"}`))
	f.Fuzz(func(t *testing.T, pat, ev []byte) {
		p, err := Compile(pat)
		if err != nil {
			return
		}
		ok, err := p.Match(ev)
		if err == nil && !json.Valid(ev) {
			// Structure is always checked; string contents in skipped
			// subtrees are not, so only flag structural acceptance of
			// something encoding/json cannot even tokenize as an object.
			var v map[string]any
			if json.Unmarshal(ev, &v) != nil && !strings.Contains(string(ev), "\\") {
				t.Logf("accepted event encoding/json rejects: %q", ev)
			}
		}
		m := NewMatcher()
		m.Add("r", p)
		// A second rule with the same field tests evaluates them from the
		// outcomes the first left (shared.go).
		m.Add("s", p)
		ids, merr := m.MatchEvent(ev, nil)
		if (err == nil) != (merr == nil) {
			t.Fatalf("error mismatch: %v vs %v", err, merr)
		}
		if err == nil && (ok && len(ids) != 2 || !ok && len(ids) != 0) {
			t.Fatalf("Pattern.Match=%v Matcher=%v for %s on %s", ok, ids, pat, ev)
		}
	})
}

// matchOneByOne returns the ids of the patterns that match ev, each tried
// alone, sorted: what a Matcher holding them must answer.
func matchOneByOne(t *testing.T, pats map[string]*Pattern, ev []byte) []string {
	t.Helper()
	var ids []string
	for id, p := range pats {
		ok, err := p.Match(ev)
		if err != nil {
			t.Fatal(err)
		}
		if ok {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	return ids
}
