package sqs

import (
	"encoding/json"
	"maps"
	"slices"
	"strconv"
	"strings"
)

// settings are a queue's settable attributes, with AWS's defaults. A value
// is replaced whole on every change, never modified in place.
type settings struct {
	DelaySeconds                  int32  `json:"delay"`
	MaximumMessageSize            int32  `json:"maxSize"`
	MessageRetentionPeriod        int32  `json:"retention"`
	ReceiveMessageWaitTimeSeconds int32  `json:"wait"`
	VisibilityTimeout             int32  `json:"visibility"`
	Policy                        string `json:"policy,omitempty"`
	KmsMasterKeyID                string `json:"kmsKey,omitempty"`
	KmsDataKeyReusePeriodSeconds  int32  `json:"kmsReuse"`
	SqsManagedSseEnabled          bool   `json:"sse"`
	Modified                      int64  `json:"modified"` // unix seconds

	// Dead-letter queues (redrive.go); nil: no policy.
	Redrive      *redrivePolicy      `json:"redrive,omitempty"`
	RedriveAllow *redriveAllowPolicy `json:"redriveAllow,omitempty"`

	// FIFO queues (fifo.go); fixed at creation.
	Fifo              bool   `json:"fifo,omitempty"`
	ContentBasedDedup bool   `json:"cbd,omitempty"`
	DedupScope        string `json:"dedupScope,omitempty"`
	ThroughputLimit   string `json:"throughput,omitempty"`
}

// Limits and defaults from the CreateQueue and SetQueueAttributes
// references.
const (
	maxMessageSize   = 1 << 20 // 1 MiB, the default and the most a queue allows
	maxDelay         = 900
	maxVisibility    = 43200
	maxWait          = 20
	defaultRetention = 345600
)

func defaultSettings() settings {
	return settings{
		MaximumMessageSize:           maxMessageSize,
		MessageRetentionPeriod:       defaultRetention,
		VisibilityTimeout:            30,
		KmsDataKeyReusePeriodSeconds: 300,
		// SSE-SQS is on for queues created without a KMS key, as AWS now
		// creates them.
		SqsManagedSseEnabled: true,
	}
}

// intAttr is an integer attribute with its range.
type intAttr struct {
	min, max int64
	field    func(*settings) *int32
}

var intAttrs = map[string]intAttr{
	"DelaySeconds":                  {0, maxDelay, func(s *settings) *int32 { return &s.DelaySeconds }},
	"MaximumMessageSize":            {1024, maxMessageSize, func(s *settings) *int32 { return &s.MaximumMessageSize }},
	"MessageRetentionPeriod":        {60, 1209600, func(s *settings) *int32 { return &s.MessageRetentionPeriod }},
	"ReceiveMessageWaitTimeSeconds": {0, maxWait, func(s *settings) *int32 { return &s.ReceiveMessageWaitTimeSeconds }},
	"VisibilityTimeout":             {0, maxVisibility, func(s *settings) *int32 { return &s.VisibilityTimeout }},
	"KmsDataKeyReusePeriodSeconds":  {60, 86400, func(s *settings) *int32 { return &s.KmsDataKeyReusePeriodSeconds }},
}

// fifoOnly are the attributes of FIFO queues; a standard queue does not
// know them (fifo.go).
var fifoOnly = map[string]bool{"ContentBasedDeduplication": true, "DeduplicationScope": true, "FifoThroughputLimit": true}

// readOnly are the attributes GetQueueAttributes reports and nobody sets.
var readOnly = []string{"ApproximateNumberOfMessages", "ApproximateNumberOfMessagesDelayed",
	"ApproximateNumberOfMessagesNotVisible", "CreatedTimestamp", "LastModifiedTimestamp", "QueueArn"}

// applyAttributes sets the attributes of in on st, checking each the way
// SQS does. Only creating may set FifoQueue (true: a FIFO queue). Names are
// checked in sorted order so that the error for a request with several
// faults does not depend on map order.
func applyAttributes(st *settings, in map[string]string, creating bool) error {
	if creating {
		if fifo, _ := parseBool(in["FifoQueue"]); fifo {
			// AWS's defaults, before the sorted names may override them.
			st.Fifo, st.DedupScope, st.ThroughputLimit = true, scopeQueue, limitQueue
		}
	}
	names := slices.Sorted(maps.Keys(in))
	for _, name := range names {
		v := in[name]
		if a, ok := intAttrs[name]; ok {
			n, ok := parseInt(v)
			if !ok || n < a.min || n > a.max {
				return invalidAttributeValue(name, "")
			}
			*a.field(st) = int32(n)
			continue
		}
		switch name {
		case "FifoQueue":
			b, ok := parseBool(v)
			switch {
			case !ok:
				return invalidAttributeValue(name, "")
			case creating:
			case b != st.Fifo:
				return invalidAttributeValue(name, "Modifying queue type is not supported.")
			}
		case "ContentBasedDeduplication", "DeduplicationScope", "FifoThroughputLimit":
			if err := applyFifoAttribute(st, name, v); err != nil {
				return err
			}
		case "SqsManagedSseEnabled":
			b, ok := parseBool(v)
			if !ok || b && in["KmsMasterKeyId"] != "" {
				return invalidAttributeValue(name, "")
			}
			st.SqsManagedSseEnabled = b
			if b {
				st.KmsMasterKeyID = ""
			}
		case "KmsMasterKeyId":
			// Stored and reported; Vigil keeps messages on its own disk,
			// so no KMS key is involved.
			st.KmsMasterKeyID = v
			if v != "" {
				st.SqsManagedSseEnabled = false
			}
		case "Policy":
			if v != "" && !isJSONObject(v) {
				return invalidAttributeValue(name, "")
			}
			st.Policy = v
		case "RedrivePolicy":
			// An empty value removes the policy, as AWS documents.
			st.Redrive = nil
			if v != "" {
				p, err := parseRedrivePolicy(v)
				if err != nil {
					return err
				}
				st.Redrive = p
			}
		case "RedriveAllowPolicy":
			st.RedriveAllow = nil
			if v != "" {
				p, err := parseRedriveAllowPolicy(v)
				if err != nil {
					return err
				}
				st.RedriveAllow = p
			}
		default:
			return unknownAttribute(name)
		}
	}
	return checkFifoSettings(st)
}

// attribute returns the value GetQueueAttributes reports for a settable
// attribute name (ok false: the queue has no such attribute to report).
func (st *settings) attribute(name string) (string, bool) {
	if a, ok := intAttrs[name]; ok {
		if name == "KmsDataKeyReusePeriodSeconds" && st.KmsMasterKeyID == "" {
			return "", false
		}
		return strconv.Itoa(int(*a.field(st))), true
	}
	switch name {
	case "SqsManagedSseEnabled":
		return strconv.FormatBool(st.SqsManagedSseEnabled), true
	case "KmsMasterKeyId":
		return st.KmsMasterKeyID, st.KmsMasterKeyID != ""
	case "Policy":
		return st.Policy, st.Policy != ""
	case "RedrivePolicy":
		if st.Redrive == nil {
			return "", false
		}
		return st.Redrive.String(), true
	case "RedriveAllowPolicy":
		if st.RedriveAllow == nil {
			return "", false
		}
		return st.RedriveAllow.String(), true
	}
	return st.fifoAttribute(name)
}

// sameAttributes reports the first attribute of in whose value differs
// between a and b; CreateQueue on an existing name compares only what the
// request names.
func sameAttributes(a, b *settings, in map[string]string) (string, bool) {
	for _, name := range slices.Sorted(maps.Keys(in)) {
		va, _ := a.attribute(name)
		vb, _ := b.attribute(name)
		if va != vb {
			return name, false
		}
	}
	return "", true
}

// parseInt accepts decimal digits with an optional sign, as SQS does.
func parseInt(s string) (int64, bool) {
	if s == "" || len(s) > 12 {
		return 0, false
	}
	n, err := strconv.ParseInt(s, 10, 64)
	return n, err == nil
}

func parseBool(s string) (bool, bool) {
	switch strings.ToLower(s) {
	case "true":
		return true, true
	case "false":
		return false, true
	}
	return false, false
}

func isJSONObject(s string) bool {
	var v map[string]any
	return json.Unmarshal([]byte(s), &v) == nil
}
