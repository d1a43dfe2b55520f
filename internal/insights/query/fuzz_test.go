package query

import (
	"os"
	"strings"
	"testing"
)

// FuzzParse checks that Parse never panics and that whatever parses has a
// canonical form that parses back to the same canonical form. The golden
// queries in testdata/ seed the corpus.
func FuzzParse(f *testing.F) {
	for _, name := range goldenFiles(f) {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		// Each "parse" directive's input runs up to its "----" line.
		for _, block := range strings.Split(string(data), "\nparse\n")[1:] {
			if i := strings.Index(block, "\n----"); i >= 0 {
				f.Add(block[:i])
			}
		}
	}
	f.Fuzz(func(t *testing.T, src string) {
		q, err := Parse(src)
		if err != nil {
			if _, ok := err.(*ParseError); !ok {
				t.Fatalf("%q: error %T is not a *ParseError", src, err)
			}
			return
		}
		canon := q.String()
		q2, err := Parse(canon)
		if err != nil {
			t.Fatalf("%q: canonical form %q does not parse: %v", src, canon, err)
		}
		if got := q2.String(); got != canon {
			t.Fatalf("%q: canonical form %q re-parses as %q", src, canon, got)
		}
	})
}
