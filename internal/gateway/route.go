package gateway

import (
	"context"
	"net/http"
	"strings"

	"github.com/vigilhq/vigil/internal/api/shape"
	"github.com/vigilhq/vigil/internal/protocol"
	"github.com/vigilhq/vigil/internal/protocol/awsjson"
	"github.com/vigilhq/vigil/internal/protocol/awsquery"
	"github.com/vigilhq/vigil/internal/protocol/restjson"
	"github.com/vigilhq/vigil/internal/protocol/rpcv2cbor"
)

// Binding ties a generated service model to the handler that implements it.
type Binding struct {
	Model *shape.Service
	// Invoke calls the handler method of op; it is the generated package's
	// Invoke bound to a handler.
	Invoke func(ctx context.Context, op *shape.Operation, in any) (any, error)
	// Hot holds hand-tuned decoders of hot operations, which DESIGN.md allows
	// where a benchmark shows the generic decode-and-validate is the cost.
	// Optional.
	Hot map[HotOp]HotDecoder
}

// HotOp names an operation as spoken in one protocol (the codec's Name).
type HotOp struct{ Protocol, Operation string }

// HotDecoder fills in, a pointer to a new value of the operation's input,
// from the (decompressed) body. It returns true only when in is then
// exactly what the protocol's codec would decode and shape.Validate finds
// nothing wrong with it; the gateway then skips both. On false, in may hold
// anything: the gateway zeroes it and takes the generic path, which also
// produces every error, so a hot decoder never changes an answer.
//
// A decoder may fill in with memory it recycles: it then returns a release
// func, which the gateway calls once the call is over (answered and
// audited), when nothing uses in any more; on false, after in is zeroed.
// Handlers therefore keep nothing of a hot-decoded input but its strings.
type HotDecoder func(body []byte, in any) (release func(), ok bool)

var (
	codecJSON10 = awsjson.New("1.0")
	codecJSON11 = awsjson.New("1.1")
	codecQuery  = awsquery.New()
	codecCBOR   = rpcv2cbor.New()
	codecREST   = restjson.New()
)

// route is where a request goes: a service and the codec of its protocol,
// and the operation when the request names one the model knows.
type route struct {
	b      *Binding
	codec  protocol.Codec
	opName string
	op     *shape.Operation
}

// router finds routes. It is built once and read-only afterwards.
type router struct {
	byTarget     map[string]*Binding // X-Amz-Target prefix and RPC v2 service name
	bySigning    map[string]*Binding // SigV4 scope service name
	queryVersion map[string]*Binding // awsQuery Version → service
}

func newRouter(bs []*Binding) *router {
	r := &router{byTarget: map[string]*Binding{}, bySigning: map[string]*Binding{}, queryVersion: map[string]*Binding{}}
	for _, b := range bs {
		m := b.Model
		r.bySigning[m.SigningName] = b
		if m.TargetPrefix != "" {
			r.byTarget[m.TargetPrefix] = b
			// CloudTrail's prefix is namespaced; the Go SDK sends only the
			// part after the last dot.
			if i := strings.LastIndexByte(m.TargetPrefix, '.'); i >= 0 {
				r.byTarget[m.TargetPrefix[i+1:]] = b
			}
		}
		if m.Speaks("query") {
			r.queryVersion[m.APIVersion] = b
		}
	}
	return r
}

// find routes req. scopeService is the SigV4 credential scope's service name
// ("" when the request carries none). A nil route means no service matched.
func (r *router) find(req *http.Request, form func() (action, version string), scopeService string) *route {
	if target := req.Header.Get("X-Amz-Target"); target != "" {
		i := strings.LastIndexByte(target, '.')
		if i < 0 {
			return nil
		}
		b := r.byTarget[target[:i]]
		if b == nil {
			return nil
		}
		codec := codecJSON11
		if b.Model.JSONVersion == "1.0" {
			codec = codecJSON10
		}
		return r.withOp(&route{b: b, codec: codec, opName: target[i+1:]})
	}
	if rest, ok := strings.CutPrefix(req.URL.Path, "/service/"); ok {
		svc, opName, ok := strings.Cut(rest, "/operation/")
		b := r.byTarget[svc]
		if !ok || b == nil || !b.Model.Speaks("smithy-rpc-v2-cbor") {
			return nil
		}
		return r.withOp(&route{b: b, codec: codecCBOR, opName: opName})
	}
	if isForm(req) {
		action, version := form()
		b := r.bySigning[scopeService]
		if b == nil || !b.Model.Speaks("query") {
			b = r.queryVersion[version]
		}
		if b == nil {
			return nil
		}
		rt := &route{b: b, codec: codecQuery, opName: action}
		if version != b.Model.APIVersion {
			return rt // unknown operation for this version
		}
		return r.withOp(rt)
	}
	b := r.bySigning[scopeService]
	if b == nil || !b.Model.Speaks("rest-json") {
		return nil
	}
	rt := &route{b: b, codec: codecREST}
	for _, op := range b.Model.Operations {
		path, _, _ := strings.Cut(op.RequestURI, "?")
		if op.HTTPMethod == req.Method && path == req.URL.Path {
			rt.op, rt.opName = op, op.Name
			break
		}
	}
	return rt
}

func (r *router) withOp(rt *route) *route {
	rt.op = rt.b.Model.Operation(rt.opName)
	return rt
}

// isForm reports whether req is an awsQuery request: a form POST, or a GET
// carrying Action in the URL.
func isForm(req *http.Request) bool {
	if req.Method == http.MethodPost {
		return strings.HasPrefix(req.Header.Get("Content-Type"), "application/x-www-form-urlencoded")
	}
	return req.Method == http.MethodGet && req.URL.Query().Has("Action")
}
