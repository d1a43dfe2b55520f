package audit

import (
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/vigilhq/vigil/internal/api/shape"
	"github.com/vigilhq/vigil/internal/reqctx"
)

// EventVersion is the CloudTrail record format version Vigil writes.
const EventVersion = "1.11"

// Event categories (the record's eventCategory).
const (
	CategoryManagement = "Management"
	CategoryData       = "Data"
)

// Redacted is the string CloudTrail writes in place of a sensitive value.
const Redacted = "HIDDEN_DUE_TO_SECURITY_REASONS"

// Event is one CloudTrail record, serialized with AWS's field names and in
// AWS's field order. Fields tagged `json:"-"` exist for indexing only.
//
// An Event is built by one goroutine and must not be modified after it has
// been passed to Recorder.Record.
type Event struct {
	EventVersion       string          `json:"eventVersion"`
	UserIdentity       UserIdentity    `json:"userIdentity"`
	EventTime          Time            `json:"eventTime"`
	EventSource        string          `json:"eventSource"`
	EventName          string          `json:"eventName"`
	AWSRegion          string          `json:"awsRegion"`
	SourceIPAddress    string          `json:"sourceIPAddress"`
	UserAgent          string          `json:"userAgent"`
	ErrorCode          string          `json:"errorCode,omitempty"`
	ErrorMessage       string          `json:"errorMessage,omitempty"`
	RequestParameters  json.RawMessage `json:"requestParameters"` // nil encodes as null
	ResponseElements   json.RawMessage `json:"responseElements"`  // nil encodes as null
	RequestID          string          `json:"requestID"`
	EventID            string          `json:"eventID"`
	ReadOnly           bool            `json:"readOnly"`
	Resources          []Resource      `json:"resources,omitempty"`
	EventType          string          `json:"eventType"`
	ManagementEvent    bool            `json:"managementEvent"`
	RecipientAccountID string          `json:"recipientAccountId"`
	EventCategory      string          `json:"eventCategory"`

	// Username is what LookupEvents shows and filters on: "root" for the
	// root user, else the IAM user name.
	Username string `json:"-"`
	// LookupResources are the resource type/name pairs LookupEvents shows
	// and filters on (ResourceType, ResourceName attributes).
	LookupResources []ResourceRef `json:"-"`
}

// UserIdentity is the record's userIdentity element.
type UserIdentity struct {
	Type        string `json:"type"`
	PrincipalID string `json:"principalId,omitempty"`
	ARN         string `json:"arn,omitempty"`
	AccountID   string `json:"accountId,omitempty"`
	AccessKeyID string `json:"accessKeyId,omitempty"`
	UserName    string `json:"userName,omitempty"` // IAM users only
}

// Resource is one element of the record's resources array.
type Resource struct {
	AccountID string `json:"accountId,omitempty"`
	Type      string `json:"type,omitempty"`
	ARN       string `json:"ARN,omitempty"`
}

// ResourceRef is a resource as LookupEvents reports it.
type ResourceRef struct {
	Type string
	Name string
}

// Time is a timestamp that encodes as CloudTrail's eventTime: RFC 3339 in
// UTC with whole seconds ("2026-11-25T10:00:00Z").
type Time struct{ time.Time }

const recordTimeLayout = "2006-01-02T15:04:05Z"

// MarshalText implements encoding.TextMarshaler (cheaper for encoding/json
// than MarshalJSON, whose output it re-validates).
func (t Time) MarshalText() ([]byte, error) {
	return t.UTC().AppendFormat(make([]byte, 0, len(recordTimeLayout)), recordTimeLayout), nil
}

// UnmarshalText implements encoding.TextUnmarshaler.
func (t *Time) UnmarshalText(b []byte) error {
	v, err := time.Parse(time.RFC3339, string(b))
	if err != nil {
		return err
	}
	t.Time = v
	return nil
}

// Record returns the event's CloudTrail JSON.
func (e *Event) Record() ([]byte, error) { return json.Marshal(e) }

// EventSource returns the eventSource of a service: its endpoint prefix
// followed by ".amazonaws.com" (monitoring, logs, events, cloudtrail,
// cloudtrail-data, config, sns, sqs, sts).
func EventSource(svc *shape.Service) string {
	p := svc.EndpointPrefix
	if p == "" {
		p = svc.ID
	}
	return p + ".amazonaws.com"
}

// Call describes one finished API call, as the gateway knows it.
type Call struct {
	Request   *reqctx.Request
	Service   *shape.Service
	Operation *shape.Operation
	Input     any   // the decoded input, or nil
	Output    any   // the output, or nil on error
	Err       error // the error returned to the caller, or nil
	EventID   string
}

// NewEvent builds the CloudTrail record of a call: classification, identity,
// request parameters (sensitive values redacted) and, for calls that are not
// read-only and succeeded, response elements.
func NewEvent(c Call) *Event {
	r := c.Request
	op := c.Operation
	class := Classify(c.Service.ID, op.Name)
	e := &Event{
		EventVersion: EventVersion,
		UserIdentity: UserIdentity{
			Type:        r.Caller.Type,
			PrincipalID: r.Caller.PrincipalID,
			ARN:         r.Caller.ARN,
			AccountID:   r.Caller.AccountID,
			AccessKeyID: r.Caller.AccessKeyID,
		},
		EventTime:          Time{r.Time.UTC().Truncate(time.Second)},
		EventSource:        EventSource(c.Service),
		EventName:          op.Name,
		AWSRegion:          r.Region,
		SourceIPAddress:    r.SourceIP,
		UserAgent:          r.UserAgent,
		RequestID:          r.RequestID,
		EventID:            c.EventID,
		ReadOnly:           class.ReadOnly,
		EventType:          "AwsApiCall",
		ManagementEvent:    class.Management,
		RecipientAccountID: r.Caller.AccountID,
		EventCategory:      CategoryData,
	}
	if class.Management {
		e.EventCategory = CategoryManagement
	}
	switch r.Caller.Type {
	case "Root":
		e.Username = "root"
	case "IAMUser":
		e.UserIdentity.UserName = r.Caller.UserName
		e.Username = r.Caller.UserName
	default:
		e.Username = r.Caller.UserName
	}
	if op.Input != nil {
		e.RequestParameters = Params(op.Input, c.Input)
	}
	if c.Err != nil {
		e.ErrorCode, e.ErrorMessage = errorFields(c.Err)
	} else if !class.ReadOnly && op.Output != nil {
		e.ResponseElements = Params(op.Output, c.Output)
	}
	return e
}

func errorFields(err error) (code, msg string) {
	var se *shape.Error
	if errors.As(err, &se) {
		return se.Code, se.Message
	}
	var me shape.ModeledError
	if errors.As(err, &me) {
		s := me.ErrorShape()
		code = s.Name
		if s.Exception != nil && s.Exception.Code != "" {
			code = s.Exception.Code
		}
		msg = me.Error()
		// Generated errors may render as "Code: message"; keep the message.
		msg = strings.TrimPrefix(msg, code+": ")
		return code, msg
	}
	return "InternalFailure", err.Error()
}
