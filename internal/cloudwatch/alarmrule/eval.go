package alarmrule

// Eval reports whether the rule is true when each referenced alarm is in the
// state that state returns for it. state is called at most once per
// reference occurrence, possibly not at all for operands that cannot change
// the result; it must return StateUnknown for an alarm that cannot be
// resolved.
func (r *Rule) Eval(state func(Ref) State) bool { return eval(r.root, state) }

// CompositeState is the state a composite alarm with this rule takes when
// it is evaluated: ALARM when the rule is true, OK otherwise. A composite is
// INSUFFICIENT_DATA only between its creation and its first evaluation, and
// is not evaluated at all while it is on a cycle (see EvalCycle); both are
// the caller's to handle.
func (r *Rule) CompositeState(state func(Ref) State) State {
	if r.Eval(state) {
		return StateAlarm
	}
	return StateOK
}

func eval(n node, state func(Ref) State) bool {
	switch n := n.(type) {
	case constNode:
		return n.value
	case stateNode:
		return state(n.ref) == n.state
	case notNode:
		return !eval(n.x, state)
	case andNode:
		for _, x := range n.xs {
			if !eval(x, state) {
				return false
			}
		}
		return true
	case orNode:
		for _, x := range n.xs {
			if eval(x, state) {
				return true
			}
		}
		return false
	case atLeastNode:
		matched := 0
		for _, ref := range n.refs {
			// An unknown alarm is in no state, so it counts for NOT S.
			if (state(ref) == n.state) != n.negate {
				matched++
			}
		}
		if n.percent {
			return matched*100 >= n.threshold*len(n.refs)
		}
		return matched >= n.threshold
	}
	panic("alarmrule: unknown node type")
}
