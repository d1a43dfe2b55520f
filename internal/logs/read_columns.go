package logs

import (
	"github.com/vigilhq/vigil/internal/logs/filterpattern"
	"github.com/vigilhq/vigil/internal/logstore"
)

// columnFilter returns, for a JSON filter pattern over top-level properties
// ({ $.level = "ERROR" && $.status >= 500 }), the log store's column
// filter: a JSON event of a column-wise block is tested on its properties'
// columns, and only the events that pass get their messages rebuilt (and
// matched again). Nil for other patterns.
func columnFilter(pat *filterpattern.Pattern) func(*logstore.Columns) (func(int) bool, error) {
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
