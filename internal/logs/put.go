package logs

import (
	"context"
	"strconv"
	"time"
	"unsafe"

	logsapi "github.com/vigilhq/vigil/internal/api/logs"
	"github.com/vigilhq/vigil/internal/api/shape"
	"github.com/vigilhq/vigil/internal/logs/emf"
	"github.com/vigilhq/vigil/internal/logstore"
	"github.com/vigilhq/vigil/internal/metricstore"
)

// PutLogEvents limits (API reference, PutLogEvents).
const (
	maxBatchBytes = 1_048_576
	eventOverhead = 26
	maxFuture     = 2 * time.Hour
	maxAge        = 14 * 24 * time.Hour
	maxBatchSpan  = 24 * time.Hour
	day           = 24 * time.Hour
)

func (s *Service) PutLogEvents(ctx context.Context, in *logsapi.PutLogEventsRequest) (*logsapi.PutLogEventsResponse, error) {
	p := partitionOf(ctx)
	gname, sname := shape.Value(in.LogGroupName), shape.Value(in.LogStreamName)
	g, st := s.cat.groupStream(p, gname, sname)
	// The CloudWatch agent creates groups and streams when this answers
	// ResourceNotFoundException, so the two messages must be AWS's.
	if g == nil {
		return nil, errGroupNotFound()
	}
	if st == nil {
		return nil, errStreamNotFound()
	}
	evs := in.LogEvents // ≤ 10,000: the model's constraint, checked before the handler
	size := 0
	for i := range evs {
		size += len(shape.Value(evs[i].Message)) + eventOverhead
		if i > 0 && shape.Value(evs[i].Timestamp) < shape.Value(evs[i-1].Timestamp) {
			return nil, invalidParameter("Log events in a single PutLogEvents request must be in chronological order.")
		}
	}
	if size > maxBatchBytes {
		return nil, invalidParameter("Upload too large: %d bytes exceeds limit of %d", size, maxBatchBytes)
	}

	now := nowMillis(ctx)
	s.cat.mu.RLock()
	retention := g.doc.RetentionDays
	s.cat.mu.RUnlock()
	// Events are in chronological order, so the rejected ones are a prefix
	// (too old, expired) and a suffix (too new).
	tooOld := countBefore(evs, now-maxAge.Milliseconds())
	expired := 0
	if retention != 0 {
		expired = countBefore(evs, now-int64(retention)*day.Milliseconds())
	}
	tooNew := len(evs)
	for tooNew > 0 && shape.Value(evs[tooNew-1].Timestamp) > now+maxFuture.Milliseconds() {
		tooNew--
	}
	first := max(tooOld, expired)
	accepted := evs[min(first, tooNew):tooNew]
	if n := len(accepted); n > 1 && shape.Value(accepted[n-1].Timestamp)-shape.Value(accepted[0].Timestamp) > maxBatchSpan.Milliseconds() {
		return nil, invalidParameter("The batch of log events in a single PutLogEvents request cannot span more than 24 hours.")
	}

	out := &logsapi.PutLogEventsResponse{NextSequenceToken: shape.Ptr(sequenceToken(now))}
	if tooOld > 0 || expired > 0 || tooNew < len(evs) {
		info := &logsapi.RejectedLogEventsInfo{}
		if tooOld > 0 {
			info.TooOldLogEventEndIndex = shape.Ptr(int32(tooOld))
		}
		if expired > 0 {
			info.ExpiredLogEventEndIndex = shape.Ptr(int32(expired))
		}
		if tooNew < len(evs) {
			info.TooNewLogEventStartIndex = shape.Ptr(int32(tooNew))
		}
		out.RejectedLogEventsInfo = info
	}
	if len(accepted) == 0 {
		return out, nil
	}

	batch := make([]logstore.Event, len(accepted))
	msgBytes := 0
	for i := range accepted {
		m := shape.Value(accepted[i].Message)
		msgBytes += len(m)
		// The store copies the bytes; the request's strings stay immutable.
		batch[i] = logstore.Event{Timestamp: shape.Value(accepted[i].Timestamp), IngestionTime: now, Message: unsafe.Slice(unsafe.StringData(m), len(m))}
	}
	if err := s.events.Append(ctx, p, gname, sname, batch); err != nil {
		return nil, err
	}
	g.storedBytes.Add(int64(msgBytes))
	st.noteEvents(batch[0].Timestamp, batch[len(batch)-1].Timestamp, now)

	s.derive(ctx, p, g, gname, sname, batch)
	return out, nil
}

func countBefore(evs []logsapi.InputLogEvent, t int64) int {
	n := 0
	for n < len(evs) && shape.Value(evs[n].Timestamp) < t {
		n++
	}
	return n
}

// sequenceToken is only informative: PutLogEvents ignores sequence tokens.
func sequenceToken(now int64) string {
	return strconv.FormatInt(now, 10)
}

// derive runs what stored events feed: metric filters, embedded metric
// format and Live Tail sessions. The events are already acknowledged to
// be stored, so failures here are logged, not returned.
func (s *Service) derive(ctx context.Context, p partition, g *group, gname, sname string, batch []logstore.Event) {
	var ds []metricstore.Datum
	if fs := *g.filters.Load(); len(fs) > 0 {
		ds = applyMetricFilters(ds, fs, batch)
	}
	for i := range batch {
		more, _ := emf.Extract(batch[i].Message) // cheap for messages that are not EMF
		// The document's own timestamp must be one PutMetricData would
		// accept (two weeks back to two hours ahead); CloudWatch drops the
		// metrics of others.
		now := batch[i].IngestionTime
		for _, d := range more {
			if d.T >= now-maxAge.Milliseconds() && d.T <= now+maxFuture.Milliseconds() {
				ds = append(ds, d)
			}
		}
	}
	if len(ds) > 0 {
		mp := metricstore.Partition{Account: p.Account, Region: p.Region}
		if err := s.metrics.Append(ctx, mp, ds); err != nil {
			s.log.WarnContext(ctx, "metrics from log events not stored", "logGroup", gname, "datums", len(ds), "err", err)
		}
	}
	s.tail.publish(p, gname, sname, batch)
}
