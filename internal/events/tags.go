package events

import (
	"context"
	"maps"
	"sort"
	"strings"

	eventsapi "github.com/vigilhq/vigil/internal/api/events"
	"github.com/vigilhq/vigil/internal/api/shape"
)

// maxTags is AWS's limit of tags per resource.
const maxTags = 50

// tagMap merges tags into a copy of base, refusing more than maxTags and
// keys in the reserved aws: namespace.
func tagMap(base map[string]string, tags []eventsapi.Tag) (map[string]string, error) {
	out := maps.Clone(base)
	if out == nil && len(tags) > 0 {
		out = map[string]string{}
	}
	for _, t := range tags {
		k := shape.Value(t.Key)
		if strings.HasPrefix(strings.ToLower(k), "aws:") {
			return nil, validation("Invalid tag key %s: the aws: prefix is reserved for AWS use.", k)
		}
		out[k] = shape.Value(t.Value)
	}
	if len(out) > maxTags {
		return nil, limitExceeded("The requested resource exceeds the maximum number of tags allowed.")
	}
	return out, nil
}

// taggable resolves a bus or rule ARN of the caller. Callers hold mu.
func (s *Service) taggable(c call, arn string) (*bus, *rule, error) {
	p, res, ok := parseEventsARN(arn)
	if !ok {
		return nil, nil, validation("Parameter ResourceARN is not valid. Reason: Provided Arn is not in correct format.")
	}
	if name, isBus := strings.CutPrefix(res, "event-bus/"); isBus {
		if p != c.p {
			return nil, nil, errNoBus(name)
		}
		b := s.lookupBus(p, name)
		if b == nil {
			return nil, nil, errNoBus(name)
		}
		return b, nil, nil
	}
	rest, isRule := strings.CutPrefix(res, "rule/")
	if !isRule || rest == "" {
		return nil, nil, validation("Parameter ResourceARN is not valid. Reason: only event buses and rules are taggable in Vigil.")
	}
	busName, name := defaultBus, rest
	if i := strings.LastIndexByte(rest, '/'); i >= 0 {
		busName, name = rest[:i], rest[i+1:]
	}
	if p != c.p {
		return nil, nil, errNoRule(name, busName)
	}
	b := s.lookupBus(p, busName)
	if b == nil {
		return nil, nil, errNoRule(name, busName)
	}
	r := b.rules[name]
	if r == nil {
		return nil, nil, errNoRule(name, busName)
	}
	return b, r, nil
}

func (s *Service) TagResource(ctx context.Context, in *eventsapi.TagResourceRequest) (*eventsapi.TagResourceResponse, error) {
	return &eventsapi.TagResourceResponse{}, s.retag(ctx, shape.Value(in.ResourceARN), func(old map[string]string) (map[string]string, error) {
		return tagMap(old, in.Tags)
	})
}

func (s *Service) UntagResource(ctx context.Context, in *eventsapi.UntagResourceRequest) (*eventsapi.UntagResourceResponse, error) {
	return &eventsapi.UntagResourceResponse{}, s.retag(ctx, shape.Value(in.ResourceARN), func(old map[string]string) (map[string]string, error) {
		out := maps.Clone(old)
		for _, k := range in.TagKeys {
			delete(out, k)
		}
		return out, nil
	})
}

func (s *Service) retag(ctx context.Context, arn string, change func(map[string]string) (map[string]string, error)) error {
	c := callOf(ctx)
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, res, ok := parseEventsARN(arn); ok && strings.HasPrefix(res, "event-bus/"+defaultBus) {
		s.regionOf(c.p) // the default bus becomes a stored one
	}
	b, r, err := s.taggable(c, arn)
	if err != nil {
		return err
	}
	if r != nil {
		tags, err := change(r.doc.Tags)
		if err != nil {
			return err
		}
		d := cloneDoc(r.doc)
		d.Tags = tags
		return s.replaceRule(ctx, c, b, r, d)
	}
	tags, err := change(b.doc.Tags)
	if err != nil {
		return err
	}
	nb := *b
	nb.doc.Tags = tags
	if err := s.saveBus(ctx, c.p, &nb); err != nil {
		return err
	}
	b.doc.Tags = tags
	return nil
}

func (s *Service) ListTagsForResource(ctx context.Context, in *eventsapi.ListTagsForResourceRequest) (*eventsapi.ListTagsForResourceResponse, error) {
	c := callOf(ctx)
	s.mu.RLock()
	defer s.mu.RUnlock()
	b, r, err := s.taggable(c, shape.Value(in.ResourceARN))
	if err != nil {
		return nil, err
	}
	tags := b.doc.Tags
	if r != nil {
		tags = r.doc.Tags
	}
	keys := make([]string, 0, len(tags))
	for k := range tags {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := &eventsapi.ListTagsForResourceResponse{Tags: []eventsapi.Tag{}}
	for _, k := range keys {
		out.Tags = append(out.Tags, eventsapi.Tag{Key: shape.Ptr(k), Value: shape.Ptr(tags[k])})
	}
	return out, nil
}
