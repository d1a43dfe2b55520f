package events

// ruleCache remembers which rules the matcher's names resolved to for a
// PutEvents call's events, by the names' places in the match: a call's
// events match the same rules in the same order, mostly, and a name the
// matcher gives is the same string each time, so checking the place costs
// a comparison of equal pointers where looking the bus's rules up hashed
// the name (a dozen matches an event: a tenth of route's time end to end,
// the rules' map cold in the cache). Callers hold s.mu for reading for as
// long as they use it, so a remembered rule is the one the map holds. A
// nil *ruleCache looks every name up. For the calling goroutine only.
type ruleCache struct {
	b      *bus
	n      int // places in use
	names  [32]string
	rules  [32]*rule
	events int // the call's entries still to route: sizes its deliveries
}

// rule returns b's rule named name, the k-th name of a match.
func (rc *ruleCache) rule(b *bus, k int, name string) *rule {
	if rc == nil {
		return b.rules[name]
	}
	if rc.b != b {
		rc.b, rc.n = b, 0
	}
	if k < rc.n && rc.names[k] == name {
		return rc.rules[k]
	}
	r := b.rules[name]
	if k < len(rc.names) {
		rc.names[k], rc.rules[k] = name, r
		rc.n = max(rc.n, k+1)
	}
	return r
}
