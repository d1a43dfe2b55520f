package insights

import (
	"encoding/csv"
	"strings"
	"testing"

	"github.com/cockroachdb/datadriven"
)

// testSources are the lookup tables and field indexes of a data-driven
// test file (TestExecDataDriven's lookup-table and index commands).
type testSources struct {
	tables  map[string]*LookupTable
	indexes map[[2]string][]testSpan // group, field → ingestion-time spans
}

// testSpan is [from, until) in ingestion time; until 0 is open.
type testSpan struct{ from, until int64 }

func newTestSources() *testSources {
	return &testSources{tables: map[string]*LookupTable{}, indexes: map[[2]string][]testSpan{}}
}

func (s *testSources) LookupTable(name string) (*LookupTable, bool) {
	t, ok := s.tables[name]
	return t, ok
}

func (s *testSources) Indexed(group, field string, ingest int64) bool {
	for _, sp := range s.indexes[[2]string{group, field}] {
		if ingest >= sp.from && (sp.until == 0 || ingest < sp.until) {
			return true
		}
	}
	return false
}

// define runs lookup-table (input: CSV, header first) or index.
func (s *testSources) define(t *testing.T, d *datadriven.TestData) string {
	switch d.Cmd {
	case "lookup-table":
		var name string
		d.ScanArgs(t, "name", &name)
		recs, err := csv.NewReader(strings.NewReader(d.Input)).ReadAll()
		if err != nil {
			t.Fatalf("%s: %v", d.Pos, err)
		}
		s.tables[name] = &LookupTable{Columns: recs[0], Rows: recs[1:]}
	case "index":
		var group, field string
		var sp testSpan
		d.ScanArgs(t, "group", &group)
		d.ScanArgs(t, "field", &field)
		d.ScanArgs(t, "from", &sp.from)
		if d.HasArg("until") {
			d.ScanArgs(t, "until", &sp.until)
		}
		k := [2]string{group, field}
		s.indexes[k] = append(s.indexes[k], sp)
	}
	return ""
}
