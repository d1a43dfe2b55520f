package filterpattern

import (
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/cockroachdb/datadriven"
)

// TestDataDriven runs the golden files in testdata/. Commands:
//
//	parse            input: one pattern per line → its normal form, or the error
//	match            input: the pattern, then one event per line → "match" or "no"
//	extract          input: the pattern, then events → the extracted fields
//	value ref=$x     input: the pattern, then events → the value of ref
//	required         input: one pattern per line → its RequiredSubstrings
//
// A pattern line <empty> stands for the empty pattern. Refresh with -rewrite.
func TestDataDriven(t *testing.T) {
	datadriven.Walk(t, "testdata", func(t *testing.T, path string) {
		datadriven.RunTest(t, path, func(t *testing.T, d *datadriven.TestData) string {
			lines := strings.Split(d.Input, "\n")
			pat := func(s string) string {
				if s == "<empty>" {
					return ""
				}
				return s
			}
			switch d.Cmd {
			case "parse":
				var b strings.Builder
				for _, l := range lines {
					p, err := Parse(pat(l))
					if err != nil {
						fmt.Fprintf(&b, "%s\n  error: %v\n", l, err)
						continue
					}
					fmt.Fprintf(&b, "%s\n  %s: %s\n", l, p.Kind(), p.String())
					// Every normal form must parse back to itself.
					p2, err := Parse(p.String())
					if err != nil || p2.String() != p.String() {
						t.Errorf("%q: normal form %q does not round-trip: %v", l, p.String(), err)
					}
				}
				return b.String()
			case "match", "extract", "value":
				if len(lines) == 0 {
					t.Fatalf("%s: missing pattern", d.Pos)
				}
				p, err := Parse(pat(lines[0]))
				if err != nil {
					return "error: " + err.Error() + "\n"
				}
				var ref string
				if d.Cmd == "value" {
					d.ScanArgs(t, "ref", &ref)
				}
				var b strings.Builder
				for _, msg := range lines[1:] {
					switch d.Cmd {
					case "match":
						if p.Match(msg) {
							fmt.Fprintf(&b, "match  %s\n", msg)
						} else {
							fmt.Fprintf(&b, "no     %s\n", msg)
						}
					case "extract":
						f, ok := p.Extract(msg)
						if ok != p.Match(msg) {
							t.Errorf("Extract and Match disagree on %q", msg)
						}
						if !ok {
							fmt.Fprintf(&b, "no     %s\n", msg)
							continue
						}
						keys := make([]string, 0, len(f))
						for k := range f {
							keys = append(keys, k)
						}
						sort.Strings(keys)
						fmt.Fprintf(&b, "match  %s\n", msg)
						for _, k := range keys {
							fmt.Fprintf(&b, "  %s: %q\n", k, f[k])
						}
					case "value":
						v, ok := p.Value(msg, ref)
						if ok {
							fmt.Fprintf(&b, "%q  %s\n", v, msg)
						} else {
							fmt.Fprintf(&b, "-  %s\n", msg)
						}
					}
				}
				return b.String()
			case "required":
				var b strings.Builder
				for _, l := range lines {
					p, err := Parse(pat(l))
					if err != nil {
						fmt.Fprintf(&b, "%s\n  error: %v\n", l, err)
						continue
					}
					req := p.RequiredSubstrings()
					if req == nil {
						fmt.Fprintf(&b, "%s\n  none\n", l)
						continue
					}
					fmt.Fprintf(&b, "%s\n", l)
					for _, r := range req {
						fmt.Fprintf(&b, "  %q\n", r)
					}
				}
				return b.String()
			case "checkref":
				p, err := Parse(pat(lines[0]))
				if err != nil {
					return "error: " + err.Error() + "\n"
				}
				var b strings.Builder
				for _, r := range lines[1:] {
					if err := p.CheckRef(r); err != nil {
						fmt.Fprintf(&b, "%s: %v\n", r, err)
					} else {
						fmt.Fprintf(&b, "%s: ok\n", r)
					}
				}
				return b.String()
			}
			t.Fatalf("%s: unknown command %q", d.Pos, d.Cmd)
			return ""
		})
	})
}
