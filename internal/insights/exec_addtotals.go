package insights

import (
	"slices"

	"github.com/vigilhq/vigil/internal/insights/funcs"
	"github.com/vigilhq/vigil/internal/insights/query"
)

// addTotalsPlan is "addtotals [fieldname=Name] [row=bool] [col=bool]
// [field, ...]" (CWL_QuerySyntax-Addtotals): a row total column, named
// Total unless fieldname says otherwise, on unless row=false; and with
// col=true a summary row at the bottom holding the column totals. It sums
// the listed fields, or "all numeric fields" when none are listed.
//
// Our decisions where the guide is silent:
//   - "All numeric fields" are the result columns the query has chosen
//     before addtotals (fields, display, stats; the default columns when
//     it chose none), less the total column itself: those are the fields a
//     row shows.
//   - A value is numeric when it is a number or a string that reads as one
//     ("12", not "12ms"); timestamps and booleans are not summed.
//   - A row without any numeric value among the fields has no total, as
//     sum() over no values has none.
//   - The summary row holds the total of each summed field that had a
//     numeric value and, with row totals, the grand total; it has no other
//     cell, no label and no @ptr (it is no event). It follows the rows that
//     reach addtotals, so commands after it see it as one more row; there
//     is none when no row reaches it.
//   - The row total column is added after the query's columns (after the
//     default columns when the query chose none).
type addTotalsPlan struct {
	names []string // the summed fields
	fns   []evalFn
	total string // the row total column; "" with row=false
}

// addTotalsStage compiles cmd and returns it with the result columns: cols,
// the columns so far, and the row total column.
func addTotalsStage(c *compiler, cmd *query.AddTotalsCmd, cols []string) (stage, []string) {
	name := cmd.FieldName
	if name == "" {
		name = "Total"
	}
	p := &addTotalsPlan{}
	if len(cmd.Fields) > 0 {
		for _, f := range cmd.Fields {
			p.names = append(p.names, f.Name())
			p.fns = append(p.fns, c.fieldRef(f))
		}
	} else {
		shown := cols
		if shown == nil {
			shown = defaultCols
		}
		env := c.env
		for _, n := range shown {
			if n == name {
				continue
			}
			p.names = append(p.names, n)
			p.fns = append(p.fns, func(r *row, _ []funcs.Value) funcs.Value { return r.field(env, n, n) })
		}
	}
	row := cmd.Row == nil || *cmd.Row
	if row {
		p.total = name
		if cols == nil {
			cols = slices.Clone(defaultCols)
		}
		if !slices.Contains(cols, name) {
			cols = append(cols, name)
		}
	}
	if cmd.Col != nil && *cmd.Col {
		return stage{kind: stRows, rows: p}, cols
	}
	// Row totals alone are row-local: they run in the scan workers.
	s := stage{kind: stFields}
	if row {
		s.projs = []proj{{name, p.rowTotal}}
	}
	return s, cols
}

// numericValue is the number a summed field contributes, if any.
func numericValue(v funcs.Value) (float64, bool) {
	switch v.Kind() {
	case funcs.KindNumber:
		return v.Float(), true
	case funcs.KindString:
		return funcs.ParseNumber(v.Text())
	}
	return 0, false
}

func (p *addTotalsPlan) rowTotal(r *row, _ []funcs.Value) funcs.Value {
	sum, any := 0.0, false
	for _, fn := range p.fns {
		if x, ok := numericValue(fn(r, nil)); ok {
			sum, any = sum+x, true
		}
	}
	if !any {
		return funcs.Null
	}
	return funcs.Num(sum)
}

// apply adds the row totals (with row totals on) and the summary row.
func (p *addTotalsPlan) apply(rows []*row) []*row {
	if len(rows) == 0 {
		return rows
	}
	out := make([]*row, 0, len(rows)+1)
	sums := make([]float64, len(p.fns))
	has := make([]bool, len(p.fns))
	for _, r := range rows {
		if p.total != "" {
			c := r.clone()
			c.set(p.total, p.rowTotal(r, nil))
			r = c
		}
		for i, fn := range p.fns {
			if x, ok := numericValue(fn(r, nil)); ok {
				sums[i], has[i] = sums[i]+x, true
			}
		}
		out = append(out, r)
	}
	summary := &row{}
	grand, any := 0.0, false
	for i, n := range p.names {
		if has[i] {
			summary.set(n, funcs.Num(sums[i]))
			grand, any = grand+sums[i], true
		}
	}
	if p.total != "" && any {
		summary.set(p.total, funcs.Num(grand))
	}
	return append(out, summary)
}
