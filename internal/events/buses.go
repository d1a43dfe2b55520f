package events

import (
	"context"
	"encoding/json"
	"maps"
	"regexp"
	"strings"
	"time"

	eventsapi "github.com/vigilhq/vigil/internal/api/events"
	"github.com/vigilhq/vigil/internal/api/shape"
	"github.com/vigilhq/vigil/internal/eventpattern"
)

const defaultBus = "default"

// maxBuses is AWS's quota of event buses per account and region (the
// default bus included).
const maxBuses = 100

// busDoc is a bus's persisted settings.
type busDoc struct {
	Description      string               `json:"description,omitempty"`
	KmsKeyIdentifier string               `json:"kms,omitempty"`
	DeadLetterArn    string               `json:"dlq,omitempty"`
	LogConfig        *eventsapi.LogConfig `json:"logConfig,omitempty"`
	Policy           string               `json:"policy,omitempty"`
	Created          int64                `json:"created,omitempty"` // unix ms; 0 for the implicit default bus
	Modified         int64                `json:"modified,omitempty"`
	Tags             map[string]string    `json:"tags,omitempty"`
}

// bus is one event bus: its settings, its rules and the matcher holding its
// enabled pattern rules. Fields change only under Service.mu.
type bus struct {
	name, arn string
	doc       busDoc
	rules     map[string]*rule
	matcher   *eventpattern.Matcher
}

func newBus(p partition, name string, d busDoc) *bus {
	return &bus{name: name, arn: busARN(p, name), doc: d, rules: map[string]*rule{}, matcher: eventpattern.NewMatcher()}
}

// setRule adds or replaces r and keeps the matcher in step: a rule is
// matched when it has a pattern and is enabled.
func (b *bus) setRule(r *rule) {
	b.rules[r.name] = r
	if r.pattern != nil && r.enabled() {
		b.matcher.Add(r.name, r.pattern)
	} else {
		b.matcher.Remove(r.name)
	}
}

func (b *bus) removeRule(name string) {
	delete(b.rules, name)
	b.matcher.Remove(name)
}

// lookupBus finds a bus for reading; callers hold mu. The default bus of a
// region nobody has written to yet is answered by a fresh, empty one.
func (s *Service) lookupBus(p partition, name string) *bus {
	if r := s.parts[p]; r != nil {
		return r.buses[name]
	}
	if name == defaultBus {
		return newBus(p, defaultBus, busDoc{})
	}
	return nil
}

// busName resolves an EventBusName parameter (a name or an ARN; empty means
// the default bus). Another account's or region's bus does not exist for
// the caller: accounts stay isolated.
func busName(c call, v *string) (string, error) {
	p, n, err := busRef(c, v)
	if err == nil && p != c.p {
		return "", errNoBus(n)
	}
	return n, err
}

// busRef resolves an EventBusName parameter to the bus's account and
// region (the caller's, unless an ARN names others) and name.
func busRef(c call, v *string) (partition, string, error) {
	name := shape.Value(v)
	if name == "" {
		return c.p, defaultBus, nil
	}
	if !strings.HasPrefix(name, "arn:") {
		return c.p, name, nil
	}
	p, res, ok := parseEventsARN(name)
	n, isBus := strings.CutPrefix(res, "event-bus/")
	if !ok || !isBus || n == "" {
		return partition{}, "", validation("Parameter %s is not valid. Reason: Provided Arn is not in correct format.", name)
	}
	return p, n, nil
}

var sqsARNPattern = regexp.MustCompile(`^arn:aws[a-z-]*:sqs:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,80}(\.fifo)?$`)

func checkDLQ(d *eventsapi.DeadLetterConfig) (string, error) {
	if d == nil || d.Arn == nil {
		return "", nil
	}
	if !sqsARNPattern.MatchString(*d.Arn) {
		return "", validation("Parameter DeadLetterConfig.Arn is not valid. Reason: Only an Amazon SQS queue ARN is supported.")
	}
	if strings.HasSuffix(*d.Arn, ".fifo") {
		// AWS: "EventBridge DLQs are standard Amazon SQS queues".
		return "", validation("Parameter DeadLetterConfig.Arn is not valid. Reason: FIFO queues are not supported as dead-letter queues.")
	}
	return *d.Arn, nil
}

func dlqConfig(arn string) *eventsapi.DeadLetterConfig {
	if arn == "" {
		return nil
	}
	return &eventsapi.DeadLetterConfig{Arn: shape.Ptr(arn)}
}

func ms(t time.Time) int64 { return t.UnixMilli() }

func msTime(v int64) *time.Time {
	if v == 0 {
		return nil
	}
	t := time.UnixMilli(v).UTC()
	return &t
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func (s *Service) CreateEventBus(ctx context.Context, in *eventsapi.CreateEventBusRequest) (*eventsapi.CreateEventBusResponse, error) {
	c := callOf(ctx)
	name := shape.Value(in.Name)
	if in.EventSourceName != nil {
		return nil, validation("Partner event buses (EventSourceName) are not supported by Vigil.")
	}
	switch {
	case name == defaultBus:
		return nil, alreadyExists("Event bus %s already exists.", name)
	case strings.HasPrefix(name, "aws."):
		// Names starting with aws. are partner event sources' buses.
		return nil, validation("Event bus name must not start with 'aws.'.")
	case strings.Contains(name, "/"):
		return nil, validation("Event bus name must not contain '/'.")
	}
	dlq, err := checkDLQ(in.DeadLetterConfig)
	if err != nil {
		return nil, err
	}
	tags, err := tagMap(nil, in.Tags)
	if err != nil {
		return nil, err
	}
	d := busDoc{Description: shape.Value(in.Description), KmsKeyIdentifier: shape.Value(in.KmsKeyIdentifier), DeadLetterArn: dlq,
		LogConfig: in.LogConfig, Created: ms(c.now), Modified: ms(c.now), Tags: tags}
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.regionOf(c.p)
	if r.buses[name] != nil {
		return nil, alreadyExists("Event bus %s already exists.", name)
	}
	if len(r.buses) >= maxBuses {
		return nil, limitExceeded("The requested resource exceeds the maximum number allowed.")
	}
	b := newBus(c.p, name, d)
	if err := s.saveBus(ctx, c.p, b); err != nil {
		return nil, err
	}
	r.buses[name] = b
	return &eventsapi.CreateEventBusResponse{EventBusArn: shape.Ptr(b.arn), Description: in.Description,
		KmsKeyIdentifier: in.KmsKeyIdentifier, DeadLetterConfig: dlqConfig(dlq), LogConfig: in.LogConfig}, nil
}

func (s *Service) DescribeEventBus(ctx context.Context, in *eventsapi.DescribeEventBusRequest) (*eventsapi.DescribeEventBusResponse, error) {
	c := callOf(ctx)
	name, err := busName(c, in.Name)
	if err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	b := s.lookupBus(c.p, name)
	if b == nil {
		return nil, errNoBus(name)
	}
	return &eventsapi.DescribeEventBusResponse{Name: shape.Ptr(b.name), Arn: shape.Ptr(b.arn), Description: optional(b.doc.Description),
		KmsKeyIdentifier: optional(b.doc.KmsKeyIdentifier), DeadLetterConfig: dlqConfig(b.doc.DeadLetterArn), Policy: optional(b.doc.Policy),
		LogConfig: b.doc.LogConfig, CreationTime: msTime(b.doc.Created), LastModifiedTime: msTime(b.doc.Modified)}, nil
}

func (s *Service) ListEventBuses(ctx context.Context, in *eventsapi.ListEventBusesRequest) (*eventsapi.ListEventBusesResponse, error) {
	c := callOf(ctx)
	s.mu.RLock()
	defer s.mu.RUnlock()
	prefix := shape.Value(in.NamePrefix)
	var names []string
	buses := map[string]*bus{defaultBus: s.lookupBus(c.p, defaultBus)}
	if r := s.parts[c.p]; r != nil {
		buses = r.buses
	}
	for n := range buses {
		if strings.HasPrefix(n, prefix) {
			names = append(names, n)
		}
	}
	got, next, err := page(names, in.NextToken, in.Limit)
	if err != nil {
		return nil, err
	}
	out := &eventsapi.ListEventBusesResponse{NextToken: next, EventBuses: []eventsapi.EventBus{}}
	for _, n := range got {
		b := buses[n]
		out.EventBuses = append(out.EventBuses, eventsapi.EventBus{Name: shape.Ptr(b.name), Arn: shape.Ptr(b.arn),
			Description: optional(b.doc.Description), Policy: optional(b.doc.Policy),
			CreationTime: msTime(b.doc.Created), LastModifiedTime: msTime(b.doc.Modified)})
	}
	return out, nil
}

func (s *Service) UpdateEventBus(ctx context.Context, in *eventsapi.UpdateEventBusRequest) (*eventsapi.UpdateEventBusResponse, error) {
	c := callOf(ctx)
	name, err := busName(c, in.Name)
	if err != nil {
		return nil, err
	}
	dlq, err := checkDLQ(in.DeadLetterConfig)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.regionOf(c.p)
	b := r.buses[name]
	if b == nil {
		return nil, errNoBus(name)
	}
	d := b.doc
	// Our decision: a member left out keeps its value (AWS documents no
	// reset semantics); an empty string clears Description and the key.
	if in.Description != nil {
		d.Description = *in.Description
	}
	if in.KmsKeyIdentifier != nil {
		d.KmsKeyIdentifier = *in.KmsKeyIdentifier
	}
	if in.DeadLetterConfig != nil {
		d.DeadLetterArn = dlq
	}
	if in.LogConfig != nil {
		d.LogConfig = in.LogConfig
	}
	d.Modified = ms(c.now)
	nb := *b
	nb.doc = d
	if err := s.saveBus(ctx, c.p, &nb); err != nil {
		return nil, err
	}
	b.doc = d
	return &eventsapi.UpdateEventBusResponse{Arn: shape.Ptr(b.arn), Name: shape.Ptr(b.name), KmsKeyIdentifier: optional(d.KmsKeyIdentifier),
		Description: optional(d.Description), DeadLetterConfig: dlqConfig(d.DeadLetterArn), LogConfig: d.LogConfig}, nil
}

// DeleteEventBus deletes a custom bus and its rules. Deleting a bus that
// does not exist succeeds, as on AWS; the default bus cannot be deleted.
func (s *Service) DeleteEventBus(ctx context.Context, in *eventsapi.DeleteEventBusRequest) error {
	c := callOf(ctx)
	name, err := busName(c, in.Name)
	if err != nil {
		return err
	}
	if name == defaultBus {
		return validation("Cannot delete event bus default.")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.parts[c.p]
	if r == nil || r.buses[name] == nil {
		return nil
	}
	if err := s.deleteBusRows(ctx, c.p, name); err != nil {
		return err
	}
	delete(r.buses, name)
	return nil
}

// --- bus policies ------------------------------------------------------

type policyDoc struct {
	Version   string            `json:"Version"`
	Statement []json.RawMessage `json:"Statement"`
}

type statement struct {
	Sid       string         `json:"Sid"`
	Effect    string         `json:"Effect"`
	Principal any            `json:"Principal"`
	Action    string         `json:"Action"`
	Resource  string         `json:"Resource"`
	Condition map[string]any `json:"Condition,omitempty"`
}

var accountIDPattern = regexp.MustCompile(`^\d{12}$`)

// PutPermission edits the bus policy, which decides what other accounts
// may put on the bus, with PutEvents or through their rules (see the
// package doc).
func (s *Service) PutPermission(ctx context.Context, in *eventsapi.PutPermissionRequest) error {
	c := callOf(ctx)
	name, err := busName(c, in.EventBusName)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.regionOf(c.p)
	b := r.buses[name]
	if b == nil {
		return errNoBus(name)
	}
	var policy string
	if in.Policy != nil {
		var d policyDoc
		if err := json.Unmarshal([]byte(*in.Policy), &d); err != nil || d.Statement == nil {
			return validation("Policy is not a valid JSON policy document.")
		}
		policy = *in.Policy
	} else {
		action, principal, sid := shape.Value(in.Action), shape.Value(in.Principal), shape.Value(in.StatementId)
		if action == "" || principal == "" || sid == "" {
			return validation("Parameter(s) Action, Principal and StatementId must be specified when Policy is not.")
		}
		if action != "events:PutEvents" {
			return validation("Provided value in parameter 'action' is not supported.")
		}
		st := statement{Sid: sid, Effect: "Allow", Action: action, Resource: b.arn}
		switch {
		case principal == "*":
			st.Principal = "*"
		case accountIDPattern.MatchString(principal):
			st.Principal = map[string]string{"AWS": "arn:aws:iam::" + principal + ":root"}
		default:
			return validation("Parameter Principal is not valid. Reason: it must be an account id or *.")
		}
		if principal == "*" && in.Condition == nil {
			// AWS requires an organization condition for "*".
			return validation("A Condition is required when Principal is *.")
		}
		if cond := in.Condition; cond != nil {
			st.Condition = map[string]any{shape.Value(cond.Type): map[string]string{shape.Value(cond.Key): shape.Value(cond.Value)}}
		}
		d := policyDoc{Version: "2012-10-17"}
		if b.doc.Policy != "" {
			if err := json.Unmarshal([]byte(b.doc.Policy), &d); err != nil {
				return err
			}
		}
		raw, _ := json.Marshal(st)
		replaced := false
		for i, old := range d.Statement {
			var o struct{ Sid string }
			if json.Unmarshal(old, &o) == nil && o.Sid == sid {
				d.Statement[i], replaced = raw, true
			}
		}
		if !replaced {
			d.Statement = append(d.Statement, raw)
		}
		out, _ := json.Marshal(d)
		policy = string(out)
	}
	return s.setPolicy(ctx, c, b, policy)
}

func (s *Service) setPolicy(ctx context.Context, c call, b *bus, policy string) error {
	nb := *b
	nb.doc.Policy = policy
	nb.doc.Modified = ms(c.now)
	nb.doc.Tags = maps.Clone(b.doc.Tags)
	if err := s.saveBus(ctx, c.p, &nb); err != nil {
		return err
	}
	b.doc.Policy, b.doc.Modified = nb.doc.Policy, nb.doc.Modified
	return nil
}

func (s *Service) RemovePermission(ctx context.Context, in *eventsapi.RemovePermissionRequest) error {
	c := callOf(ctx)
	name, err := busName(c, in.EventBusName)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.regionOf(c.p)
	b := r.buses[name]
	if b == nil {
		return errNoBus(name)
	}
	if shape.Value(in.RemoveAllPermissions) {
		return s.setPolicy(ctx, c, b, "")
	}
	sid := shape.Value(in.StatementId)
	if sid == "" {
		return validation("Parameter StatementId must be specified unless RemoveAllPermissions is true.")
	}
	if b.doc.Policy == "" {
		return notFound("EventBus does not have a policy.")
	}
	var d policyDoc
	if err := json.Unmarshal([]byte(b.doc.Policy), &d); err != nil {
		return err
	}
	kept := d.Statement[:0]
	found := false
	for _, st := range d.Statement {
		var o struct{ Sid string }
		if json.Unmarshal(st, &o) == nil && o.Sid == sid {
			found = true
			continue
		}
		kept = append(kept, st)
	}
	if !found {
		return notFound("Statement with the provided id does not exist.")
	}
	policy := ""
	if len(kept) > 0 {
		d.Statement = kept
		out, _ := json.Marshal(d)
		policy = string(out)
	}
	return s.setPolicy(ctx, c, b, policy)
}
