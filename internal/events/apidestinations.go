package events

import (
	"context"
	"sort"
	"strings"

	eventsapi "github.com/vigilhq/vigil/internal/api/events"
	"github.com/vigilhq/vigil/internal/api/shape"
)

// defaultRateLimit is InvocationRateLimitPerSecond when none is given
// (API reference, CreateApiDestination: "default is set to 300").
const defaultRateLimit = 300

type apiDestDoc struct {
	ARN         string `json:"arn"`
	Name        string `json:"name"`
	Description string `json:"desc,omitempty"`
	State       string `json:"state"`
	ConnARN     string `json:"conn"`
	Endpoint    string `json:"endpoint"`
	Method      string `json:"method"`
	RateLimit   int32  `json:"rate"`
	Created     int64  `json:"created"`
	Modified    int64  `json:"modified"`
}

func errNoAPIDestination(name string) error {
	return notFound("Failed to describe the api-destination(s). An api-destination '%s' does not exist.", name)
}

func checkMethod(m string) error {
	switch m {
	case "POST", "GET", "HEAD", "OPTIONS", "PUT", "PATCH", "DELETE":
		return nil
	}
	return validation("1 validation error detected: Value '%s' at 'httpMethod' failed to satisfy constraint: Member must satisfy enum value set: [POST, GET, HEAD, OPTIONS, PUT, PATCH, DELETE]", m)
}

func checkRate(r *int32) (int32, error) {
	if r == nil {
		return defaultRateLimit, nil
	}
	if *r < 1 {
		return 0, validation("1 validation error detected: Value '%d' at 'invocationRateLimitPerSecond' failed to satisfy constraint: Member must have value greater than or equal to 1", *r)
	}
	return *r, nil
}

// connectionByARN finds the caller's connection with that exact ARN (a
// connection deleted and created again under its name has another ARN).
// Callers hold api.mu.
func (s *Service) connectionByARN(p partition, arn string) *connDoc {
	cp, res, ok := parseEventsARN(arn)
	if !ok || cp != p || !strings.HasPrefix(res, "connection/") {
		return nil
	}
	name, _, _ := strings.Cut(strings.TrimPrefix(res, "connection/"), "/")
	if d := s.api.connsOf(p)[name]; d != nil && d.ARN == arn {
		return d
	}
	return nil
}

func (s *Service) CreateApiDestination(ctx context.Context, in *eventsapi.CreateApiDestinationRequest) (*eventsapi.CreateApiDestinationResponse, error) {
	c := callOf(ctx)
	name, err := checkResourceName("name", in.Name)
	if err != nil {
		return nil, err
	}
	switch {
	case in.ConnectionArn == nil:
		return nil, validation("ConnectionArn is required.")
	case in.InvocationEndpoint == nil:
		return nil, validation("InvocationEndpoint is required.")
	case in.HttpMethod == nil:
		return nil, validation("HttpMethod is required.")
	}
	if err := checkEndpoint("InvocationEndpoint", *in.InvocationEndpoint); err != nil {
		return nil, err
	}
	if err := checkMethod(*in.HttpMethod); err != nil {
		return nil, err
	}
	rate, err := checkRate(in.InvocationRateLimitPerSecond)
	if err != nil {
		return nil, err
	}
	now := s.clock.Now()
	d := &apiDestDoc{Name: name, Description: shape.Value(in.Description), State: eventsapi.ApiDestinationStateActive,
		ConnARN: *in.ConnectionArn, Endpoint: *in.InvocationEndpoint, Method: *in.HttpMethod, RateLimit: rate,
		Created: now.UnixMilli(), Modified: now.UnixMilli()}
	d.ARN = "arn:aws:events:" + c.p.region + ":" + c.p.account + ":api-destination/" + name + "/" + s.ids.UUID()

	s.api.mu.Lock()
	defer s.api.mu.Unlock()
	if s.connectionByARN(c.p, d.ConnARN) == nil {
		return nil, notFound("Connection %s does not exist.", d.ConnARN)
	}
	m := s.api.destsOf(c.p)
	if m[name] != nil {
		return nil, alreadyExists("An api-destination '%s' already exists.", name)
	}
	if len(m) >= maxAPIDestinations {
		return nil, limitExceeded("The requested resource exceeds the maximum number allowed.")
	}
	if err := s.saveDoc(ctx, "events_api_destinations", c.p, name, d); err != nil {
		return nil, err
	}
	m[name] = d
	return &eventsapi.CreateApiDestinationResponse{ApiDestinationArn: shape.Ptr(d.ARN), ApiDestinationState: shape.Ptr(d.State),
		CreationTime: msTime(d.Created), LastModifiedTime: msTime(d.Modified)}, nil
}

func (s *Service) lookupAPIDestination(p partition, name *string) (*apiDestDoc, error) {
	n := shape.Value(name)
	d := s.api.destsOf(p)[n]
	if d == nil {
		return nil, errNoAPIDestination(n)
	}
	return d, nil
}

func (s *Service) DescribeApiDestination(ctx context.Context, in *eventsapi.DescribeApiDestinationRequest) (*eventsapi.DescribeApiDestinationResponse, error) {
	c := callOf(ctx)
	s.api.mu.Lock()
	defer s.api.mu.Unlock()
	d, err := s.lookupAPIDestination(c.p, in.Name)
	if err != nil {
		return nil, err
	}
	out := &eventsapi.DescribeApiDestinationResponse{ApiDestinationArn: shape.Ptr(d.ARN), Name: shape.Ptr(d.Name),
		ApiDestinationState: shape.Ptr(d.State), ConnectionArn: shape.Ptr(d.ConnARN), InvocationEndpoint: shape.Ptr(d.Endpoint),
		HttpMethod: shape.Ptr(d.Method), InvocationRateLimitPerSecond: shape.Ptr(d.RateLimit),
		CreationTime: msTime(d.Created), LastModifiedTime: msTime(d.Modified)}
	if d.Description != "" {
		out.Description = shape.Ptr(d.Description)
	}
	return out, nil
}

func (s *Service) ListApiDestinations(ctx context.Context, in *eventsapi.ListApiDestinationsRequest) (*eventsapi.ListApiDestinationsResponse, error) {
	c := callOf(ctx)
	s.api.mu.Lock()
	defer s.api.mu.Unlock()
	m := s.api.destsOf(c.p)
	var names []string
	for n, d := range m {
		if strings.HasPrefix(n, shape.Value(in.NamePrefix)) && (in.ConnectionArn == nil || *in.ConnectionArn == d.ConnARN) {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	got, next, err := page(names, in.NextToken, in.Limit)
	if err != nil {
		return nil, err
	}
	out := &eventsapi.ListApiDestinationsResponse{ApiDestinations: []eventsapi.ApiDestination{}, NextToken: next}
	for _, n := range got {
		d := m[n]
		out.ApiDestinations = append(out.ApiDestinations, eventsapi.ApiDestination{ApiDestinationArn: shape.Ptr(d.ARN), Name: shape.Ptr(d.Name),
			ApiDestinationState: shape.Ptr(d.State), ConnectionArn: shape.Ptr(d.ConnARN), InvocationEndpoint: shape.Ptr(d.Endpoint),
			HttpMethod: shape.Ptr(d.Method), InvocationRateLimitPerSecond: shape.Ptr(d.RateLimit),
			CreationTime: msTime(d.Created), LastModifiedTime: msTime(d.Modified)})
	}
	return out, nil
}

func (s *Service) UpdateApiDestination(ctx context.Context, in *eventsapi.UpdateApiDestinationRequest) (*eventsapi.UpdateApiDestinationResponse, error) {
	c := callOf(ctx)
	if in.InvocationEndpoint != nil {
		if err := checkEndpoint("InvocationEndpoint", *in.InvocationEndpoint); err != nil {
			return nil, err
		}
	}
	if in.HttpMethod != nil {
		if err := checkMethod(*in.HttpMethod); err != nil {
			return nil, err
		}
	}
	if in.InvocationRateLimitPerSecond != nil {
		if _, err := checkRate(in.InvocationRateLimitPerSecond); err != nil {
			return nil, err
		}
	}
	s.api.mu.Lock()
	defer s.api.mu.Unlock()
	old, err := s.lookupAPIDestination(c.p, in.Name)
	if err != nil {
		return nil, err
	}
	d := *old
	setIf(&d.Description, in.Description)
	setIf(&d.Endpoint, in.InvocationEndpoint)
	setIf(&d.Method, in.HttpMethod)
	if in.ConnectionArn != nil {
		if s.connectionByARN(c.p, *in.ConnectionArn) == nil {
			return nil, notFound("Connection %s does not exist.", *in.ConnectionArn)
		}
		d.ConnARN = *in.ConnectionArn
	}
	if in.InvocationRateLimitPerSecond != nil {
		d.RateLimit = *in.InvocationRateLimitPerSecond
	}
	d.Modified = s.clock.Now().UnixMilli()
	if err := s.saveDoc(ctx, "events_api_destinations", c.p, d.Name, &d); err != nil {
		return nil, err
	}
	s.api.destsOf(c.p)[d.Name] = &d
	if d.RateLimit != old.RateLimit {
		delete(s.api.buckets, d.ARN)
	}
	return &eventsapi.UpdateApiDestinationResponse{ApiDestinationArn: shape.Ptr(d.ARN), ApiDestinationState: shape.Ptr(d.State),
		CreationTime: msTime(d.Created), LastModifiedTime: msTime(d.Modified)}, nil
}

// DeleteApiDestination removes it; rules that target it keep the target,
// as on AWS, and its invocations fail with NO_RESOURCE (to the DLQ).
func (s *Service) DeleteApiDestination(ctx context.Context, in *eventsapi.DeleteApiDestinationRequest) (*eventsapi.DeleteApiDestinationResponse, error) {
	c := callOf(ctx)
	s.api.mu.Lock()
	defer s.api.mu.Unlock()
	d, err := s.lookupAPIDestination(c.p, in.Name)
	if err != nil {
		return nil, err
	}
	if err := s.deleteDoc(ctx, "events_api_destinations", c.p, d.Name); err != nil {
		return nil, err
	}
	delete(s.api.destsOf(c.p), d.Name)
	delete(s.api.buckets, d.ARN)
	return &eventsapi.DeleteApiDestinationResponse{}, nil
}

// checkAPITarget validates a PutTargets target that is an API destination.
// The destination itself is looked up when an event is delivered (a
// missing one sends the event to the DLQ with NO_RESOURCE), so a target may
// name a destination created later, as on AWS.
func checkAPITarget(p partition, ct *target, t *eventsapi.Target) error {
	id, arn := shape.Value(t.Id), shape.Value(t.Arn)
	_, res, _ := parseEventsARN(arn)
	f := strings.Split(res, "/")
	if len(f) != 3 || f[1] == "" || f[2] == "" {
		return validation("Parameter %s is not valid. Reason: Provided Arn is not in correct format.", arn)
	}
	if ct.destP != p {
		// Our decision: Vigil keeps accounts isolated, and a rule invokes
		// API destinations of its own account and region.
		return validation("Target %s: the API destination %s must be in the rule's account %s and region %s.", id, arn, p.account, p.region)
	}
	if hp := t.HttpParameters; hp != nil {
		dynamic := func(v string) bool { return strings.HasPrefix(v, "$.") }
		bad := ""
		for _, v := range hp.PathParameterValues {
			if dynamic(v) {
				bad = v
			}
		}
		for _, v := range hp.HeaderParameters {
			if dynamic(v) {
				bad = v
			}
		}
		for _, v := range hp.QueryStringParameters {
			if dynamic(v) {
				bad = v
			}
		}
		if bad != "" {
			return validation("Target %s: HttpParameters value %s is a JSON path; dynamic HTTP parameters are not supported by Vigil, give a literal value.", id, bad)
		}
	}
	ct.kind, ct.dest = targetAPI, arn
	return nil
}
