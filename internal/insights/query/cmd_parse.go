package query

import (
	"regexp"
	"strconv"
	"strings"
)

// ParseMode is how parse extracts fields.
type ParseMode uint8

const (
	// ParseGlob: a quoted pattern whose * wildcards capture, in order, into
	// the names listed after as.
	ParseGlob ParseMode = iota
	// ParseRegex: a /regular expression/ whose named groups (?<name>...)
	// capture into fields of those names.
	ParseRegex
)

// ParseCmd is "parse [field] "glob" as name, ..." or "parse [field] /regex/
// [multi]" (CWL_QuerySyntax-Parse). Field is nil when omitted: the command
// then reads @message. Names are the fields it creates, in order. Multi
// (regex only) extracts every match, one row each.
type ParseCmd struct {
	Pos     int
	Field   *FieldRef
	Mode    ParseMode
	Pattern string         // the glob, or the regex source
	Regex   *regexp.Regexp // ParseRegex only
	Names   []string
	Multi   bool
}

func (c *ParseCmd) Start() int   { return c.Pos }
func (c *ParseCmd) Name() string { return "parse" }
func (c *ParseCmd) String() string {
	s := "parse "
	if c.Field != nil {
		s += c.Field.String() + " "
	}
	if c.Mode == ParseRegex {
		s += "/" + c.Pattern + "/"
		if c.Multi {
			s += " multi"
		}
		return s
	}
	names := make([]string, len(c.Names))
	for i, n := range c.Names {
		names[i] = formatAlias(n)
	}
	return s + quote(c.Pattern) + " as " + strings.Join(names, ", ")
}

// SourceField is the field parse reads.
func (c *ParseCmd) SourceField() string {
	if c.Field == nil {
		return "@message"
	}
	return c.Field.Name()
}

func parseParse(p *parser, pos int, sub bool) Command {
	c := &ParseCmd{Pos: pos}
	if p.tok.kind != tString && p.tok.kind != tSlash {
		if p.tok.kind != tIdent {
			p.mismatch("a field name, a quoted glob pattern or a /regular expression/")
		}
		c.Field = p.parseField()
	}
	switch p.tok.kind {
	case tString:
		c.Mode = ParseGlob
		c.Pattern = p.tok.str
		patPos := p.tok.pos
		p.next()
		if !p.is("as") {
			p.mismatch("as and the names of the fields the * wildcards extract")
		}
		p.next()
		for {
			name, _ := p.parseName("a field name")
			c.Names = append(c.Names, name)
			if p.tok.kind != tComma {
				break
			}
			p.next()
		}
		if n := strings.Count(c.Pattern, "*"); n != len(c.Names) {
			p.failAt(patPos, "parse pattern has %s but %s; the numbers must match", count(n, "wildcard (*)", "wildcards (*)"), count(len(c.Names), "field name", "field names"))
		}
	case tSlash:
		c.Mode = ParseRegex
		re := p.parseRegex()
		c.Pattern, c.Regex = re.Source, re.Re
		for _, n := range re.Re.SubexpNames() {
			if n != "" {
				c.Names = append(c.Names, n)
			}
		}
		if len(c.Names) == 0 {
			p.failAt(re.Pos, "parse regular expression has no named capture group; name each field with (?<name>...)")
		}
		if p.is("multi") {
			c.Multi = true
			p.next()
		}
		if p.is("as") {
			p.failAt(p.tok.pos, "parse with a regular expression takes field names from its named capture groups, not from as")
		}
	default:
		p.mismatch("a quoted glob pattern or a /regular expression/")
	}
	return c
}

func count(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}
