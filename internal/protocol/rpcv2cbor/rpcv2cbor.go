// Package rpcv2cbor is the Smithy RPC v2 CBOR codec (rpcv2Cbor): a CBOR map
// body in and out, Smithy-Protocol: rpc-v2-cbor on every reply, errors as a
// map with "__type" and "message" (plus the modeled error's members) and,
// for awsQuery-compatible services, the X-Amzn-Query-Error header. It owns
// the CBOR encoding (RFC 8949) of every shape type; routing on
// /service/<svc>/operation/<op> is the gateway's.
package rpcv2cbor

import (
	"reflect"

	"github.com/vigilhq/vigil/internal/api/shape"
	"github.com/vigilhq/vigil/internal/protocol"
	"github.com/vigilhq/vigil/internal/protocol/internal/errwire"
)

// Codec is the rpcv2Cbor codec. It is stateless and safe for concurrent use;
// the zero value is ready.
type Codec struct{}

// New returns the codec.
func New() protocol.Codec { return Codec{} }

// Name is "rpcv2Cbor".
func (Codec) Name() string { return "rpcv2Cbor" }

// Decode fills in from the CBOR body. An empty body is an empty input; an
// operation without input accepts (and ignores) any well-formed CBOR map.
// Malformed CBOR, and values of the wrong type, are SerializationException.
func (Codec) Decode(req *protocol.Request, in any) error {
	var s *shape.Shape
	if req.Op != nil {
		s = req.Op.Input
	}
	if in == nil || s == nil {
		var empty struct{}
		return decodeBody(req.Body, unitShape, &empty)
	}
	return decodeBody(req.Body, s, in)
}

var unitShape = &shape.Shape{Name: "Unit", Type: shape.Structure}

func header(resp *protocol.Response, req *protocol.Request) map[string][]string {
	if resp.Header == nil {
		resp.Header = make(map[string][]string, 4)
	}
	h := resp.Header
	h["Smithy-Protocol"] = []string{"rpc-v2-cbor"}
	h["Content-Type"] = []string{"application/cbor"}
	if req != nil && req.RequestID != "" {
		h["X-Amzn-Requestid"] = []string{req.RequestID}
	}
	return h
}

// EncodeOutput writes 200 and the CBOR map of out (an empty map for nil).
func (Codec) EncodeOutput(req *protocol.Request, out any, resp *protocol.Response) {
	var s *shape.Shape
	if req != nil && req.Op != nil {
		s = req.Op.Output
	}
	resp.Status = 200
	header(resp, req)
	var v reflect.Value
	if out != nil {
		v = reflect.ValueOf(out)
	}
	b := resp.Body.AvailableBuffer()
	b = appendStruct(b, s, v)
	resp.Body.Write(b)
}

// EncodeError writes err as {"__type": ..., "message": ..., members...}.
// __type is the modeled error's shape name (SDKs look the exception type up
// by it) or the plain error's code; awsQuery-compatible services also get
// X-Amzn-Query-Error: <query code>;<Sender|Receiver>.
func (Codec) EncodeError(req *protocol.Request, err error, resp *protocol.Response) {
	info := errwire.Resolve(req, err)
	resp.Status = info.Status
	h := header(resp, req)
	if req != nil && req.Service != nil && req.Service.QueryCompatible {
		h["X-Amzn-Query-Error"] = []string{info.QueryHeader()}
	}
	b := resp.Body.AvailableBuffer()
	if info.Value.IsValid() {
		extra := []string{"__type", info.Type}
		// Clients read the generic message from "message"; add it when the
		// model names the member otherwise (e.g. "Message").
		if info.Message != "" && info.Shape.Lookup("message") == nil {
			extra = append(extra, "message", info.Message)
		}
		b = appendStruct(b, info.Shape, info.Value, extra...)
	} else {
		b = appendHead(b, majMap, 2)
		b = appendText(b, "__type")
		b = appendText(b, info.Type)
		b = appendText(b, "message")
		b = appendText(b, info.Message)
	}
	resp.Body.Write(b)
}
