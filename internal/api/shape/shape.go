// Package shape describes AWS service models at run time: shapes, members,
// operations and services, as the generator emits them from the botocore
// models. The generated packages under internal/api fill these tables; the
// protocol codecs and the validator walk them together with the generated Go
// values. This package owns the model's meaning and must not know about HTTP
// or any one protocol.
//
// Go representation of a shape (the generator and every codec rely on it):
//
//	shape        struct member   list element / map value
//	string       *string         string
//	boolean      *bool           bool
//	integer      *int32          int32
//	long         *int64          int64
//	float        *float32        float32
//	double       *float64        float64
//	timestamp    *time.Time      time.Time
//	blob         []byte          []byte
//	list         []E             []E
//	map          map[string]V    map[string]V
//	structure    *T              T
//	document     any             any   (JSON-like: map[string]any, []any, string, float64, bool, nil)
//
// A structure's Members are in the order of the Go struct's fields, so
// Members[i] is reflect.Value.Field(i).
package shape

import (
	"reflect"
	"sync"
	"sync/atomic"
)

// Type is a shape's model type.
type Type uint8

const (
	Structure Type = iota + 1
	List
	Map
	String
	Boolean
	Integer // 32-bit
	Long    // 64-bit
	Float   // 32-bit
	Double  // 64-bit
	Timestamp
	Blob
)

var typeNames = [...]string{"", "structure", "list", "map", "string", "boolean", "integer", "long", "float", "double", "timestamp", "blob"}

func (t Type) String() string {
	if int(t) < len(typeNames) {
		return typeNames[t]
	}
	return "unknown"
}

// Shape is one shape of a service model. Shapes are built once at package
// initialisation and are read-only afterwards, so they are safe for
// concurrent use.
type Shape struct {
	Name string
	Type Type

	Members []*Member // Structure: in Go field order.
	Member  *Member   // List: the element.
	Key     *Member   // Map
	Value   *Member   // Map

	// Flattened is the shape-level xml/query "flattened" trait (lists, maps).
	Flattened bool

	// Min and Max bound a string's, blob's, list's or map's length, or a
	// number's value. Nil means unbounded.
	Min, Max *float64
	Pattern  string
	Enum     []string

	// TimestampFormat is the model's timestampFormat trait ("iso8601",
	// "unixTimestamp", "rfc822"), empty for the protocol's default.
	TimestampFormat string

	Sensitive   bool
	Document    bool // structure with the document trait: any JSON value
	Union       bool
	EventStream bool // structure of events sent as an event stream
	Event       bool // one event of an event stream

	// Exception is set on error shapes.
	Exception *ErrorTrait

	// GoType is the generated Go struct type of a Structure shape.
	GoType reflect.Type

	lookupOnce sync.Once
	byWireName map[string]*Member

	pathOnce  sync.Once
	pathNames []string // members' names as validation paths spell them

	constrained atomic.Uint32 // hasConstraints' answer, once known
}

// ErrorTrait is the "error" trait of an exception shape.
type ErrorTrait struct {
	// Code is the awsQuery error code (the "error.code" trait); empty means
	// the shape name.
	Code        string
	HTTPStatus  int  // 400 when the model says nothing
	SenderFault bool // Sender (client) or Receiver (server) fault
}

// Member is one member of a structure, or the element of a list, or the key
// or value of a map.
type Member struct {
	Name  string // the model's member name
	Shape *Shape

	// LocationName is the wire name (the serialization "name"): for a
	// structure member, the key used on every protocol when set; for a list
	// element, the xml/query element name ("member" when empty); for a map
	// key or value, its xml/query element name ("key", "value" when empty).
	LocationName string
	// QueryName is the awsQuery (form and XML) name where it differs from
	// the one above, set by the generator from a query-protocol model for
	// services whose botocore model is JSON only (SQS: "Attribute" for
	// CreateQueue's Attributes, "Name"/"Value" for a map's key and value).
	// Only the awsQuery codec reads it; WireName ignores it, so JSON keys
	// do not change.
	QueryName string
	// Location is the HTTP binding of a rest protocol member: "header",
	// "headers", "querystring", "uri", "statusCode"; empty for the body.
	Location string

	Required         bool
	Flattened        bool // member-level xmlFlattened
	XMLAttribute     bool
	IdempotencyToken bool
	JSONValue        bool // header member carrying JSON
	HostLabel        bool
	Deprecated       bool

	Index int // Go field index within the structure
}

// WireName is the member's name on the wire.
func (m *Member) WireName() string {
	if m.LocationName != "" {
		return m.LocationName
	}
	return m.Name
}

// Lookup finds a structure member by its wire name.
func (s *Shape) Lookup(name string) *Member {
	s.lookupOnce.Do(func() {
		s.byWireName = make(map[string]*Member, len(s.Members))
		for _, m := range s.Members {
			s.byWireName[m.WireName()] = m
		}
	})
	return s.byWireName[name]
}

// Operation is one operation of a service.
type Operation struct {
	Name          string
	HTTPMethod    string
	RequestURI    string
	Input         *Shape // nil when the operation takes no input
	Output        *Shape // nil when the operation returns nothing
	ResultWrapper string // awsQuery output wrapper element
	Errors        []*Shape
	// NoAuth is set for operations the model marks as unsigned
	// (authtype "none", e.g. STS AssumeRoleWithWebIdentity).
	NoAuth bool
	// RequestCompression lists the encodings the model allows on the body.
	RequestCompression []string
	// Index is the operation's position in Service.Operations.
	Index int
}

// Service is one service model.
type Service struct {
	// ID is Vigil's name for the service: the directory of its generated
	// package ("cloudwatch", "logs", "configservice", ...).
	ID              string
	EndpointPrefix  string
	SigningName     string // the SigV4 scope's service name
	TargetPrefix    string // X-Amz-Target prefix (JSON protocols)
	JSONVersion     string
	APIVersion      string
	XMLNamespace    string
	ServiceID       string
	FullName        string
	Protocols       []string // "smithy-rpc-v2-cbor", "json", "query", "rest-json", ...
	QueryCompatible bool     // awsQueryCompatible: errors carry awsQuery codes

	Operations []*Operation

	opOnce sync.Once
	byName map[string]*Operation
}

// Operation finds an operation by name.
func (s *Service) Operation(name string) *Operation {
	s.opOnce.Do(func() {
		s.byName = make(map[string]*Operation, len(s.Operations))
		for _, op := range s.Operations {
			s.byName[op.Name] = op
		}
	})
	return s.byName[name]
}

// Speaks reports whether the service accepts the protocol.
func (s *Service) Speaks(protocol string) bool {
	for _, p := range s.Protocols {
		if p == protocol {
			return true
		}
	}
	return false
}

// Ptr returns a pointer to v, for filling optional members.
func Ptr[T any](v T) *T { return &v }

// Value returns *p, or the zero value when p is nil.
func Value[T any](p *T) T {
	if p == nil {
		var zero T
		return zero
	}
	return *p
}
