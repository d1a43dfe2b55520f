package events

import (
	"time"

	"github.com/vigilhq/vigil/internal/awsmetrics"
	"github.com/vigilhq/vigil/internal/metricstore"
)

// hits counts a PutEvents call's MatchedEvents and TriggeredRules by rule
// until its batch commits. Recording each match as it happens searched the
// batch's series (strings compared) for every rule of every event: with a
// dozen rules matching each of 10 events, a fifth of the handler's time.
// Here a match is one pointer comparison, mostly the first one tried: a
// call's events tend to match the same rules in the same order, so the
// search starts after the last hit. For the calling goroutine only.
type hits struct {
	hs   []hit
	next int
}

type hit struct {
	r   *rule
	bus bool // MatchedEvents on r's bus, rather than TriggeredRules of r
	p   partition
	sec int64
	n   float64
}

// maxHits bounds the search; past it, the counts go to the batch early.
const maxHits = 64

// add counts one event that matched rules (all of one bus), at.
func (h *hits) add(b *awsmetrics.Batch, p partition, rules []*rule, at time.Time) {
	sec := at.Unix()
	h.count(b, rules[0], true, p, sec)
	for _, r := range rules {
		h.count(b, r, false, p, sec)
	}
}

func (h *hits) count(b *awsmetrics.Batch, r *rule, bus bool, p partition, sec int64) {
	n := len(h.hs)
	for i := range n {
		j := h.next + i
		if j >= n {
			j -= n
		}
		x := &h.hs[j]
		if x.r == r && x.bus == bus && x.sec == sec && x.p == p {
			x.n++
			h.next = j + 1
			return
		}
	}
	if n == maxHits {
		h.record(b)
	}
	h.hs = append(h.hs, hit{r: r, bus: bus, p: p, sec: sec, n: 1})
	h.next = len(h.hs)
}

// record adds the counts to b as statistic sets (each match counts 1, as
// Metrics.matched records them one by one) and empties h.
func (h *hits) record(b *awsmetrics.Batch) {
	for i := range h.hs {
		x := &h.hs[i]
		p := metricstore.Partition{Account: x.p.account, Region: x.p.region}
		at := time.Unix(x.sec, 0)
		if x.bus {
			b.AddSet(p, "MatchedEvents", "Count", x.n, x.n, 1, 1, at, "")
			b.AddSet(p, "MatchedEvents", "Count", x.n, x.n, 1, 1, at, x.r.busDims)
		} else {
			b.AddSet(p, "TriggeredRules", "Count", x.n, x.n, 1, 1, at, x.r.dims)
		}
	}
	clear(h.hs) // the rules may be replaced meanwhile: hold none
	h.hs, h.next = h.hs[:0], 0
}
