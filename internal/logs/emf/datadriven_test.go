package emf

import (
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/cockroachdb/datadriven"

	"github.com/vigilhq/vigil/internal/metricstore"
)

// TestDataDriven runs the golden files in testdata/. One command:
//
//	extract [count]    input: one log event message (it may span lines)
//
// The output is "ok" and the datums, or "not EMF"/"invalid" and the reason;
// lines starting with "dropped:" say which directives, dimension sets or
// metrics were skipped, and why. Datums read
//
//	Namespace MetricName {Dim=Value,...} t=<ms> v=<values> [unit=<Unit>] [hires]
//
// one line for consecutive datums that differ only in their value (v=3,1.5,3
// is three datums). With count, only the number of datums is shown.
// Refresh with -rewrite.
func TestDataDriven(t *testing.T) {
	datadriven.Walk(t, "testdata", func(t *testing.T, path string) {
		datadriven.RunTest(t, path, func(t *testing.T, d *datadriven.TestData) string {
			switch d.Cmd {
			case "extract":
				return runExtract(t, []byte(d.Input), d.HasArg("count"))
			default:
				t.Fatalf("%s: unknown command %q", d.Pos, d.Cmd)
				return ""
			}
		})
	})
}

func runExtract(t *testing.T, msg []byte, count bool) string {
	var notes []string
	x := extractor{msg: msg, notes: &notes}
	ds, ok := x.run()
	if !strings.Contains(string(msg), `"_aws"`) {
		ds, ok, notes = nil, false, []string{"not EMF: no \"_aws\" in the message"}
	}
	// The traced run and Extract must agree.
	ds2, ok2 := Extract(msg)
	if ok2 != ok || formatDatums(ds2) != formatDatums(ds) {
		t.Errorf("Extract disagrees with the traced run on %s", msg)
	}
	var b strings.Builder
	switch {
	case ok && count:
		fmt.Fprintf(&b, "ok: %d datums\n", len(ds))
	case ok:
		b.WriteString("ok\n")
		b.WriteString(formatDatums(ds))
	}
	for _, n := range notes {
		if strings.HasPrefix(n, "not EMF") || strings.HasPrefix(n, "invalid") {
			b.WriteString(n + "\n")
		} else {
			b.WriteString("dropped: " + n + "\n")
		}
	}
	return b.String()
}

func formatDatums(ds []metricstore.Datum) string {
	var b strings.Builder
	for i := 0; i < len(ds); {
		j := i + 1
		for j < len(ds) && sameButValue(ds[i], ds[j]) {
			j++
		}
		b.WriteString(formatDatums1(ds[i:j]))
		b.WriteByte('\n')
		i = j
	}
	return b.String()
}

func sameButValue(a, b metricstore.Datum) bool {
	a.Value = b.Value
	return formatDatums1([]metricstore.Datum{a}) == formatDatums1([]metricstore.Datum{b})
}

// formatDatums1 formats datums differing only in their value.
func formatDatums1(ds []metricstore.Datum) string {
	d := ds[0]
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s {", d.Key.Namespace, d.Key.MetricName)
	for i, dim := range d.Key.Dims {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, "%s=%s", dim.Name, dim.Value)
	}
	fmt.Fprintf(&b, "} t=%d v=", d.T)
	for i, d := range ds {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.FormatFloat(d.Value, 'g', -1, 64))
	}
	if d.Count != 1 {
		fmt.Fprintf(&b, " count=%s", strconv.FormatFloat(d.Count, 'g', -1, 64))
	}
	if d.Unit != "" {
		fmt.Fprintf(&b, " unit=%s", d.Unit)
	}
	if d.HighRes {
		b.WriteString(" hires")
	}
	return b.String()
}
