package events

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/vigilhq/vigil/internal/metricstore"
)

// setSink keeps every datapoint as a line with its whole statistic set.
type setSink struct{ lines []string }

func (s *setSink) Append(_ context.Context, p metricstore.Partition, ds []metricstore.Datum) error {
	for _, d := range ds {
		s.lines = append(s.lines, fmt.Sprintf("%s/%s %s%v t=%d n=%g sum=%g min=%g max=%g %s",
			p.Account, p.Region, d.Key.MetricName, d.Key.Dims, d.T, d.SetCount, d.Sum, d.Min, d.Max, d.Unit))
	}
	return nil
}

func (s *setSink) String() string {
	sort.Strings(s.lines)
	return strings.Join(s.lines, "\n")
}

// A call's batch, which counts matches by rule (hits), aggregates exactly
// what recording each match at once does: across buses, partitions and
// seconds, with more rules than the search holds (maxHits), and when the
// batch is reused after its commit.
func TestBatchedMatchesAsDirect(t *testing.T) {
	var rules []*rule
	for i := range 2 * maxHits {
		bus := defaultBus
		if i%3 == 0 {
			bus = "shop"
		}
		name := fmt.Sprint("r", i)
		rules = append(rules, &rule{name: name, bus: bus, dims: ruleDims(bus, name), busDims: busDims(bus)})
	}
	parts := []partition{{"111111111111", "us-east-1"}, {"111111111111", "eu-west-1"}, {"222222222222", "us-east-1"}}
	t0 := time.Date(2026, 11, 26, 8, 0, 0, 0, time.UTC)
	record := func(m *Metrics) {
		for ev := range 300 {
			// Runs of events in one partition and second matching a
			// few rules (as a call's), then every kind mixed.
			p := parts[ev/50%len(parts)]
			at := t0.Add(time.Duration(ev/25%4) * 700 * time.Millisecond)
			n := 16
			if ev >= 150 {
				p = parts[ev%len(parts)]
				at = t0.Add(time.Duration(ev%4) * 700 * time.Millisecond)
				n = len(rules)
			}
			var matched []*rule
			for i, r := range rules[:n] {
				if (i+ev)%(1+ev%5) == 0 && (r.bus == defaultBus) == (ev%2 == 0) {
					matched = append(matched, r)
				}
			}
			m.matched(p, matched, at)
		}
	}
	var ds, bs setSink
	direct := NewMetrics(&ds, MetricsOptions{Every: -1})
	record(direct)
	batched := NewMetrics(&bs, MetricsOptions{Every: -1})
	for range 2 {
		b := batched.batch()
		record(b)
		b.commit()
	}
	record(direct)
	direct.Flush(context.Background())
	batched.Flush(context.Background())
	if got, want := bs.String(), ds.String(); got == "" || got != want {
		t.Fatalf("batched matches differ from direct ones:\n%s\n---\n%s", got, want)
	}
}
