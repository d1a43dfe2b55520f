package insights

// rowsStage is a blocking stage that turns the whole row set into a new one:
// the commands that make several rows of one (unnest, parse ... multi,
// join) or that need every row (addtotals col=true, pattern). applyRest
// runs it as stage kind stRows.
//
// apply must not change its input rows (it clones a row before setting a
// field, as applyRest does), and may be called concurrently: partial
// results run the stages over a snapshot while the scan goes on.
type rowsStage interface {
	apply(rows []*row) []*row
}
