package logstore

import (
	"bytes"
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
