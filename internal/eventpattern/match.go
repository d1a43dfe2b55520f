package eventpattern

import (
	"bytes"
	"slices"
	"sync"
)

// matchLeaf reports whether one event value satisfies the matcher.
// opExists and opAbsent are handled by the caller.
func (m *valueMatcher) matchLeaf(f *flat, l *leaf) bool {
	switch m.op {
	case opExactString:
		if l.kind != kString {
			return false
		}
		if bstr(l.str) == m.s {
			return true
		}
		if m.ip.IsValid() {
			a, ok := eventAddr(l.str)
			return ok && a == m.ip
		}
		return false
	case opExactNumber:
		return l.kind == kNumber && ((m.qOK && l.qOK && m.q == l.q) || bstr(l.str) == m.raw)
	case opTrue:
		return l.kind == kTrue
	case opFalse:
		return l.kind == kFalse
	case opNull:
		return l.kind == kNull
	case opPrefix:
		return l.kind == kString && len(l.str) >= len(m.s) && bstr(l.str[:len(m.s)]) == m.s
	case opSuffix:
		return l.kind == kString && len(l.str) >= len(m.s) && bstr(l.str[len(l.str)-len(m.s):]) == m.s
	case opPrefixIC:
		if l.kind != kString {
			return false
		}
		fs := f.folded(l)
		return len(fs) >= len(m.s) && bstr(fs[:len(m.s)]) == m.s
	case opSuffixIC:
		if l.kind != kString {
			return false
		}
		fs := f.folded(l)
		return len(fs) >= len(m.s) && bstr(fs[len(fs)-len(m.s):]) == m.s
	case opEqualsIC:
		return l.kind == kString && bstr(f.folded(l)) == m.s
	case opWildcard:
		return l.kind == kString && wildcardMatch(m.wc, l.str)
	case opNumeric:
		return l.kind == kNumber && l.qOK && l.q >= m.lo && l.q <= m.hi
	case opCIDR:
		if l.kind != kString {
			return false
		}
		a, ok := eventAddr(l.str)
		return ok && m.prefix.Contains(a)
	case opExists:
		return true
	case opAnyButStrings:
		if l.kind != kString {
			return true
		}
		_, excluded := m.set[bstr(l.str)]
		return !excluded
	case opAnyButNumbers:
		if l.kind != kNumber || !l.qOK {
			return true
		}
		return !slices.Contains(m.nums, l.q)
	case opAnyButIC:
		if l.kind != kString {
			return true
		}
		_, excluded := m.set[bstr(f.folded(l))]
		return !excluded
	case opAnyButPrefix:
		return l.kind != kString || !bytes.HasPrefix(l.str, []byte(m.s))
	case opAnyButSuffix:
		return l.kind != kString || !bytes.HasSuffix(l.str, []byte(m.s))
	case opAnyButWildcard:
		return l.kind != kString || !wildcardMatch(m.wc, l.str)
	}
	return false
}

// wildcardMatch matches s against segments separated by stars: the first
// segment is a prefix, the last a suffix, the middle ones appear in order.
func wildcardMatch(segs []string, s []byte) bool {
	if len(segs) == 1 {
		return bstr(s) == segs[0]
	}
	first, last := segs[0], segs[len(segs)-1]
	if len(s) < len(first)+len(last) || bstr(s[:len(first)]) != first || bstr(s[len(s)-len(last):]) != last {
		return false
	}
	mid := s[len(first) : len(s)-len(last)]
	for _, seg := range segs[1 : len(segs)-1] {
		i := bytes.Index(mid, []byte(seg))
		if i < 0 {
			return false
		}
		mid = mid[i+len(seg):]
	}
	return true
}

// evalScratch is reused state for evaluating conjunctions.
type evalScratch struct {
	cands  []int32 // leaf indexes, grouped per field
	starts []int32 // per constrained field: start in cands; one extra end entry
	chosen []int32
}

// eval reports whether the conjunction holds for the flattened event. known
// is the index of a field some leaf is known to satisfy (the Matcher's
// anchor), or -1; it is not checked again unless array consistency needs its
// leaves.
func (s *evalScratch) eval(sr *subRule, f *flat, known int) bool {
	s.cands = s.cands[:0]
	s.starts = s.starts[:0]
	needArrays := false
	for i := range sr.fields {
		fd := &sr.fields[i]
		head := f.first(fd.fid)
		if !fd.positive { // only exists:false
			if head != -1 {
				return false
			}
			continue
		}
		if i == known && !inArrays(f, head) {
			continue // leaves outside arrays are consistent with any others
		}
		start := int32(len(s.cands))
		var inArr bool
		s.cands, inArr = matchingLeaves(s.cands, fd, f, head)
		needArrays = needArrays || inArr
		if int32(len(s.cands)) == start {
			if fd.hasAbsent && head == -1 {
				continue // satisfied by absence
			}
			return false
		}
		s.starts = append(s.starts, start)
	}
	if !needArrays || len(s.starts) < 2 {
		return true
	}
	s.starts = append(s.starts, int32(len(s.cands)))
	s.chosen = s.chosen[:0]
	return s.search(f, 0)
}

// matchingLeaves appends to cands the leaves of the chain from head that a
// matcher of fd matches, and reports whether one of those sits in an array.
func matchingLeaves(cands []int32, fd *field, f *flat, head int32) ([]int32, bool) {
	inArr := false
	for li := head; li != -1; li = f.leaves[li].next {
		l := &f.leaves[li]
		for mi := range fd.matchers {
			m := &fd.matchers[mi]
			if m.op != opAbsent && m.matchLeaf(f, l) {
				cands = append(cands, li)
				inArr = inArr || l.trailLen > 0
				break
			}
		}
	}
	return cands, inArr
}

// inArrays reports whether any leaf of the chain from head sits in an array.
func inArrays(f *flat, head int32) bool {
	for li := head; li != -1; li = f.leaves[li].next {
		if f.leaves[li].trailLen > 0 {
			return true
		}
	}
	return false
}

// search picks one candidate per constrained field, pairwise consistent.
func (s *evalScratch) search(f *flat, k int) bool {
	if k == len(s.starts)-1 {
		return true
	}
	for _, li := range s.cands[s.starts[k]:s.starts[k+1]] {
		t := f.trail(&f.leaves[li])
		ok := true
		for _, cj := range s.chosen {
			if !consistent(t, f.trail(&f.leaves[cj])) {
				ok = false
				break
			}
		}
		if !ok {
			continue
		}
		s.chosen = append(s.chosen, li)
		if s.search(f, k+1) {
			return true
		}
		s.chosen = s.chosen[:len(s.chosen)-1]
	}
	return false
}

type scratch struct {
	flat
	evalScratch
}

var scratchPool = sync.Pool{New: func() any { return new(scratch) }}

// Match reports whether the JSON event matches the pattern. It returns an
// error when the event is not a well-formed JSON object.
func (p *Pattern) Match(event []byte) (bool, error) {
	s := scratchPool.Get().(*scratch)
	defer scratchPool.Put(s)
	s.flat.reset(p.paths, event)
	if err := s.flat.scan(); err != nil {
		return false, err
	}
	for i := range p.subs {
		if s.evalScratch.eval(&p.subs[i], &s.flat, -1) {
			return true, nil
		}
	}
	return false, nil
}
