package alarmrule

// node is one element of a parsed rule. The tree carries no positions, so
// two rules with the same meaning and the same references compare equal
// with reflect.DeepEqual whatever their spacing, quoting or redundant
// parentheses.
type node interface{ isNode() }

// constNode is TRUE or FALSE.
type constNode struct{ value bool }

// stateNode is ALARM(ref), OK(ref) or INSUFFICIENT_DATA(ref).
type stateNode struct {
	state State
	ref   Ref
}

type notNode struct{ x node }

// andNode and orNode hold two or more operands; nested operands of the same
// operator are flattened into their parent (both are associative).
type andNode struct{ xs []node }
type orNode struct{ xs []node }

// atLeastNode is AT_LEAST(threshold, [NOT] state, (refs…)).
type atLeastNode struct {
	threshold int
	percent   bool // threshold is a percentage of len(refs)
	negate    bool // count alarms NOT in state
	state     State
	refs      []Ref
}

func (constNode) isNode()   {}
func (stateNode) isNode()   {}
func (notNode) isNode()     {}
func (andNode) isNode()     {}
func (orNode) isNode()      {}
func (atLeastNode) isNode() {}
