package insights

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/vigilhq/vigil/internal/insights/funcs"
	"github.com/vigilhq/vigil/internal/insights/query"
)

// LookupTable is a lookup table as the lookup command reads it: the CSV
// header's column names and the data rows, each as long as Columns. A
// LookupTable must not change once a query may hold it; concurrent queries
// share it.
type LookupTable struct {
	Columns []string
	Rows    [][]string
}

// LookupTables gives the lookup command the tables of the query's account
// and region (CreateLookupTable). It is called once per lookup command when
// the query starts to run.
type LookupTables interface {
	LookupTable(name string) (*LookupTable, bool)
}

// lookupPlan is one lookup command (CWL_QuerySyntax-Lookup): the row whose
// key columns equal the log fields gives the output columns. The table and
// its index are bound when the query runs.
//
// Matching compares the printed values exactly (case-sensitive); a log
// field without a value matches no row, and an empty cell matches no log
// field. When several rows match, the first in the table wins. An output
// cell that is empty yields no value (the field is null). These are our
// decisions: the guide is silent on them.
type lookupPlan struct {
	cmd     *query.LookupCmd
	keys    []evalFn // the log field matched against each key column
	outputs []evalFn // the current value of each output field (OUTPUTNEW)

	table *LookupTable
	index map[string]int // key → first row holding it
	cols  []int          // column of each output
}

// lookupStage compiles cmd and adds its outputs to the result columns
// after those chosen so far; a query that chose none keeps the default
// columns before them (the command "appends the specified output fields to
// the results").
func lookupStage(c *compiler, cmd *query.LookupCmd, cols []string) (stage, []string) {
	lp := &lookupPlan{cmd: cmd}
	for _, k := range cmd.Keys {
		f := k.LogField
		if f == nil {
			f = &query.FieldRef{Pos: cmd.Pos, Path: []query.PathElem{{Name: k.Column}}}
		}
		lp.keys = append(lp.keys, c.fieldRef(f))
	}
	if cols == nil {
		cols = slices.Clone(defaultCols)
	}
	for _, o := range cmd.Outputs {
		lp.outputs = append(lp.outputs, c.fieldRef(&query.FieldRef{Pos: cmd.Pos, Path: []query.PathElem{{Name: o}}}))
		if !slices.Contains(cols, o) {
			cols = append(cols, o)
		}
	}
	return stage{kind: stLookup, lookup: lp}, cols
}

// bind resolves the table and indexes its rows by the key columns.
func (lp *lookupPlan) bind(tables LookupTables) error {
	name := lp.cmd.Table
	var t *LookupTable
	ok := false
	if tables != nil {
		t, ok = tables.LookupTable(name)
	}
	if !ok {
		return fmt.Errorf("lookup table %s does not exist", name)
	}
	column := func(col string) (int, error) {
		i := slices.Index(t.Columns, col)
		if i < 0 {
			return 0, fmt.Errorf("lookup table %s has no column %s", name, col)
		}
		return i, nil
	}
	keyCols := make([]int, len(lp.cmd.Keys))
	for i, k := range lp.cmd.Keys {
		var err error
		if keyCols[i], err = column(k.Column); err != nil {
			return err
		}
	}
	lp.cols = make([]int, len(lp.cmd.Outputs))
	for i, o := range lp.cmd.Outputs {
		var err error
		if lp.cols[i], err = column(o); err != nil {
			return err
		}
	}
	lp.table, lp.index = t, make(map[string]int, len(t.Rows))
	var b strings.Builder
	for ri, r := range t.Rows {
		b.Reset()
		complete := true
		for _, ci := range keyCols {
			complete = complete && r[ci] != ""
			writeKeyPart(&b, r[ci])
		}
		if _, dup := lp.index[b.String()]; complete && !dup {
			lp.index[b.String()] = ri
		}
	}
	return nil
}

// writeKeyPart appends one key value, length-prefixed so that no two
// different value lists make the same key.
func writeKeyPart(b *strings.Builder, s string) {
	b.WriteString(strconv.Itoa(len(s)))
	b.WriteByte(':')
	b.WriteString(s)
}

// apply sets the output fields of r: OUTPUT overwrites them, with null
// when no row matches; OUTPUTNEW sets only those without a value and
// leaves them alone when no row matches.
func (lp *lookupPlan) apply(r *row) {
	var b strings.Builder
	matched := true
	for _, k := range lp.keys {
		v := k(r, nil)
		if v.IsNull() {
			matched = false
			break
		}
		writeKeyPart(&b, v.String())
	}
	ri, found := lp.index[b.String()]
	matched = matched && found
	for i, col := range lp.cols {
		name := lp.cmd.Outputs[i]
		switch {
		case lp.cmd.New && hasValue(lp.outputs[i](r, nil)):
		case matched && lp.table.Rows[ri][col] != "":
			r.set(name, funcs.Str(lp.table.Rows[ri][col]))
		case !lp.cmd.New:
			r.set(name, funcs.Null)
		}
	}
}

// hasValue: OUTPUTNEW keeps v. An empty string is no value: the guide's
// OUTPUTNEW example fills in a hostname that is "sometimes empty".
func hasValue(v funcs.Value) bool { return !v.IsNull() && v.String() != "" }
