package query

// validate applies the rules AWS documents beyond the grammar. It reports
// the first violation in query order.
func validate(p *parser, q *Query) {
	stats := 0
	var dedup Command
	for _, c := range q.Commands {
		if dedup != nil {
			// "The only query command that you can use in a query after
			// the dedup command is limit." (CWL_QuerySyntax-Dedup)
			if _, ok := c.(*LimitCmd); !ok {
				p.failAt(c.Start(), "only limit can follow dedup, found %s", c.Name())
			}
		}
		if _, ok := c.(*DedupCmd); ok {
			dedup = c
		}
		switch c := c.(type) {
		case *StatsCmd:
			stats++
			if stats > 2 {
				// "You can use up to two stats commands in a single
				// query." (CWL_QuerySyntax-Stats)
				p.failAt(c.Pos, "a query can contain at most two stats commands")
			}
			validateStats(p, c)
		case *FieldsCmd:
			for _, pr := range c.Exprs {
				checkExpr(p, pr.Expr, ctxOther)
			}
		case *DisplayCmd:
			for _, pr := range c.Exprs {
				checkExpr(p, pr.Expr, ctxOther)
			}
		case *FilterCmd:
			checkExpr(p, c.Cond, ctxOther)
		case *FilterIndexCmd:
			checkExpr(p, c.Cond, ctxOther)
		case *SortCmd:
			for _, k := range c.Keys {
				checkExpr(p, k.Expr, ctxOther)
			}
		case *PatternCmd:
			checkExpr(p, c.Expr, ctxOther)
		case *JoinCmd:
			validate(p, c.Sub)
		}
	}
}

type exprCtx uint8

const (
	ctxOther exprCtx = iota // fields, filter, sort, ...
	ctxAgg                  // the aggregation list of stats
	ctxInAgg                // inside an aggregate function's arguments
	ctxBy                   // the by list of stats
)

// checkExpr enforces where aggregate functions and bin may appear.
func checkExpr(p *parser, e Expr, ctx exprCtx) {
	switch e := e.(type) {
	case *Call:
		inner := ctx
		switch {
		case e.Func.Kind == Aggregate:
			switch ctx {
			case ctxInAgg:
				p.failAt(e.Pos, "aggregate function %s cannot be used inside another aggregate function", e.Name)
			case ctxBy:
				p.failAt(e.Pos, "aggregate function %s cannot be used in the by clause of stats", e.Name)
			case ctxOther:
				p.failAt(e.Pos, "aggregate function %s can only be used in stats", e.Name)
			}
			inner = ctxInAgg
		case e.Name == "bin" && ctx != ctxBy:
			p.failAt(e.Pos, "bin can only be used in the by clause of stats")
		}
		for i, a := range e.Args {
			if i == e.Func.PeriodArg {
				continue // a DurationLit, checked by parseCall
			}
			checkExpr(p, a, inner)
		}
	case *DurationLit:
		p.failAt(e.Pos, "a time period such as %s is only allowed as the period of bin, datefloor or dateceil", e.Text)
	case *Binary:
		checkExpr(p, e.L, ctx)
		checkExpr(p, e.R, ctx)
	case *Unary:
		checkExpr(p, e.X, ctx)
	case *InList:
		checkExpr(p, e.X, ctx)
		for _, x := range e.List {
			checkExpr(p, x, ctx)
		}
	case *Like:
		checkExpr(p, e.X, ctx)
	}
}

// validateStats checks that every aggregation item aggregates: outside
// aggregate function arguments it may only refer to aliases defined by
// earlier items of the same stats (AWS's sample "... as provisonedMemoryMB,
// ... as maxMemoryUsedMB, provisonedMemoryMB - maxMemoryUsedMB as
// overProvisionedMB"), and it must contain an aggregate function or such an
// alias.
func validateStats(p *parser, c *StatsCmd) {
	aliases := map[string]bool{}
	for _, pr := range c.Aggs {
		checkExpr(p, pr.Expr, ctxAgg)
		found := false
		var walk func(e Expr)
		walk = func(e Expr) {
			switch e := e.(type) {
			case *Call:
				if e.Func.Kind == Aggregate {
					found = true
					return
				}
				for _, a := range e.Args {
					walk(a)
				}
			case *FieldRef:
				if !aliases[e.Name()] {
					p.failAt(e.Pos, "field %s in stats must be inside an aggregate function such as count() or sum()", e.String())
				}
				found = true
			case *Binary:
				walk(e.L)
				walk(e.R)
			case *Unary:
				walk(e.X)
			case *InList:
				walk(e.X)
				for _, x := range e.List {
					walk(x)
				}
			case *Like:
				walk(e.X)
			}
		}
		walk(pr.Expr)
		if !found {
			p.failAt(pr.Expr.Start(), "stats expression %s has no aggregate function", pr.Expr.String())
		}
		if pr.Alias != "" {
			aliases[pr.Alias] = true
		}
	}
	for _, pr := range c.By {
		checkExpr(p, pr.Expr, ctxBy)
	}
}
