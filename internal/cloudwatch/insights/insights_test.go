package insights

import (
	"context"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cockroachdb/datadriven"
)

// t0 is the origin of the times written in testdata (minutes after it).
var t0 = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)

func TestParse(t *testing.T) {
	datadriven.RunTest(t, "testdata/parse", func(t *testing.T, td *datadriven.TestData) string {
		switch td.Cmd {
		case "parse":
			q, err := Parse(strings.TrimSuffix(td.Input, "\n"))
			if err != nil {
				return "error: " + err.Error() + "\n"
			}
			s := q.String()
			// The normal form must parse back to itself.
			q2, err := Parse(s)
			if err != nil {
				t.Fatalf("normal form %q does not parse: %v", s, err)
			}
			if s2 := q2.String(); s2 != s {
				t.Fatalf("normal form not stable: %q → %q", s, s2)
			}
			out := s + "\n"
			if td.HasArg("verbose") {
				out += describe(q)
			}
			return out
		}
		t.Fatalf("unknown command %q", td.Cmd)
		return ""
	})
}

func describe(q *Query) string {
	var b strings.Builder
	fmt.Fprintf(&b, "function=%s statistic=%s metric=%q namespace=%q", q.Function, q.Function.Statistic(), q.Metric, q.Namespace)
	if q.Schema {
		fmt.Fprintf(&b, " schema=%q", q.SchemaKeys)
	}
	b.WriteString("\n")
	if q.Where != nil {
		fmt.Fprintf(&b, "where=%s pushdown=%v\n", tree(q.Where), pushdown(q.Where, nil))
	}
	if len(q.GroupBy) > 0 {
		fmt.Fprintf(&b, "groupby=%q\n", q.GroupBy)
	}
	if q.OrderBy != nil {
		fmt.Fprintf(&b, "orderby=%s desc=%v\n", q.OrderBy.Function, q.OrderBy.Desc)
	}
	if q.Limit > 0 {
		fmt.Fprintf(&b, "limit=%d\n", q.Limit)
	}
	return b.String()
}

func tree(c Condition) string {
	switch c := c.(type) {
	case *Comparison:
		op := "="
		if c.Not {
			op = "!="
		}
		return fmt.Sprintf("%q%s%q", c.Key, op, c.Value)
	case *And:
		return "and(" + tree(c.L) + ", " + tree(c.R) + ")"
	case *Or:
		return "or(" + tree(c.L) + ", " + tree(c.R) + ")"
	}
	return "?"
}

// fakeSeries holds raw observations: minute offset → values.
type fakeSeries struct {
	ns, metric string
	ref        SeriesRef
	obs        map[int64][]float64 // Unix second → observations
}

// fakeCatalog is an in-memory Catalog over raw observations.
type fakeCatalog struct {
	series  []*fakeSeries
	filters []SeriesFilter // what Series was asked, for tests of the pushdown
}

func (c *fakeCatalog) Series(_ context.Context, f SeriesFilter) ([]SeriesRef, error) {
	c.filters = append(c.filters, f)
	var out []SeriesRef
	for _, s := range c.series {
		if s.ns == f.Namespace && s.metric == f.MetricName && f.Match(s.ref.Dimensions) {
			out = append(out, s.ref)
			if len(out) == f.Limit {
				break
			}
		}
	}
	return out, nil
}

func (c *fakeCatalog) Aggregates(_ context.Context, r SeriesRef, start, end time.Time, period time.Duration, buf []Bucket) ([]Bucket, error) {
	s := c.series[r.ID]
	ps := int64(period / time.Second)
	byBucket := map[int64]*Bucket{}
	for ts, vs := range s.obs {
		if ts < start.Unix() || ts >= end.Unix() {
			continue
		}
		bt := start.Unix() + (ts-start.Unix())/ps*ps
		b := byBucket[bt]
		if b == nil {
			b = &Bucket{Time: bt, Min: math.Inf(1), Max: math.Inf(-1)}
			byBucket[bt] = b
		}
		for _, v := range vs {
			b.Sum += v
			b.Count++
			b.Min = math.Min(b.Min, v)
			b.Max = math.Max(b.Max, v)
		}
	}
	buf = buf[:0]
	for _, b := range byBucket {
		buf = append(buf, *b)
	}
	sort.Slice(buf, func(i, j int) bool { return buf[i].Time < buf[j].Time })
	return buf, nil
}

// parseCatalog reads lines `namespace metric dims|- minute:value ...`, dims as Name=Value,Name=Value.
func parseCatalog(t *testing.T, input string) *fakeCatalog {
	c := &fakeCatalog{}
	for _, line := range strings.Split(strings.TrimSpace(input), "\n") {
		f := strings.Fields(line)
		if len(f) < 3 {
			t.Fatalf("bad catalog line %q", line)
		}
		s := &fakeSeries{ns: f[0], metric: f[1], obs: map[int64][]float64{}}
		s.ref.ID = uint64(len(c.series))
		if f[2] != "-" {
			for _, kv := range strings.Split(f[2], ",") {
				k, v, ok := strings.Cut(kv, "=")
				if !ok {
					t.Fatalf("bad dimension %q", kv)
				}
				s.ref.Dimensions = append(s.ref.Dimensions, Dimension{Name: k, Value: v})
			}
		}
		for _, p := range f[3:] {
			m, v, ok := strings.Cut(p, ":")
			if !ok {
				t.Fatalf("bad point %q", p)
			}
			mi, err1 := strconv.ParseFloat(m, 64)
			vf, err2 := strconv.ParseFloat(v, 64)
			if err1 != nil || err2 != nil {
				t.Fatalf("bad point %q", p)
			}
			ts := t0.Add(time.Duration(mi * float64(time.Minute))).Unix()
			s.obs[ts] = append(s.obs[ts], vf)
		}
		c.series = append(c.series, s)
	}
	return c
}

func TestRun(t *testing.T) {
	datadriven.Walk(t, "testdata/run", func(t *testing.T, path string) {
		var cat *fakeCatalog
		datadriven.RunTest(t, path, func(t *testing.T, td *datadriven.TestData) string {
			switch td.Cmd {
			case "catalog":
				cat = parseCatalog(t, td.Input)
				return ""
			case "generate":
				// generate series=N: N series "ns m k=kNNNNN" with one observation of value N-i at minute 0.
				var n int
				td.ScanArgs(t, "series", &n)
				cat = &fakeCatalog{}
				for i := 0; i < n; i++ {
					s := &fakeSeries{ns: "ns", metric: "m", obs: map[int64][]float64{t0.Unix(): {float64(n - i)}}}
					s.ref = SeriesRef{ID: uint64(i), Dimensions: []Dimension{{Name: "k", Value: fmt.Sprintf("k%05d", i)}}}
					cat.series = append(cat.series, s)
				}
				return ""
			case "run":
				w := Window{Start: t0, End: t0.Add(180 * time.Minute), Period: time.Minute}
				minutes := func(key string, dst *time.Time) {
					if td.HasArg(key) {
						var m int
						td.ScanArgs(t, key, &m)
						*dst = t0.Add(time.Duration(m) * time.Minute)
					}
				}
				minutes("start", &w.Start)
				minutes("end", &w.End)
				minutes("now", &w.Now)
				if td.HasArg("period") {
					var s int
					td.ScanArgs(t, "period", &s)
					w.Period = time.Duration(s) * time.Second
				}
				if td.HasArg("lookback") {
					var m int
					td.ScanArgs(t, "lookback", &m)
					w.Lookback = time.Duration(m) * time.Minute
				}
				q, err := Parse(strings.TrimSuffix(td.Input, "\n"))
				if err != nil {
					return "error: " + err.Error() + "\n"
				}
				res, err := q.Run(context.Background(), cat, w)
				if err != nil {
					return "error: " + err.Error() + "\n"
				}
				total := len(res.Series)
				if td.HasArg("brief") && total > 4 {
					res.Series = append(res.Series[:2], res.Series[total-2:]...)
				}
				return formatResult(res, total, td.HasArg("filter"), cat)
			}
			t.Fatalf("unknown command %q", td.Cmd)
			return ""
		})
	})
}

func formatResult(res *Result, total int, showFilter bool, cat *fakeCatalog) string {
	var b strings.Builder
	if showFilter {
		f := cat.filters[len(cat.filters)-1]
		fmt.Fprintf(&b, "filter: namespace=%q metric=%q equal=%v schema=%v keys=%q limit=%d\n",
			f.Namespace, f.MetricName, f.Equal, f.Schema, f.SchemaKeys, f.Limit)
	}
	fmt.Fprintf(&b, "scanned %d, %d series", res.Scanned, total)
	if res.Partial {
		b.WriteString(", partial")
	}
	b.WriteString("\n")
	for _, m := range res.Messages {
		fmt.Fprintf(&b, "message %s: %s\n", m.Code, m.Value)
	}
	for _, s := range res.Series {
		fmt.Fprintf(&b, "%q", s.Label)
		if s.GroupValues != nil {
			fmt.Fprintf(&b, " %q", s.GroupValues)
		}
		b.WriteString(":")
		for i, ts := range s.Timestamps {
			fmt.Fprintf(&b, " %s=%s", strconv.FormatFloat(ts.Sub(t0).Minutes(), 'f', -1, 64),
				strconv.FormatFloat(s.Values[i], 'g', -1, 64))
		}
		b.WriteString("\n")
	}
	return b.String()
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{
		`SELECT AVG(CPUUtilization) FROM "AWS/EC2"`,
		`SELECT SUM(RequestCount) FROM SCHEMA("AWS/ApplicationELB", LoadBalancer, AvailabilityZone) WHERE LoadBalancer = 'app/lb-1' GROUP BY AvailabilityZone ORDER BY MAX() DESC LIMIT 5`,
		`select max("My.Metric") from ns where (a = 'x' or b != 'y\'z') and c = '' group by a, "b c" order by count() asc limit 500`,
		`SELECT AVG("Bytes\"Input\"") FROM SCHEMA(ns)`,
		`SELECT COUNT(x) FROM ns WHERE a LIKE 'b%'`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		q, err := Parse(s)
		if err != nil {
			if _, ok := err.(*Error); !ok {
				t.Fatalf("error of type %T: %v", err, err)
			}
			return
		}
		n := q.String()
		q2, err := Parse(n)
		if err != nil {
			t.Fatalf("normal form %q of %q does not parse: %v", n, s, err)
		}
		if n2 := q2.String(); n2 != n {
			t.Fatalf("normal form not stable: %q → %q", n, n2)
		}
	})
}
