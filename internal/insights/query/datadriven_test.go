package query

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cockroachdb/datadriven"
)

// TestDataDriven runs the golden files in testdata/. One command:
//
//	parse    input: one query (it may span lines) → its canonical form, one
//	         pipeline stage per line, or "error: <message> at <line>:<col>"
//
// A regex parse command is followed by a "#   extracts:" line naming the
// fields its capture groups create. Every canonical form must parse back to
// itself. Refresh with -rewrite.
func TestDataDriven(t *testing.T) {
	for _, path := range goldenFiles(t) {
		t.Run(filepath.Base(path), func(t *testing.T) {
			datadriven.RunTest(t, path, func(t *testing.T, d *datadriven.TestData) string {
				if d.Cmd != "parse" {
					t.Fatalf("%s: unknown command %q", d.Pos, d.Cmd)
				}
				return golden(t, d.Input)
			})
		})
	}
}

// goldenFiles lists the golden files: the regular files directly in
// testdata/ (testdata/fuzz holds the fuzzer's corpus).
func goldenFiles(t testing.TB) []string {
	entries, err := os.ReadDir("testdata")
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		if e.Type().IsRegular() {
			out = append(out, filepath.Join("testdata", e.Name()))
		}
	}
	return out
}

func golden(t *testing.T, src string) string {
	q, err := Parse(src)
	if err != nil {
		pe, ok := err.(*ParseError)
		if !ok {
			t.Fatalf("%q: error is %T, not *ParseError", src, err)
		}
		return fmt.Sprintf("error: %s at %d:%d\n", pe.Msg, pe.Line, pe.Col)
	}
	canon := q.String()
	q2, err := Parse(canon)
	if err != nil {
		t.Errorf("%q: canonical form %q does not parse: %v", src, canon, err)
	} else if q2.String() != canon {
		t.Errorf("%q: canonical form %q re-parses as %q", src, canon, q2.String())
	}
	return layout(q)
}

// layout prints the canonical form with one pipeline stage per line.
func layout(q *Query) string {
	var b strings.Builder
	first := true
	line := func(s string) {
		if !first {
			b.WriteString("| ")
		}
		first = false
		b.WriteString(s)
		b.WriteByte('\n')
	}
	if q.Source != nil {
		line(q.Source.String())
	}
	for _, c := range q.Commands {
		line(c.String())
		if p, ok := c.(*ParseCmd); ok && p.Mode == ParseRegex {
			fmt.Fprintf(&b, "#   extracts: %s\n", strings.Join(p.Names, ", "))
		}
	}
	return b.String()
}
