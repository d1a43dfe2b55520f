package events

import (
	"time"

	"github.com/vigilhq/vigil/internal/metricstore"
)

// attempts counts dispatch's first attempts by partition, rule and outcome
// and records each group once, as statistic sets: a call's events that
// match a rule with a target make one attempt each, all alike, and
// recording them one by one (five metrics in up to three dimension sets
// each) searched the call's metric batch over a hundred times per call.
// For the calling goroutine only.
type attempts struct {
	gs [maxAttemptGroups]attemptGroup
	n  int
}

type attemptGroup struct {
	p        partition
	r        *rule
	ok       bool
	n        float64
	sum      float64 // of the latencies, ms
	min, max float64
}

// maxAttemptGroups bounds the search; past it, the groups are recorded
// early.
const maxAttemptGroups = 16

// add counts one first attempt for rule r, of an event ingested at ingest
// (unix ms), made at at.
func (a *attempts) add(m *Metrics, p partition, r *rule, ingest int64, at time.Time, ok bool) {
	lat := max(float64(at.Sub(time.UnixMilli(ingest)).Milliseconds()), 0)
	for i := range a.n {
		g := &a.gs[i]
		if g.r == r && g.ok == ok && g.p == p {
			g.n++
			g.sum += lat
			g.min, g.max = min(g.min, lat), max(g.max, lat)
			return
		}
	}
	if a.n == maxAttemptGroups {
		a.record(m, at)
	}
	a.gs[a.n] = attemptGroup{p: p, r: r, ok: ok, n: 1, sum: lat, min: lat, max: lat}
	a.n++
}

// record records the groups, all attempted at at, and empties a.
func (a *attempts) record(m *Metrics, at time.Time) {
	for i := range a.n {
		m.attemptedSet(&a.gs[i], false, at)
	}
	clear(a.gs[:a.n]) // the rules may be replaced meanwhile: hold none
	a.n = 0
}

// attemptedSet records g.n attempts at once, all retries (retry) or all
// first attempts; g's latencies are from ingestion to the attempt.
func (m *Metrics) attemptedSet(g *attemptGroup, retry bool, at time.Time) {
	if m == nil || g.n <= 0 {
		return
	}
	p := metricstore.Partition{Account: g.p.account, Region: g.p.region}
	rd, bd := g.r.dims, g.r.busDims
	count := func(metric string, dimSets ...string) {
		for _, d := range dimSets {
			m.addSet(p, metric, "Count", g.n, g.n, 1, 1, at, d)
		}
	}
	latency := func(metric string) {
		for _, d := range [...]string{"", bd, rd} {
			m.addSet(p, metric, "Milliseconds", g.n, g.sum, g.min, g.max, at, d)
		}
	}
	count("InvocationAttempts", "", bd, rd)
	if retry {
		count("RetryInvocationAttempts", "", bd, rd)
	} else {
		latency("IngestionToInvocationStartLatency")
	}
	if g.ok {
		count("SuccessfulInvocationAttempts", "", bd, rd)
		count("Invocations", "", rd)
		latency("IngestionToInvocationSuccessLatency")
	}
}

// addSet records a statistic set of n values in one dimension set.
func (m *Metrics) addSet(p metricstore.Partition, metric, unit string, n, sum, min, max float64, at time.Time, dims string) {
	if m.b != nil {
		m.b.AddSet(p, metric, unit, n, sum, min, max, at, dims)
	} else {
		m.agg.AddSet(p, metric, unit, n, sum, min, max, at, dims)
	}
}
