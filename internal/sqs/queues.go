package sqs

import (
	"context"
	"encoding/base64"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/vigilhq/vigil/internal/api/shape"
	sqsapi "github.com/vigilhq/vigil/internal/api/sqs"
)

// deleteCooldown: after DeleteQueue, the name cannot be created again for
// 60 seconds (QueueDeletedRecently); PurgeQueue has the same interval.
const deleteCooldown = 60 * time.Second

// CreateQueue creates a standard or FIFO queue, or returns the URL of an existing
// one when every attribute the request names has the same value there.
func (s *Service) CreateQueue(ctx context.Context, in *sqsapi.CreateQueueRequest) (*sqsapi.CreateQueueResult, error) {
	c := callOf(ctx)
	st := defaultSettings()
	if err := applyAttributes(&st, in.Attributes, true); err != nil {
		return nil, err
	}
	name := shape.Value(in.QueueName)
	if err := checkQueueName(name, st.Fifo); err != nil {
		return nil, err
	}
	if err := checkTags(name, in.Tags, 0); err != nil {
		return nil, err
	}
	if err := s.checkRedrive(c, c.key(name), in.Attributes, &st); err != nil {
		return nil, err
	}
	st.Modified = c.now.Unix()

	s.createMu.Lock()
	defer s.createMu.Unlock()
	key := c.key(name)
	if q, err := s.queueByName(key); err == nil {
		if attr, same := sameAttributes(q.settings.Load(), &st, in.Attributes); !same {
			return nil, &sqsapi.QueueNameExists{Message: shape.Ptr("A queue already exists with the same name and a different value for attribute " + attr)}
		}
		// Our decision: tags given for an existing queue are ignored, as
		// the request creates nothing.
		return &sqsapi.CreateQueueResult{QueueUrl: shape.Ptr(q.url(c))}, nil
	}
	s.mu.RLock()
	deletedAt, recently := s.deleted[key]
	s.mu.RUnlock()
	if recently && c.now.Sub(deletedAt) < deleteCooldown {
		return nil, &sqsapi.QueueDeletedRecently{Message: shape.Ptr("You must wait 60 seconds after deleting a queue before you can create another with the same name.")}
	}
	tags := maps.Clone(in.Tags)
	id, err := s.insertQueue(ctx, key, c.now.Unix(), &st, tags)
	if err != nil {
		return nil, err
	}
	q := newQueue(id, key, c.now.Unix(), &st, tags)
	q.met.use()
	s.mu.Lock()
	s.queues[key], s.byID[id] = q, q
	delete(s.deleted, key)
	s.mu.Unlock()
	return &sqsapi.CreateQueueResult{QueueUrl: shape.Ptr(q.url(c))}, nil
}

// GetQueueUrl finds a queue of the caller's account by name.
func (s *Service) GetQueueUrl(ctx context.Context, in *sqsapi.GetQueueUrlRequest) (*sqsapi.GetQueueUrlResult, error) {
	c := callOf(ctx)
	if owner := shape.Value(in.QueueOwnerAWSAccountId); owner != "" && owner != c.account {
		return nil, errNoQueue() // our decision: no cross-account access until queue policies are enforced
	}
	q, err := s.queueByName(c.key(shape.Value(in.QueueName)))
	if err != nil {
		return nil, err
	}
	return &sqsapi.GetQueueUrlResult{QueueUrl: shape.Ptr(q.url(c))}, nil
}

// ListQueues lists the caller's queues in the region by name. Without
// MaxResults it answers up to 1,000 and no NextToken, as AWS does.
func (s *Service) ListQueues(ctx context.Context, in *sqsapi.ListQueuesRequest) (*sqsapi.ListQueuesResult, error) {
	prefix := shape.Value(in.QueueNamePrefix)
	urls, next, err := s.listQueues(callOf(ctx), in.MaxResults, in.NextToken, func(k queueKey, _ *queue) bool {
		return strings.HasPrefix(k.name, prefix)
	})
	if err != nil {
		return nil, err
	}
	return &sqsapi.ListQueuesResult{QueueUrls: urls, NextToken: next}, nil
}

// listQueues pages through the caller's queues in the region that keep
// accepts, by name: ListQueues' and ListDeadLetterSourceQueues' paging
// (MaxResults 1–1,000; without it up to 1,000 and no token).
func (s *Service) listQueues(c call, maxResults *int32, token *string, keep func(queueKey, *queue) bool) ([]string, *string, error) {
	limit, paged := 1000, maxResults != nil
	if paged {
		limit = int(*maxResults)
		if limit < 1 || limit > 1000 {
			return nil, nil, invalidParameter("Value %d for parameter MaxResults is invalid. Reason: MaxResults must be an integer between 1 and 1000.", limit)
		}
	}
	after := ""
	if tok := shape.Value(token); tok != "" {
		var ok bool
		if after, ok = decodeListToken(tok); !ok {
			return nil, nil, invalidParameter("Invalid NextToken value.")
		}
	}
	var names []string
	s.mu.RLock()
	for k, q := range s.queues {
		if k.account == c.account && k.region == c.region && k.name > after && keep(k, q) {
			names = append(names, k.name)
		}
	}
	s.mu.RUnlock()
	slices.Sort(names)
	more := len(names) > limit
	if more {
		names = names[:limit]
	}
	var urls []string
	for _, n := range names {
		urls = append(urls, c.queueURL(n))
	}
	var next *string
	if more && paged {
		next = shape.Ptr(encodeListToken(names[len(names)-1]))
	}
	return urls, next, nil
}

// List tokens carry the last name listed; the prefix keeps foreign tokens
// out.
const listTokenPrefix = "vigil-sqs-list:"

func encodeListToken(last string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(listTokenPrefix + last))
}

func decodeListToken(tok string) (string, bool) {
	b, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil {
		return "", false
	}
	return strings.CutPrefix(string(b), listTokenPrefix)
}

// DeleteQueue deletes a queue and its messages whatever they are doing.
func (s *Service) DeleteQueue(ctx context.Context, in *sqsapi.DeleteQueueRequest) error {
	c := callOf(ctx)
	s.createMu.Lock()
	defer s.createMu.Unlock()
	q, err := s.queueByURL(c, shape.Value(in.QueueUrl))
	if err != nil {
		return err
	}
	if err := s.deleteQueueRow(ctx, q); err != nil {
		return err
	}
	s.mu.Lock()
	delete(s.queues, q.key)
	delete(s.byID, q.id)
	s.deleted[q.key] = c.now
	s.mu.Unlock()
	// The catalog row went first: after a crash here, the start-up load
	// removes the messages of a queue it no longer knows.
	q.mu.Lock()
	q.gone = true
	var w Writes
	w.deleteEvery(q)
	wait, err := s.store.Apply(&w, synced)
	q.notify()
	q.mu.Unlock()
	if err != nil {
		return err
	}
	return wait()
}

// PurgeQueue deletes every message in the queue, at most once a minute.
// AWS deletes within the next minute; Vigil deletes before it answers.
func (s *Service) PurgeQueue(ctx context.Context, in *sqsapi.PurgeQueueRequest) error {
	c := callOf(ctx)
	q, err := s.queueByURL(c, shape.Value(in.QueueUrl))
	if err != nil {
		return err
	}
	q.mu.Lock()
	if q.gone {
		q.mu.Unlock()
		return errNoQueue()
	}
	if !q.lastPurge.IsZero() && c.now.Sub(q.lastPurge) < deleteCooldown {
		q.mu.Unlock()
		return &sqsapi.PurgeQueueInProgress{Message: shape.Ptr("Only one PurgeQueue operation on " + q.key.name + " is allowed every 60 seconds.")}
	}
	q.lastPurge = c.now
	var w Writes
	w.deleteEvery(q)
	q.idx = newIndex(q.settings.Load().Fifo)
	wait, err := s.store.Apply(&w, synced)
	q.mu.Unlock()
	if err != nil {
		return err
	}
	return wait()
}

// GetQueueAttributes reports the named attributes (All: every one the queue
// has). The message counts are exact at the time of the call.
func (s *Service) GetQueueAttributes(ctx context.Context, in *sqsapi.GetQueueAttributesRequest) (*sqsapi.GetQueueAttributesResult, error) {
	c := callOf(ctx)
	q, err := s.queueByURL(c, shape.Value(in.QueueUrl))
	if err != nil {
		return nil, err
	}
	want := map[string]bool{}
	for _, n := range in.AttributeNames {
		if n == "All" {
			want = nil
			break
		}
		if !knownAttribute(n) {
			return nil, unknownAttribute(n)
		}
		want[n] = true
	}
	if len(in.AttributeNames) == 0 {
		return &sqsapi.GetQueueAttributesResult{}, nil
	}
	attrs := q.attributes(c.now, want)
	return &sqsapi.GetQueueAttributesResult{Attributes: attrs}, nil
}

// knownAttribute: every name GetQueueAttributes accepts. FIFO-only names
// are accepted and, on a standard queue, report nothing (our decision).
func knownAttribute(n string) bool {
	if _, ok := intAttrs[n]; ok {
		return true
	}
	switch n {
	case "Policy", "KmsMasterKeyId", "SqsManagedSseEnabled", "RedrivePolicy", "RedriveAllowPolicy", "FifoQueue":
		return true
	}
	return fifoOnly[n] || slices.Contains(readOnly, n)
}

// attributes builds the attribute map; want nil means all.
func (q *queue) attributes(now time.Time, want map[string]bool) map[string]string {
	st := q.settings.Load()
	out := map[string]string{}
	put := func(name, v string) {
		if want == nil || want[name] {
			out[name] = v
		}
	}
	for name := range intAttrs {
		if v, ok := st.attribute(name); ok {
			put(name, v)
		}
	}
	for _, name := range []string{"Policy", "KmsMasterKeyId", "SqsManagedSseEnabled", "RedrivePolicy", "RedriveAllowPolicy",
		"FifoQueue", "ContentBasedDeduplication", "DeduplicationScope", "FifoThroughputLimit"} {
		if v, ok := st.attribute(name); ok {
			put(name, v)
		}
	}
	put("QueueArn", q.arn())
	put("CreatedTimestamp", strconv.FormatInt(q.created, 10))
	put("LastModifiedTimestamp", strconv.FormatInt(st.Modified, 10))
	if want == nil || want["ApproximateNumberOfMessages"] || want["ApproximateNumberOfMessagesNotVisible"] || want["ApproximateNumberOfMessagesDelayed"] {
		ms := now.UnixMilli()
		q.mu.Lock()
		visible, inflight, delayed := q.idx.counts(ms, ms-int64(st.MessageRetentionPeriod)*1000)
		q.mu.Unlock()
		put("ApproximateNumberOfMessages", strconv.Itoa(visible))
		put("ApproximateNumberOfMessagesNotVisible", strconv.Itoa(inflight))
		put("ApproximateNumberOfMessagesDelayed", strconv.Itoa(delayed))
	}
	return out
}

// SetQueueAttributes changes settable attributes. Changes apply at once
// (AWS takes up to a minute, up to 15 for MessageRetentionPeriod); a shorter
// retention expires older messages at the next sweep, as AWS warns.
func (s *Service) SetQueueAttributes(ctx context.Context, in *sqsapi.SetQueueAttributesRequest) error {
	c := callOf(ctx)
	q, err := s.queueByURL(c, shape.Value(in.QueueUrl))
	if err != nil {
		return err
	}
	q.metaMu.Lock()
	defer q.metaMu.Unlock()
	st := *q.settings.Load()
	if err := applyAttributes(&st, in.Attributes, false); err != nil {
		return err
	}
	if err := s.checkRedrive(c, q.key, in.Attributes, &st); err != nil {
		return err
	}
	st.Modified = c.now.Unix()
	if err := s.updateQueue(ctx, q, &st, *q.tags.Load()); err != nil {
		return err
	}
	q.settings.Store(&st)
	q.mu.Lock()
	q.notify() // a long poll's wait may have changed
	q.mu.Unlock()
	return nil
}

// --- tags -------------------------------------------------------------------------

const maxTags = 50

// checkTags applies SQS's tag limits to tags added to a queue that has
// `have` others.
func checkTags(queue string, tags map[string]string, have int) error {
	if have+len(tags) > maxTags {
		return invalidParameter("Too many tags added for queue %s.", queue)
	}
	for k, v := range tags {
		switch {
		case k == "" || len([]rune(k)) > 128:
			return invalidParameter("Tag keys must be between 1 and 128 characters long.")
		case len([]rune(v)) > 256:
			return invalidParameter("Tag values must be at most 256 characters long.")
		case strings.HasPrefix(strings.ToLower(k), "aws:"):
			return invalidParameter("Tag keys must not start with 'aws:', which is reserved for AWS's use.")
		}
	}
	return nil
}

// TagQueue adds or overwrites tags.
func (s *Service) TagQueue(ctx context.Context, in *sqsapi.TagQueueRequest) error {
	return s.changeTags(ctx, shape.Value(in.QueueUrl), func(q *queue, tags map[string]string) error {
		kept := len(tags) // tags the request does not overwrite
		for k := range in.Tags {
			if _, ok := tags[k]; ok {
				kept--
			}
		}
		if err := checkTags(q.key.name, in.Tags, kept); err != nil {
			return err
		}
		maps.Copy(tags, in.Tags)
		return nil
	})
}

// UntagQueue removes tags; keys the queue does not have are ignored.
func (s *Service) UntagQueue(ctx context.Context, in *sqsapi.UntagQueueRequest) error {
	return s.changeTags(ctx, shape.Value(in.QueueUrl), func(_ *queue, tags map[string]string) error {
		for _, k := range in.TagKeys {
			delete(tags, k)
		}
		return nil
	})
}

func (s *Service) changeTags(ctx context.Context, url string, change func(*queue, map[string]string) error) error {
	c := callOf(ctx)
	q, err := s.queueByURL(c, url)
	if err != nil {
		return err
	}
	q.metaMu.Lock()
	defer q.metaMu.Unlock()
	tags := maps.Clone(*q.tags.Load())
	if tags == nil {
		tags = map[string]string{}
	}
	if err := change(q, tags); err != nil {
		return err
	}
	if err := s.updateQueue(ctx, q, q.settings.Load(), tags); err != nil {
		return err
	}
	q.tags.Store(&tags)
	return nil
}

// ListQueueTags lists a queue's tags.
func (s *Service) ListQueueTags(ctx context.Context, in *sqsapi.ListQueueTagsRequest) (*sqsapi.ListQueueTagsResult, error) {
	q, err := s.queueByURL(callOf(ctx), shape.Value(in.QueueUrl))
	if err != nil {
		return nil, err
	}
	tags := *q.tags.Load()
	if len(tags) == 0 {
		return &sqsapi.ListQueueTagsResult{}, nil
	}
	return &sqsapi.ListQueueTagsResult{Tags: maps.Clone(tags)}, nil
}
