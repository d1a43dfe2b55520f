// Package awsjson is the awsJson1_0 and awsJson1_1 codec: a JSON object body
// in, a JSON object body out, errors as {"__type": ..., "message": ...} with
// the X-Amzn-Errortype header and, for awsQuery-compatible services, the
// X-Amzn-Query-Error header. It owns only the wire format; routing (the
// X-Amz-Target header) is the gateway's.
package awsjson

import (
	"reflect"

	eventsapi "github.com/vigilhq/vigil/internal/api/events"
	"github.com/vigilhq/vigil/internal/api/shape"
	"github.com/vigilhq/vigil/internal/jsonscan"
	"github.com/vigilhq/vigil/internal/protocol"
	"github.com/vigilhq/vigil/internal/protocol/internal/errwire"
	"github.com/vigilhq/vigil/internal/protocol/internal/jsonwire"
)

// Codec is the awsJson codec of one version. It is stateless and safe for
// concurrent use.
type Codec struct {
	name        string
	contentType string
}

var (
	v10 = &Codec{name: "awsJson1_0", contentType: "application/x-amz-json-1.0"}
	v11 = &Codec{name: "awsJson1_1", contentType: "application/x-amz-json-1.1"}
)

// New returns the codec for the model's jsonVersion: "1.0" or "1.1" (the
// protocol names "awsJson1_0" and "awsJson1_1" are accepted too). Anything
// else panics: it is a programming error.
func New(version string) protocol.Codec {
	switch version {
	case "1.0", "awsJson1_0":
		return v10
	case "1.1", "awsJson1_1":
		return v11
	}
	panic("awsjson: unknown JSON version " + version)
}

// Name is "awsJson1_0" or "awsJson1_1".
func (c *Codec) Name() string { return c.name }

// ContentType is the version's media type, application/x-amz-json-1.x.
func (c *Codec) ContentType() string { return c.contentType }

// Decode fills in from the JSON body. An empty body or {} is an empty input;
// an operation without input accepts any well-formed JSON object and ignores
// it.
func (c *Codec) Decode(req *protocol.Request, in any) error {
	var s *shape.Shape
	if req.Op != nil {
		s = req.Op.Input
	}
	if in == nil || s == nil {
		var empty struct{}
		return jsonwire.Decode(req.Body, emptyShape, &empty, jsonwire.Options{})
	}
	return jsonwire.Decode(req.Body, s, in, jsonwire.Options{})
}

// emptyShape accepts (and ignores) any object for input-less operations.
var emptyShape = &shape.Shape{Name: "Unit", Type: shape.Structure}

// EncodeOutput writes 200 and the JSON of out ({} for nil).
func (c *Codec) EncodeOutput(req *protocol.Request, out any, resp *protocol.Response) {
	var s *shape.Shape
	if req != nil && req.Op != nil {
		s = req.Op.Output
	}
	resp.Status = 200
	h := header(resp)
	h["Content-Type"] = []string{c.contentType}
	setRequestID(h, req)
	b := resp.Body.AvailableBuffer()
	if o, ok := out.(*eventsapi.PutEventsResponse); ok && o != nil && s != nil && s == hotPutEventsOutput {
		b = appendPutEventsResponse(b, o) // putevents_out.go
	} else {
		b = jsonwire.AppendStruct(b, s, valueOf(out), jsonwire.Options{})
	}
	resp.Body.Write(b)
}

// EncodeError writes err; see package errwire for how it is resolved.
func (c *Codec) EncodeError(req *protocol.Request, err error, resp *protocol.Response) {
	EncodeError(req, err, resp, c.contentType, jsonwire.Options{})
}

// EncodeError writes a JSON error reply with the given content type. It is
// shared with restJson1 (opt.BodyOnly leaves out members bound to headers).
func EncodeError(req *protocol.Request, err error, resp *protocol.Response, contentType string, opt jsonwire.Options) {
	info := errwire.Resolve(req, err)
	resp.Status = info.Status
	h := header(resp)
	h["Content-Type"] = []string{contentType}
	h["X-Amzn-Errortype"] = []string{info.Type}
	if req != nil && req.Service != nil && req.Service.QueryCompatible {
		h["X-Amzn-Query-Error"] = []string{info.QueryHeader()}
	}
	setRequestID(h, req)
	b := resp.Body.AvailableBuffer()
	if info.Value.IsValid() {
		b = jsonwire.AppendStructWithType(b, info.Type, info.Shape, info.Value, opt)
	} else {
		b = append(b, `{"__type":`...)
		b = jsonscan.AppendString(b, info.Type)
		b = append(b, `,"message":`...)
		b = jsonscan.AppendString(b, info.Message)
		b = append(b, '}')
	}
	resp.Body.Write(b)
}

func header(resp *protocol.Response) map[string][]string {
	if resp.Header == nil {
		resp.Header = make(map[string][]string, 4)
	}
	return resp.Header
}

func setRequestID(h map[string][]string, req *protocol.Request) {
	if req != nil && req.RequestID != "" {
		h["X-Amzn-Requestid"] = []string{req.RequestID}
	}
}

func valueOf(out any) reflect.Value {
	if out == nil {
		return reflect.Value{}
	}
	return reflect.ValueOf(out)
}

// AppendJSON appends v, a struct of shape s, as awsJson encodes it: the
// payload of an event-stream event (StartLiveTail's events).
func AppendJSON(b []byte, s *shape.Shape, v reflect.Value) []byte {
	return jsonwire.AppendStruct(b, s, v, jsonwire.Options{})
}
