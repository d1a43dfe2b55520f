package insights

import "github.com/vigilhq/vigil/internal/insights/funcs"

// parseMultiStage is "parse [field] /regex/ multi" (CWL_QuerySyntax-Parse,
// "Multi-match mode"): every match of the regular expression in the field
// gives a row, with the named groups of that match, so one event gives
// several rows.
//
// The parse page: "If a log event doesn't match the specified pattern, you
// still see it in the results, but without the extracted fields"; so an
// event with no match (or without the field) stays one row, unchanged.
// Our decision where the guide is silent: a match of no characters is not
// a match (/(?<d>\d*)/ multi gives the digit runs, not a row at every
// position without a digit).
type parseMultiStage struct {
	p *parsePlan
}

func (s parseMultiStage) apply(rows []*row) []*row {
	out := make([]*row, 0, len(rows))
	for _, r := range rows {
		n := len(out)
		if v := s.p.src(r, nil); !v.IsNull() {
			text := v.String()
			for _, m := range s.p.re.FindAllStringSubmatchIndex(text, -1) {
				if m[0] == m[1] {
					continue
				}
				c := r.clone()
				s.setGroups(c, text, m)
				out = append(out, c)
			}
		}
		if len(out) == n {
			out = append(out, r)
		}
	}
	return out
}

// setGroups sets the named groups of match m of text that took part in it.
func (s parseMultiStage) setGroups(r *row, text string, m []int) {
	for j, name := range s.p.names {
		k := s.p.idx[j]
		if k < 0 || m[2*k] < 0 {
			continue
		}
		r.set(name, funcs.Str(text[m[2*k]:m[2*k+1]]))
	}
}
