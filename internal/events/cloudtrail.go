package events

import (
	"context"
	"fmt"
	"strings"

	"github.com/vigilhq/vigil/internal/audit"
)

// apiCallDetailType is the detail-type of every event CloudTrail delivers.
const apiCallDetailType = "AWS API Call via CloudTrail"

// APICalls is the audit recorder's management sink: every recorded
// management event reaches its account's default bus as "AWS API Call via
// CloudTrail", with source aws.<service> (the eventSource's first label, as
// AWS's per-service event references list it: monitoring.amazonaws.com →
// aws.monitoring) and the CloudTrail record as detail.
func (s *Service) APICalls() audit.Sink { return apiCallSink{s} }

type apiCallSink struct{ s *Service }

// Deliver routes a stored batch of management events; all their target
// deliveries are made durable together. Read-only calls — readOnly and
// named Get…, List… or Describe… (AWS: other read-only events are
// delivered to every enabled rule) — match only rules in state
// ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS.
func (k apiCallSink) Deliver(ctx context.Context, evs []*audit.Event) error {
	s := k.s
	var ds []delivery
	var archived *archiveBatch
	now := s.clock.Now()
	met := s.met.batch()
	defer met.commit()
	s.mu.RLock()
	for _, e := range evs {
		p := partition{account: e.RecipientAccountID, region: e.AWSRegion}
		b := s.lookupBus(p, defaultBus)
		if len(b.rules) == 0 && !s.hasArchives(b) {
			continue // the common case: nothing to build
		}
		detail, err := e.Record()
		if err != nil {
			s.mu.RUnlock()
			return fmt.Errorf("events: CloudTrail record %s: %w", e.EventID, err)
		}
		id := s.ids.UUID()
		at := e.EventTime.Time
		source := "aws." + strings.TrimSuffix(e.EventSource, ".amazonaws.com")
		ev := appendEvent(nil, id, apiCallDetailType, source, p, at, nil, detail)
		ds = s.route(met, ds, p, b, ev, id, at, 0, now, readOnlyAPICall(e))
		archived = s.archiveEvent(archived, p, b, ev, id, at)
	}
	s.mu.RUnlock()
	if err := s.commitArchive(archived); err != nil {
		return err
	}
	return s.dispatch(ctx, met, ds)
}

func readOnlyAPICall(e *audit.Event) bool {
	if !e.ReadOnly {
		return false
	}
	for _, prefix := range []string{"Get", "List", "Describe"} {
		if strings.HasPrefix(e.EventName, prefix) {
			return true
		}
	}
	return false
}
