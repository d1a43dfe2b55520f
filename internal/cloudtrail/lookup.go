package cloudtrail

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	ctapi "github.com/vigilhq/vigil/internal/api/cloudtrail"
	"github.com/vigilhq/vigil/internal/api/shape"
	"github.com/vigilhq/vigil/internal/audit"
	"github.com/vigilhq/vigil/internal/clock"
	"github.com/vigilhq/vigil/internal/reqctx"
)

// Service implements the CloudTrail API. Safe for concurrent use.
type Service struct {
	ctapi.Unimplemented
	store audit.Store
	clock clock.Clock
}

var _ ctapi.Handler = (*Service)(nil)

// New returns the CloudTrail service reading Event history from store, with
// "now" (LookupEvents' default end time and its 90-day window) from clk.
func New(store audit.Store, clk clock.Clock) *Service {
	return &Service{store: store, clock: clk}
}

const (
	defaultMaxResults = 50
	maxMaxResults     = 50
)

// insightKeys are the lookup attributes Insights events support.
var insightKeys = map[string]bool{
	ctapi.LookupAttributeKeyEventId:     true,
	ctapi.LookupAttributeKeyEventName:   true,
	ctapi.LookupAttributeKeyEventSource: true,
}

// LookupEvents looks up management events of the caller's account and
// region (CloudTrail Event history): at most one lookup attribute, an
// inclusive time range within the last 90 days, newest first, 1–50 results
// a page, with a NextToken bound to the query that issued it.
func (s *Service) LookupEvents(ctx context.Context, in *ctapi.LookupEventsRequest) (*ctapi.LookupEventsResponse, error) {
	r := reqctx.From(ctx)
	now := s.clock.Now().UTC()
	insight := false
	if in.EventCategory != nil {
		if *in.EventCategory != ctapi.EventCategoryInsight {
			return nil, &ctapi.InvalidEventCategoryException{Message: msgf("Event category %s is not valid. Valid values are: insight.", *in.EventCategory)}
		}
		insight = true
	}

	var attr audit.Attribute
	switch len(in.LookupAttributes) {
	case 0:
	case 1:
		a := in.LookupAttributes[0]
		key, value := shape.Value(a.AttributeKey), shape.Value(a.AttributeValue)
		if !validKey(key) || (insight && !insightKeys[key]) {
			return nil, &ctapi.InvalidLookupAttributesException{Message: msgf("Lookup attribute key %s is not valid.", key)}
		}
		if value == "" {
			return nil, &ctapi.InvalidLookupAttributesException{Message: msgf("Lookup attribute value must not be empty.")}
		}
		attr = audit.Attribute{Key: key, Value: value}
	default:
		return nil, &ctapi.InvalidLookupAttributesException{Message: msgf("Only one lookup attribute is supported, but %d were specified.", len(in.LookupAttributes))}
	}

	start, end := time.Time{}, now
	if in.StartTime != nil {
		start = in.StartTime.UTC()
	}
	if in.EndTime != nil {
		end = in.EndTime.UTC()
	}
	if in.StartTime != nil && in.EndTime != nil && start.After(end) {
		return nil, &ctapi.InvalidTimeRangeException{Message: msgf("Start time %s is after end time %s.", start.Format(time.RFC3339), end.Format(time.RFC3339))}
	}
	// Event history keeps 90 days; older events are not looked up even if
	// the retention sweep has not removed them yet.
	if oldest := now.Add(-audit.Retention); start.Before(oldest) {
		start = oldest
	}

	limit := defaultMaxResults
	if in.MaxResults != nil {
		if m := *in.MaxResults; m < 1 || m > maxMaxResults {
			return nil, &ctapi.InvalidMaxResultsException{Message: msgf("Value %d for MaxResults is not valid. Valid values are 1 through %d.", m, maxMaxResults)}
		} else {
			limit = int(m)
		}
	}

	bind := queryHash(r.Caller.AccountID, r.Region, in, attr)
	var after *audit.Cursor
	if in.NextToken != nil {
		c, err := decodeToken(*in.NextToken, bind)
		if err != nil {
			return nil, &ctapi.InvalidNextTokenException{Message: msgf("Invalid NextToken.")}
		}
		after = c
	}

	out := &ctapi.LookupEventsResponse{Events: []ctapi.Event{}}
	if insight || start.After(end) {
		// Vigil produces no Insights events; a window that ends more than
		// 90 days ago holds nothing either.
		return out, nil
	}
	page, err := s.store.Lookup(ctx, audit.Query{
		Account: r.Caller.AccountID, Region: r.Region,
		Attribute: attr, Start: start, End: end, Limit: limit, After: after,
	})
	if err != nil {
		return nil, fmt.Errorf("lookup events: %w", err)
	}
	for _, e := range page.Events {
		out.Events = append(out.Events, toAPI(e))
	}
	if page.Next != nil {
		out.NextToken = shape.Ptr(encodeToken(bind, page.Next))
	}
	return out, nil
}

func validKey(k string) bool {
	for _, v := range audit.AttributeKeys {
		if k == v {
			return true
		}
	}
	return false
}

func toAPI(e *audit.StoredEvent) ctapi.Event {
	ro := "false"
	if e.ReadOnly {
		ro = "true"
	}
	out := ctapi.Event{
		EventId:         shape.Ptr(e.EventID),
		EventName:       shape.Ptr(e.EventName),
		ReadOnly:        shape.Ptr(ro),
		EventTime:       shape.Ptr(e.EventTime.UTC()),
		EventSource:     shape.Ptr(e.EventSource),
		CloudTrailEvent: shape.Ptr(string(e.Record)),
		Resources:       []ctapi.Resource{},
	}
	if e.AccessKeyID != "" {
		out.AccessKeyId = shape.Ptr(e.AccessKeyID)
	}
	if e.Username != "" {
		out.Username = shape.Ptr(e.Username)
	}
	for _, r := range e.Resources {
		res := ctapi.Resource{}
		if r.Type != "" {
			res.ResourceType = shape.Ptr(r.Type)
		}
		if r.Name != "" {
			res.ResourceName = shape.Ptr(r.Name)
		}
		out.Resources = append(out.Resources, res)
	}
	return out
}

// msgf formats an exception message.
func msgf(format string, args ...any) *string { return shape.Ptr(fmt.Sprintf(format, args...)) }

// A NextToken is base64url(version, 16 bytes of the query hash, the
// cursor's eventTime in Unix nanoseconds, the cursor's event id).
const tokenVersion = 1

var errBadToken = errors.New("bad token")

// queryHash binds a token to the caller's account and region and to the
// parameters as given (not their defaults, which move with the clock);
// MaxResults may change between pages.
func queryHash(account, region string, in *ctapi.LookupEventsRequest, attr audit.Attribute) [16]byte {
	h := sha256.New()
	ts := func(t *time.Time) string {
		if t == nil {
			return "-"
		}
		return t.UTC().Format(time.RFC3339Nano)
	}
	parts := []string{account, region, attr.Key, attr.Value, ts(in.StartTime), ts(in.EndTime), shape.Value(in.EventCategory)}
	b, _ := json.Marshal(parts) // unambiguous framing of the parts
	h.Write(b)
	var out [16]byte
	copy(out[:], h.Sum(nil))
	return out
}

func encodeToken(bind [16]byte, c *audit.Cursor) string {
	b := make([]byte, 0, 1+16+8+len(c.EventID))
	b = append(b, tokenVersion)
	b = append(b, bind[:]...)
	b = binary.BigEndian.AppendUint64(b, uint64(c.Time.UnixNano()))
	b = append(b, c.EventID...)
	return base64.RawURLEncoding.EncodeToString(b)
}

func decodeToken(tok string, bind [16]byte) (*audit.Cursor, error) {
	b, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil || len(b) < 1+16+8+1 || b[0] != tokenVersion || [16]byte(b[1:17]) != bind {
		return nil, errBadToken
	}
	ns := int64(binary.BigEndian.Uint64(b[17:25]))
	return &audit.Cursor{Time: time.Unix(0, ns).UTC(), EventID: string(b[25:])}, nil
}
