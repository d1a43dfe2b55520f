package emf

import (
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
)

func TestHasAWS(t *testing.T) {
	for _, c := range []struct {
		in   string
		want bool
	}{
		{``, false},
		{`"_aws"`, true},
		{`{"x":1,"_aws":{}}`, true},
		{`_aws"`, false},
		{`"_aws`, false},
		{`"_aw"`, false},
		{`"__aws"`, false},
		{`_aws"_aws"`, true}, // the first match's quote opens the second
		{`a_aws"b"_aws"`, true},
		{`{"my_aws":1}`, false},
		{`"\u005faws"`, false},
	} {
		if got := hasAWS([]byte(c.in)); got != c.want {
			t.Errorf("hasAWS(%q) = %v, want %v", c.in, got, c.want)
		}
	}
}

// TestDepth: Extract and encoding/json agree on the deepest nesting.
func TestDepth(t *testing.T) {
	for _, depth := range []int{maxDepth - 1, maxDepth} {
		nest := strings.Repeat("[", depth) + strings.Repeat("]", depth)
		msg := []byte(`{"_aws":{"Timestamp":1,"CloudWatchMetrics":[]},"deep":` + nest + `}`)
		_, ok := Extract(msg)
		if want := json.Valid(msg); ok != want {
			t.Errorf("depth %d (+1 for the root): Extract ok = %v, json.Valid = %v", depth, ok, want)
		}
	}
}

// TestMaxDatums: a document producing more than maxDatums is invalid as a
// whole; one producing exactly maxDatums is not.
func TestMaxDatums(t *testing.T) {
	doc := func(sets int) []byte {
		var b strings.Builder
		b.WriteString(`{"_aws":{"Timestamp":1,"CloudWatchMetrics":[{"Namespace":"N","Dimensions":[`)
		for i := range sets {
			if i > 0 {
				b.WriteByte(',')
			}
			fmt.Fprintf(&b, `["d%d"]`, i)
		}
		b.WriteString(`],"Metrics":[`)
		for i := range maxMetrics {
			if i > 0 {
				b.WriteByte(',')
			}
			fmt.Fprintf(&b, `{"Name":"m%d"}`, i)
		}
		b.WriteString(`]}]}`)
		for i := range sets {
			fmt.Fprintf(&b, `,"d%d":"v"`, i)
		}
		values := "[" + strings.TrimSuffix(strings.Repeat("1,", maxValues), ",") + "]"
		for i := range maxMetrics {
			fmt.Fprintf(&b, `,"m%d":%s`, i, values)
		}
		b.WriteString("}")
		return []byte(b.String())
	}
	perSet := maxMetrics * maxValues
	if ds, ok := Extract(doc(maxDatums / perSet)); !ok || len(ds) != maxDatums {
		t.Errorf("at the bound: %d datums, ok %v; want %d, true", len(ds), ok, maxDatums)
	}
	if ds, ok := Extract(doc(maxDatums/perSet + 1)); ok || ds != nil {
		t.Errorf("over the bound: %d datums, ok %v; want none, false", len(ds), ok)
	}
}

// TestConcurrent: pooled extractors do not leak state between calls.
func TestConcurrent(t *testing.T) {
	msgs := corpus(t)
	want := make([][]string, len(msgs))
	for i, m := range msgs {
		ds, _ := Extract(m)
		want[i] = datumStrings(ds)
	}
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for r := range 20 {
				for i := range msgs {
					i := (i + g*7 + r) % len(msgs)
					ds, _ := Extract(msgs[i])
					if got := datumStrings(ds); strings.Join(got, "\n") != strings.Join(want[i], "\n") {
						t.Errorf("message %d: got %v, want %v", i, got, want[i])
						return
					}
				}
			}
		})
	}
	wg.Wait()
}
