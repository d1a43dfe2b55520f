package insights

import (
	"github.com/vigilhq/vigil/internal/insights/funcs"
	"github.com/vigilhq/vigil/internal/insights/query"
)

// unnestStage is "unnest field into name" (CWL_QuerySyntax-Unnest): the
// row is replaced by one row per element of the list in field, each with
// the element in name and every other field of the original row.
//
// The guide: the input is a LIST (from jsonParse), and "any other types,
// such as MAP, String and numbers, are treated as a list with one item".
// So a string is one item even when its text is a JSON array: jsonParse it
// first, as the guide's examples do. Our decisions where it is silent: a
// missing field, like an empty list, has no items and so yields no row
// ("based on the number of items a field contains, this command discards
// the current record and generates new records"); a null element of a list
// yields a row without name.
//
// It is a blocking stage: one event becomes any number of rows, which the
// scan workers' one-row pipeline does not model.
type unnestStage struct {
	src  evalFn
	into string
}

func compileUnnest(c *compiler, cmd *query.UnnestCmd) stage {
	return stage{kind: stRows, rows: &unnestStage{src: c.fieldRef(cmd.Field), into: cmd.Into}}
}

func (u *unnestStage) apply(rows []*row) []*row {
	out := make([]*row, 0, len(rows))
	emit := func(r *row, v funcs.Value) {
		c := r.clone()
		c.set(u.into, v)
		out = append(out, c)
	}
	for _, r := range rows {
		v := u.src(r, nil)
		switch v.Kind() {
		case funcs.KindNull:
		case funcs.KindList:
			for _, el := range v.Elems() {
				emit(r, el)
			}
		default:
			emit(r, v)
		}
	}
	return out
}
