package stats

import (
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/cockroachdb/datadriven"
)

// TestDataDriven runs testdata/*:
//
//	parse            one statistic per input line → canonical form or error
//	agg              builds a fresh aggregate from input lines:
//	                   values v1 v2 …   (count 1 each)
//	                   value v count
//	                   set count sum min max
//	                   compact
//	                 and prints its summary
//	compute          one statistic per input line → value, or "-" when unavailable
func TestDataDriven(t *testing.T) {
	datadriven.Walk(t, "testdata", func(t *testing.T, path string) {
		var a Agg
		datadriven.RunTest(t, path, func(t *testing.T, d *datadriven.TestData) string {
			var out strings.Builder
			switch d.Cmd {
			case "parse":
				for _, line := range lines(d.Input) {
					s, err := ParseStatistic(line)
					if err != nil {
						fmt.Fprintf(&out, "%s → error: %s\n", line, err.(*ParseError).Message("ExtendedStatistics"))
						continue
					}
					fmt.Fprintf(&out, "%s → %s\n", line, s)
				}
			case "agg":
				a = Agg{}
				for _, line := range lines(d.Input) {
					f := strings.Fields(line)
					nums := make([]float64, len(f)-1)
					for i, s := range f[1:] {
						v, err := strconv.ParseFloat(s, 64)
						if err != nil {
							d.Fatalf(t, "%s: %v", line, err)
						}
						nums[i] = v
					}
					switch f[0] {
					case "values":
						for _, v := range nums {
							a.AddValue(v, 1)
						}
					case "value":
						a.AddValue(nums[0], nums[1])
					case "set":
						a.AddSet(nums[0], nums[1], nums[2], nums[3])
					case "compact":
						a.Compact()
					default:
						d.Fatalf(t, "unknown agg line %q", line)
					}
				}
				kind := "exact"
				switch {
				case a.NoDistribution:
					kind = "no distribution"
				case a.Sketch != nil:
					kind = "sketch"
				case a.Empty():
					kind = "empty"
				}
				fmt.Fprintf(&out, "count=%s sum=%s min=%s max=%s %s\n", g(a.Count), g(a.Sum), g(a.Min), g(a.Max), kind)
			case "compute":
				for _, line := range lines(d.Input) {
					s, err := ParseStatistic(line)
					if err != nil {
						d.Fatalf(t, "%v", err)
					}
					v, ok := Compute(&a, s)
					if !ok {
						fmt.Fprintf(&out, "%s: -\n", line)
						continue
					}
					fmt.Fprintf(&out, "%s: %s\n", line, g(v))
				}
			default:
				d.Fatalf(t, "unknown command %q", d.Cmd)
			}
			return out.String()
		})
	})
}

func lines(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "#") {
			out = append(out, l)
		}
	}
	return out
}

// g prints a float rounded to 12 significant digits, so that expectations
// do not depend on the last bit of a sum.
func g(v float64) string {
	return strconv.FormatFloat(v, 'g', 12, 64)
}
