package alarms

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	cwapi "github.com/vigilhq/vigil/internal/api/cloudwatch"
	"github.com/vigilhq/vigil/internal/api/shape"
	"github.com/vigilhq/vigil/internal/cloudwatch/alarmrule"
)

type compositeRule = *alarmrule.Rule

// validationError is CloudWatch's ValidationError, which the model does not
// declare as a shape.
func validationError(msg string) error {
	return &shape.Error{Code: "ValidationError", Status: 400, Sender: true, Message: msg}
}

func parseRule(in *cwapi.PutCompositeAlarmInput) (*alarmrule.Rule, error) {
	r, err := alarmrule.Parse(shape.Value(in.AlarmRule))
	var re *alarmrule.Error
	if errors.As(err, &re) {
		return nil, validationError(re.Msg)
	}
	return r, err
}

// PutCompositeAlarm creates or updates a composite alarm. Every alarm its
// rule references must exist in the caller's account and Region.
func (s *Service) PutCompositeAlarm(ctx context.Context, in *cwapi.PutCompositeAlarmInput) error {
	name := shape.Value(in.AlarmName)
	if err := checkName(name); err != nil {
		return err
	}
	rule, err := parseRule(in)
	if err != nil {
		return err
	}
	if err := checkAllActions(in.AlarmActions, in.OKActions, in.InsufficientDataActions); err != nil {
		return err
	}
	if in.ActionsSuppressor != nil {
		if in.ActionsSuppressorWaitPeriod == nil || in.ActionsSuppressorExtensionPeriod == nil {
			return missingParameter("ActionsSuppressorWaitPeriod and ActionsSuppressorExtensionPeriod are required when ActionsSuppressor is specified.")
		}
	} else if in.ActionsSuppressorWaitPeriod != nil || in.ActionsSuppressorExtensionPeriod != nil {
		return invalidCombination("ActionsSuppressorWaitPeriod and ActionsSuppressorExtensionPeriod can be specified only with ActionsSuppressor.")
	}
	if err := checkTags(in.Tags); err != nil {
		return err
	}
	cfg := *in
	cfg.Tags = nil
	a := &alarm{p: partitionOf(ctx), name: name, kind: kindComposite, composite: &cfg, rule: rule}
	return s.store(ctx, a, in.ActionsEnabled, in.Tags)
}

// checkComposite refuses a rule naming alarms that do not exist (or live
// elsewhere) and a suppressor that does not exist. Callers hold mu.
func (s *Service) checkComposite(a *alarm) error {
	var missing []string
	for _, ref := range a.rule.Refs() {
		if s.resolve(a.p, ref) == nil && ref.Name != a.name {
			missing = append(missing, ref.Text)
		}
	}
	if len(missing) > 0 {
		return validationError(fmt.Sprintf("Could not save the composite alarm as alarms [%s] in the alarm rule do not exist", strings.Join(missing, ", ")))
	}
	if sup := a.composite.ActionsSuppressor; sup != nil && s.suppressor(a) == nil {
		return validationError(fmt.Sprintf("Could not save the composite alarm as the ActionsSuppressor alarm %s does not exist", *sup))
	}
	return nil
}

// resolve finds the alarm a rule reference denotes in p. Callers hold mu.
func (s *Service) resolve(p partition, ref alarmrule.Ref) *alarm {
	if !ref.In("aws", p.region, p.account) {
		return nil
	}
	return s.get(p, ref.Name)
}

// suppressor is a composite's ActionsSuppressor alarm (by name or ARN).
func (s *Service) suppressor(a *alarm) *alarm {
	sup := shape.Value(a.composite.ActionsSuppressor)
	if sup == "" {
		return nil
	}
	if name, ok := strings.CutPrefix(sup, alarmARN(a.p, "")); ok {
		sup = name
	}
	return s.get(a.p, sup)
}

// ruleOf gives alarmrule the rules of p's composites.
func (s *Service) ruleOf(p partition) alarmrule.RuleOf {
	return func(ref alarmrule.Ref) *alarmrule.Rule {
		if c := s.resolve(p, ref); c != nil && c.kind == kindComposite {
			return c.rule
		}
		return nil
	}
}

// children are the alarms a composite's rule references. Callers hold mu.
func (s *Service) children(p partition, name string) map[string]*alarm {
	out := map[string]*alarm{}
	if c := s.get(p, name); c != nil && c.kind == kindComposite {
		for _, ref := range c.rule.Refs() {
			if a := s.resolve(p, ref); a != nil {
				out[a.name] = a
			}
		}
	}
	return out
}

// parents are the composites whose rules reference name. Callers hold mu.
func (s *Service) parents(p partition, name string) map[string]*alarm {
	out := map[string]*alarm{}
	for _, c := range s.alarms[p] {
		if c.kind == kindComposite && slices.ContainsFunc(c.rule.Refs(), func(r alarmrule.Ref) bool { return r.Name == name && r.In("aws", p.region, p.account) }) {
			out[c.name] = c
		}
	}
	return out
}

// onCycle reports a composite on a cycle of composites, which CloudWatch
// does not evaluate and does not let DeleteAlarms delete. Callers hold mu.
func (s *Service) onCycle(a *alarm) []string {
	if a.kind != kindComposite {
		return nil
	}
	return alarmrule.EvalCycle(a.name, a.rule, s.ruleOf(a.p))
}

// compositesDue lists composites to evaluate at now: every composite, at
// each evaluation tick, so a child's transition shows in its parents
// within one tick. Callers hold mu.
func (s *Service) compositesDue(now time.Time) []*alarm {
	var out []*alarm
	for _, m := range s.alarms {
		for _, a := range m {
			if a.kind == kindComposite && s.due(a, now) {
				out = append(out, a)
			}
		}
	}
	return out
}

// evaluateComposites evaluates composites children first, so a composite of
// composites sees the states decided in the same pass. Composites on a
// cycle keep their state. Callers hold mu (read).
func (s *Service) evaluateComposites(list []*alarm, now time.Time) []outcome {
	decided := map[*alarm]State{}
	visiting := map[*alarm]bool{}
	var outs []outcome
	var stateOf func(a *alarm) State
	evaluate := func(c *alarm) State {
		o := outcome{a: c, cycle: now.Truncate(evaluationTick)}
		if s.onCycle(c) != nil {
			o.keep = true
			outs = append(outs, o)
			return c.state.Value
		}
		var children []*alarm
		st := c.rule.CompositeState(func(ref alarmrule.Ref) alarmrule.State {
			a := s.resolve(c.p, ref)
			if a == nil {
				return alarmrule.StateUnknown
			}
			children = append(children, a)
			v, _ := alarmrule.ParseState(string(stateOf(a)))
			return v
		})
		o.value = State(st.String())
		o.triggering = triggering(children, decided)
		o.reason, o.reasonData = compositeReason(o.triggering, decided)
		outs = append(outs, o)
		return o.value
	}
	stateOf = func(a *alarm) State {
		if v, ok := decided[a]; ok {
			return v
		}
		if a.kind != kindComposite || visiting[a] || !slices.Contains(list, a) {
			return a.state.Value
		}
		visiting[a] = true
		v := evaluate(a)
		decided[a] = v
		return v
	}
	for _, c := range list {
		stateOf(c)
	}
	return outs
}

// triggering orders a composite's children most recently transitioned
// first: the first is the one StateReason names.
func triggering(children []*alarm, decided map[*alarm]State) []*alarm {
	seen := map[*alarm]bool{}
	var out []*alarm
	for _, c := range children {
		if !seen[c] {
			seen[c] = true
			out = append(out, c)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].state.Transitioned.After(out[j].state.Transitioned) })
	return out
}

// compositeReason is AWS's composite StateReason ("arn:… transitioned to
// ALARM at Friday 30 April, 2021 19:52:30 UTC") and StateReasonData
// ({"triggeringAlarms":[{"arn":…,"state":{"value":…,"timestamp":…}}]}).
// Our reading: the triggering alarm is the child that transitioned last.
func compositeReason(children []*alarm, decided map[*alarm]State) (string, string) {
	if len(children) == 0 {
		return "The composite alarm's rule references no alarms in a state that changed it.", `{"triggeringAlarms":[]}`
	}
	value := func(a *alarm) State {
		if v, ok := decided[a]; ok {
			return v
		}
		return a.state.Value
	}
	c := children[0]
	reason := fmt.Sprintf("%s transitioned to %s at %s", c.arn, value(c), c.state.Transitioned.UTC().Format("Monday 02 January, 2006 15:04:05 UTC"))
	var b strings.Builder
	b.WriteString(`{"triggeringAlarms":[`)
	for i, a := range children {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"arn":%q,"state":{"value":%q,"timestamp":%q}}`, a.arn, value(a), dataTime(a.state.Transitioned))
	}
	b.WriteString("]}")
	return reason, b.String()
}

// updateSuppression decides, as a composite transitions, whether its
// suppressor holds its actions: the suppressor is in ALARM (Alarm), or
// left ALARM less than ExtensionPeriod ago (ExtensionPeriod). Otherwise the
// actions wait WaitPeriod for the suppressor (see queueActions). Callers
// hold mu.
func (s *Service) updateSuppression(a *alarm, st *alarmState, now time.Time) {
	st.SuppressedBy, st.SuppressedReason = "", ""
	sup := s.suppressor(a)
	if sup == nil {
		return
	}
	ext := time.Duration(shape.Value(a.composite.ActionsSuppressorExtensionPeriod)) * time.Second
	switch {
	case sup.state.Value == StateAlarm:
		st.SuppressedBy = "Alarm"
		st.SuppressedReason = fmt.Sprintf("Alarm is in ALARM state: %s", sup.arn)
	case !sup.state.LeftAlarm.IsZero() && sup.state.LeftAlarm.Add(ext).After(now):
		st.SuppressedBy = "ExtensionPeriod"
		st.SuppressedReason = fmt.Sprintf("Suppressor %s left ALARM state less than %d seconds ago", sup.arn, int64(ext/time.Second))
	}
}

// waitPeriod is how long a composite's actions wait for its suppressor.
func waitPeriod(a *alarm) time.Duration {
	if a.kind != kindComposite || a.composite.ActionsSuppressor == nil {
		return 0
	}
	return time.Duration(shape.Value(a.composite.ActionsSuppressorWaitPeriod)) * time.Second
}
