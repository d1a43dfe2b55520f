package query

// Command is one stage of the pipeline. Each command type's Name is its
// canonical keyword.
type Command interface {
	Node
	Name() string
	commandNode()
}

func (*FieldsCmd) commandNode()      {}
func (*DisplayCmd) commandNode()     {}
func (*FilterCmd) commandNode()      {}
func (*FilterIndexCmd) commandNode() {}
func (*StatsCmd) commandNode()       {}
func (*SortCmd) commandNode()        {}
func (*LimitCmd) commandNode()       {}
func (*ParseCmd) commandNode()       {}
func (*DedupCmd) commandNode()       {}
func (*UnmaskCmd) commandNode()      {}
func (*UnnestCmd) commandNode()      {}
func (*PatternCmd) commandNode()     {}
func (*AnomalyCmd) commandNode()     {}
func (*DiffCmd) commandNode()        {}
func (*LookupCmd) commandNode()      {}
func (*AddTotalsCmd) commandNode()   {}
func (*LogCompareCmd) commandNode()  {}
func (*JoinCmd) commandNode()        {}
