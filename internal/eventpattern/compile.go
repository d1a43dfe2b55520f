package eventpattern

import (
	"math"
	"net/netip"
	"sort"
	"strconv"
	"strings"
)

const (
	maxPatternDepth = 100
	// maxSubRules bounds the $or expansion (a disjunction of conjunctions).
	maxSubRules = 1024
	// numericLimit is the magnitude limit of numeric matching (AWS guide).
	numericLimit = 5.0e9
	// numericScale gives six decimal places of precision (AWS guide).
	numericScale = 1e6
)

type opKind uint8

const (
	opExactString opKind = iota + 1
	opExactNumber
	opTrue
	opFalse
	opNull
	opPrefix
	opPrefixIC
	opSuffix
	opSuffixIC
	opEqualsIC
	opWildcard
	opNumeric
	opCIDR
	opExists
	opAbsent
	opAnyButStrings
	opAnyButNumbers
	opAnyButIC
	opAnyButPrefix
	opAnyButSuffix
	opAnyButWildcard
)

// valueMatcher is one element of a field's value array.
type valueMatcher struct {
	op     opKind
	s      string // operand; case-folded for the *IC kinds
	raw    string // literal text of a number
	q      int64  // quantized number (opExactNumber when qOK)
	qOK    bool
	lo, hi int64 // closed quantized range (opNumeric)
	ip     netip.Addr
	prefix netip.Prefix
	set    map[string]struct{} // anything-but strings (folded for opAnyButIC)
	nums   []int64             // anything-but numbers
	wc     []string            // wildcard segments between stars
}

// field is one leaf path of a conjunction with its OR-ed value matchers.
type field struct {
	path      string
	fid       int32 // index into the owner's path table
	matchers  []valueMatcher
	hasAbsent bool // an exists:false alternative
	positive  bool // at least one matcher other than exists:false
}

// subRule is one conjunction of the pattern's disjunctive normal form.
type subRule struct {
	fields []field
}

// Pattern is a compiled event pattern. It is immutable and safe for
// concurrent use.
type Pattern struct {
	src   string
	subs  []subRule
	paths *pathTable
}

// String returns the source text of the pattern.
func (p *Pattern) String() string { return p.src }

// Compile validates an event pattern and compiles it. A rejected pattern
// returns a *PatternError whose text is EventBridge's
// InvalidEventPatternException message.
func Compile(pattern []byte) (p *Pattern, err error) {
	lx := &lexer{src: pattern}
	defer func() {
		if r := recover(); r != nil {
			pe, ok := r.(*PatternError)
			if !ok {
				panic(r)
			}
			p, err = nil, pe
		}
	}()
	if lx.next() != tStartObject {
		lx.fail("Filter is not an object")
	}
	c := &compiler{lx: lx}
	rules := c.parseObject([]map[string][]valueMatcher{{}}, "")
	if lx.next() != tEOF {
		lx.fail("Unexpected content after the pattern")
	}
	p = &Pattern{src: string(pattern), paths: newPathTable()}
	for _, r := range rules {
		paths := make([]string, 0, len(r))
		for k := range r {
			paths = append(paths, k)
		}
		sort.Strings(paths)
		var sr subRule
		for _, path := range paths {
			f := field{path: path, matchers: r[path], fid: p.paths.add(path)}
			for _, m := range f.matchers {
				if m.op == opAbsent {
					f.hasAbsent = true
				} else {
					f.positive = true
				}
			}
			sr.fields = append(sr.fields, f)
		}
		p.subs = append(p.subs, sr)
	}
	p.paths.build()
	return p, nil
}

type compiler struct {
	lx *lexer
}

func join(prefix, name string) string {
	if prefix == "" {
		return name
	}
	return prefix + "." + name
}

// parseObject reads the members of an object whose '{' was consumed, adding
// its leaf fields to every conjunction in rules. "$or" multiplies them.
func (c *compiler) parseObject(rules []map[string][]valueMatcher, path string) []map[string][]valueMatcher {
	lx := c.lx
	present := false
	for {
		t := lx.next()
		if t == tEndObject {
			break
		}
		present = true
		name := lx.text
		switch lx.next() {
		case tStartObject:
			rules = c.parseObject(rules, join(path, name))
		case tStartArray:
			if name == "$or" {
				rules = c.parseOr(rules, path)
			} else {
				vals := c.parseValues()
				full := join(path, name)
				for _, r := range rules {
					r[full] = vals
				}
			}
		default:
			lx.fail("\"%s\" must be an object or an array", name)
		}
	}
	if !present {
		lx.fail("Empty objects are not allowed")
	}
	return rules
}

func (c *compiler) parseOr(rules []map[string][]valueMatcher, path string) []map[string][]valueMatcher {
	lx := c.lx
	var out []map[string][]valueMatcher
	n := 0
	for {
		t := lx.next()
		if t == tEndArray {
			break
		}
		n++
		if t != tStartObject {
			lx.fail("Only JSON object is allowed in array of $or relationship.")
		}
		branch := make([]map[string][]valueMatcher, len(rules))
		for i, r := range rules {
			cp := make(map[string][]valueMatcher, len(r))
			for k, v := range r {
				cp[k] = v
			}
			branch[i] = cp
		}
		out = append(out, c.parseObject(branch, path)...)
		if len(out) > maxSubRules {
			lx.fail("Event pattern is too complex: $or combinations expand to more than %d alternatives", maxSubRules)
		}
	}
	if n < 2 {
		lx.fail("There must have at least 2 Objects in $or relationship.")
	}
	return out
}

// parseValues reads a value array whose '[' was consumed.
func (c *compiler) parseValues() []valueMatcher {
	lx := c.lx
	var vals []valueMatcher
	for {
		switch lx.next() {
		case tEndArray:
			if len(vals) == 0 {
				lx.fail("Empty arrays are not allowed")
			}
			return vals
		case tStartObject:
			vals = append(vals, c.parseMatchExpression())
		case tString:
			m := valueMatcher{op: opExactString, s: lx.text}
			if a, err := netip.ParseAddr(lx.text); err == nil && a.Zone() == "" {
				m.ip = a.Unmap()
			}
			vals = append(vals, m)
		case tNumber:
			vals = append(vals, exactNumber(lx.text))
		case tTrue:
			vals = append(vals, valueMatcher{op: opTrue})
		case tFalse:
			vals = append(vals, valueMatcher{op: opFalse})
		case tNull:
			vals = append(vals, valueMatcher{op: opNull})
		default:
			lx.fail("Match value must be String, number, true, false, or null")
		}
	}
}

func exactNumber(text string) valueMatcher {
	m := valueMatcher{op: opExactNumber, raw: text}
	if f, err := strconv.ParseFloat(text, 64); err == nil {
		m.q, m.qOK = quantize(f)
	}
	return m
}

// quantize maps a number into the comparable range: six decimal places,
// magnitude at most 5e9.
func quantize(f float64) (int64, bool) {
	if math.IsNaN(f) || f < -numericLimit || f > numericLimit {
		return 0, false
	}
	return int64(math.Round(f * numericScale)), true
}

func (c *compiler) expectString(msg string) string {
	if c.lx.next() != tString {
		c.lx.fail("%s", msg)
	}
	return c.lx.text
}

func (c *compiler) endExpr() {
	if c.lx.next() != tEndObject {
		c.lx.fail("Only one key allowed in match expression")
	}
}

// parseMatchExpression reads {"<operator>": ...} whose '{' was consumed.
func (c *compiler) parseMatchExpression() valueMatcher {
	lx := c.lx
	if lx.next() != tField {
		lx.fail("Match expression name not found")
	}
	name := lx.text
	var m valueMatcher
	switch name {
	case "prefix", "suffix":
		ic := false
		var s string
		switch lx.next() {
		case tString:
			s = lx.text
		case tStartObject:
			if lx.next() != tField || lx.text != "equals-ignore-case" {
				lx.fail("Unsupported %s pattern: %s", name, lx.text)
			}
			s = c.expectString(name + " match pattern must be a string")
			c.endExpr()
			ic = true
		default:
			lx.fail("%s match pattern must be a string", name)
		}
		switch {
		case name == "prefix" && ic:
			m = valueMatcher{op: opPrefixIC, s: fold(s)}
		case name == "prefix":
			m = valueMatcher{op: opPrefix, s: s}
		case ic:
			m = valueMatcher{op: opSuffixIC, s: fold(s)}
		default:
			m = valueMatcher{op: opSuffix, s: s}
		}
	case "equals-ignore-case":
		m = valueMatcher{op: opEqualsIC, s: fold(c.expectString("equals-ignore-case match pattern must be a string"))}
	case "wildcard":
		s := c.expectString("wildcard match pattern must be a string")
		m = valueMatcher{op: opWildcard, s: s, wc: c.parseWildcard(s)}
	case "numeric":
		if lx.next() != tStartArray {
			lx.fail("Value of numeric must be an array.")
		}
		m = c.parseNumeric()
		if lx.next() != tEndObject {
			lx.fail("Too many elements in numeric expression")
		}
		return m
	case "exists":
		switch lx.next() {
		case tTrue:
			m = valueMatcher{op: opExists}
		case tFalse:
			m = valueMatcher{op: opAbsent}
		default:
			lx.fail("exists match pattern must be either true or false.")
		}
	case "cidr":
		s := c.expectString("cidr match pattern must be a string")
		pfx, ok := parseCIDR(s)
		if !ok {
			lx.fail("Malformed CIDR: %s", s)
		}
		m = valueMatcher{op: opCIDR, prefix: pfx}
	case "anything-but":
		return c.parseAnythingBut()
	default:
		lx.fail("Unrecognized match type %s", name)
	}
	c.endExpr()
	return m
}

func parseCIDR(s string) (netip.Prefix, bool) {
	if !strings.Contains(s, "/") {
		a, err := netip.ParseAddr(s)
		if err != nil || a.Zone() != "" {
			return netip.Prefix{}, false
		}
		a = a.Unmap()
		return netip.PrefixFrom(a, a.BitLen()), true
	}
	p, err := netip.ParsePrefix(s)
	if err != nil {
		return netip.Prefix{}, false
	}
	a := p.Addr()
	bits := p.Bits()
	if a.Is4In6() {
		if bits < 96 {
			return netip.Prefix{}, false
		}
		a, bits = a.Unmap(), bits-96
	}
	return netip.PrefixFrom(a, bits).Masked(), true
}

func (c *compiler) parseWildcard(s string) []string {
	var segs []string
	var cur []byte
	prevStar := false
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '*':
			if prevStar {
				c.lx.fail("Consecutive wildcard characters at pos %d", i)
			}
			segs = append(segs, string(cur))
			cur = cur[:0]
			prevStar = true
			continue
		case '\\':
			if i+1 >= len(s) || (s[i+1] != '*' && s[i+1] != '\\') {
				c.lx.fail("Invalid escape character at pos %d", i)
			}
			i++
			cur = append(cur, s[i])
		default:
			cur = append(cur, s[i])
		}
		prevStar = false
	}
	return append(segs, string(cur))
}

func (c *compiler) numberOperand(op string) float64 {
	lx := c.lx
	if lx.next() != tNumber {
		lx.fail("Value of %s must be numeric", op)
	}
	f, err := strconv.ParseFloat(lx.text, 64)
	if err != nil || f < -numericLimit || f > numericLimit {
		lx.fail("Value must be between -5.0E9 and 5.0E9, inclusive")
	}
	return f
}

// parseNumeric reads the operator list of "numeric" whose '[' was consumed
// and the closing ']'.
func (c *compiler) parseNumeric() valueMatcher {
	lx := c.lx
	if lx.next() != tString {
		lx.fail("Invalid member in numeric match: %s", lx.text)
	}
	op := lx.text
	lo, hi := int64(math.MinInt64), int64(math.MaxInt64)
	switch op {
	case "=":
		q, _ := quantize(c.numberOperand(op))
		if lx.next() != tEndArray {
			lx.fail("Too many elements in numeric expression")
		}
		return valueMatcher{op: opNumeric, lo: q, hi: q}
	case "<", "<=":
		q, _ := quantize(c.numberOperand(op))
		hi = q
		if op == "<" {
			hi--
		}
		if lx.next() != tEndArray {
			lx.fail("Too many elements in numeric expression")
		}
		return valueMatcher{op: opNumeric, lo: lo, hi: hi}
	case ">", ">=":
		bottom := c.numberOperand(op)
		q, _ := quantize(bottom)
		lo = q
		if op == ">" {
			lo++
		}
		t := lx.next()
		if t == tEndArray {
			return valueMatcher{op: opNumeric, lo: lo, hi: hi}
		}
		if t != tString {
			lx.fail("Bad value in numeric range: %s", lx.text)
		}
		op2 := lx.text
		if op2 != "<" && op2 != "<=" {
			lx.fail("Bad numeric range operator: %s", op2)
		}
		top := c.numberOperand(op2)
		if bottom >= top {
			lx.fail("Bottom must be less than top")
		}
		q2, _ := quantize(top)
		hi = q2
		if op2 == "<" {
			hi--
		}
		if lx.next() != tEndArray {
			lx.fail("Too many terms in numeric range expression")
		}
		return valueMatcher{op: opNumeric, lo: lo, hi: hi}
	}
	lx.fail("Unrecognized numeric range operator: %s", op)
	return valueMatcher{}
}

// parseAnythingBut reads the operand of "anything-but" and the closing '}'
// of the match expression.
func (c *compiler) parseAnythingBut() valueMatcher {
	lx := c.lx
	t := lx.next()
	ic := false
	if t == tStartObject {
		if lx.next() != tField {
			lx.fail("Anything-But expression name not found")
		}
		inner := lx.text
		switch inner {
		case "prefix", "suffix", "wildcard":
			s := c.expectString("prefix/suffix match pattern must be a string")
			if s == "" && inner != "wildcard" {
				lx.fail("Null prefix/suffix not allowed")
			}
			var m valueMatcher
			switch inner {
			case "prefix":
				m = valueMatcher{op: opAnyButPrefix, s: s}
			case "suffix":
				m = valueMatcher{op: opAnyButSuffix, s: s}
			default:
				m = valueMatcher{op: opAnyButWildcard, s: s, wc: c.parseWildcard(s)}
			}
			c.endExpr()
			c.endExpr()
			return m
		case "equals-ignore-case":
			ic = true
			t = lx.next()
		default:
			lx.fail("Unsupported anything-but pattern: %s", inner)
		}
	}
	m := valueMatcher{}
	switch t {
	case tString:
		if ic {
			m = valueMatcher{op: opAnyButIC, set: map[string]struct{}{fold(lx.text): {}}}
		} else {
			m = valueMatcher{op: opAnyButStrings, set: map[string]struct{}{lx.text: {}}}
		}
	case tNumber:
		if ic {
			lx.fail("Inside anything-but/ignore-case list, number|start|null|boolean is not supported.")
		}
		f, err := strconv.ParseFloat(lx.text, 64)
		q, ok := quantize(f)
		if err != nil || !ok {
			lx.fail("Value must be between -5.0E9 and 5.0E9, inclusive")
		}
		m = valueMatcher{op: opAnyButNumbers, nums: []int64{q}}
	case tStartArray:
		strs, nums := map[string]struct{}{}, []int64(nil)
		for {
			t := lx.next()
			if t == tEndArray {
				break
			}
			switch {
			case t == tString:
				if ic {
					strs[fold(lx.text)] = struct{}{}
				} else {
					strs[lx.text] = struct{}{}
				}
			case t == tNumber && !ic:
				f, err := strconv.ParseFloat(lx.text, 64)
				q, ok := quantize(f)
				if err != nil || !ok {
					lx.fail("Value must be between -5.0E9 and 5.0E9, inclusive")
				}
				nums = append(nums, q)
			case ic:
				lx.fail("Inside anything-but/ignore-case list, number|start|null|boolean is not supported.")
			default:
				lx.fail("Inside anything but list, start|null|boolean is not supported.")
			}
		}
		switch {
		case ic && len(strs) == 0:
			lx.fail("Inside anything-but/ignore-case list, either all values are number or string, mixed type is not supported")
		case ic:
			m = valueMatcher{op: opAnyButIC, set: strs}
		case (len(strs) > 0) == (len(nums) > 0):
			lx.fail("Inside anything but list, either all values are number or string, mixed type is not supported")
		case len(strs) > 0:
			m = valueMatcher{op: opAnyButStrings, set: strs}
		default:
			m = valueMatcher{op: opAnyButNumbers, nums: nums}
		}
	default:
		if ic {
			lx.fail("Inside anything-but/ignore-case list, number|start|null|boolean is not supported.")
		}
		lx.fail("Value of anything-but must be an array or single string/number value.")
	}
	if lx.next() != tEndObject {
		lx.fail("Too many elements in numeric expression")
	}
	if ic && lx.next() != tEndObject {
		lx.fail("Too many elements in numeric expression")
	}
	return m
}
