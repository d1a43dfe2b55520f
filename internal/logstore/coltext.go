package logstore

import (
	"bytes"
	"slices"
	"strings"
)

// TextSafe reports whether a message of a column-wise block can contain s
// only within one of its shape's literals or within one of its values,
// which FindText needs: s has no JSON structural character, quote,
// backslash or control character anywhere, and no white space at either
// end (white space between a literal and a scalar value could be spanned).
func TextSafe(s string) bool {
	if s == "" || strings.TrimSpace(s) != s {
		return false
	}
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c < 0x20, c == '{', c == '}', c == '[', c == ']', c == ':', c == ',', c == '"', c == '\\':
			return false
		}
	}
	return true
}

// Len is the number of rows in the view.
func (c *Columns) Len() int { return c.n }

// FindText sets found[i] for every row i whose message contains s, which
// must be TextSafe, without rebuilding messages: a message holds s exactly
// when one of its shape's literals or one of its values does. Columns whose
// byte set or trigram summary cannot hold s are not even decompressed, nor
// those whose word index decides it (s of letters only, in rare words);
// the others are searched in one pass over their bytes.
func (c *Columns) FindText(s string, found []bool) error {
	inShape := make([]bool, len(c.shapes))
	for k, sh := range c.shapes {
		for _, l := range sh.Lits {
			if bytes.Contains(l, []byte(s)) {
				inShape[k] = true
				break
			}
		}
	}
	for i := range c.n {
		if inShape[c.Shape(i)] {
			found[i] = true
		}
	}
	for id := range c.cols {
		if !c.MayContain(id, s) || c.SearchWords(id, s, found) {
			continue
		}
		if err := c.Load(id); err != nil {
			return err
		}
		c.Search(id, s, found)
	}
	return nil
}

// textFilter applies a Query's AnyOf to a block's rows before their
// messages are matched (and, in a column-wise block, rebuilt).
type textFilter struct {
	texts []string // distinct, each searched once per block
	// probes are what is searched on columns, per text: the text when it
	// is TextSafe (found is then exact), else its longest TextSafe piece
	// (found then holds the rows that may contain the text: a row holds
	// the text only if it holds every piece of it), or "" (left to Match).
	probes []string
	alts   [][]int  // AnyOf by index in texts
	found  [][]bool // per text: per row of the current block
}

// minProbe is the shortest piece of a text worth searching on columns in
// place of the text: a shorter one is in most rows.
const minProbe = 3

// safePiece returns the longest piece of s that is TextSafe, the last of
// equally long ones (in `"key":"value"` the value is the rarer), or ""
// when it is shorter than minProbe.
func safePiece(s string) string {
	best := ""
	for _, p := range strings.FieldsFunc(s, func(r rune) bool {
		return r < 0x20 || strings.ContainsRune("{}[]:,\\\"", r)
	}) {
		if p = strings.TrimSpace(p); len(p) >= len(best) && TextSafe(p) {
			best = p
		}
	}
	if len(best) < minProbe {
		return ""
	}
	return best
}

func newTextFilter(anyOf [][]string) *textFilter {
	if len(anyOf) == 0 {
		return nil
	}
	tf := &textFilter{alts: make([][]int, len(anyOf))}
	for i, alt := range anyOf {
		if !slices.ContainsFunc(alt, func(s string) bool { return s != "" }) {
			return nil // an alternative of no text (or only empty ones): every row meets it
		}
		for _, s := range alt {
			if s == "" {
				continue
			}
			k := slices.Index(tf.texts, s)
			if k < 0 {
				probe := s
				if !TextSafe(s) {
					probe = safePiece(s)
				}
				k, tf.texts, tf.probes = len(tf.texts), append(tf.texts, s), append(tf.probes, probe)
			}
			tf.alts[i] = append(tf.alts[i], k)
		}
	}
	tf.found = make([][]bool, len(tf.texts))
	return tf
}

// reset sizes found for n rows, all false.
func (tf *textFilter) reset(n int) {
	for k := range tf.found {
		tf.found[k] = slices.Grow(tf.found[k][:0], n)[:n]
		clear(tf.found[k])
	}
}

// onColumns finds the texts' probes in a column-wise block's columns.
// Texts without one are left out of their alternatives; false when one is
// left with none (its rows must be rebuilt to be decided).
func (tf *textFilter) onColumns(c *Columns) (bool, error) {
	for _, alt := range tf.alts {
		if !slices.ContainsFunc(alt, func(k int) bool { return tf.probes[k] != "" }) {
			return false, nil
		}
	}
	tf.reset(c.Len())
	for k, probe := range tf.probes {
		if probe != "" {
			if err := c.FindText(probe, tf.found[k]); err != nil {
				return false, err
			}
		} else {
			for i := range tf.found[k] {
				tf.found[k][i] = true // left to the matcher
			}
		}
	}
	return true, nil
}

// onMessages finds the texts in the messages of rows lo to hi of b, each
// with one search of their bytes.
func (tf *textFilter) onMessages(b *Block, lo, hi int) {
	tf.reset(b.Len())
	for k, s := range tf.texts {
		found := tf.found[k]
		searchValues(b.Msgs, b.Offsets, lo, hi, s, func(i int) { found[i] = true })
	}
}

// keep reports whether row i holds every text of one alternative.
func (tf *textFilter) keep(i int) bool {
	for _, alt := range tf.alts {
		if !slices.ContainsFunc(alt, func(k int) bool { return !tf.found[k][i] }) {
			return true
		}
	}
	return false
}
