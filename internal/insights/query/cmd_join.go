package query

// JoinCmd is "join [type=inner|left] left=a right=b where a.f = b.g (SOURCE
// ... [| commands])": combine the events so far (alias Left) with those of
// the subquery (alias Right) whose key fields are equal
// (CWL_QuerySyntax-Join). Type is "inner" (the default) or "left".
type JoinCmd struct {
	Pos         int
	Type        string
	TypeWritten bool
	Left, Right string
	On          Expr
	Sub         *Query
}

func (c *JoinCmd) Start() int   { return c.Pos }
func (c *JoinCmd) Name() string { return "join" }
func (c *JoinCmd) String() string {
	s := "join "
	if c.TypeWritten {
		s += "type=" + c.Type + " "
	}
	return s + "left=" + formatAlias(c.Left) + " right=" + formatAlias(c.Right) +
		" where " + c.On.String() + " (" + c.Sub.String() + ")"
}

func parseJoin(p *parser, pos int, sub bool) Command {
	c := &JoinCmd{Pos: pos, Type: "inner"}
	seen := map[string]bool{}
	for {
		var key string
		for _, k := range []string{"type", "left", "right"} {
			if p.isOption(k) {
				key = k
			}
		}
		if key == "" {
			break
		}
		if seen[key] {
			p.failAt(p.tok.pos, "join option %s is given twice", key)
		}
		seen[key] = true
		p.next() // key
		p.next() // =
		switch key {
		case "type":
			switch {
			case p.is("inner"):
				c.Type = "inner"
			case p.is("left"):
				c.Type = "left"
			default:
				p.mismatch("inner or left for type")
			}
			c.TypeWritten = true
			p.next()
		case "left":
			c.Left, _ = p.parseName("an alias for left")
		case "right":
			c.Right, _ = p.parseName("an alias for right")
		}
	}
	if !seen["left"] || !seen["right"] {
		p.mismatch("left=alias and right=alias")
	}
	if c.Left == c.Right {
		p.failAt(pos, "join aliases left and right must differ")
	}
	p.expectWord("where")
	c.On = p.parseExpr()
	checkJoinCondition(p, c, c.On)
	p.expect(tLParen, "'(' and a subquery starting with SOURCE")
	c.Sub = p.parseQuery(true)
	if c.Sub.Source == nil {
		p.failAt(c.Sub.Commands[0].Start(), "a join subquery must start with SOURCE")
	}
	p.expect(tRParen, "')' to close the subquery")
	return c
}

// checkJoinCondition accepts left.f = right.g (either way round), or several
// of them joined with and.
func checkJoinCondition(p *parser, c *JoinCmd, e Expr) {
	b, ok := e.(*Binary)
	if ok && b.Op == OpAnd {
		checkJoinCondition(p, c, b.L)
		checkJoinCondition(p, c, b.R)
		return
	}
	if ok && b.Op == OpEq {
		l, lok := b.L.(*FieldRef)
		r, rok := b.R.(*FieldRef)
		if lok && rok && len(l.Path) > 1 && len(r.Path) > 1 && !l.Path[0].IsIndex && !r.Path[0].IsIndex {
			a, z := l.Path[0].Name, r.Path[0].Name
			if (a == c.Left && z == c.Right) || (a == c.Right && z == c.Left) {
				return
			}
		}
	}
	p.failAt(e.Start(), "join condition must compare fields of %s and %s for equality, as in %s.id = %s.id", c.Left, c.Right, c.Left, c.Right)
}
