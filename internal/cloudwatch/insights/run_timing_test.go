package insights

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

// benchCatalog serves precomputed buckets, so the benchmark measures the query engine, not a store.
type benchCatalog struct {
	refs    []SeriesRef
	buckets [][]Bucket
}

func newBenchCatalog(series, points, groups int) *benchCatalog {
	c := &benchCatalog{}
	for i := 0; i < series; i++ {
		c.refs = append(c.refs, SeriesRef{ID: uint64(i), Dimensions: []Dimension{
			{Name: "InstanceId", Value: fmt.Sprintf("i-%08d", i)},
			{Name: "AutoScalingGroupName", Value: fmt.Sprintf("asg-%04d", i%groups)},
		}})
		bs := make([]Bucket, points)
		for j := range bs {
			v := float64((i*7 + j*13) % 100)
			bs[j] = Bucket{Time: t0.Unix() + int64(j)*60, Sum: v * 3, Count: 3, Min: v - 1, Max: v + 1}
		}
		c.buckets = append(c.buckets, bs)
	}
	return c
}

func (c *benchCatalog) Series(_ context.Context, f SeriesFilter) ([]SeriesRef, error) {
	out := make([]SeriesRef, 0, len(c.refs))
	for _, r := range c.refs {
		if f.Match(r.Dimensions) {
			out = append(out, r)
			if len(out) == f.Limit {
				break
			}
		}
	}
	return out, nil
}

func (c *benchCatalog) Aggregates(_ context.Context, r SeriesRef, _, _ time.Time, _ time.Duration, buf []Bucket) ([]Bucket, error) {
	return append(buf[:0], c.buckets[r.ID]...), nil
}

// BenchmarkGroupBy: 10,000 series × 180 one-minute buckets (the 3-hour window), grouped.
func BenchmarkGroupBy(b *testing.B) {
	for _, tc := range []struct {
		name   string
		groups int
		query  string
	}{
		{"avg-by-asg-100-groups", 100, `SELECT AVG(CPUUtilization) FROM SCHEMA("AWS/EC2", InstanceId, AutoScalingGroupName) GROUP BY AutoScalingGroupName ORDER BY MAX() DESC LIMIT 10`},
		{"max-by-instance-10000-groups", 100, `SELECT MAX(CPUUtilization) FROM "AWS/EC2" GROUP BY InstanceId ORDER BY MAX() DESC`},
		{"sum-no-group", 100, `SELECT SUM(CPUUtilization) FROM "AWS/EC2" WHERE AutoScalingGroupName != 'asg-0001'`},
	} {
		b.Run(tc.name, func(b *testing.B) {
			c := newBenchCatalog(MaxSeriesScanned, 180, tc.groups)
			q, err := Parse(tc.query)
			if err != nil {
				b.Fatal(err)
			}
			w := Window{Start: t0, End: t0.Add(3 * time.Hour), Period: time.Minute}
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				res, err := q.Run(context.Background(), c, w)
				if err != nil || len(res.Series) == 0 {
					b.Fatal(err, len(res.Series))
				}
			}
		})
	}
}

func BenchmarkParse(b *testing.B) {
	const q = `SELECT SUM(RequestCount) FROM SCHEMA("AWS/ApplicationELB", LoadBalancer, AvailabilityZone) WHERE LoadBalancer = 'app/load-balancer-1' GROUP BY AvailabilityZone ORDER BY MAX() DESC LIMIT 5`
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, err := Parse(q); err != nil {
			b.Fatal(err)
		}
	}
}

func TestQueryLength(t *testing.T) {
	base := "SELECT AVG(x) FROM ns WHERE k = '"
	ok := base + strings.Repeat("é", MaxQueryLength-len(base)-1) + "'" // characters, not bytes, count
	if _, err := Parse(ok); err != nil {
		t.Fatalf("query of %d characters refused: %v", MaxQueryLength, err)
	}
	long := base + strings.Repeat("a", MaxQueryLength-len(base)) + "'"
	_, err := Parse(long)
	var perr *Error
	if !errors.As(err, &perr) || perr.Msg != "The query is 2049 characters long; the maximum is 2048" {
		t.Fatalf("got %v", err)
	}
}

func TestRunCancelled(t *testing.T) {
	q, _ := Parse(`SELECT SUM(CPUUtilization) FROM "AWS/EC2"`)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := q.Run(ctx, newBenchCatalog(10, 3, 1), Window{Start: t0, End: t0.Add(time.Hour), Period: time.Minute})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v", err)
	}
}

type failingCatalog struct{ benchCatalog }

func (failingCatalog) Aggregates(context.Context, SeriesRef, time.Time, time.Time, time.Duration, []Bucket) ([]Bucket, error) {
	return nil, errors.New("store unavailable")
}

func TestRunCatalogError(t *testing.T) {
	q, _ := Parse(`SELECT SUM(CPUUtilization) FROM "AWS/EC2"`)
	c := &failingCatalog{*newBenchCatalog(3, 3, 1)}
	_, err := q.Run(context.Background(), c, Window{Start: t0, End: t0.Add(time.Hour), Period: time.Minute})
	if err == nil || err.Error() != "store unavailable" {
		t.Fatalf("got %v", err)
	}
}
