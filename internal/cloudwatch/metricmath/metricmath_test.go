package metricmath

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cockroachdb/datadriven"
)

// testEnv is an Env built by the data-driven commands.
type testEnv struct {
	start, end time.Time
	period     time.Duration
	metricIDs  []string
	results    map[string]Result
	catalog    []catalogEntry
}

type catalogEntry struct {
	namespace, name string
	dims            map[string]string
	values          []float64
}

func (e *testEnv) Metric(id string) (Result, bool) { r, ok := e.results[id]; return r, ok }
func (e *testEnv) MetricIDs() []string             { return e.metricIDs }
func (e *testEnv) Period() time.Duration           { return e.period }
func (e *testEnv) Start() time.Time                { return e.start }
func (e *testEnv) End() time.Time                  { return e.end }
func (e *testEnv) Search(ctx context.Context, q Search, stat string, period int) ([]Series, error) {
	if stat == "Fail" {
		return nil, errors.New("the store is unavailable")
	}
	var out []Series
	for _, c := range e.catalog {
		if q.Match(c.namespace, c.name, c.dims) {
			s := e.gridSeries(c.values, time.Duration(period)*time.Second, 0)
			s.Label = c.name + " " + formatDims(c.dims)
			s.Props = c.dims
			out = append(out, s)
		}
	}
	return out, nil
}

func newTestEnv() *testEnv {
	start := time.Date(2024, 4, 1, 0, 0, 0, 0, time.UTC) // a Monday
	return &testEnv{start: start, end: start.Add(5 * time.Minute), period: time.Minute, results: map[string]Result{}}
}

func (e *testEnv) gridSeries(values []float64, period, offset time.Duration) Series {
	if period == 0 {
		period = e.period
	}
	s := Series{Period: period}
	for i, v := range values {
		s.Timestamps = append(s.Timestamps, e.start.Add(offset+time.Duration(i)*period))
		s.Values = append(s.Values, v)
	}
	return s
}

func parseValues(t *testing.T, s string) []float64 {
	var out []float64
	for _, f := range strings.Fields(s) {
		if f == "-" {
			out = append(out, nanValue)
			continue
		}
		v, err := strconv.ParseFloat(f, 64)
		if err != nil {
			t.Fatalf("bad value %q", f)
		}
		out = append(out, v)
	}
	return out
}

func formatDims(d map[string]string) string {
	keys := make([]string, 0, len(d))
	for k := range d {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + "=" + d[k]
	}
	return strings.Join(parts, ",")
}

func fmtFloat(v float64) string { return strconv.FormatFloat(v, 'g', 12, 64) }

func (e *testEnv) formatSeries(s Series) string {
	var b strings.Builder
	fmt.Fprintf(&b, "TS %q:", s.Label)
	if len(s.Values) == 0 {
		b.WriteString(" (no data)")
	}
	for i, t := range s.Timestamps {
		fmt.Fprintf(&b, " %s=%s", strconv.FormatInt(int64(t.Sub(e.start)/time.Second), 10), fmtFloat(s.Values[i]))
	}
	return b.String()
}

func (e *testEnv) formatResult(r Result) string {
	switch r.Kind {
	case KindSeries:
		return e.formatSeries(r.Series)
	case KindArray:
		var b strings.Builder
		fmt.Fprintf(&b, "TS[] (%d)", len(r.Array))
		for _, s := range r.Array {
			b.WriteString("\n  ")
			b.WriteString(e.formatSeries(s))
		}
		return b.String()
	}
	return "scalar " + fmtFloat(r.Scalar)
}

func formatErr(err error) string {
	out := "error: " + err.Error()
	var me *Error
	if errors.As(err, &me) && me.Unsupported {
		out += " [unsupported]"
	}
	return out
}

func TestParse(t *testing.T) {
	datadriven.Walk(t, "testdata/parse", func(t *testing.T, path string) {
		datadriven.RunTest(t, path, func(t *testing.T, td *datadriven.TestData) string {
			switch td.Cmd {
			case "parse":
				e, err := Parse(strings.TrimSuffix(td.Input, "\n"))
				if err != nil {
					return formatErr(err) + "\n"
				}
				out := e.String()
				if td.HasArg("refs") {
					out += fmt.Sprintf("\nrefs: %v all-metrics: %v", e.Refs(), e.UsesAllMetrics())
				}
				return out + "\n"
			}
			t.Fatalf("unknown command %s", td.Cmd)
			return ""
		})
	})
}

func runEvalCmd(t *testing.T, env **testEnv, td *datadriven.TestData) string {
	e := *env
	switch td.Cmd {
	case "env":
		*env = newTestEnv()
		e = *env
		for _, a := range td.CmdArgs {
			switch a.Key {
			case "start":
				s, err := time.Parse(time.RFC3339, a.Vals[0])
				if err != nil {
					t.Fatal(err)
				}
				d := e.end.Sub(e.start)
				e.start, e.end = s, s.Add(d)
			case "minutes":
				n, _ := strconv.Atoi(a.Vals[0])
				e.end = e.start.Add(time.Duration(n) * time.Minute)
			case "period":
				n, _ := strconv.Atoi(a.Vals[0])
				e.period = time.Duration(n) * time.Second
			}
		}
		return ""
	case "series":
		var id, label string
		var period, offset int
		td.ScanArgs(t, "id", &id)
		td.MaybeScanArgs(t, "label", &label)
		td.MaybeScanArgs(t, "period", &period)
		td.MaybeScanArgs(t, "offset", &offset)
		s := e.gridSeries(parseValues(t, td.Input), time.Duration(period)*time.Second, time.Duration(offset)*time.Second)
		s.Label = label
		e.results[id] = Result{Kind: KindSeries, Series: s}
		if !td.HasArg("expr") {
			e.metricIDs = append(e.metricIDs, id)
		}
		return ""
	case "catalog":
		e.catalog = nil
		for _, line := range strings.Split(strings.TrimSpace(td.Input), "\n") {
			def, vals, _ := strings.Cut(line, ":")
			f := strings.Fields(def)
			c := catalogEntry{namespace: f[0], name: f[1], dims: map[string]string{}, values: parseValues(t, vals)}
			if len(f) > 2 {
				for _, kv := range strings.Split(f[2], ",") {
					k, v, _ := strings.Cut(kv, "=")
					c.dims[strings.ReplaceAll(k, "_", " ")] = v
				}
			}
			e.catalog = append(e.catalog, c)
		}
		return ""
	case "eval":
		ex, err := Parse(strings.TrimSuffix(td.Input, "\n"))
		if err != nil {
			return formatErr(err) + "\n"
		}
		r, err := Eval(context.Background(), ex, e)
		if err != nil {
			return formatErr(err) + "\n"
		}
		out := e.formatResult(r)
		if td.HasArg("id") {
			var id, label string
			td.ScanArgs(t, "id", &id)
			td.MaybeScanArgs(t, "label", &label)
			e.results[id] = r
			if td.HasArg("labels") {
				out += fmt.Sprintf("\nlabels: %q", ResultLabels(id, label, r))
			}
		}
		return out + "\n"
	}
	t.Fatalf("unknown command %s", td.Cmd)
	return ""
}

func TestEval(t *testing.T) {
	datadriven.Walk(t, "testdata/eval", func(t *testing.T, path string) {
		env := newTestEnv()
		datadriven.RunTest(t, path, func(t *testing.T, td *datadriven.TestData) string {
			return runEvalCmd(t, &env, td)
		})
	})
}

func TestSearch(t *testing.T) {
	datadriven.Walk(t, "testdata/search", func(t *testing.T, path string) {
		env := newTestEnv()
		datadriven.RunTest(t, path, func(t *testing.T, td *datadriven.TestData) string {
			if td.Cmd != "search" {
				return runEvalCmd(t, &env, td)
			}
			q, err := ParseSearch(strings.TrimSuffix(td.Input, "\n"))
			if err != nil {
				return formatErr(err) + "\n"
			}
			var b strings.Builder
			b.WriteString(q.String())
			b.WriteString("\n")
			n := 0
			for _, c := range env.catalog {
				if q.Match(c.namespace, c.name, c.dims) {
					fmt.Fprintf(&b, "match: %s %s %s\n", c.namespace, c.name, formatDims(c.dims))
					n++
				}
			}
			if n == 0 {
				b.WriteString("no matches\n")
			}
			return b.String()
		})
	})
}

func TestInsightsQueryRejected(t *testing.T) {
	_, err := Parse(`SELECT AVG(CPUUtilization) FROM "AWS/EC2"`)
	if !errors.Is(err, ErrInsightsQuery) {
		t.Fatalf("got %v, want ErrInsightsQuery", err)
	}
}

func TestEvalCancelled(t *testing.T) {
	env := newTestEnv()
	env.results["m1"] = Result{Kind: KindSeries, Series: env.gridSeries([]float64{1, 2}, 0, 0)}
	env.metricIDs = []string{"m1"}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	e, err := Parse("SUM(METRICS())")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Eval(ctx, e, env); err == nil || !strings.Contains(err.Error(), "context canceled") {
		t.Fatalf("got %v, want a cancellation error", err)
	}
}
