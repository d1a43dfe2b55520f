package insights

import "github.com/vigilhq/vigil/internal/insights/funcs"

// takeSorted is sortsFirst(field) and sortsLast(field): "the value of
// fieldName that sorts first (last) in the queried logs" (the stats
// non-aggregation functions of the syntax reference). Sorts first means
// first in the order of the sort command ascending (compareValues), so the
// two always agree; rows without a value are skipped, as sort puts them
// last.
//
// Our decision where the guide is silent: among values that sort equal
// ("5" and 5), the one of the earliest event (timestamp, then arrival)
// wins for both functions, so the result does not depend on how blocks
// were split among workers. Rows that are not events (a second stats) all
// tie there, and the first one wins.
func (a *acc) takeSorted(k aggKind, v funcs.Value, ts int64, seq uint64) {
	if a.has {
		c := compareValues(v, a.ext)
		if k == aggSortsLast {
			c = -c
		}
		earlier := ts < a.extTs || ts == a.extTs && seq < a.extSeq
		if c > 0 || c == 0 && !earlier {
			return
		}
	}
	a.has, a.ext, a.extTs, a.extSeq = true, v, ts, seq
}
