package events

import (
	"context"
	"encoding/json"
	"errors"
	"maps"
	"strings"

	eventsapi "github.com/vigilhq/vigil/internal/api/events"
	"github.com/vigilhq/vigil/internal/api/shape"
	"github.com/vigilhq/vigil/internal/eventpattern"
	"github.com/vigilhq/vigil/internal/events/schedule"
)

// maxRules is AWS's default quota of rules per event bus.
const maxRules = 300

// ruleDoc is a rule's persisted definition, its targets included.
type ruleDoc struct {
	Pattern     string             `json:"pattern,omitempty"`
	Schedule    string             `json:"schedule,omitempty"`
	State       string             `json:"state"`
	Description string             `json:"description,omitempty"`
	RoleArn     string             `json:"roleArn,omitempty"`
	ManagedBy   string             `json:"managedBy,omitempty"`
	Created     int64              `json:"created"`
	Since       int64              `json:"since,omitempty"` // the last PutRule: a rate schedule counts from it
	Tags        map[string]string  `json:"tags,omitempty"`
	Targets     []eventsapi.Target `json:"targets,omitempty"`
}

// rule is a compiled rule. A *rule is never changed once published in a
// bus: a change builds a new one, so PutEvents may keep using what it read
// under the read lock.
type rule struct {
	name, arn, bus string
	// dims and busDims are the rule's and its bus's AWS/Events dimension
	// sets (metrics.go), made once: every match and delivery records them.
	dims, busDims string
	doc           ruleDoc
	pattern       *eventpattern.Pattern
	sched         *schedule.Schedule
	targets       []*target // parallel to doc.Targets
}

func (r *rule) enabled() bool { return r.doc.State != eventsapi.RuleStateDisabled }

func (r *rule) target(id string) *target {
	for _, t := range r.targets {
		if shape.Value(t.spec.Id) == id {
			return t
		}
	}
	return nil
}

// compileRule builds a rule from its definition; the first error is
// returned with a rule that never matches it.
func compileRule(p partition, busName, name string, d ruleDoc) (*rule, error) {
	r := &rule{name: name, arn: ruleARN(p, busName, name), bus: busName, doc: d, dims: ruleDims(busName, name), busDims: busDims(busName)}
	var first error
	if d.Pattern != "" {
		pat, err := eventpattern.Compile([]byte(d.Pattern))
		if err != nil {
			first = err
		} else {
			r.pattern = pat
		}
	}
	if d.Schedule != "" {
		sc, err := schedule.Parse(d.Schedule)
		if err != nil && first == nil {
			first = err
		}
		r.sched = sc
	}
	for i := range d.Targets {
		t, err := compileTarget(p, &d.Targets[i])
		if err != nil && first == nil {
			first = err
		}
		if t != nil {
			r.targets = append(r.targets, t)
		}
	}
	return r, first
}

func patternError(err error) error {
	var pe *eventpattern.PatternError
	if errors.As(err, &pe) {
		return &eventsapi.InvalidEventPatternException{Message: shape.Ptr(pe.Error())}
	}
	return &eventsapi.InvalidEventPatternException{Message: shape.Ptr("Event pattern is not valid. Reason: " + err.Error())}
}

// ruleFor finds a rule for a handler; callers hold mu.
func (s *Service) ruleFor(c call, nameParam, busParam *string) (*bus, *rule, error) {
	bn, err := busName(c, busParam)
	if err != nil {
		return nil, nil, err
	}
	name := shape.Value(nameParam)
	b := s.lookupBus(c.p, bn)
	if b == nil {
		return nil, nil, errNoBus(bn)
	}
	r := b.rules[name]
	if r == nil {
		return b, nil, errNoRule(name, bn)
	}
	return b, r, nil
}

func (s *Service) PutRule(ctx context.Context, in *eventsapi.PutRuleRequest) (*eventsapi.PutRuleResponse, error) {
	c := callOf(ctx)
	bn, err := busName(c, in.EventBusName)
	if err != nil {
		return nil, err
	}
	name := shape.Value(in.Name)
	d := ruleDoc{Pattern: shape.Value(in.EventPattern), Schedule: shape.Value(in.ScheduleExpression), State: shape.Value(in.State),
		Description: shape.Value(in.Description), RoleArn: shape.Value(in.RoleArn), Created: ms(c.now), Since: ms(c.now)}
	if d.State == "" {
		d.State = eventsapi.RuleStateEnabled
	}
	if d.Pattern == "" && d.Schedule == "" {
		return nil, validation("Parameter(s) EventPattern or ScheduleExpression must be specified.")
	}
	if d.Schedule != "" && bn != defaultBus {
		return nil, validation("ScheduleExpression is supported only on the default event bus.")
	}
	if d.Pattern != "" {
		if _, err := eventpattern.Compile([]byte(d.Pattern)); err != nil {
			return nil, patternError(err)
		}
	}
	if d.Schedule != "" {
		if _, err := schedule.Parse(d.Schedule); err != nil {
			return nil, validation("%s", err.Error())
		}
	}
	tags, err := tagMap(nil, in.Tags)
	if err != nil {
		return nil, err
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	b := s.regionOf(c.p).buses[bn]
	if b == nil {
		return nil, errNoBus(bn)
	}
	old := b.rules[name]
	if old != nil {
		if old.doc.ManagedBy != "" {
			return nil, &eventsapi.ManagedRuleException{Message: shape.Ptr("Rule " + name + " is managed by " + old.doc.ManagedBy + " and cannot be modified.")}
		}
		if old.doc.Schedule == d.Schedule && old.doc.Since != 0 {
			d.Since = old.doc.Since // an unchanged schedule keeps its phase
		}
		// AWS: an update replaces the rule's settings but keeps its
		// targets; tags given on an update are ignored.
		d.Created, d.Tags, d.Targets, d.ManagedBy = old.doc.Created, old.doc.Tags, old.doc.Targets, old.doc.ManagedBy
	} else {
		if len(b.rules) >= maxRules {
			return nil, limitExceeded("The requested resource exceeds the maximum number allowed.")
		}
		d.Tags = tags
	}
	r, err := compileRule(c.p, bn, name, d)
	if err != nil {
		return nil, err
	}
	if err := s.saveRule(ctx, c.p, bn, r); err != nil {
		return nil, err
	}
	b.setRule(r)
	return &eventsapi.PutRuleResponse{RuleArn: shape.Ptr(r.arn)}, nil
}

func (s *Service) DescribeRule(ctx context.Context, in *eventsapi.DescribeRuleRequest) (*eventsapi.DescribeRuleResponse, error) {
	c := callOf(ctx)
	s.mu.RLock()
	defer s.mu.RUnlock()
	_, r, err := s.ruleFor(c, in.Name, in.EventBusName)
	if err != nil {
		return nil, err
	}
	return &eventsapi.DescribeRuleResponse{Name: shape.Ptr(r.name), Arn: shape.Ptr(r.arn), EventPattern: optional(r.doc.Pattern),
		ScheduleExpression: optional(r.doc.Schedule), State: shape.Ptr(r.doc.State), Description: optional(r.doc.Description),
		RoleArn: optional(r.doc.RoleArn), ManagedBy: optional(r.doc.ManagedBy), EventBusName: shape.Ptr(r.bus),
		CreatedBy: shape.Ptr(c.p.account)}, nil
}

func apiRule(r *rule) eventsapi.Rule {
	return eventsapi.Rule{Name: shape.Ptr(r.name), Arn: shape.Ptr(r.arn), EventPattern: optional(r.doc.Pattern), State: shape.Ptr(r.doc.State),
		Description: optional(r.doc.Description), ScheduleExpression: optional(r.doc.Schedule), RoleArn: optional(r.doc.RoleArn),
		ManagedBy: optional(r.doc.ManagedBy), EventBusName: shape.Ptr(r.bus)}
}

func (s *Service) ListRules(ctx context.Context, in *eventsapi.ListRulesRequest) (*eventsapi.ListRulesResponse, error) {
	c := callOf(ctx)
	bn, err := busName(c, in.EventBusName)
	if err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	b := s.lookupBus(c.p, bn)
	if b == nil {
		return nil, errNoBus(bn)
	}
	prefix := shape.Value(in.NamePrefix)
	var names []string
	for n := range b.rules {
		if strings.HasPrefix(n, prefix) {
			names = append(names, n)
		}
	}
	got, next, err := page(names, in.NextToken, in.Limit)
	if err != nil {
		return nil, err
	}
	out := &eventsapi.ListRulesResponse{Rules: []eventsapi.Rule{}, NextToken: next}
	for _, n := range got {
		out.Rules = append(out.Rules, apiRule(b.rules[n]))
	}
	return out, nil
}

// DeleteRule deletes a rule without targets; deleting a rule that does not
// exist succeeds, as on AWS.
func (s *Service) DeleteRule(ctx context.Context, in *eventsapi.DeleteRuleRequest) error {
	c := callOf(ctx)
	s.mu.Lock()
	defer s.mu.Unlock()
	b, r, err := s.ruleFor(c, in.Name, in.EventBusName)
	var nf *eventsapi.ResourceNotFoundException
	if errors.As(err, &nf) {
		return nil
	}
	if err != nil {
		return err
	}
	if r.doc.ManagedBy != "" && !shape.Value(in.Force) {
		return &eventsapi.ManagedRuleException{Message: shape.Ptr("Rule " + r.name + " is managed by " + r.doc.ManagedBy + "; use Force to delete it.")}
	}
	if len(r.doc.Targets) > 0 {
		return validation("Rule can't be deleted since it has targets.")
	}
	if err := s.deleteRuleRow(ctx, c.p, b.name, r.name); err != nil {
		return err
	}
	b.removeRule(r.name)
	return nil
}

func (s *Service) EnableRule(ctx context.Context, in *eventsapi.EnableRuleRequest) error {
	return s.setState(ctx, in.Name, in.EventBusName, eventsapi.RuleStateEnabled)
}

func (s *Service) DisableRule(ctx context.Context, in *eventsapi.DisableRuleRequest) error {
	return s.setState(ctx, in.Name, in.EventBusName, eventsapi.RuleStateDisabled)
}

func (s *Service) setState(ctx context.Context, name, busParam *string, state string) error {
	c := callOf(ctx)
	s.mu.Lock()
	defer s.mu.Unlock()
	b, r, err := s.ruleFor(c, name, busParam)
	if err != nil {
		return err
	}
	if r.doc.ManagedBy != "" {
		return &eventsapi.ManagedRuleException{Message: shape.Ptr("Rule " + r.name + " is managed by " + r.doc.ManagedBy + " and cannot be modified.")}
	}
	if r.doc.State == state {
		return nil
	}
	d := r.doc
	d.State = state
	return s.replaceRule(ctx, c, b, r, d)
}

// replaceRule publishes a rule rebuilt from d in place of r. Callers hold
// mu for writing.
func (s *Service) replaceRule(ctx context.Context, c call, b *bus, r *rule, d ruleDoc) error {
	nr, err := compileRule(c.p, b.name, r.name, d)
	if err != nil {
		return err
	}
	if err := s.saveRule(ctx, c.p, b.name, nr); err != nil {
		return err
	}
	b.setRule(nr)
	return nil
}

// eventEnvelope is the part of an event TestEventPattern requires.
type eventEnvelope struct {
	ID         *string `json:"id"`
	Account    *string `json:"account"`
	Source     *string `json:"source"`
	Time       *string `json:"time"`
	Region     *string `json:"region"`
	DetailType *string `json:"detail-type"`
}

func (s *Service) TestEventPattern(ctx context.Context, in *eventsapi.TestEventPatternRequest) (*eventsapi.TestEventPatternResponse, error) {
	pat, err := eventpattern.Compile([]byte(shape.Value(in.EventPattern)))
	if err != nil {
		return nil, patternError(err)
	}
	ev := []byte(shape.Value(in.Event))
	// AWS requires a whole event: the envelope's fields must be present.
	var env eventEnvelope
	if err := json.Unmarshal(ev, &env); err != nil || env.ID == nil || env.Account == nil || env.Source == nil ||
		env.Time == nil || env.Region == nil || env.DetailType == nil {
		return nil, validation("Parameter Event is not valid.")
	}
	ok, err := pat.Match(ev)
	if err != nil {
		return nil, validation("Parameter Event is not valid.")
	}
	return &eventsapi.TestEventPatternResponse{Result: shape.Ptr(ok)}, nil
}

func (s *Service) ListRuleNamesByTarget(ctx context.Context, in *eventsapi.ListRuleNamesByTargetRequest) (*eventsapi.ListRuleNamesByTargetResponse, error) {
	c := callOf(ctx)
	bn, err := busName(c, in.EventBusName)
	if err != nil {
		return nil, err
	}
	arn := shape.Value(in.TargetArn)
	s.mu.RLock()
	defer s.mu.RUnlock()
	b := s.lookupBus(c.p, bn)
	if b == nil {
		return nil, errNoBus(bn)
	}
	var names []string
	for n, r := range b.rules {
		for _, t := range r.doc.Targets {
			if shape.Value(t.Arn) == arn {
				names = append(names, n)
				break
			}
		}
	}
	got, next, err := page(names, in.NextToken, in.Limit)
	if err != nil {
		return nil, err
	}
	return &eventsapi.ListRuleNamesByTargetResponse{RuleNames: append([]string{}, got...), NextToken: next}, nil
}

// cloneDoc copies d so a new rule can change it without touching the
// published one.
func cloneDoc(d ruleDoc) ruleDoc {
	d.Tags = maps.Clone(d.Tags)
	d.Targets = append([]eventsapi.Target(nil), d.Targets...)
	return d
}
