package eventpattern

import (
	"fmt"
	"strings"
	"testing"

	"github.com/cockroachdb/datadriven"
)

// TestDataDriven runs testdata/*: "pattern" compiles its input (output "ok"
// or the InvalidEventPatternException text); "match" evaluates each input line
// as an event against the last pattern and prints one result per line. Every
// match is cross-checked against a one-rule Matcher.
func TestDataDriven(t *testing.T) {
	datadriven.Walk(t, "testdata", func(t *testing.T, path string) {
		var p *Pattern
		datadriven.RunTest(t, path, func(t *testing.T, d *datadriven.TestData) string {
			switch d.Cmd {
			case "pattern":
				var err error
				p, err = Compile([]byte(d.Input))
				if err != nil {
					return err.Error() + "\n"
				}
				return "ok\n"
			case "match":
				if p == nil {
					d.Fatalf(t, "match before a valid pattern")
				}
				m := NewMatcher()
				m.Add("r", p)
				var b strings.Builder
				for _, ev := range strings.Split(d.Input, "\n") {
					if strings.TrimSpace(ev) == "" {
						continue
					}
					ok, err := p.Match([]byte(ev))
					ids, merr := m.MatchEvent([]byte(ev), nil)
					if (err == nil) != (merr == nil) || (err == nil && ok != (len(ids) == 1)) {
						t.Errorf("%s: Pattern.Match=%v,%v but Matcher=%v,%v", ev, ok, err, ids, merr)
					}
					switch {
					case err != nil:
						fmt.Fprintf(&b, "error: %v\n", err)
					default:
						fmt.Fprintf(&b, "%v\n", ok)
					}
				}
				return b.String()
			}
			d.Fatalf(t, "unknown command %s", d.Cmd)
			return ""
		})
	})
}
