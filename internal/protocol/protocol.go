// Package protocol defines what a wire-protocol codec is: it turns an HTTP
// request body into a generated input value and a generated output value or
// an error into a response, driven by the shapes of internal/api/shape. The
// codecs live in the sub-packages (awsjson, awsquery, rpcv2cbor, restjson);
// each is written once, generically, not per operation. Codecs never see
// routing, authentication or behaviour.
package protocol

import (
	"bytes"
	"net/http"
	"net/url"

	"github.com/vigilhq/vigil/internal/api/shape"
)

// Request is what a codec sees of one call. The gateway has already routed
// it, verified its signature, and read and decompressed the body.
type Request struct {
	Service   *shape.Service
	Op        *shape.Operation
	Body      []byte
	Header    http.Header
	URL       *url.URL
	RequestID string
}

// Response is an encoded reply; the gateway writes it out.
type Response struct {
	Status int
	Header http.Header
	Body   bytes.Buffer
}

// Reset empties the response for reuse.
func (r *Response) Reset() {
	r.Status = 0
	clear(r.Header)
	r.Body.Reset()
}

// Codec is one wire protocol. Implementations are stateless and safe for
// concurrent use.
type Codec interface {
	// Name is the protocol's Smithy name: "awsJson1_0", "awsJson1_1",
	// "awsQuery", "rpcv2Cbor", "restJson1".
	Name() string
	// Decode fills in, a pointer to a new value of the operation's input
	// struct (nil when the operation has no input), from the request. A
	// malformed request returns a *shape.Error with the protocol's code for
	// it; constraint validation is not the codec's job.
	Decode(req *Request, in any) error
	// EncodeOutput writes a successful reply. out is a pointer to the
	// operation's output struct; it may be nil, or a typed nil pointer, which
	// encode as an empty output.
	EncodeOutput(req *Request, out any, resp *Response)
	// EncodeError writes an error reply. err is a shape.ModeledError, a
	// *shape.Error, or anything else (encoded as an internal failure that
	// does not reveal err's text).
	EncodeError(req *Request, err error, resp *Response)
}
