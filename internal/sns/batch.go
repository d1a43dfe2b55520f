package sns

import (
	"context"
	"errors"
	"strconv"

	"github.com/vigilhq/vigil/internal/api/shape"
	snsapi "github.com/vigilhq/vigil/internal/api/sns"
)

const maxBatch = 10

// PublishBatch publishes up to 10 messages; entries that break a rule are
// reported in Failed and the others are published, in order.
func (s *Service) PublishBatch(ctx context.Context, in *snsapi.PublishBatchInput) (*snsapi.PublishBatchResponse, error) {
	c := callOf(ctx)
	entries := in.PublishBatchRequestEntries
	if err := checkBatch(entries); err != nil {
		return nil, err
	}
	t, subs, err := s.target(c, shape.Value(in.TopicArn))
	if err != nil {
		return nil, err
	}
	out := &snsapi.PublishBatchResponse{Successful: []snsapi.PublishBatchResultEntry{}, Failed: []snsapi.BatchResultErrorEntry{}}
	for _, e := range entries {
		id := shape.Value(e.Id)
		m, err := checkMessage(shape.Value(e.Message), shape.Value(e.Subject), shape.Value(e.MessageStructure), e.MessageAttributes)
		if err == nil {
			m.groupID, m.dedupID = shape.Value(e.MessageGroupId), shape.Value(e.MessageDeduplicationId)
			err = checkFifo(t, m)
		}
		if err == nil {
			if err = s.publish(ctx, c, t, subs, m); err != nil {
				return nil, err // a storage failure fails the call: the publisher retries it whole
			}
			s.met.published(t.arn, m.size, c.now)
			out.Successful = append(out.Successful, snsapi.PublishBatchResultEntry{Id: &id, MessageId: &m.id, SequenceNumber: optional(m.seq)})
			continue
		}
		out.Failed = append(out.Failed, failure(id, err))
	}
	return out, nil
}

// checkBatch applies the batch rules in SNS's order: not empty, at most 10
// entries, valid and distinct ids, at most 256 KiB in all.
func checkBatch(entries []snsapi.PublishBatchRequestEntry) error {
	switch {
	case len(entries) == 0:
		return &snsapi.EmptyBatchRequestException{Message: shape.Ptr("The batch request doesn't contain any entries")}
	case len(entries) > maxBatch:
		return &snsapi.TooManyEntriesInBatchRequestException{Message: shape.Ptr("The batch request contains more entries than permissible")}
	}
	seen := map[string]bool{}
	size := 0
	for _, e := range entries {
		id := shape.Value(e.Id)
		if !validBatchID(id) {
			return &snsapi.InvalidBatchEntryIdException{Message: shape.Ptr("The Id of a batch entry in a batch request doesn't abide by the specification")}
		}
		if seen[id] {
			return &snsapi.BatchEntryIdsNotDistinctException{Message: shape.Ptr("Two or more batch entries in the request have the same Id")}
		}
		seen[id] = true
		size += len(shape.Value(e.Message))
		for name, v := range e.MessageAttributes {
			size += len(name) + len(shape.Value(v.DataType)) + len(shape.Value(v.StringValue)) + len(v.BinaryValue)
		}
	}
	if size > maxPublishSize {
		return &snsapi.BatchRequestTooLongException{Message: shape.Ptr("The length of all the messages put together is more than the limit: " + strconv.Itoa(size) + " bytes")}
	}
	return nil
}

// validBatchID: 1 to 80 of A-Z a-z 0-9 - _.
func validBatchID(id string) bool {
	if id == "" || len(id) > 80 {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// failure is an entry's error as BatchResultErrorEntry reports it.
func failure(id string, err error) snsapi.BatchResultErrorEntry {
	code, msg := "InternalError", err.Error()
	var me shape.ModeledError
	if errors.As(err, &me) {
		if ex := me.ErrorShape().Exception; ex != nil && ex.Code != "" {
			code = ex.Code
		}
		switch e := err.(type) {
		case *snsapi.InvalidParameterException:
			msg = shape.Value(e.Message)
		case *snsapi.InvalidParameterValueException:
			msg = shape.Value(e.Message)
		}
	}
	return snsapi.BatchResultErrorEntry{Id: &id, Code: &code, Message: &msg, SenderFault: shape.Ptr(true)}
}
