package logs

import (
	"slices"

	"github.com/vigilhq/vigil/internal/logs/filterpattern"
	"github.com/vigilhq/vigil/internal/logstore"
)

// columnFilter returns the log store's column filter for pat (a row of a
// column-wise block that it rejects has its message neither rebuilt nor
// matched), or nil when pat's kind has none.
func columnFilter(pat *filterpattern.Pattern) func(*logstore.Columns) (func(int) bool, error) {
	switch pat.Kind() {
	case filterpattern.KindJSON:
		return jsonColumnFilter(pat)
	case filterpattern.KindTerms:
		return termColumnFilter(pat)
	}
	return nil
}

// termColumnFilter: a row is kept only when, for one of the pattern's
// alternatives, its message contains each of the alternative's texts,
// decided on the block's shapes and columns without rebuilding messages
// (logstore's Columns.FindText); Match then decides on the rows kept
// (excluded terms). A text FindText cannot decide (logstore.TextSafe) is
// left out of its alternative; an alternative left with none keeps every
// row, and then there is no filter.
func termColumnFilter(pat *filterpattern.Pattern) func(*logstore.Columns) (func(int) bool, error) {
	clauses, _ := pat.TermClauses()
	var texts []string // distinct, each searched once per block
	alts := make([][]int, len(clauses))
	for i, clause := range clauses {
		for _, t := range clause {
			if !logstore.TextSafe(t) {
				continue
			}
			k := slices.Index(texts, t)
			if k < 0 {
				k, texts = len(texts), append(texts, t)
			}
			alts[i] = append(alts[i], k)
		}
		if len(alts[i]) == 0 {
			return nil
		}
	}
	return func(c *logstore.Columns) (func(int) bool, error) {
		found := make([][]bool, len(texts))
		for k, t := range texts {
			found[k] = make([]bool, c.Len())
			if err := c.FindText(t, found[k]); err != nil {
				return nil, err
			}
		}
		return func(row int) bool {
			for _, alt := range alts {
				if !slices.ContainsFunc(alt, func(k int) bool { return !found[k][row] }) {
					return true
				}
			}
			return false
		}, nil
	}
}

// jsonColumnFilter: for a JSON filter pattern over top-level properties
// ({ $.level = "ERROR" && $.status >= 500 }), a JSON event of a
// column-wise block is tested on its properties' columns, and only the
// events that pass get their messages rebuilt (and matched again). Nil for
// other JSON patterns.
func jsonColumnFilter(pat *filterpattern.Pattern) func(*logstore.Columns) (func(int) bool, error) {
	keys, ok := pat.TopLevelKeys()
	if !ok {
		return nil
	}
	kinds := [...]struct {
		store logstore.ValueKind
		leaf  filterpattern.LeafKind
	}{
		{logstore.KindString, filterpattern.LeafString},
		{logstore.KindScalar, filterpattern.LeafScalar},
		{logstore.KindContainer, filterpattern.LeafContainer},
	}
	return func(c *logstore.Columns) (func(int) bool, error) {
		// Per key, its columns of each kind (a key's values may differ
		// in kind from event to event).
		ids := make([][len(kinds)]int, len(keys))
		for k, key := range keys {
			for j, kind := range kinds {
				id := c.Column(key, kind.store)
				if id >= 0 {
					if err := c.Load(id); err != nil {
						return nil, err
					}
				}
				ids[k][j] = id
			}
		}
		leaves := make([]filterpattern.JSONLeaf, len(keys))
		var scratch []byte
		return func(row int) bool {
			if !c.Split(row) {
				return true // kept whole: Match decides
			}
			for k := range keys {
				leaves[k] = filterpattern.JSONLeaf{Kind: filterpattern.LeafMissing}
				for j, id := range ids[k] {
					if id < 0 {
						continue
					}
					if v, ok := c.Value(id, row); ok {
						leaves[k] = filterpattern.JSONLeaf{Kind: kinds[j].leaf, Text: v}
						break
					}
				}
			}
			var ok bool
			ok, scratch = pat.MatchLeaves(leaves, scratch)
			return ok
		}, nil
	}
}
