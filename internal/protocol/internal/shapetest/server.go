package shapetest

import (
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"

	"github.com/vigilhq/vigil/internal/api/shape"
	"github.com/vigilhq/vigil/internal/protocol"
)

// Handler answers one decoded call: in is a pointer to a new input struct
// (nil for an operation without input).
type Handler func(op *shape.Operation, in any) (out any, err error)

// Server stands up an HTTP server that routes like the gateway (the
// X-Amz-Target header's last dotted part, the CBOR path's last segment, or
// the operation whose RequestURI path matches), decodes with codec, calls h
// and encodes with codec. It is closed when the test ends.
func Server(t testing.TB, svc *shape.Service, codec protocol.Codec, h Handler) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		var op *shape.Operation
		if tgt := r.Header.Get("X-Amz-Target"); tgt != "" {
			op = svc.Operation(tgt[strings.LastIndexByte(tgt, '.')+1:])
		} else if i := strings.Index(r.URL.Path, "/operation/"); i >= 0 {
			op = svc.Operation(r.URL.Path[i+len("/operation/"):])
		} else {
			for _, o := range svc.Operations {
				p, _, _ := strings.Cut(o.RequestURI, "?")
				if p == r.URL.Path {
					op = o
				}
			}
		}
		if op == nil {
			http.Error(w, "no such operation", 404)
			return
		}
		req := &protocol.Request{Service: svc, Op: op, Body: body, Header: r.Header, URL: r.URL, RequestID: "req-1"}
		var in any
		if op.Input != nil {
			in = reflect.New(op.Input.GoType).Interface()
		}
		var resp protocol.Response
		resp.Header = http.Header{}
		if err := codec.Decode(req, in); err != nil {
			codec.EncodeError(req, err, &resp)
		} else if out, err := h(op, in); err != nil {
			codec.EncodeError(req, err, &resp)
		} else {
			codec.EncodeOutput(req, out, &resp)
		}
		for k, v := range resp.Header {
			w.Header()[k] = v
		}
		w.WriteHeader(resp.Status)
		w.Write(resp.Body.Bytes())
	}))
	t.Cleanup(srv.Close)
	return srv
}
