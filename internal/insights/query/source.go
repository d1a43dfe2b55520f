package query

import (
	"strings"
)

// Source is the SOURCE clause that selects what a query reads
// (CWL_QuerySyntax-Source). Either LogGroups is set (SOURCE logGroups(...))
// or Groups lists log groups by name ("SOURCE 'a' | SOURCE 'b'", and
// "SOURCE lg start=-1d end=now" with time options).
type Source struct {
	Pos       int
	LogGroups *LogGroupSelector
	Groups    []SourceGroup
}

// LogGroupSelector is logGroups(namePrefix: [...], class: [...],
// accountIdentifiers: [...]); a nil slice means the key was not written.
type LogGroupSelector struct {
	NamePrefixes       []string
	Classes            []string
	AccountIdentifiers []string
}

// SourceGroup is one log group named in SOURCE, with its options.
type SourceGroup struct {
	Name    string
	Options []SourceOption
}

// SourceOption is start= or end= after a SOURCE log group: the query's
// time window, now or a time before now (SOURCE lg start=-1d end=now,
// CWL_QuerySyntax-Logcompare). Ago is nil for now. Value is the canonical
// text (now, -1d); Pos is where the key starts.
type SourceOption struct {
	Pos   int
	Key   string
	Value string
	Ago   *DurationLit
}

// Limits from CWL_QuerySyntax-Source.
const (
	maxNamePrefixes = 5
	maxAccountIDs   = 20
)

func (s *Source) Start() int { return s.Pos }

func quoteList(vs []string) string {
	parts := make([]string, len(vs))
	for i, v := range vs {
		parts[i] = quote(v)
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

func (s *Source) String() string {
	if lg := s.LogGroups; lg != nil {
		var parts []string
		if lg.NamePrefixes != nil {
			parts = append(parts, "namePrefix: "+quoteList(lg.NamePrefixes))
		}
		if lg.Classes != nil {
			parts = append(parts, "class: "+quoteList(lg.Classes))
		}
		if lg.AccountIdentifiers != nil {
			parts = append(parts, "accountIdentifiers: "+quoteList(lg.AccountIdentifiers))
		}
		return "SOURCE logGroups(" + strings.Join(parts, ", ") + ")"
	}
	parts := make([]string, len(s.Groups))
	for i, g := range s.Groups {
		parts[i] = "SOURCE " + quote(g.Name)
		for _, o := range g.Options {
			parts[i] += " " + o.Key + "=" + o.Value
		}
	}
	return strings.Join(parts, " | ")
}

// parseSource parses the SOURCE clause(s) at the start of a query; the
// current token is SOURCE.
func (p *parser) parseSource(sub bool) *Source {
	s := &Source{Pos: p.tok.pos}
	p.next()
	if p.is("logGroups") && p.peek().kind == tLParen {
		s.LogGroups = p.parseLogGroups()
		if p.tok.kind == tPipe && isWord(p.peek(), "SOURCE") {
			p.next()
			p.failAt(p.tok.pos, "SOURCE logGroups() cannot be combined with another SOURCE")
		}
		return s
	}
	for {
		s.Groups = append(s.Groups, p.parseSourceGroup(sub))
		if p.tok.kind == tPipe && isWord(p.peek(), "SOURCE") {
			p.next()
			p.next()
			if p.is("logGroups") {
				p.failAt(p.tok.pos, "SOURCE logGroups() cannot be combined with another SOURCE")
			}
			continue
		}
		return s
	}
}

func (p *parser) parseSourceGroup(sub bool) SourceGroup {
	var g SourceGroup
	switch p.tok.kind {
	case tString:
		g.Name = p.tok.str
	case tIdent:
		names := make([]string, len(p.tok.segs))
		for i, seg := range p.tok.segs {
			names[i] = seg.Name
		}
		g.Name = strings.Join(names, ".")
	default:
		p.mismatch("logGroups(...) or a log group name")
	}
	if g.Name == "" {
		p.failAt(p.tok.pos, "log group name is empty")
	}
	p.next()
	seen := map[string]bool{}
	for !p.atCommandEnd(sub) {
		var key string
		for _, k := range []string{"start", "end"} {
			if p.isOption(k) {
				key = k
			}
		}
		if key == "" {
			p.mismatch("start=, end= or '|'")
		}
		if seen[key] {
			p.failAt(p.tok.pos, "SOURCE option %s is given twice", key)
		}
		seen[key] = true
		g.Options = append(g.Options, p.parseSourceTime(key))
	}
	return g
}

// parseSourceTime parses key=now or key=-duration. AWS documents only these
// two forms (the logcompare example, start=-1d end=now); absolute times, a
// time after now (+1d) and fractional or zero durations are refused rather
// than guessed.
func (p *parser) parseSourceTime(key string) SourceOption {
	o := SourceOption{Pos: p.tok.pos, Key: key}
	p.next() // key
	p.next() // =
	const want = "now or a time before now such as -1d"
	switch {
	case p.is("now"):
		o.Value = "now"
		p.next()
		return o
	case p.tok.kind == tPlus:
		p.failAt(p.tok.pos, "SOURCE %s= must be now or before now, such as -1d, got a time after now", key)
	case p.tok.kind == tNumber || p.tok.kind == tString:
		p.failAt(p.tok.pos, "SOURCE %s= takes %s: absolute times are not supported, got %s", key, want, p.lx.describe(p.tok))
	case p.tok.kind != tMinus:
		p.mismatch(want)
	}
	p.next() // -
	if p.tok.kind != tDuration {
		p.mismatch("a duration such as 1d after '-'")
	}
	t := p.tok
	d := &DurationLit{Pos: t.pos, Text: p.src[t.pos:t.end], Amount: t.num, Unit: t.unit}
	p.checkPeriod(d)
	p.next()
	o.Ago, o.Value = d, "-"+d.Text
	return o
}

func (p *parser) parseLogGroups() *LogGroupSelector {
	p.next() // logGroups
	p.next() // (
	lg := &LogGroupSelector{}
	seen := map[string]bool{}
	for p.tok.kind != tRParen {
		t := p.tok
		var key string
		for _, k := range []string{"namePrefix", "class", "accountIdentifiers"} {
			if isWord(t, k) {
				key = k
			}
		}
		if key == "" {
			p.mismatch("namePrefix, class or accountIdentifiers")
		}
		if seen[key] {
			p.failAt(t.pos, "logGroups key %s is given twice", key)
		}
		seen[key] = true
		p.next()
		p.expect(tColon, "':'")
		vals, valPos := p.parseStringList(key == "class")
		switch key {
		case "namePrefix":
			if len(vals) > maxNamePrefixes {
				p.failAt(valPos, "namePrefix accepts at most %d prefixes, got %d", maxNamePrefixes, len(vals))
			}
			lg.NamePrefixes = vals
		case "accountIdentifiers":
			if len(vals) > maxAccountIDs {
				p.failAt(valPos, "accountIdentifiers accepts at most %d accounts, got %d", maxAccountIDs, len(vals))
			}
			lg.AccountIdentifiers = vals
		case "class":
			for _, v := range vals {
				if v != "STANDARD" && v != "INFREQUENT_ACCESS" {
					p.failAt(valPos, "class must be STANDARD or INFREQUENT_ACCESS, got %q", v)
				}
			}
			lg.Classes = vals
		}
		if p.tok.kind == tComma {
			p.next()
			continue
		}
		if p.tok.kind != tRParen {
			p.mismatch("',' or ')'")
		}
	}
	p.next()
	return lg
}

// parseStringList parses ['a', "b"], or a single string where single is
// allowed (class: "STANDARD" is accepted as well as class: ['STANDARD']).
func (p *parser) parseStringList(single bool) ([]string, int) {
	pos := p.tok.pos
	if single && p.tok.kind == tString {
		v := p.tok.str
		p.next()
		return []string{v}, pos
	}
	p.expect(tLBrack, "'[' and a list of quoted strings")
	vals := []string{}
	for p.tok.kind != tRBrack {
		if p.tok.kind != tString {
			p.mismatch("a quoted string")
		}
		vals = append(vals, p.tok.str)
		p.next()
		if p.tok.kind == tComma {
			p.next()
			continue
		}
		if p.tok.kind != tRBrack {
			p.mismatch("',' or ']'")
		}
	}
	p.next()
	return vals, pos
}
