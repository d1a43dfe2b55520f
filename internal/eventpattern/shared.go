package eventpattern

import (
	"encoding/binary"
	"fmt"
	"slices"
	"strings"
)

// With many rules, most of a candidate conjunction's cost was reading its
// fields and matchers from memory no other candidate shares, and many
// conjunctions test the very same thing (a thousand rules that all ask for
// "detail-type": ["AWS API Call via CloudTrail"] or the same anything-but).
// So the Matcher keeps each distinct field test (path and value matchers)
// once, as a "predicate"; a conjunction is a list of predicate numbers; and
// within one event a predicate's outcome is remembered the first time a
// candidate evaluates it, whenever that outcome does not depend on which
// array elements the conjunction's other fields use.

// predKey identifies a field test: two fields with the same key match the
// same leaves. The anything-but sets are listed sorted; everything else a
// matcher derives (wildcard segments, an exact string's address, a number's
// quantized value) follows from the text included.
func predKey(fd *field) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d", fd.fid)
	for i := range fd.matchers {
		m := &fd.matchers[i]
		fmt.Fprintf(&b, "\x00%d\x01%q\x01%q\x01%d\x01%d\x01%v\x01%v", m.op, m.s, m.raw, m.lo, m.hi, m.prefix, m.nums)
		if m.set != nil {
			keys := make([]string, 0, len(m.set))
			for k := range m.set {
				keys = append(keys, k)
			}
			slices.Sort(keys)
			fmt.Fprintf(&b, "\x01%q", keys)
		}
	}
	return b.String()
}

// internPreds gives every conjunction's fields predicate numbers, keeping
// one copy of each distinct field test (with its own matchers, so that the
// duplicates' storage is not kept alive).
func (x *index) internPreds(subs []subRule) {
	ids := map[string]int32{}
	for si := range subs {
		f0 := int32(len(x.subPreds))
		for fi := range subs[si].fields {
			fd := &subs[si].fields[fi]
			k := predKey(fd)
			id, ok := ids[k]
			if !ok {
				id = int32(len(x.preds))
				ids[k] = id
				cp := *fd
				cp.matchers = slices.Clone(fd.matchers)
				x.preds = append(x.preds, cp)
			}
			x.subPreds = append(x.subPreds, id)
		}
		x.subs[si].f0, x.subs[si].f1 = f0, int32(len(x.subPreds))
	}
}

// findReps sets the rep of every conjunction that tests exactly the same
// predicates (and anchor) as another: large rule sets repeat patterns
// (many subscribers to the same events), and the repeats of a pattern are
// candidates together.
func (x *index) findReps() {
	first := map[string]int32{}
	var key []byte
	for si := range x.subs {
		is := &x.subs[si]
		key = binary.LittleEndian.AppendUint32(key[:0], uint32(is.anchor))
		for _, pid := range x.subPreds[is.f0:is.f1] {
			key = binary.LittleEndian.AppendUint32(key, uint32(pid))
		}
		is.rep = -1
		if r, ok := first[string(key)]; ok {
			is.rep = r
			x.subs[r].rep = r
		} else {
			first[string(key)] = int32(si)
		}
	}
}

// groupReps files each group of identical conjunctions (findReps) under
// its representative alone: the index's lists name the representative in
// place of every member, so that a probe finds the group once and its
// outcome is computed once, and a matching representative outputs its
// members (indexedSub.m0, m1) in a loop of their own.
func (x *index) groupReps() {
	for si := range x.subs {
		if r := x.subs[si].rep; r >= 0 {
			x.subs[r].m1++ // a count for now
		}
	}
	var n int32
	for si := range x.subs {
		is := &x.subs[si]
		c := is.m1
		is.m0, is.m1 = n, n
		n += c
	}
	x.members = make([]int32, n)
	x.memberIDs = make([]string, n)
	for si := range x.subs {
		if r := x.subs[si].rep; r >= 0 {
			rs := &x.subs[r]
			if rs.m0 == rs.m1 {
				rs.allSingle = true
			}
			rs.allSingle = rs.allSingle && x.subs[si].single
			x.members[rs.m1] = int32(si)
			x.memberIDs[rs.m1] = x.subs[si].id
			rs.m1++
		}
	}
	seen := make([]uint32, len(x.subs))
	gen := uint32(0)
	canon := func(l []int32) []int32 {
		gen++
		out := l[:0]
		for _, si := range l {
			if r := x.subs[si].rep; r >= 0 {
				si = r
			}
			if seen[si] != gen {
				seen[si] = gen
				out = append(out, si)
			}
		}
		return out
	}
	x.always = canon(x.always)
	for _, fi := range x.fields {
		if fi == nil {
			continue
		}
		for _, mp := range []map[string][]int32{fi.exact, fi.prefix, fi.suffix, fi.prefIC, fi.sufIC, fi.eqIC, fi.cidr} {
			for k, l := range mp {
				mp[k] = canon(l)
			}
		}
		fi.anyStr, fi.anyLeaf = canon(fi.anyStr), canon(fi.anyLeaf)
		// Only the intervals: the segment tree is built from them
		// afterwards.
		r := &fi.ranges
		type iv struct {
			lo, hi int64
			si     int32
		}
		had := map[iv]bool{}
		k := 0
		for i, si := range r.ids {
			if rep := x.subs[si].rep; rep >= 0 {
				si = rep
			}
			if v := (iv{r.los[i], r.his[i], si}); !had[v] {
				had[v] = true
				r.los[k], r.his[k], r.ids[k] = v.lo, v.hi, si
				k++
			}
		}
		r.los, r.his, r.ids = r.los[:k], r.his[:k], r.ids[:k]
	}
}

// groupByAnchor reorders the conjunctions (with their anchors, best) so that
// the ones filed under the same anchor test are adjacent: the candidates one
// probe finds then lie together in memory. The order of the output of
// MatchEvent is unspecified, so only speed depends on it.
func (x *index) groupByAnchor(subs []subRule, best []int) ([]subRule, []int) {
	keys := make([]string, len(subs))
	perm := make([]int, len(subs))
	for si := range subs {
		perm[si] = si
		if best[si] >= 0 {
			keys[si] = "a" + predKey(&subs[si].fields[best[si]])
		} else {
			keys[si] = "z" // unanchored last
		}
	}
	slices.SortStableFunc(perm, func(a, b int) int { return strings.Compare(keys[a], keys[b]) })
	ns := make([]subRule, len(subs))
	nb := make([]int, len(subs))
	nx := make([]indexedSub, len(subs))
	for i, si := range perm {
		ns[i], nb[i], nx[i] = subs[si], best[si], x.subs[si]
	}
	x.subs = nx
	return ns, nb
}

// Outcomes of a predicate remembered for the current event, in the low two
// bits of matchScratch.pstate (the generation is in the others).
const (
	predFails  = 1 // no leaf matches and absence does not satisfy it
	predHolds  = 2 // holds, and no matching leaf sits in an array
	predArrays = 3 // holds through leaves in arrays: evaluate with the others

	maxGen = 1<<30 - 1 // generations fit pstate beside an outcome
)

// predSpan locates in matchScratch.pleaves the leaves that match a
// predicate whose outcome is predArrays: every other candidate testing it
// takes them from there instead of matching the leaves again (with many
// rules, the rules that test fields of the same array share such tests).
type predSpan struct{ off, n int32 }

// evalSub reports whether the candidate conjunction (is) holds for the event,
// as evalScratch.eval does for a Pattern's conjunction (see there), with
// predicate outcomes shared between the candidates of one event.
func (s *matchScratch) evalSub(x *index, is *indexedSub, f *flat) bool {
	ev := &s.evalScratch
	ev.cands = ev.cands[:0]
	ev.starts = ev.starts[:0]
	for k, pid := range x.subPreds[is.f0:is.f1] {
		switch s.pstate[pid] ^ s.gen<<2 {
		case predFails:
			return false
		case predHolds:
			continue
		case predArrays:
			sp := s.pspan[pid]
			ev.starts = append(ev.starts, int32(len(ev.cands)))
			ev.cands = append(ev.cands, s.pleaves[sp.off:sp.off+sp.n]...)
			continue
		}
		fd := &x.preds[pid]
		head := f.first(fd.fid)
		if !fd.positive { // only exists:false
			if head != -1 {
				return false
			}
			continue
		}
		if int32(k) == is.anchor && !inArrays(f, head) {
			continue // leaves outside arrays are consistent with any others
		}
		start := int32(len(ev.cands))
		var inArr bool
		ev.cands, inArr = matchingLeaves(ev.cands, fd, f, head)
		switch {
		case int32(len(ev.cands)) == start:
			if fd.hasAbsent && head == -1 {
				s.pstate[pid] = s.gen<<2 | predHolds // satisfied by absence
				continue
			}
			s.pstate[pid] = s.gen<<2 | predFails
			return false
		case !inArr:
			// Leaves outside arrays never constrain the choice of the
			// other fields' leaves.
			s.pstate[pid] = s.gen<<2 | predHolds
			ev.cands = ev.cands[:start]
		default:
			s.pstate[pid] = s.gen<<2 | predArrays
			s.pspan[pid] = predSpan{int32(len(s.pleaves)), int32(len(ev.cands)) - start}
			s.pleaves = append(s.pleaves, ev.cands[start:]...)
			ev.starts = append(ev.starts, start)
		}
	}
	if len(ev.starts) < 2 {
		return true
	}
	ev.starts = append(ev.starts, int32(len(ev.cands)))
	ev.chosen = ev.chosen[:0]
	return ev.search(f, 0)
}
