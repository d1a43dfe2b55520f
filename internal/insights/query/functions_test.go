package query

import (
	"strings"
	"testing"
)

// TestFunctionTable keeps the table well-formed: unique case-insensitive
// names, sane arities, aggregates only in the aggregate groups.
func TestFunctionTable(t *testing.T) {
	seen := map[string]bool{}
	for _, f := range Functions() {
		key := strings.ToLower(f.Name)
		if seen[key] {
			t.Errorf("%s listed twice", f.Name)
		}
		seen[key] = true
		if f.MinArgs < 0 || (f.MaxArgs >= 0 && f.MaxArgs < f.MinArgs) {
			t.Errorf("%s: bad arity %d..%d", f.Name, f.MinArgs, f.MaxArgs)
		}
		agg := f.Group == GroupAggregate || f.Group == GroupStatsOnly
		if agg != (f.Kind == Aggregate) {
			t.Errorf("%s: group %s but kind %d", f.Name, f.Group, f.Kind)
		}
		if g, ok := LookupFunction(strings.ToUpper(f.Name)); !ok || g.Name != f.Name {
			t.Errorf("%s: not found case-insensitively", f.Name)
		}
	}
	if _, ok := LookupFunction("nosuchfunction"); ok {
		t.Error("unknown function found")
	}
}

// TestErrorPosition checks the AWS-style message and the line/column
// arithmetic, including multi-byte characters.
func TestErrorPosition(t *testing.T) {
	_, err := Parse("fields é,\n  count(*)")
	pe, ok := err.(*ParseError)
	if !ok {
		t.Fatalf("got %v", err)
	}
	if pe.Line != 2 || pe.Col != 3 || pe.Pos != 13 {
		t.Fatalf("got line %d col %d pos %d", pe.Line, pe.Col, pe.Pos)
	}
	want := "aggregate function count can only be used in stats at line 2 and position 2"
	if pe.Error() != want {
		t.Fatalf("got %q, want %q", pe.Error(), want)
	}
}
