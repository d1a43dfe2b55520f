package audit

import (
	"context"
	"encoding/json"
	"errors"
	"time"
)

// Lookup attribute keys, as LookupEvents names them.
const (
	AttrEventID      = "EventId"
	AttrEventName    = "EventName"
	AttrReadOnly     = "ReadOnly"
	AttrUsername     = "Username"
	AttrResourceType = "ResourceType"
	AttrResourceName = "ResourceName"
	AttrEventSource  = "EventSource"
	AttrAccessKeyID  = "AccessKeyId"
)

// AttributeKeys lists every lookup attribute key, in LookupEvents' order.
var AttributeKeys = []string{
	AttrEventID, AttrEventName, AttrReadOnly, AttrUsername,
	AttrResourceType, AttrResourceName, AttrEventSource, AttrAccessKeyID,
}

// ErrBadQuery is returned by Lookup for a query it cannot run (an unknown
// attribute key, a missing account or region). Callers validate first.
var ErrBadQuery = errors.New("audit: bad query")

// Store keeps management events for lookup. Implementations are safe for
// concurrent use.
type Store interface {
	// Append stores events durably: when it returns nil, the events are on
	// stable storage and visible to Lookup. Events must carry an account
	// (RecipientAccountID), a region and an event ID.
	Append(ctx context.Context, events []*Event) error
	// Lookup returns one page of the events of q.Account and q.Region that
	// match q, newest first; events with the same eventTime come in
	// ascending eventID order.
	Lookup(ctx context.Context, q Query) (Page, error)
	// Sweep deletes every event (of every account and region) whose
	// eventTime is before olderThan, and returns how many it deleted.
	Sweep(ctx context.Context, olderThan time.Time) (int, error)
}

// Query selects events of one account and region.
type Query struct {
	Account string
	Region  string
	// Attribute restricts the results to events with this attribute value;
	// the zero value means no restriction.
	Attribute Attribute
	// Start and End bound eventTime, both inclusive; a zero value is
	// unbounded.
	Start, End time.Time
	// Limit caps the page size; <= 0 means 50.
	Limit int
	// After resumes after the last event of a previous page.
	After *Cursor
}

// Attribute is one lookup attribute. Values match exactly.
type Attribute struct {
	Key, Value string
}

// Cursor marks a position in a lookup: the last event returned.
type Cursor struct {
	Time    time.Time // eventTime of the last event
	EventID string
}

// Page is one page of a lookup.
type Page struct {
	Events []*StoredEvent
	// Next is where the next page starts, nil when there are no more
	// events.
	Next *Cursor
}

// StoredEvent is an event as Lookup returns it: the indexed fields and the
// CloudTrail record.
type StoredEvent struct {
	EventID     string
	EventName   string
	EventSource string
	EventTime   time.Time
	ReadOnly    bool
	Username    string
	AccessKeyID string
	Resources   []ResourceRef
	Record      json.RawMessage // the CloudTrail record JSON
}

// Stored returns the stored form of e.
func (e *Event) Stored() (*StoredEvent, error) {
	rec, err := e.Record()
	if err != nil {
		return nil, err
	}
	return &StoredEvent{
		EventID:     e.EventID,
		EventName:   e.EventName,
		EventSource: e.EventSource,
		EventTime:   e.EventTime.UTC(),
		ReadOnly:    e.ReadOnly,
		Username:    e.Username,
		AccessKeyID: e.UserIdentity.AccessKeyID,
		Resources:   e.LookupResources,
		Record:      rec,
	}, nil
}

// attributes returns the index entries of the event: every (key, value)
// under which LookupEvents can find it.
func (s *StoredEvent) attributes(fn func(key, value string)) {
	fn(AttrEventID, s.EventID)
	fn(AttrEventName, s.EventName)
	if s.ReadOnly {
		fn(AttrReadOnly, "true")
	} else {
		fn(AttrReadOnly, "false")
	}
	if s.Username != "" {
		fn(AttrUsername, s.Username)
	}
	seenT := map[string]bool{}
	seenN := map[string]bool{}
	for _, r := range s.Resources {
		if r.Type != "" && !seenT[r.Type] {
			seenT[r.Type] = true
			fn(AttrResourceType, r.Type)
		}
		if r.Name != "" && !seenN[r.Name] {
			seenN[r.Name] = true
			fn(AttrResourceName, r.Name)
		}
	}
	fn(AttrEventSource, s.EventSource)
	if s.AccessKeyID != "" {
		fn(AttrAccessKeyID, s.AccessKeyID)
	}
}
