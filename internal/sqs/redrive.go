package sqs

import (
	"bytes"
	"context"
	"encoding/json"
	"slices"
	"strconv"
	"strings"

	"github.com/vigilhq/vigil/internal/api/shape"
	sqsapi "github.com/vigilhq/vigil/internal/api/sqs"
)

// Dead-letter queues. A queue with a RedrivePolicy moves a message to its
// dead-letter queue on the receive that would exceed maxReceiveCount,
// instead of returning it; the dead-letter queue's RedriveAllowPolicy says
// which sources may name it.

// redrivePolicy is a parsed RedrivePolicy.
type redrivePolicy struct {
	Target          string `json:"target"` // the dead-letter queue's ARN
	MaxReceiveCount int32  `json:"max"`
}

// String is the policy as GetQueueAttributes reports it (AWS answers
// maxReceiveCount as a number whatever the request sent).
func (p *redrivePolicy) String() string {
	b, _ := json.Marshal(struct {
		Target string `json:"deadLetterTargetArn"`
		Max    int32  `json:"maxReceiveCount"`
	}{p.Target, p.MaxReceiveCount})
	return string(b)
}

// redriveAllowPolicy is a parsed RedriveAllowPolicy.
type redriveAllowPolicy struct {
	Permission string   `json:"permission"` // allowAll, denyAll or byQueue
	Sources    []string `json:"sources,omitempty"`
}

func (p *redriveAllowPolicy) String() string {
	b, _ := json.Marshal(struct {
		Permission string   `json:"redrivePermission"`
		Sources    []string `json:"sourceQueueArns,omitempty"`
	}{p.Permission, p.Sources})
	return string(b)
}

// allows reports whether the queue with ARN source may use this queue as
// its dead-letter queue. No policy allows every source, as AWS's default.
func (p *redriveAllowPolicy) allows(source string) bool {
	if p == nil {
		return true
	}
	switch p.Permission {
	case "denyAll":
		return false
	case "byQueue":
		return slices.Contains(p.Sources, source)
	}
	return true
}

const (
	minReceiveCount = 1
	maxReceiveCount = 1000
	maxSourceArns   = 10
)

func invalidPolicy(name, value, reason string) error {
	return invalidParameter("Value %s for parameter %s is invalid. Reason: %s", value, name, reason)
}

// decodePolicy reads a policy as a JSON object of raw values; numbers stay
// text so that "5" and 5 both count.
func decodePolicy(v string) (map[string]json.RawMessage, bool) {
	var m map[string]json.RawMessage
	d := json.NewDecoder(strings.NewReader(v))
	if d.Decode(&m) != nil || m == nil || d.More() {
		return nil, false
	}
	return m, true
}

// parseRedrivePolicy checks a RedrivePolicy's form; whether the target
// exists and accepts the source is checkRedrive's part.
func parseRedrivePolicy(v string) (*redrivePolicy, error) {
	const name = "RedrivePolicy"
	m, ok := decodePolicy(v)
	if !ok {
		return nil, invalidPolicy(name, v, "Redrive policy is not a valid JSON map.")
	}
	for k := range m {
		if k != "deadLetterTargetArn" && k != "maxReceiveCount" {
			return nil, invalidPolicy(name, v, "Only following attributes are supported: [deadLetterTargetArn, maxReceiveCount].")
		}
	}
	rawArn, hasArn := m["deadLetterTargetArn"]
	rawCount, hasCount := m["maxReceiveCount"]
	switch {
	case !hasArn:
		return nil, invalidPolicy(name, v, "Redrive policy does not contain mandatory attribute: deadLetterTargetArn.")
	case !hasCount:
		return nil, invalidPolicy(name, v, "Redrive policy does not contain mandatory attribute: maxReceiveCount.")
	}
	var target string
	if json.Unmarshal(rawArn, &target) != nil {
		return nil, invalidPolicy(name, v, "Invalid value for deadLetterTargetArn.")
	}
	if _, _, _, ok := parseQueueArn(target); !ok {
		return nil, invalidPolicy(name, v, "Invalid value for deadLetterTargetArn.")
	}
	countText := string(bytes.Trim(rawCount, `"`))
	n, err := strconv.ParseInt(countText, 10, 32)
	if err != nil || n < minReceiveCount || n > maxReceiveCount {
		return nil, invalidPolicy(name, v, "Invalid value for maxReceiveCount: "+countText+", valid values are from 1 to 1000 both inclusive.")
	}
	return &redrivePolicy{Target: target, MaxReceiveCount: int32(n)}, nil
}

// parseRedriveAllowPolicy checks a RedriveAllowPolicy: sourceQueueArns
// (1 to 10 queue ARNs) is required with byQueue and refused otherwise.
func parseRedriveAllowPolicy(v string) (*redriveAllowPolicy, error) {
	const name = "RedriveAllowPolicy"
	m, ok := decodePolicy(v)
	if !ok {
		return nil, invalidPolicy(name, v, "Redrive allow policy is not a valid JSON map.")
	}
	for k := range m {
		if k != "redrivePermission" && k != "sourceQueueArns" {
			return nil, invalidPolicy(name, v, "Only following attributes are supported: [redrivePermission, sourceQueueArns].")
		}
	}
	var p redriveAllowPolicy
	if raw, ok := m["redrivePermission"]; !ok || json.Unmarshal(raw, &p.Permission) != nil {
		return nil, invalidPolicy(name, v, "Redrive allow policy does not contain mandatory attribute: redrivePermission.")
	}
	rawSources, hasSources := m["sourceQueueArns"]
	switch p.Permission {
	case "allowAll", "denyAll":
		if hasSources {
			return nil, invalidPolicy(name, v, "sourceQueueArns is allowed only when redrivePermission is byQueue.")
		}
		return &p, nil
	case "byQueue":
	default:
		return nil, invalidPolicy(name, v, "Invalid value for redrivePermission: valid values are allowAll, denyAll and byQueue.")
	}
	if !hasSources || json.Unmarshal(rawSources, &p.Sources) != nil || len(p.Sources) == 0 {
		return nil, invalidPolicy(name, v, "sourceQueueArns must be a non-empty list when redrivePermission is byQueue.")
	}
	if len(p.Sources) > maxSourceArns {
		return nil, invalidPolicy(name, v, "Maximum number of source queue ARNs is 10.")
	}
	for _, a := range p.Sources {
		if _, _, _, ok := parseQueueArn(a); !ok {
			return nil, invalidPolicy(name, v, "Invalid value for sourceQueueArns: "+a+".")
		}
	}
	return &p, nil
}

// parseQueueArn splits arn:aws:sqs:region:account:name.
func parseQueueArn(arn string) (region, account, name string, ok bool) {
	parts := strings.Split(arn, ":")
	if len(parts) != 6 || parts[0] != "arn" || parts[1] == "" || parts[2] != "sqs" || parts[3] == "" || parts[4] == "" || parts[5] == "" {
		return "", "", "", false
	}
	return parts[3], parts[4], parts[5], true
}

// checkRedrive applies the rules a RedrivePolicy's target must meet when
// the request sets one: it exists, in the caller's account and region, is
// not the source itself (our decision: a queue redriving into itself would
// only reset receive counts) and its RedriveAllowPolicy admits the source.
// The target is of the source's type (a FIFO queue's dead-letter queue is
// a FIFO queue, as AWS requires). A policy whose target is deleted later is kept, as
// AWS keeps it; messages then stay in the source (see deadLetterQueue).
func (s *Service) checkRedrive(c call, source queueKey, in map[string]string, st *settings) error {
	if in["RedrivePolicy"] == "" || st.Redrive == nil {
		return nil
	}
	v := in["RedrivePolicy"]
	region, account, name, _ := parseQueueArn(st.Redrive.Target)
	switch {
	case account != c.account:
		return invalidPolicy("RedrivePolicy", v, "Dead-letter target owner should be same as the source.")
	case region != c.region:
		return invalidPolicy("RedrivePolicy", v, "Dead-letter target should be in the same region as the source.")
	case name == source.name:
		return invalidPolicy("RedrivePolicy", v, "Dead-letter target should not be the source queue.")
	}
	target, err := s.queueByName(c.key(name))
	if err != nil {
		return invalidPolicy("RedrivePolicy", v, "Dead letter target does not exist.")
	}
	if target.settings.Load().Fifo != st.Fifo {
		return invalidPolicy("RedrivePolicy", v, "Dead-letter queue must be same type of queue as the source.")
	}
	sourceArn := "arn:aws:sqs:" + source.region + ":" + source.account + ":" + source.name
	if !target.settings.Load().RedriveAllow.allows(sourceArn) {
		return invalidPolicy("RedrivePolicy", v, "Queue "+target.arn()+" does not allow this queue to use it as a dead-letter queue.")
	}
	return nil
}

// deadLetterQueue returns q's dead-letter queue and its policy, or nil
// when q has none or its target no longer exists (our decision: messages
// are then received as if there were no policy, rather than lost).
func (s *Service) deadLetterQueue(q *queue) (*queue, *redrivePolicy) {
	p := q.settings.Load().Redrive
	if p == nil {
		return nil, nil
	}
	region, account, name, _ := parseQueueArn(p.Target)
	dlq, err := s.queueByName(queueKey{account: account, region: region, name: name})
	if err != nil || dlq == q {
		return nil, nil
	}
	return dlq, p
}

// redrive moves messages taken out of src's index (still in the store) to
// dlq. One synced batch deletes each from src and stores it in dlq, so a
// crash leaves it in exactly one of the two. The moved message keeps its
// id, body, attributes and SentTimestamp (retention still counts from the
// original send, as AWS documents) and gains DeadLetterQueueSourceArn; it
// starts in dlq visible and never received (our decision: AWS does not
// document the receive count of a moved message).
//
// Locks: src's lock is not held here; dlq's lock orders the batch with
// dlq's other writes. A message whose record is gone (src purged meanwhile)
// is dropped; if dlq was deleted meanwhile, or the write fails, the
// messages go back to src's index.
func (s *Service) redrive(src, dlq *queue, ms []*msg) error {
	type moving struct {
		m   *msg
		enc []byte
	}
	var mv []moving
	for _, m := range ms {
		var enc []byte
		found, err := s.store.View(src.id, m.seq, func(b []byte) error {
			rec, err := decodeRecord(b)
			if err != nil {
				return err
			}
			rec.DLQSource = src.arn()
			enc = rec.encode(nil)
			return nil
		})
		if err != nil {
			s.restore(src, ms)
			return err
		}
		if found {
			mv = append(mv, moving{m, enc})
		}
	}
	if len(mv) == 0 {
		return nil
	}
	back := make([]*msg, len(mv))
	for i, x := range mv {
		back[i] = x.m
	}
	dlq.mu.Lock()
	if dlq.gone {
		dlq.mu.Unlock()
		s.restore(src, back)
		return nil
	}
	var w Writes
	seqs := make([]uint64, len(mv))
	for i, x := range mv {
		seqs[i] = s.seq.Add(1)
		w.Delete(src.id, x.m)
		w.PutMessage(dlq.id, seqs[i], x.enc)
	}
	wait, err := s.store.Apply(&w, synced)
	if err != nil {
		dlq.mu.Unlock()
		s.restore(src, back)
		return err
	}
	arrived := s.clock.Now().UnixMilli()
	for i, x := range mv {
		// Visible at once: the record's first-visible time has passed.
		dlq.idx.add(&msg{seq: seqs[i], sent: x.m.sent, arrived: arrived, group: x.m.group, state: state{Visible: x.m.sent}})
	}
	dlq.notify()
	dlq.mu.Unlock()
	return wait()
}

// restore returns messages a failed move took out of src's index.
func (s *Service) restore(src *queue, ms []*msg) {
	src.mu.Lock()
	defer src.mu.Unlock()
	if src.gone {
		return
	}
	for _, m := range ms {
		if src.idx.get(m.seq) == nil {
			src.idx.add(m)
		}
	}
	src.notify()
}

// ListDeadLetterSourceQueues lists the queues whose RedrivePolicy names
// this queue, by name. Like ListQueues, without MaxResults it answers up to
// 1,000 and no NextToken.
func (s *Service) ListDeadLetterSourceQueues(ctx context.Context, in *sqsapi.ListDeadLetterSourceQueuesRequest) (*sqsapi.ListDeadLetterSourceQueuesResult, error) {
	c := callOf(ctx)
	q, err := s.queueByURL(c, shape.Value(in.QueueUrl))
	if err != nil {
		return nil, err
	}
	arn := q.arn()
	urls, next, err := s.listQueues(c, in.MaxResults, in.NextToken, func(_ queueKey, src *queue) bool {
		p := src.settings.Load().Redrive
		return p != nil && p.Target == arn
	})
	if err != nil {
		return nil, err
	}
	if urls == nil {
		urls = []string{} // a required member
	}
	return &sqsapi.ListDeadLetterSourceQueuesResult{QueueUrls: urls, NextToken: next}, nil
}
