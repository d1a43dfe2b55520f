package alarmrule

// RuleOf returns the rule of the composite alarm ref denotes, or nil when
// ref denotes a metric alarm or no alarm at all.
type RuleOf func(ref Ref) *Rule

// Alarms are identified by name in the functions below: every child of a
// composite is in the composite's own account and Region (AWS requires it),
// so the caller has already refused or resolved ARNs that point elsewhere.

// FindCycle reports whether giving the composite alarm name the rule r
// (creating it, or replacing its rule) puts it on a cycle of composites.
// ruleOf is never asked about name itself: r stands for it. The cycle is
// returned as the alarm names along it, starting and ending with name
// (["A" "B" "A"] when A references B and B references A); nil when there is
// none.
//
// AWS accepts such rules ("It is possible to create a loop or cycle of
// composite alarms"); a caller should not refuse the update because of it,
// but it explains why DeleteAlarms cannot delete any alarm of the cycle.
func FindCycle(name string, r *Rule, ruleOf RuleOf) []string {
	w := newWalker(name, r, ruleOf)
	// Depth-first search for a path back to name; each alarm is explored
	// once, since a second visit cannot find a path the first did not.
	visited := map[string]bool{name: true}
	path := []string{name}
	var dfs func(rule *Rule) bool
	dfs = func(rule *Rule) bool {
		for _, ref := range rule.Refs() {
			if ref.Name == name {
				path = append(path, name)
				return true
			}
			if visited[ref.Name] {
				continue
			}
			visited[ref.Name] = true
			child := w.rule(ref)
			if child == nil {
				continue
			}
			path = append(path, ref.Name)
			if dfs(child) {
				return true
			}
			path = path[:len(path)-1]
		}
		return false
	}
	if dfs(r) {
		return path
	}
	return nil
}

// EvalCycle reports a cycle anywhere on the evaluation path of the
// composite alarm name whose rule is r: name itself may be on it, or any
// composite name depends on, directly or not. CloudWatch stops evaluating a
// composite when it "detects a cycle in the evaluation path", so a caller
// leaves such a composite in its current state. The cycle is returned as in
// FindCycle, starting and ending with the alarm where it was found; nil when
// there is none.
func EvalCycle(name string, r *Rule, ruleOf RuleOf) []string {
	w := newWalker(name, r, ruleOf)
	const (
		unseen = iota
		onPath
		done
	)
	color := map[string]int{}
	var path []string
	var cycle []string
	var dfs func(name string, rule *Rule) bool
	dfs = func(name string, rule *Rule) bool {
		color[name] = onPath
		path = append(path, name)
		for _, ref := range rule.Refs() {
			switch color[ref.Name] {
			case onPath:
				for i, n := range path {
					if n == ref.Name {
						cycle = append(append([]string(nil), path[i:]...), ref.Name)
						return true
					}
				}
			case unseen:
				if child := w.rule(ref); child != nil {
					if dfs(ref.Name, child) {
						return true
					}
				} else {
					color[ref.Name] = done
				}
			}
		}
		path = path[:len(path)-1]
		color[name] = done
		return false
	}
	dfs(name, r)
	return cycle
}

// walker asks ruleOf about each alarm once and substitutes the new rule for
// the composite being checked.
type walker struct {
	name   string
	r      *Rule
	ruleOf RuleOf
	cache  map[string]*Rule
}

func newWalker(name string, r *Rule, ruleOf RuleOf) *walker {
	return &walker{name: name, r: r, ruleOf: ruleOf, cache: map[string]*Rule{}}
}

func (w *walker) rule(ref Ref) *Rule {
	if ref.Name == w.name {
		return w.r
	}
	if r, ok := w.cache[ref.Name]; ok {
		return r
	}
	r := w.ruleOf(ref)
	w.cache[ref.Name] = r
	return r
}
