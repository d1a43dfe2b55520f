package events

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	eventsapi "github.com/vigilhq/vigil/internal/api/events"
	"github.com/vigilhq/vigil/internal/api/shape"
	"github.com/vigilhq/vigil/internal/jsonscan"
)

// KindTarget is the outbox kind of one event's delivery to one target.
const KindTarget = "events-target"

// maxPutEventsBytes: "The total entry size must be less than 256KB" (user
// guide, "Calculating PutEvents event entry size").
const maxPutEventsBytes = 256 * 1024

// entrySize is an entry's size as the user guide computes it: 14 bytes for
// a Time, then the UTF-8 bytes of Source, DetailType, Detail and each
// Resources entry.
func entrySize(e *eventsapi.PutEventsRequestEntry) int {
	n := len(shape.Value(e.Source)) + len(shape.Value(e.DetailType)) + len(shape.Value(e.Detail))
	if e.Time != nil {
		n += 14
	}
	for _, r := range e.Resources {
		n += len(r)
	}
	return n
}

// entryError is one entry's refusal, as PutEvents reports it.
type entryError struct{ code, msg string }

func invalidArgument(param string) *entryError {
	return &entryError{"InvalidArgument", "Parameter " + param + " is not valid. Reason: " + param + " is a required argument."}
}

// checkEntry validates one entry and returns its compacted Detail.
func checkEntry(e *eventsapi.PutEventsRequestEntry, dst []byte) ([]byte, *entryError) {
	switch {
	case shape.Value(e.Source) == "":
		return dst, invalidArgument("Source")
	case shape.Value(e.DetailType) == "":
		return dst, invalidArgument("DetailType")
	case e.Detail == nil || *e.Detail == "":
		return dst, invalidArgument("Detail")
	case strings.HasPrefix(*e.Source, "aws."):
		// Sources starting with aws. are reserved for AWS services.
		return dst, &entryError{"NotAuthorizedForSourceException", "Not authorized for the source."}
	}
	return compactDetail(dst, *e.Detail)
}

// compactDetail appends detail, which must be a JSON object, compacted.
func compactDetail(dst []byte, detail string) ([]byte, *entryError) {
	// jsonscan accepts what encoding/json does (fuzzed) and is several
	// times faster; it refuses deeper nesting, which encoding/json then
	// decides.
	start := jsonscan.Space(detail, 0)
	if end, ok := jsonscan.Value(detail, start, 0); ok && detail[start] == '{' && jsonscan.Space(detail, end) == len(detail) {
		return appendCompactFast(dst, detail[start:end]), nil
	}
	n := len(dst)
	b := bytes.NewBuffer(dst)
	if err := json.Compact(b, []byte(detail)); err != nil || b.Len() == n || b.Bytes()[n] != '{' {
		return dst[:n], &entryError{"MalformedDetail", "Detail is malformed."}
	}
	return b.Bytes(), nil
}

// appendCompact appends the valid JSON value v without the white space
// between its tokens.
func appendCompact(dst []byte, v string) []byte {
	for i := 0; i < len(v); {
		switch c := v[i]; c {
		case ' ', '\t', '\n', '\r':
			i++
		case '"':
			end, _, _ := jsonscan.String(v, i)
			dst = append(dst, v[i:end]...)
			i = end
		default:
			j := i + 1
			for j < len(v) && v[j] != '"' && v[j] != ' ' && v[j] != '\t' && v[j] != '\n' && v[j] != '\r' {
				j++
			}
			dst = append(dst, v[i:j]...)
			i = j
		}
	}
	return dst
}

func (s *Service) PutEvents(ctx context.Context, in *eventsapi.PutEventsRequest) (*eventsapi.PutEventsResponse, error) {
	c := callOf(ctx)
	if in.EndpointId != nil {
		return nil, validation("Global endpoints (EndpointId) are not supported by Vigil.")
	}
	total := 0
	for i := range in.Entries {
		total += entrySize(&in.Entries[i])
	}
	if total >= maxPutEventsBytes {
		return nil, validation("Total size of the entries in the request is over the limit.")
	}
	now := s.clock.Now()
	met := s.met.batch() // one aggregator lock for the call's datapoints
	defer met.commit()
	out, eventIDs := newAnswer(len(in.Entries))
	failed := 0
	var ds []delivery
	// The events are built one after the other into one buffer; each keeps
	// its own slice of it until the call returns (putevents_mem.go).
	pb := getPutBuf(total + len(in.Entries)*eventOverhead)
	evs, detail := pb.evs, pb.detail
	defer func() {
		pb.evs, pb.detail = evs, detail
		pb.release()
	}()
	var archived *archiveBatch
	var times eventTimes
	var rules ruleCache
	var lastBus *bus // the entries of a call are mostly for one bus
	var lastBusName string
	var lastBusP partition
	s.mu.RLock()
	for i := range in.Entries {
		e := &in.Entries[i]
		var eerr *entryError
		detail, eerr = checkEntry(e, detail[:0])
		var b *bus
		bp := c.p // the bus's account and region
		if eerr == nil {
			var bn string
			var err error
			bp, bn, err = busRef(c, e.EventBusName)
			if err == nil && bp.region != c.p.region {
				err = errNoBus(bn)
			}
			if err == nil {
				if lastBus == nil || bn != lastBusName || bp != lastBusP {
					lastBus, lastBusName, lastBusP = s.lookupBus(bp, bn), bn, bp
				}
				b = lastBus
			}
			switch {
			case err == nil && bp != c.p:
				eerr = s.crossAccountPut(b, c, e)
			case b == nil:
				eerr = &entryError{"ResourceNotFoundException", "Event bus " + bn + " does not exist."}
				if se, ok := err.(*shape.Error); ok {
					eerr = &entryError{"InvalidArgument", se.Message}
				} else if err != nil {
					eerr.msg = errMessage(err)
				}
			}
		}
		if eerr != nil {
			failed++
			out.Entries[i] = eventsapi.PutEventsResultEntry{ErrorCode: shape.Ptr(eerr.code), ErrorMessage: shape.Ptr(eerr.msg)}
			continue
		}
		at := now
		if e.Time != nil {
			at = *e.Time
		}
		id := s.ids.UUID()
		start := len(evs)
		evs = appendEventAt(evs, id, *e.DetailType, *e.Source, c.p, times.text(at), e.Resources, detail)
		ev := evs[start:len(evs):len(evs)]
		rules.events = len(in.Entries) - i
		ds = s.routeCached(&rules, met, ds, bp, b, ev, id, at, 0, now, false)
		archived = s.archiveEvent(archived, bp, b, ev, id, at)
		eventIDs[i] = id
		out.Entries[i] = eventsapi.PutEventsResultEntry{EventId: &eventIDs[i]}
	}
	s.mu.RUnlock()
	if err := s.commitArchive(archived); err != nil {
		return nil, &eventsapi.InternalException{Message: shape.Ptr(err.Error())}
	}
	if err := s.dispatch(ctx, met, ds); err != nil {
		return nil, &eventsapi.InternalException{Message: shape.Ptr(err.Error())}
	}
	met.putEvents(c.p, total, len(in.Entries), failed, now)
	*out.FailedEntryCount = int32(failed)
	return out, nil
}

// crossAccountPut is nil when bus b (nil: none by that name) of another
// account lets the caller put entry e on it, else the entry's
// AccessDeniedException.
func (s *Service) crossAccountPut(b *bus, c call, e *eventsapi.PutEventsRequestEntry) *entryError {
	if s.admitsAccount(b, c.p.account, c.principal, *e.Source, *e.DetailType) {
		return nil
	}
	return &entryError{"AccessDeniedException", "You do not have sufficient access to perform this action."}
}

func errMessage(err error) string {
	if se, ok := err.(*shape.Error); ok {
		return se.Message
	}
	if nf, ok := err.(*eventsapi.ResourceNotFoundException); ok {
		return shape.Value(nf.Message)
	}
	return err.Error()
}

// PutServiceEvent puts an event from a Vigil service (source like
// "aws.cloudwatch") on the default bus of account and region, through the
// same matching and outbox as PutEvents; the event's deliveries are
// durable when it returns nil. detail must be a JSON object.
func (s *Service) PutServiceEvent(ctx context.Context, account, region, source, detailType string, resources []string, detail []byte, at time.Time) error {
	d, eerr := compactDetail(nil, string(detail))
	if eerr != nil {
		return fmt.Errorf("events: %s event %q: detail is not a JSON object", source, detailType)
	}
	p := partition{account: account, region: region}
	id := s.ids.UUID()
	ev := appendEvent(nil, id, detailType, source, p, at, resources, d)
	s.mu.RLock()
	b := s.lookupBus(p, defaultBus)
	ds := s.route(s.met, nil, p, b, ev, id, at, 0, s.clock.Now(), false)
	archived := s.archiveEvent(nil, p, b, ev, id, at)
	s.mu.RUnlock()
	if err := s.commitArchive(archived); err != nil {
		return err
	}
	return s.dispatch(ctx, s.met, ds)
}

// route matches ev against b's enabled rules and appends one delivery per
// matched target. A read-only management event from CloudTrail
// (readOnlyAPICall) goes only to rules in state
// ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS. Callers hold mu for
// reading.
func (s *Service) route(met *Metrics, dst []delivery, p partition, b *bus, ev []byte, id string, at time.Time, hops int, ingest time.Time, readOnlyAPICall bool) []delivery {
	return s.routeCached(nil, met, dst, p, b, ev, id, at, hops, ingest, readOnlyAPICall)
}

// routeCached is route with the rules the names of earlier matches
// resolved to remembered in rc (putevents_rules.go), if not nil.
func (s *Service) routeCached(rc *ruleCache, met *Metrics, dst []delivery, p partition, b *bus, ev []byte, id string, at time.Time, hops int, ingest time.Time, readOnlyAPICall bool) []delivery {
	if len(b.rules) == 0 {
		return dst
	}
	// Room for the dozens of rules an event may match, on the stack:
	// growing past it costs an allocation per event (as did 8).
	var buf [32]string
	names, err := b.matcher.MatchEvent(ev, buf[:0])
	if err != nil {
		// Events are built here and always well formed.
		s.log.Error("events: match", "bus", b.arn, "err", err)
		return dst
	}
	var tbuf [32]*rule
	triggered := tbuf[:0] // metrics.go
	for k, n := range names {
		r := rc.rule(b, k, n)
		if r == nil || !r.enabled() || readOnlyAPICall && r.doc.State != eventsapi.RuleStateEnabledWithAllCloudtrailManagementEvents {
			continue
		}
		triggered = append(triggered, r)
		if dst == nil && len(r.targets) > 0 && rc != nil {
			dst = make([]delivery, 0, len(r.targets)*rc.events)
		}
		dst = appendDeliveries(dst, p, b, r, id, at, hops, ingest, ev)
	}
	met.matched(p, triggered, ingest)
	return dst
}

// eventOverhead is about what appendEvent adds to an entry's size: the
// envelope's names and punctuation, the id, account, time and region.
const eventOverhead = 200

// appendEvent builds the event as EventBridge delivers it.
func appendEvent(dst []byte, id, detailType, source string, p partition, at time.Time, resources []string, detail []byte) []byte {
	var tb [len("2006-01-02T15:04:05Z")]byte
	return appendEventAt(dst, id, detailType, source, p, appendTimeSecond(tb[:0], at), resources, detail)
}

// appendEventAt is appendEvent with the event's time as appendTimeSecond
// writes it (a call's events mostly share theirs: eventTimes).
func appendEventAt(dst []byte, id, detailType, source string, p partition, at []byte, resources []string, detail []byte) []byte {
	dst = append(dst, `{"version":"0","id":`...)
	dst = jsonscan.AppendString(dst, id)
	dst = append(dst, `,"detail-type":`...)
	dst = jsonscan.AppendString(dst, detailType)
	dst = append(dst, `,"source":`...)
	dst = jsonscan.AppendString(dst, source)
	dst = append(dst, `,"account":`...)
	dst = jsonscan.AppendString(dst, p.account)
	dst = append(dst, `,"time":"`...)
	dst = append(dst, at...)
	dst = append(dst, `","region":`...)
	dst = jsonscan.AppendString(dst, p.region)
	dst = append(dst, `,"resources":[`...)
	for i, r := range resources {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = jsonscan.AppendString(dst, r)
	}
	dst = append(dst, `],"detail":`...)
	dst = append(dst, detail...)
	return append(dst, '}')
}

// job is an outbox payload: which target of which rule gets which event.
// The target's settings are read when the delivery is attempted, so a
// target changed meanwhile delivers with its new settings.
type job struct {
	Account string          `json:"a"`
	Region  string          `json:"r"`
	Bus     string          `json:"b"`
	Rule    string          `json:"n"`
	Target  string          `json:"t"`
	ID      string          `json:"d"`
	Time    int64           `json:"m"`           // the event's time, unix ms
	Hops    int             `json:"h"`           // bus-to-bus hops made
	Ingest  int64           `json:"i"`           // accepted on this bus, unix ms
	Replay  bool            `json:"p,omitempty"` // replayed from an archive
	Event   json.RawMessage `json:"e"`
}

func appendJob(dst []byte, j *job) []byte {
	dst = append(dst, `{"a":`...)
	dst = jsonscan.AppendString(dst, j.Account)
	dst = append(dst, `,"r":`...)
	dst = jsonscan.AppendString(dst, j.Region)
	dst = append(dst, `,"b":`...)
	dst = jsonscan.AppendString(dst, j.Bus)
	dst = append(dst, `,"n":`...)
	dst = jsonscan.AppendString(dst, j.Rule)
	dst = append(dst, `,"t":`...)
	dst = jsonscan.AppendString(dst, j.Target)
	dst = append(dst, `,"d":`...)
	dst = jsonscan.AppendString(dst, j.ID)
	dst = append(dst, `,"m":`...)
	dst = strconv.AppendInt(dst, j.Time, 10)
	dst = append(dst, `,"h":`...)
	dst = strconv.AppendInt(dst, int64(j.Hops), 10)
	dst = append(dst, `,"i":`...)
	dst = strconv.AppendInt(dst, j.Ingest, 10)
	if j.Replay {
		dst = append(dst, `,"p":true`...)
	}
	dst = append(dst, `,"e":`...)
	dst = append(dst, j.Event...)
	return append(dst, '}')
}
