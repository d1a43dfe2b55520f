package query

import (
	"strings"
	"testing"
)

// TestTypedTree checks the tree an executor reads, beyond its printed form.
func TestTypedTree(t *testing.T) {
	const src = `SOURCE logGroups(namePrefix: ['/aws/lambda/']) | parse @message /took (?<ms>\d+)ms/ | filter json.users[1].name like "bob" | stats count(*) as n, pct(ms, 99) by bin(5m) as t | sort n desc | limit 5`
	q := MustParse(src)
	if q.Source == nil || q.Source.LogGroups == nil || q.Source.LogGroups.NamePrefixes[0] != "/aws/lambda/" {
		t.Fatalf("source: %+v", q.Source)
	}
	if len(q.Commands) != 5 {
		t.Fatalf("got %d commands", len(q.Commands))
	}
	p := q.Commands[0].(*ParseCmd)
	if p.Mode != ParseRegex || p.SourceField() != "@message" || len(p.Names) != 1 || p.Names[0] != "ms" || p.Regex == nil {
		t.Fatalf("parse: %+v", p)
	}
	f := q.Commands[1].(*FilterCmd)
	like := f.Cond.(*Like)
	field := like.X.(*FieldRef)
	if field.Name() != "json.users[1].name" || len(field.Path) != 4 || !field.Path[2].IsIndex || field.Path[2].Index != 1 {
		t.Fatalf("field: %+v", field.Path)
	}
	if s, ok := like.Pattern.(*StringLit); !ok || s.Value != "bob" || like.Op != OpLike || like.Not {
		t.Fatalf("like: %+v", like)
	}
	st := q.Commands[2].(*StatsCmd)
	c := st.Aggs[0].Expr.(*Call)
	if c.Func.Kind != Aggregate || c.Name != "count" || st.Aggs[0].Name() != "n" {
		t.Fatalf("count: %+v", c)
	}
	if _, ok := c.Args[0].(*Star); !ok {
		t.Fatalf("count arg: %T", c.Args[0])
	}
	if st.Aggs[1].Name() != "pct(ms, 99)" {
		t.Fatalf("unaliased column name %q", st.Aggs[1].Name())
	}
	bin := st.By[0].Expr.(*Call)
	d := bin.Args[0].(*DurationLit)
	if bin.Name != "bin" || d.Amount != 5 || d.Unit != "m" || st.By[0].Alias != "t" {
		t.Fatalf("bin: %+v %+v", bin, d)
	}
	s := q.Commands[3].(*SortCmd)
	if s.Keys[0].Order != SortDesc {
		t.Fatalf("sort: %+v", s.Keys)
	}
	if l := q.Commands[4].(*LimitCmd); l.N != 5 {
		t.Fatalf("limit: %d", l.N)
	}
	if q.Commands[2].Start() != strings.Index(src, "stats") {
		t.Fatalf("stats starts at %d", q.Commands[2].Start())
	}
}
