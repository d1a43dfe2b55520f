package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
)

// model is the part of a botocore service-2.json the generator reads.
// Documentation fields are never decoded.
type model struct {
	Metadata   metadata              `json:"metadata"`
	Operations map[string]*operation `json:"operations"`
	Shapes     map[string]*shapeDef  `json:"shapes"`
}

type metadata struct {
	APIVersion         string          `json:"apiVersion"`
	EndpointPrefix     string          `json:"endpointPrefix"`
	SigningName        string          `json:"signingName"`
	TargetPrefix       string          `json:"targetPrefix"`
	JSONVersion        string          `json:"jsonVersion"`
	XMLNamespace       json.RawMessage `json:"xmlNamespace"` // a string or {"uri": ...}
	ServiceID          string          `json:"serviceId"`
	FullName           string          `json:"serviceFullName"`
	Protocol           string          `json:"protocol"`
	Protocols          []string        `json:"protocols"`
	AWSQueryCompatible json.RawMessage `json:"awsQueryCompatible"`
}

// xmlNamespace returns the namespace URI whichever form the model uses.
func (m *metadata) xmlNamespace() (string, error) {
	if len(m.XMLNamespace) == 0 {
		return "", nil
	}
	var s string
	if err := json.Unmarshal(m.XMLNamespace, &s); err == nil {
		return s, nil
	}
	var o struct {
		URI string `json:"uri"`
	}
	if err := json.Unmarshal(m.XMLNamespace, &o); err != nil {
		return "", fmt.Errorf("metadata.xmlNamespace: %w", err)
	}
	return o.URI, nil
}

type operation struct {
	Name string `json:"name"`
	HTTP struct {
		Method     string `json:"method"`
		RequestURI string `json:"requestUri"`
	} `json:"http"`
	Input              *ref     `json:"input"`
	Output             *ref     `json:"output"`
	Errors             []ref    `json:"errors"`
	AuthType           string   `json:"authtype"`
	Auth               []string `json:"auth"`
	RequestCompression *struct {
		Encodings []string `json:"encodings"`
	} `json:"requestcompression"`
}

// ref is a reference to a shape: a structure member, a list element, a map
// key or value, or an operation's input, output or error.
type ref struct {
	Shape            string `json:"shape"`
	LocationName     string `json:"locationName"`
	Location         string `json:"location"`
	Flattened        bool   `json:"flattened"`
	XMLAttribute     bool   `json:"xmlAttribute"`
	IdempotencyToken bool   `json:"idempotencyToken"`
	JSONValue        bool   `json:"jsonvalue"`
	HostLabel        bool   `json:"hostLabel"`
	Deprecated       bool   `json:"deprecated"`
	ResultWrapper    string `json:"resultWrapper"`
	// XMLNamespace is read only so that the query overlay can refuse a
	// trait it cannot carry; nothing emits it.
	XMLNamespace json.RawMessage `json:"xmlNamespace"`

	// QueryName is not read from botocore: the query overlay (overlay.go)
	// sets it to the awsQuery name of a member the botocore model does not
	// name for that protocol.
	QueryName string `json:"-"`
}

type shapeDef struct {
	Type            string    `json:"type"`
	Members         members   `json:"members"`
	Required        []string  `json:"required"`
	Member          *ref      `json:"member"`
	Key             *ref      `json:"key"`
	Value           *ref      `json:"value"`
	Min             *float64  `json:"min"`
	Max             *float64  `json:"max"`
	Pattern         string    `json:"pattern"`
	Enum            []string  `json:"enum"`
	TimestampFormat string    `json:"timestampFormat"`
	Sensitive       bool      `json:"sensitive"`
	Document        bool      `json:"document"`
	Union           bool      `json:"union"`
	EventStream     bool      `json:"eventstream"`
	Event           bool      `json:"event"`
	Exception       bool      `json:"exception"`
	Fault           bool      `json:"fault"`
	Flattened       bool      `json:"flattened"`
	Error           *errorDef `json:"error"`
	// LocationName is the shape-level serialization name; references
	// without a locationName of their own use it. Only the query overlay
	// reads it.
	LocationName string `json:"locationName"`
}

type errorDef struct {
	Code           string `json:"code"`
	HTTPStatusCode int    `json:"httpStatusCode"`
	SenderFault    *bool  `json:"senderFault"`
}

// isDocument reports whether the shape is a document (any JSON value).
func (s *shapeDef) isDocument() bool { return s.Document || s.Type == "document" }

// member is one named structure member.
type member struct {
	Name string
	ref
}

// members keeps a structure's members in the model's order: the Go struct's
// field order, which shape.Shape.Members must follow.
type members []member

func (ms *members) UnmarshalJSON(b []byte) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return fmt.Errorf("members: want an object")
	}
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return err
		}
		name, ok := t.(string)
		if !ok {
			return fmt.Errorf("members: bad key %v", t)
		}
		var r ref
		if err := dec.Decode(&r); err != nil {
			return fmt.Errorf("member %s: %w", name, err)
		}
		*ms = append(*ms, member{Name: name, ref: r})
	}
	_, err := dec.Token()
	return err
}

func parseModel(data []byte) (*model, error) {
	var m model
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, err
	}
	for name, op := range m.Operations {
		if op.Name == "" {
			op.Name = name
		}
	}
	addExceptionMessages(&m)
	return &m, nil
}

// exceptionMessageShape is the string shape of the message member the
// generator adds to exceptions whose model has none.
const exceptionMessageShape = "VigilExceptionMessage"

// addExceptionMessages gives every exception a "message" member. AWS sends a
// message with every error, but most botocore exception shapes of JSON
// services model none, which would leave handlers unable to say what went
// wrong.
func addExceptionMessages(m *model) {
	for _, s := range m.Shapes {
		if !s.Exception || hasMessage(s) {
			continue
		}
		if m.Shapes[exceptionMessageShape] == nil {
			m.Shapes[exceptionMessageShape] = &shapeDef{Type: "string"}
		}
		s.Members = append(s.Members, member{Name: "message", ref: ref{Shape: exceptionMessageShape}})
	}
}

func hasMessage(s *shapeDef) bool {
	for _, mb := range s.Members {
		if strings.EqualFold(mb.Name, "message") {
			return true
		}
	}
	return false
}
