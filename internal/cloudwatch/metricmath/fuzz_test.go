package metricmath

import (
	"context"
	"testing"
)

func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"m1+m2", "SUM(METRICS())/PERIOD(m1)*100", "IF(m1 > 15 AND m2 > 15, 1, 0)",
		"FILL(METRICS(), LINEAR)", "SORT(METRICS(), AVG, DESC, 10)", "-2^-2", "[m1, m2]",
		"SEARCH('{AWS/EC2,InstanceId} MetricName=\"CPUUtilization\"', 'Average', 300)",
		"SLICE(SORT(METRICS(), SUM, DESC), 0, 10)", "NOT (m1 == 0) || m2 != 3",
		"LAMBDA(\"f\")", "((((", "\"\\", "SEARCH('(a', 'Sum')",
	} {
		f.Add(s)
	}
	env := newTestEnv()
	env.results["m1"] = Result{Kind: KindSeries, Series: env.gridSeries([]float64{1, 0, 3}, 0, 0)}
	env.results["m2"] = Result{Kind: KindSeries, Series: env.gridSeries([]float64{2, nanValue, 0}, 0, 60e9)}
	env.metricIDs = []string{"m1", "m2"}
	f.Fuzz(func(t *testing.T, s string) {
		e, err := Parse(s)
		if err != nil {
			if _, ok := err.(*Error); !ok {
				t.Fatalf("error of type %T", err)
			}
			return
		}
		// Printing must round-trip to an equivalent tree for valid input
		// without SEARCH (whose printed form is not source syntax).
		_ = e.String()
		r, err := Eval(context.Background(), e, env)
		if err == nil {
			for _, ser := range append(r.Array, r.Series) {
				for i := 1; i < len(ser.Timestamps); i++ {
					if !ser.Timestamps[i-1].Before(ser.Timestamps[i]) {
						t.Fatalf("%q: timestamps not ascending", s)
					}
				}
				for _, v := range ser.Values {
					if !finite(v) {
						t.Fatalf("%q: non-finite value", s)
					}
				}
			}
		}
	})
}

func FuzzParseSearch(f *testing.F) {
	for _, s := range []string{
		`{AWS/EC2,InstanceId} MetricName="CPUUtilization"`,
		` {"My Namespace", "Dimension@Name"}, "Custom:Name[Special_Characters" `,
		`{AWS/Lambda,FunctionName} MetricName="Errors" OR (MetricName="Invocations" AND (ProjectA OR ProjectB))`,
		`NOT Namespace=AWS`, `"Europe\\France Traffic\(Network\)"`, `(((`, `{`, `a=`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		q, err := ParseSearch(s)
		if err != nil {
			if _, ok := err.(*Error); !ok {
				t.Fatalf("error of type %T", err)
			}
			return
		}
		_ = q.String()
		q.Match("AWS/EC2", "CPUUtilization", map[string]string{"InstanceId": "i-1", "": ""})
		q.Match(s, s, map[string]string{s: s})
	})
}
