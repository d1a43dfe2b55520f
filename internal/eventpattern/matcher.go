package eventpattern

import (
	"encoding/binary"
	"fmt"
	"math"
	"net/netip"
	"slices"
	"sort"
	"sync"
	"sync/atomic"
)

// Matcher finds every rule whose pattern matches an event. Rules are indexed
// by one "anchor" field per conjunction (the most selective one): exact
// values and IP addresses in hash maps, prefixes and suffixes in hash maps
// probed once per distinct length, numeric ranges in a segment tree, CIDR
// blocks in a hash map per prefix length. An event is flattened once, only
// along paths some rule refers to; each leaf probes its path's index, and
// only the conjunctions it hits are evaluated exactly, each distinct field
// test and each distinct conjunction at most once per event however many
// rules share it (shared.go). The zero value is not usable; call
// NewMatcher. Safe for concurrent use.
type Matcher struct {
	mu    sync.Mutex // serializes writers and index builds
	rules map[string]*Pattern
	order []string // insertion order of live rules, for stable output

	// idx is the index of the current rules, nil after a change until the
	// next MatchEvent rebuilds it; readers load it without the lock.
	idx  atomic.Pointer[index]
	pool sync.Pool
}

// NewMatcher returns an empty Matcher.
func NewMatcher() *Matcher {
	m := &Matcher{rules: map[string]*Pattern{}}
	m.pool.New = func() any { return new(matchScratch) }
	return m
}

// Add adds or replaces the rule ruleID.
func (m *Matcher) Add(ruleID string, p *Pattern) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.rules[ruleID]; !ok {
		m.order = append(m.order, ruleID)
	}
	m.rules[ruleID] = p
	m.idx.Store(nil)
}

// Remove removes the rule ruleID; removing an unknown id does nothing.
func (m *Matcher) Remove(ruleID string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.rules[ruleID]; !ok {
		return
	}
	delete(m.rules, ruleID)
	m.order = slices.DeleteFunc(m.order, func(s string) bool { return s == ruleID })
	m.idx.Store(nil)
}

// Len returns the number of rules.
func (m *Matcher) Len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.rules)
}

// MatchEvent appends to out the id of every rule matching the JSON event, each
// once, and returns the extended slice. The order is deterministic for a given
// rule set and event but otherwise unspecified. It returns an error when the event is not a well-formed JSON object.
func (m *Matcher) MatchEvent(event []byte, out []string) ([]string, error) {
	idx := m.index()
	s := m.pool.Get().(*matchScratch)
	defer m.pool.Put(s)
	return idx.match(s, event, out)
}

// index returns the index of the current rules, building it if a change
// made it stale.
func (m *Matcher) index() *index {
	if idx := m.idx.Load(); idx != nil {
		return idx
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	idx := m.idx.Load()
	if idx == nil {
		idx = buildIndex(m.order, m.rules)
		m.idx.Store(idx)
	}
	return idx
}

// anchor kinds probed per leaf.
type fieldIndex struct {
	exact    map[string][]int32 // encoded value -> conjunctions
	hasIP    bool
	prefix   map[string][]int32
	prefLens []int
	suffix   map[string][]int32
	sufLens  []int
	prefIC   map[string][]int32
	prefICL  []int
	sufIC    map[string][]int32
	sufICL   []int
	eqIC     map[string][]int32
	cidr     map[string][]int32
	cidrLens []int // bits, +256 for IPv6; sorted
	ranges   rangeIndex
	anyStr   []int32 // any string leaf (wildcards without literal ends)
	anyLeaf  []int32 // any leaf (anything-but, exists)

	// The maps above, frozen by freeze for probing; exactS holds the
	// string entries of exact under the bare string.
	exactT, exactS, prefixT, suffixT, prefICT, sufICT, eqICT, cidrT listTable
	trueL, falseL, nullL                                            []int32

	cidrLens4 bool // some CIDR is IPv4: cidrLens starts with lengths <= 32

	// strOps says which of the above a string leaf probes (freeze): one
	// test of a register skips what the field does not have, instead of a
	// load and test of each.
	strOps probeOps
}

// probeOps are the probes of a string leaf, as bits of fieldIndex.strOps.
type probeOps uint8

const (
	probeAnyStr probeOps = 1 << iota
	probeExact           // exactS
	probeAddr            // an IP address in exact, or CIDR blocks
	probePrefix
	probeSuffix
	probeFolded // eqIC, prefIC or sufIC
)

func (fi *fieldIndex) freeze() {
	strs := map[string][]int32{}
	for k, l := range fi.exact {
		if k[0] == 's' {
			strs[k[1:]] = l
		}
	}
	fi.exactS = newListTable(strs)
	fi.exactT = newListTable(fi.exact)
	fi.trueL, fi.falseL, fi.nullL = fi.exact["t"], fi.exact["f"], fi.exact["z"]
	fi.prefixT = newListTable(fi.prefix)
	fi.suffixT = newListTable(fi.suffix)
	fi.prefICT = newListTable(fi.prefIC)
	fi.sufICT = newListTable(fi.sufIC)
	fi.eqICT = newListTable(fi.eqIC)
	fi.cidrT = newListTable(fi.cidr)
	fi.strOps = 0
	for _, op := range []struct {
		on  bool
		bit probeOps
	}{
		{len(fi.anyStr) > 0, probeAnyStr},
		{len(strs) > 0, probeExact},
		{fi.hasIP || fi.cidr != nil, probeAddr},
		{len(fi.prefLens) > 0, probePrefix},
		{len(fi.sufLens) > 0, probeSuffix},
		{fi.eqIC != nil || fi.prefIC != nil || fi.sufIC != nil, probeFolded},
	} {
		if op.on {
			fi.strOps |= op.bit
		}
	}
}

type indexedSub struct {
	id   string // the rule's id, here to save a load from ruleIDs
	rule int32  // index into index.ruleIDs
	// f0, f1 delimit the conjunction's predicates in index.subPreds
	// (shared.go), in the order of its fields.
	f0, f1 int32
	// anchor is the index among its fields of the anchor field when every
	// matcher of it is indexed exactly (a candidate already satisfies it),
	// else -1.
	anchor int32
	// sure: the conjunction is its anchor field alone and every matcher of
	// that field is indexed exactly, so being probed means matching.
	sure bool
	// single: the rule has no other conjunction, so it cannot be output
	// twice and needs no ruleSeen stamp.
	single bool
	// rep is, when other conjunctions test exactly the same predicates,
	// the first of them (the one the index files them all under:
	// groupReps), else -1.
	rep int32
	// m0, m1 delimit, for a representative, its group in index.members
	// (itself included); m0 == m1 for any other conjunction.
	m0, m1 int32
	// allSingle: every member of the group is single, so a match outputs
	// index.memberIDs[m0:m1] with one copy.
	allSingle bool
}

type probedPath struct {
	fid int32
	// exactS: a string leaf probes fi.exactS alone, done in the loop
	// over the paths without a call (the common path: "source").
	exactS bool
	fi     *fieldIndex
}

type index struct {
	paths  *pathTable
	fields []*fieldIndex
	// probed lists the paths that have a fieldIndex, so that an event's
	// leaves at paths only evaluated (most of them) are not visited to
	// find that out.
	probed  []probedPath
	subs    []indexedSub
	always  []int32 // conjunctions without an anchor
	ruleIDs []string
	// preds holds each distinct field test once; subPreds lists each
	// conjunction's (shared.go).
	preds     []field
	subPreds  []int32
	members   []int32  // groups of identical conjunctions (groupReps)
	memberIDs []string // the rule id of each of members
}

func buildIndex(order []string, rules map[string]*Pattern) *index {
	x := &index{paths: newPathTable()}
	// The conjunctions' fields and matchers are copied, with the index's
	// path ids, to choose anchors; evaluation reads the shared predicates
	// made from them (shared.go).
	nf, nm := 0, 0
	for _, id := range order {
		for _, sr := range rules[id].subs {
			nf += len(sr.fields)
			for _, fd := range sr.fields {
				nm += len(fd.matchers)
			}
		}
	}
	fields := make([]field, 0, nf)
	matchers := make([]valueMatcher, 0, nm)
	var subs []subRule
	for ri, id := range order {
		p := rules[id]
		x.ruleIDs = append(x.ruleIDs, id)
		for _, sr := range p.subs {
			f0 := len(fields)
			for _, fd := range sr.fields {
				m0 := len(matchers)
				matchers = append(matchers, fd.matchers...)
				fd.matchers = matchers[m0:len(matchers):len(matchers)]
				fd.fid = x.paths.add(fd.path)
				fields = append(fields, fd)
			}
			subs = append(subs, subRule{fields: fields[f0:len(fields):len(fields)]})
			x.subs = append(x.subs, indexedSub{rule: int32(ri), id: id, single: len(p.subs) == 1, anchor: -1})
		}
	}
	x.fields = make([]*fieldIndex, len(x.paths.names))
	// How many conjunctions test each (path, value): an anchor on a rarely
	// tested value is more selective than one on a value every rule tests.
	freq := map[string]int{}
	// How many distinct tests each path has: between two anchors equally
	// selective by the counts above (a tie that small rule sets are full
	// of), the path rules test with many values is likelier to take many
	// values in events than one every rule tests the same way ("source"
	// rather than "detail-type"). Our decision, for speed only: any
	// anchor gives the same matches.
	distinct := make([]int, len(x.paths.names))
	for si := range subs {
		for _, fd := range subs[si].fields {
			for mi := range fd.matchers {
				k := freqKey(fd.fid, &fd.matchers[mi])
				if freq[k] == 0 {
					distinct[fd.fid]++
				}
				freq[k]++
			}
		}
	}
	best := make([]int, len(subs))
	for si := range subs {
		best[si] = chooseAnchor(&subs[si], freq, distinct)
	}
	subs, best = x.groupByAnchor(subs, best)
	x.internPreds(subs)
	for si := range subs {
		x.addAnchor(int32(si), &subs[si], best[si])
	}
	x.findReps()
	x.groupReps()
	for fid, fi := range x.fields {
		if fi != nil {
			fi.ranges.build()
			fi.freeze()
			x.probed = append(x.probed, probedPath{
				fid:    int32(fid),
				exactS: fi.strOps == probeExact && len(fi.anyLeaf) == 0,
				fi:     fi,
			})
		}
	}
	x.paths.build()
	return x
}

// score rates how selective a matcher is as an anchor; lower is better.
func score(m *valueMatcher) int {
	switch m.op {
	case opExactString, opExactNumber, opTrue, opFalse, opNull, opEqualsIC, opCIDR:
		return 1
	case opPrefix, opSuffix, opPrefixIC, opSuffixIC:
		if len(m.s) == 0 {
			return 4
		}
		return 2
	case opNumeric:
		return 3
	case opWildcard:
		if m.wc[0] != "" || m.wc[len(m.wc)-1] != "" {
			return 2
		}
		return 4
	}
	return 5
}

func freqKey(fid int32, m *valueMatcher) string {
	return fmt.Sprintf("%d\x00%d\x00%s\x00%s\x00%d\x00%d\x00%v", fid, m.op, m.s, m.raw, m.lo, m.hi, m.prefix)
}

// chooseAnchor returns the index of the field of sr to index it by, or -1
// when none can be.
func chooseAnchor(sr *subRule, freq map[string]int, distinct []int) int {
	best, bestScore, bestFreq, bestDistinct := -1, 1<<30, 1<<30, 0
	for i := range sr.fields {
		fd := &sr.fields[i]
		if fd.hasAbsent || !fd.positive {
			continue
		}
		sc, fq := 0, 0
		for mi := range fd.matchers {
			sc = max(sc, score(&fd.matchers[mi]))
			fq += freq[freqKey(fd.fid, &fd.matchers[mi])]
		}
		dv := distinct[fd.fid]
		if sc < bestScore || (sc == bestScore && (fq < bestFreq || (fq == bestFreq && dv > bestDistinct))) {
			best, bestScore, bestFreq, bestDistinct = i, sc, fq, dv
		}
	}
	return best
}

// addAnchor files conjunction si under its field best (chooseAnchor).
func (x *index) addAnchor(si int32, sr *subRule, best int) {
	if best < 0 {
		x.always = append(x.always, si)
		return
	}
	fd := &sr.fields[best]
	x.subs[si].anchor = int32(best)
	for mi := range fd.matchers {
		if !exactlyIndexed(&fd.matchers[mi]) {
			x.subs[si].anchor = -1
		}
	}
	x.subs[si].sure = len(sr.fields) == 1 && x.subs[si].anchor >= 0
	fi := x.fields[fd.fid]
	if fi == nil {
		fi = &fieldIndex{}
		x.fields[fd.fid] = fi
	}
	for mi := range fd.matchers {
		fi.add(&fd.matchers[mi], si)
	}
}

// exactlyIndexed reports whether fieldIndex.add files m so that a probe by
// a leaf finds it exactly when m.matchLeaf holds for that leaf.
func exactlyIndexed(m *valueMatcher) bool {
	switch m.op {
	case opExactString, opExactNumber, opTrue, opFalse, opNull, opEqualsIC,
		opPrefix, opSuffix, opPrefixIC, opSuffixIC, opNumeric, opCIDR:
		return true
	}
	return false
}

func addTo(mp *map[string][]int32, key string, si int32) {
	if *mp == nil {
		*mp = map[string][]int32{}
	}
	l := (*mp)[key]
	if len(l) > 0 && l[len(l)-1] == si {
		return
	}
	(*mp)[key] = append(l, si)
}

func addLen(lens *[]int, n int) {
	if !slices.Contains(*lens, n) {
		*lens = append(*lens, n)
		sort.Ints(*lens)
	}
}

func exactKey(dst []byte, kind byte, b []byte) []byte {
	return append(append(dst[:0], kind), b...)
}

func qKey(dst []byte, q int64) []byte {
	dst = append(dst[:0], 'n')
	for i := 0; i < 8; i++ {
		dst = append(dst, byte(q>>(8*i)))
	}
	return dst
}

// ipKey is the exact-table key of an (unmapped) address: '4' and four bytes
// or 'i' and sixteen.
func ipKey(dst []byte, a netip.Addr) []byte {
	if a.Is4() {
		return ipKey4(dst, a.As4())
	}
	b := a.As16()
	return append(append(dst[:0], 'i'), b[:]...)
}

// ipKey4 is ipKey of an IPv4 address given as its bytes.
func ipKey4(dst []byte, b [4]byte) []byte { return append(append(dst[:0], '4'), b[:]...) }

// cidrKey is the key of a masked prefix: the prefix length and four address
// bytes for IPv4, the length, a 6 and sixteen bytes for IPv6.
func cidrKey(dst []byte, p netip.Prefix) []byte {
	a := p.Addr()
	if a.Is4() {
		b := a.As4()
		return append(append(dst[:0], byte(p.Bits())), b[:]...)
	}
	b := a.As16()
	return append(append(dst[:0], byte(p.Bits()), 6), b[:]...)
}

// cidrKey4 is cidrKey of the IPv4 prefix of length bits containing a.
func cidrKey4(dst []byte, a [4]byte, bits int) []byte {
	v := binary.BigEndian.Uint32(a[:]) & (0xffffffff << (32 - bits))
	return binary.BigEndian.AppendUint32(append(dst[:0], byte(bits)), v)
}

func (fi *fieldIndex) add(m *valueMatcher, si int32) {
	var k []byte
	switch m.op {
	case opExactString:
		addTo(&fi.exact, string(exactKey(k, 's', []byte(m.s))), si)
		if m.ip.IsValid() {
			fi.hasIP = true
			addTo(&fi.exact, string(ipKey(k, m.ip)), si)
		}
	case opExactNumber:
		if m.qOK {
			addTo(&fi.exact, string(qKey(k, m.q)), si)
		}
		addTo(&fi.exact, string(exactKey(k, 'N', []byte(m.raw))), si)
	case opTrue:
		addTo(&fi.exact, "t", si)
	case opFalse:
		addTo(&fi.exact, "f", si)
	case opNull:
		addTo(&fi.exact, "z", si)
	case opEqualsIC:
		addTo(&fi.eqIC, m.s, si)
	case opPrefix:
		addTo(&fi.prefix, m.s, si)
		addLen(&fi.prefLens, len(m.s))
	case opSuffix:
		addTo(&fi.suffix, m.s, si)
		addLen(&fi.sufLens, len(m.s))
	case opPrefixIC:
		addTo(&fi.prefIC, m.s, si)
		addLen(&fi.prefICL, len(m.s))
	case opSuffixIC:
		addTo(&fi.sufIC, m.s, si)
		addLen(&fi.sufICL, len(m.s))
	case opWildcard:
		// The literal before the first star (or after the last) is a
		// necessary condition; the exact check happens on evaluation.
		if first := m.wc[0]; first != "" {
			addTo(&fi.prefix, first, si)
			addLen(&fi.prefLens, len(first))
		} else if last := m.wc[len(m.wc)-1]; last != "" {
			addTo(&fi.suffix, last, si)
			addLen(&fi.sufLens, len(last))
		} else {
			fi.anyStr = appendOnce(fi.anyStr, si)
		}
	case opNumeric:
		fi.ranges.add(m.lo, m.hi, si)
	case opCIDR:
		addTo(&fi.cidr, string(cidrKey(k, m.prefix)), si)
		bits := m.prefix.Bits()
		if m.prefix.Addr().Is6() {
			bits += 256
		}
		addLen(&fi.cidrLens, bits)
		fi.cidrLens4 = fi.cidrLens[0] <= 32
	default:
		fi.anyLeaf = appendOnce(fi.anyLeaf, si)
	}
}

func appendOnce(l []int32, si int32) []int32 {
	if len(l) > 0 && l[len(l)-1] == si {
		return l
	}
	return append(l, si)
}

type matchScratch struct {
	scratch
	key      []byte
	stamp    []uint32 // per conjunction: generation it was queued in
	ruleSeen []uint32
	pstate   []uint32 // per predicate: gen<<2 | outcome (predFails...)
	// pleaves[pspan[p]] are the leaves matching predicate p when its
	// outcome this event is predArrays (shared.go).
	pspan   []predSpan
	pleaves []int32
	gen     uint32 // at most maxGen
	cands   []int32
}

func (x *index) match(s *matchScratch, event []byte, out []string) ([]string, error) {
	f := &s.flat
	f.reset(x.paths, event)
	if err := f.scan(); err != nil {
		return out, err
	}
	if len(s.stamp) < len(x.subs) {
		s.stamp = make([]uint32, len(x.subs))
		s.gen = 0
	}
	if len(s.ruleSeen) < len(x.ruleIDs) {
		s.ruleSeen = make([]uint32, len(x.ruleIDs))
		s.gen = 0
	}
	if len(s.pstate) < len(x.preds) {
		s.pstate = make([]uint32, len(x.preds))
		s.pspan = make([]predSpan, len(x.preds))
		s.gen = 0
	}
	s.pleaves = s.pleaves[:0]
	s.gen++
	if s.gen <= 1 || s.gen > maxGen {
		// New stamps (gen was reset to 0) or a wrap: clear them all, the
		// ones kept included, so that no stale stamp equals gen.
		clear(s.stamp)
		clear(s.ruleSeen)
		clear(s.pstate)
		s.gen = 1
	}
	s.cands = s.cands[:0]
	// Path by path, each path's leaves in reverse document order
	// (chain): the candidates' order, and so the output's, is still
	// fixed by the rules and the event.
	for _, pp := range x.probed {
		for li := f.first(pp.fid); li >= 0; li = f.leaves[li].next {
			if l := &f.leaves[li]; pp.exactS && l.kind == kString {
				s.push(pp.fi.exactS.get(l.str))
			} else {
				x.probe(s, pp.fi, l)
			}
		}
	}
	s.cands = append(s.cands, x.always...)
	// Locals: evalSub's calls would otherwise make every candidate load
	// them through s and x again.
	subs, ruleSeen, gen := x.subs, s.ruleSeen, s.gen
	for _, si := range s.cands {
		is := &subs[si]
		if is.m0 == is.m1 {
			if !is.single && ruleSeen[is.rule] == gen {
				continue
			}
			if is.sure || s.evalSub(x, is, f) {
				if !is.single {
					ruleSeen[is.rule] = gen
				}
				out = append(out, is.id)
			}
			continue
		}
		// A group of identical conjunctions, decided once.
		if !is.sure && !s.evalSub(x, is, f) {
			continue
		}
		if is.allSingle {
			out = append(out, x.memberIDs[is.m0:is.m1]...)
			continue
		}
		for _, mi := range x.members[is.m0:is.m1] {
			m := &subs[mi]
			if !m.single {
				if ruleSeen[m.rule] == gen {
					continue
				}
				ruleSeen[m.rule] = gen
			}
			out = append(out, m.id)
		}
	}
	return out, nil
}

func (s *matchScratch) push(list []int32) {
	if len(list) == 0 {
		return
	}
	// Locals: appending to s.cands stores to s, after which s.stamp and
	// s.gen would be loaded again.
	stamp, gen, cands := s.stamp, s.gen, s.cands
	for _, si := range list {
		if stamp[si] != gen {
			stamp[si] = gen
			cands = append(cands, si)
		}
	}
	s.cands = cands
}

func (x *index) probe(s *matchScratch, fi *fieldIndex, l *leaf) {
	s.push(fi.anyLeaf)
	switch l.kind {
	case kTrue:
		s.push(fi.trueL)
	case kFalse:
		s.push(fi.falseL)
	case kNull:
		s.push(fi.nullL)
	case kNumber:
		if fi.exact != nil {
			if l.qOK {
				s.key = qKey(s.key, l.q)
				s.push(fi.exactT.get(s.key))
			}
			s.key = exactKey(s.key, 'N', l.str)
			s.push(fi.exactT.get(s.key))
		}
		if l.qOK {
			fi.ranges.query(l.q, s)
		}
	case kString:
		ops := fi.strOps
		if ops == 0 {
			return
		}
		str := l.str
		if ops&probeAnyStr != 0 {
			s.push(fi.anyStr)
		}
		if ops&probeExact != 0 {
			s.push(fi.exactS.get(str))
		}
		if ops&probeAddr != 0 {
			x.probeAddr(s, fi, str)
		}
		if ops&probePrefix != 0 {
			for _, n := range fi.prefLens {
				if n > len(str) {
					break
				}
				s.push(fi.prefixT.get(str[:n]))
			}
		}
		if ops&probeSuffix != 0 {
			for _, n := range fi.sufLens {
				if n > len(str) {
					break
				}
				s.push(fi.suffixT.get(str[len(str)-n:]))
			}
		}
		if ops&probeFolded != 0 {
			fs := s.flat.folded(l)
			if fi.eqIC != nil {
				s.push(fi.eqICT.get(fs))
			}
			for _, n := range fi.prefICL {
				if n > len(fs) {
					break
				}
				s.push(fi.prefICT.get(fs[:n]))
			}
			for _, n := range fi.sufICL {
				if n > len(fs) {
					break
				}
				s.push(fi.sufICT.get(fs[len(fs)-n:]))
			}
		}
	}
}

// probeAddr probes the address tables of fi (exact addresses, CIDR blocks)
// with the string str when it is an IP address. Dotted IPv4, the common
// case, goes from its four bytes to the keys without a netip.Addr.
func (x *index) probeAddr(s *matchScratch, fi *fieldIndex, str []byte) {
	if a4, ok := parseIPv4(str); ok {
		if fi.hasIP {
			s.key = ipKey4(s.key, a4)
			s.push(fi.exactT.get(s.key))
		}
		if fi.cidrLens4 {
			for _, bits := range fi.cidrLens {
				if bits > 32 {
					break
				}
				s.key = cidrKey4(s.key, a4, bits)
				s.push(fi.cidrT.get(s.key))
			}
		}
		return
	}
	a, ok := eventAddr(str)
	if !ok {
		return
	}
	if fi.hasIP {
		s.key = ipKey(s.key, a)
		s.push(fi.exactT.get(s.key))
	}
	if a.Is4() && fi.cidrLens4 {
		a4 := a.As4()
		for _, bits := range fi.cidrLens {
			if bits > 32 {
				break
			}
			s.key = cidrKey4(s.key, a4, bits)
			s.push(fi.cidrT.get(s.key))
		}
	} else {
		x.probeCIDR(s, fi, a)
	}
}

// probeCIDR probes the CIDR table of fi for any address.
func (x *index) probeCIDR(s *matchScratch, fi *fieldIndex, a netip.Addr) {
	for _, bits := range fi.cidrLens {
		is6 := bits >= 256
		if is6 != a.Is6() {
			continue
		}
		if is6 {
			bits -= 256
		}
		p, err := a.Prefix(bits)
		if err != nil {
			continue
		}
		s.key = cidrKey(s.key, p)
		s.push(fi.cidrT.get(s.key))
	}
}

// rangeIndex answers "which closed intervals contain q" with a segment tree
// over the elementary intervals between the distinct endpoints.
type rangeIndex struct {
	los, his []int64
	ids      []int32
	bps      []int64   // sorted distinct breakpoints
	nodes    [][]int32 // bottom-up segment tree over len(bps)+1 slots
	n        int
}

func (r *rangeIndex) add(lo, hi int64, si int32) {
	if lo > hi {
		return // empty interval, never matches
	}
	r.los, r.his, r.ids = append(r.los, lo), append(r.his, hi), append(r.ids, si)
}

// slot returns the elementary interval of v: the number of breakpoints <= v.
func (r *rangeIndex) slot(v int64) int {
	return sort.Search(len(r.bps), func(i int) bool { return r.bps[i] > v })
}

func (r *rangeIndex) build() {
	if len(r.ids) == 0 {
		return
	}
	r.bps = r.bps[:0]
	for i := range r.ids {
		r.bps = append(r.bps, r.los[i])
		if r.his[i] != math.MaxInt64 {
			r.bps = append(r.bps, r.his[i]+1)
		}
	}
	slices.Sort(r.bps)
	r.bps = slices.Compact(r.bps)
	r.n = len(r.bps) + 1
	r.nodes = make([][]int32, 2*r.n)
	for i, si := range r.ids {
		a, b := r.slot(r.los[i]), r.slot(r.his[i]) // inclusive slots
		for lo, hi := a+r.n, b+r.n+1; lo < hi; lo, hi = lo>>1, hi>>1 {
			if lo&1 == 1 {
				r.nodes[lo] = append(r.nodes[lo], si)
				lo++
			}
			if hi&1 == 1 {
				hi--
				r.nodes[hi] = append(r.nodes[hi], si)
			}
		}
	}
}

func (r *rangeIndex) query(v int64, s *matchScratch) {
	if r.n == 0 {
		return
	}
	for i := r.slot(v) + r.n; i > 0; i >>= 1 {
		s.push(r.nodes[i])
	}
}
