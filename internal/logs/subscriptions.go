package logs

import (
	"context"
	"slices"
	"strings"

	logsapi "github.com/vigilhq/vigil/internal/api/logs"
	"github.com/vigilhq/vigil/internal/api/shape"
)

// checkDestination is what CloudWatch Logs does before it stores a
// subscription filter: it delivers a test message to the destination and
// refuses the filter when that fails. Vigil has no Kinesis, Firehose,
// Lambda or Logs destinations yet, so every destination is one that does
// not exist, and the caller gets the error AWS gives for a missing one.
func checkDestination(destination, role string) error {
	parts := strings.SplitN(destination, ":", 6)
	if len(parts) < 6 || parts[0] != "arn" {
		return invalidParameter("Invalid destinationArn: %s", destination)
	}
	vendor := parts[2]
	switch vendor {
	case "kinesis", "firehose":
		if role == "" {
			return invalidParameter("destinationArn for vendor %s cannot be used without roleArn", vendor)
		}
		if vendor == "kinesis" {
			return invalidParameter("Could not deliver test message to specified Kinesis stream. Check if the given kinesis stream is in ACTIVE state.")
		}
		return invalidParameter("Could not deliver test message to specified Firehose stream. Check if the given Firehose stream is in ACTIVE state.")
	case "lambda":
		return invalidParameter("Could not execute the lambda function. Make sure you have given CloudWatch Logs permission to execute your function.")
	case "logs":
		return notFound("The specified destination does not exist.")
	}
	return invalidParameter("PutSubscriptionFilter operation cannot work with destinationArn for vendor %s", vendor)
}

func (s *Service) PutSubscriptionFilter(ctx context.Context, in *logsapi.PutSubscriptionFilterRequest) error {
	p := partitionOf(ctx)
	gname, fname := shape.Value(in.LogGroupName), shape.Value(in.FilterName)
	pat, err := parsePattern(shape.Value(in.FilterPattern), true)
	if err != nil {
		return err
	}
	if shape.Value(in.ApplyOnTransformedLogs) {
		return invalidParameter("applyOnTransformedLogs is not supported by Vigil: log transformers are not implemented.")
	}
	if in.FieldSelectionCriteria != nil || len(in.EmitSystemFields) > 0 {
		return invalidParameter("fieldSelectionCriteria and emitSystemFields are not supported by Vigil yet.")
	}
	d := subscriptionDoc{
		Name:           fname,
		Pattern:        pat.Source(),
		DestinationArn: shape.Value(in.DestinationArn),
		RoleArn:        shape.Value(in.RoleArn),
		Distribution:   shape.Value(in.Distribution),
		Created:        nowMillis(ctx),
	}
	if d.Distribution == "" {
		d.Distribution = logsapi.DistributionByLogStream
	}
	s.cat.mu.Lock()
	defer s.cat.mu.Unlock()
	g := s.cat.groups[p][gname]
	if g == nil {
		return errGroupNotFound()
	}
	old := g.subscriptions[fname]
	if old == nil && len(g.subscriptions) >= maxSubscriptions {
		return limitExceeded("Resource limit exceeded.")
	}
	if pat.RegexCount() > 0 && g.regexPatterns("", fname) >= maxRegexPatterns {
		return limitExceeded("A log group can have at most 5 filter patterns that use regular expressions.")
	}
	if err := checkDestination(d.DestinationArn, d.RoleArn); err != nil {
		return err
	}
	if old != nil {
		d.Created = old.Created
	}
	if err := s.cat.put(ctx, p, kindSubscription, gname, fname, d); err != nil {
		return err
	}
	g.subscriptions[fname] = &d
	return nil
}

func (s *Service) DeleteSubscriptionFilter(ctx context.Context, in *logsapi.DeleteSubscriptionFilterRequest) error {
	name := shape.Value(in.FilterName)
	return s.deleteGroupItem(ctx, shape.Value(in.LogGroupName), kindSubscription, name, "The specified subscription filter does not exist.",
		func(g *group) bool { return g.subscriptions[name] != nil },
		func(g *group) { delete(g.subscriptions, name) })
}

func (s *Service) DescribeSubscriptionFilters(ctx context.Context, in *logsapi.DescribeSubscriptionFiltersRequest) (*logsapi.DescribeSubscriptionFiltersResponse, error) {
	p := partitionOf(ctx)
	gname := shape.Value(in.LogGroupName)
	after, err := decodeNameToken(in.NextToken)
	if err != nil {
		return nil, err
	}
	limit := limitOf(in.Limit, 50)
	s.cat.mu.RLock()
	defer s.cat.mu.RUnlock()
	g := s.cat.groups[p][gname]
	if g == nil {
		return nil, errGroupNotFound()
	}
	names := make([]string, 0, len(g.subscriptions))
	for name := range g.subscriptions {
		if strings.HasPrefix(name, shape.Value(in.FilterNamePrefix)) && (after == "" || name > after) {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	out := &logsapi.DescribeSubscriptionFiltersResponse{SubscriptionFilters: []logsapi.SubscriptionFilter{}}
	for i, name := range names {
		if i == limit {
			out.NextToken = encodeNameToken(names[i-1])
			break
		}
		d := g.subscriptions[name]
		sf := logsapi.SubscriptionFilter{
			FilterName:             shape.Ptr(d.Name),
			LogGroupName:           shape.Ptr(gname),
			FilterPattern:          shape.Ptr(d.Pattern),
			DestinationArn:         shape.Ptr(d.DestinationArn),
			Distribution:           shape.Ptr(d.Distribution),
			CreationTime:           shape.Ptr(d.Created),
			ApplyOnTransformedLogs: shape.Ptr(false),
		}
		if d.RoleArn != "" {
			sf.RoleArn = shape.Ptr(d.RoleArn)
		}
		out.SubscriptionFilters = append(out.SubscriptionFilters, sf)
	}
	return out, nil
}
