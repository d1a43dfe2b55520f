package events

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

// Counting dispatch's first attempts by rule and outcome (attempts)
// aggregates exactly what recording each attempt at once (attempted, no
// retries) does: across rules, buses, partitions and outcomes, with more
// groups than the search holds (maxAttemptGroups), varied latencies, and
// through a call's batch or straight to the aggregator.
func TestGroupedAttemptsAsDirect(t *testing.T) {
	var rules []*rule
	for i := range 2*maxAttemptGroups + 3 {
		bus := defaultBus
		if i%3 == 0 {
			bus = "shop"
		}
		name := fmt.Sprint("r", i)
		rules = append(rules, &rule{name: name, bus: bus, dims: ruleDims(bus, name), busDims: busDims(bus)})
	}
	parts := []partition{{"111111111111", "us-east-1"}, {"222222222222", "us-east-1"}}
	now := time.Date(2026, 11, 26, 8, 0, 0, 0, time.UTC)
	type att struct {
		p      partition
		r      *rule
		ingest int64
		ok     bool
	}
	var as []att
	for i := range 400 {
		n := 3 // runs of a few rules, as a call's, then all of them mixed
		if i >= 200 {
			n = len(rules)
		}
		as = append(as, att{p: parts[i/40%len(parts)], r: rules[i%n],
			ingest: now.Add(-time.Duration(i%7) * 300 * time.Millisecond).UnixMilli(), ok: i%5 != 0})
	}
	as = append(as, att{p: parts[0], r: rules[0], ingest: now.Add(time.Second).UnixMilli(), ok: true}) // a clock that went back
	for _, batched := range []bool{false, true} {
		var ds, gs setSink
		direct := NewMetrics(&ds, MetricsOptions{Every: -1})
		grouped := NewMetrics(&gs, MetricsOptions{Every: -1})
		g := grouped
		if batched {
			g = grouped.batch()
		}
		var a attempts
		for _, x := range as {
			direct.attempted(x.p, &job{Ingest: x.ingest}, x.r, 0, now, x.ok)
			a.add(g, x.p, x.r, x.ingest, now, x.ok)
		}
		a.record(g, now)
		g.commit()
		direct.Flush(context.Background())
		grouped.Flush(context.Background())
		if got, want := gs.String(), ds.String(); got == "" || got != want {
			t.Fatalf("batched=%v: grouped attempts differ from direct ones:\n%s\n---\n%s", batched, got, want)
		}
	}
	var a attempts
	a.add(nil, parts[0], rules[0], 0, now, true) // a nil *Metrics records nothing
	a.record(nil, now)
}

// A retry counts as an attempt and a retry and has no start latency; a
// first attempt the other way round; a success adds an invocation and its
// latency either way.
func TestAttemptedMetrics(t *testing.T) {
	now := time.Date(2026, 11, 26, 8, 0, 0, 0, time.UTC)
	r := &rule{name: "r", bus: defaultBus, dims: ruleDims(defaultBus, "r"), busDims: busDims(defaultBus)}
	p := partition{"111111111111", "us-east-1"}
	names := func(retries int, ok bool) map[string]bool {
		var sink setSink
		m := NewMetrics(&sink, MetricsOptions{Every: -1})
		m.attempted(p, &job{Ingest: now.Add(-2 * time.Second).UnixMilli()}, r, retries, now, ok)
		m.Flush(context.Background())
		got := map[string]bool{}
		for _, l := range sink.lines {
			name, _, _ := strings.Cut(strings.TrimPrefix(l, "111111111111/us-east-1 "), "[")
			got[name] = true
		}
		return got
	}
	for _, tc := range []struct {
		retries int
		ok      bool
		want    string
	}{
		{0, false, "IngestionToInvocationStartLatency InvocationAttempts"},
		{0, true, "IngestionToInvocationStartLatency IngestionToInvocationSuccessLatency InvocationAttempts Invocations SuccessfulInvocationAttempts"},
		{2, false, "InvocationAttempts RetryInvocationAttempts"},
		{2, true, "IngestionToInvocationSuccessLatency InvocationAttempts Invocations RetryInvocationAttempts SuccessfulInvocationAttempts"},
	} {
		var got []string
		for n := range names(tc.retries, tc.ok) {
			got = append(got, n)
		}
		slices.Sort(got)
		if strings.Join(got, " ") != tc.want {
			t.Errorf("retries %d, ok %v: %v, want %s", tc.retries, tc.ok, got, tc.want)
		}
	}
}
