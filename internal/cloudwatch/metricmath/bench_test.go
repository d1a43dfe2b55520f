package metricmath

import (
	"context"
	"fmt"
	"testing"
	"time"
)

// BenchmarkSumMetricsOverPeriod parses and evaluates
// SUM(METRICS())/PERIOD(m1)*100 over 500 series of 60 points.
func BenchmarkSumMetricsOverPeriod(b *testing.B) {
	env := newTestEnv()
	env.end = env.start.Add(60 * time.Minute)
	for i := 0; i < 500; i++ {
		vals := make([]float64, 60)
		for j := range vals {
			vals[j] = float64(i*j%97) + 0.5
		}
		id := fmt.Sprintf("m%d", i+1)
		env.results[id] = Result{Kind: KindSeries, Series: env.gridSeries(vals, 0, 0)}
		env.metricIDs = append(env.metricIDs, id)
	}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		e, err := Parse("SUM(METRICS())/PERIOD(m1)*100")
		if err != nil {
			b.Fatal(err)
		}
		r, err := Eval(ctx, e, env)
		if err != nil || len(r.Series.Values) != 60 {
			b.Fatal(err, len(r.Series.Values))
		}
	}
}
