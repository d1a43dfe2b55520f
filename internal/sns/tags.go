package sns

import (
	"context"
	"maps"
	"sort"

	"github.com/vigilhq/vigil/internal/api/shape"
	snsapi "github.com/vigilhq/vigil/internal/api/sns"
)

// maxTags is AWS's quota of tags per topic.
const maxTags = 50

// tagMap validates tags by AWS's rules (key 1-128 characters, value up to
// 256, no "aws:" prefix) and returns them as a map.
func tagMap(tags []snsapi.Tag) (map[string]string, error) {
	m := map[string]string{}
	for _, t := range tags {
		k, v := shape.Value(t.Key), shape.Value(t.Value)
		if len(k) == 0 || len(k) > 128 {
			return nil, invalidParameter("Tags", "Tag keys must be between 1 and 128 characters")
		}
		if len(k) >= 4 && k[:4] == "aws:" {
			return nil, invalidParameter("Tags", "Tag keys must not start with aws:")
		}
		if len(v) > 256 {
			return nil, invalidParameter("Tags", "Tag values must be at most 256 characters")
		}
		m[k] = v
	}
	if len(m) > maxTags {
		return nil, errTagLimit()
	}
	return m, nil
}

func errTagLimit() error {
	return &snsapi.TagLimitExceededException{Message: shape.Ptr("Could not complete request: tag quota of per resource exceeded")}
}

// taggedTopic finds the topic a tag request names. Callers hold s.mu.
// Only topics carry tags in Vigil.
func (s *Service) taggedTopic(c call, arn string) (*topic, error) {
	if arn == "" {
		return nil, missingParameter("ResourceArn")
	}
	t, err := s.topicByARN(c, arn, "ResourceArn")
	if err != nil {
		if _, ok := err.(*snsapi.NotFoundException); ok {
			return nil, errNoResource()
		}
		return nil, err
	}
	return t, nil
}

func (s *Service) TagResource(ctx context.Context, in *snsapi.TagResourceRequest) (*snsapi.TagResourceResponse, error) {
	c := callOf(ctx)
	add, err := tagMap(in.Tags)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	t, err := s.taggedTopic(c, shape.Value(in.ResourceArn))
	if err != nil {
		return nil, err
	}
	next := *t
	next.tags = maps.Clone(nonNil(t.tags))
	maps.Copy(next.tags, add)
	if len(next.tags) > maxTags {
		return nil, errTagLimit()
	}
	if err := s.saveTopic(ctx, &next); err != nil {
		return nil, err
	}
	*t = next
	return &snsapi.TagResourceResponse{}, nil
}

func (s *Service) UntagResource(ctx context.Context, in *snsapi.UntagResourceRequest) (*snsapi.UntagResourceResponse, error) {
	c := callOf(ctx)
	s.mu.Lock()
	defer s.mu.Unlock()
	t, err := s.taggedTopic(c, shape.Value(in.ResourceArn))
	if err != nil {
		return nil, err
	}
	next := *t
	next.tags = maps.Clone(nonNil(t.tags))
	for _, k := range in.TagKeys {
		delete(next.tags, k)
	}
	if err := s.saveTopic(ctx, &next); err != nil {
		return nil, err
	}
	*t = next
	return &snsapi.UntagResourceResponse{}, nil
}

// ListTagsForResource lists tags sorted by key (our decision: AWS does not
// document an order; sorted is stable for tests and diffs).
func (s *Service) ListTagsForResource(ctx context.Context, in *snsapi.ListTagsForResourceRequest) (*snsapi.ListTagsForResourceResponse, error) {
	c := callOf(ctx)
	s.mu.Lock()
	defer s.mu.Unlock()
	t, err := s.taggedTopic(c, shape.Value(in.ResourceArn))
	if err != nil {
		return nil, err
	}
	keys := make([]string, 0, len(t.tags))
	for k := range t.tags {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := &snsapi.ListTagsForResourceResponse{Tags: []snsapi.Tag{}}
	for _, k := range keys {
		out.Tags = append(out.Tags, snsapi.Tag{Key: shape.Ptr(k), Value: shape.Ptr(t.tags[k])})
	}
	return out, nil
}
