package emf

// The _aws tape: the _aws value as a flat list of tokens in document order,
// built in one pass once parseRoot has validated the message. A container's
// members follow its token and next skips over them, so the nested walk
// through directives, dimension sets and metric definitions reads each byte
// of _aws once instead of once per nesting level.

// tok is one value (or object member name) of the tape.
type tok struct {
	kind       kind
	esc        bool
	start, end int32 // as in span
	next       int32 // the index of the token after this value and its members
}

// maxTapeDepth is the deepest container whose members are on the tape:
// _aws (0) › CloudWatchMetrics (1) › directive (2) › Dimensions or Metrics
// (3) › dimension set or metric definition (4). Deeper containers are one
// token each: EMF never reads inside them, and the tape stays proportional
// to what it reads.
const maxTapeDepth = 4

// buildTape tokenizes the _aws value v; its token is x.tape[0].
func (x *extractor) buildTape(v span) {
	x.tape = x.tape[:0]
	p := parser{b: x.msg, i: v.start, trusted: true}
	x.tapeValue(&p, 0)
}

func (x *extractor) tapeValue(p *parser, depth int) {
	p.ws()
	c := p.b[p.i]
	if c != '{' && c != '[' || depth > maxTapeDepth {
		x.leaf(p.skipTrusted())
		return
	}
	i := len(x.tape)
	k := kObject
	if c == '[' {
		k = kArray
	}
	x.tape = append(x.tape, tok{kind: k, start: int32(p.i)})
	p.i++
	for {
		p.ws()
		switch p.b[p.i] {
		case '}', ']':
			p.i++
			x.tape[i].end, x.tape[i].next = int32(p.i), int32(len(x.tape))
			return
		case ',':
			p.i++
			continue
		}
		if k == kObject {
			x.leaf(p.skipTrusted()) // the member name
			p.ws()
			p.i++ // ':'
		}
		x.tapeValue(p, depth+1)
	}
}

func (x *extractor) leaf(s span) {
	x.tape = append(x.tape, tok{kind: s.kind, esc: s.esc, start: int32(s.start), end: int32(s.end), next: int32(len(x.tape) + 1)})
}

// next is the index of the token after token i's value.
func (x *extractor) next(i int) int { return int(x.tape[i].next) }

// kind is token i's kind; i < 0 stands for a missing member.
func (x *extractor) kind(i int) kind {
	if i < 0 {
		return kMissing
	}
	return x.tape[i].kind
}

func (x *extractor) span(i int) span {
	t := &x.tape[i]
	return span{kind: t.kind, esc: t.esc, start: int(t.start), end: int(t.end)}
}

func (x *extractor) raw(i int) []byte { return raw(x.msg, x.span(i)) }

// is reports whether token i is a string reading lit.
func (x *extractor) is(i int, lit string) bool { return is(x.msg, x.span(i), lit) }
