package gateway

import (
	"context"
	"fmt"
	"net/http"
	"reflect"

	"github.com/vigilhq/vigil/internal/api/shape"
	"github.com/vigilhq/vigil/internal/protocol/awsjson"
	"github.com/vigilhq/vigil/internal/protocol/eventstream"
	"github.com/vigilhq/vigil/internal/reqctx"
)

// stream answers an operation whose output is an event stream with
// application/vnd.amazon.eventstream: an initial-response event carrying
// the output's other members (the RPC protocols' convention, which the Go
// SDK requires), then the handler's events, each flushed as it is written.
func (g *Gateway) stream(ctx context.Context, w http.ResponseWriter, c *call, rq *reqctx.Request, out any) {
	union := eventStreamMember(c.rt.op.Output)
	if union == nil {
		g.finish(w, c, nil, fmt.Errorf("operation %s has no event stream output", c.rt.opName))
		return
	}
	h := w.Header()
	h.Set("Content-Type", "application/vnd.amazon.eventstream")
	h.Set("X-Amzn-Requestid", c.req.RequestID)
	w.WriteHeader(http.StatusOK)
	ew := eventstream.NewWriter(w)
	initial := awsjson.AppendJSON(nil, withoutMember(c.rt.op.Output, union), reflect.ValueOf(out))
	if err := ew.Event("initial-response", initial); err != nil {
		return // the client is gone
	}
	send := func(ev any) error {
		name, exception, payload, err := encodeEvent(union.Shape, ev)
		if err != nil {
			return err
		}
		if exception {
			return ew.Exception(name, payload)
		}
		return ew.Event(name, payload)
	}
	if err := rq.Stream(ctx, send); err != nil && ctx.Err() == nil {
		g.cfg.Logger.Warn("event stream ended with an error", "request_id", rq.RequestID, "operation", rq.Operation, "err", err)
		payload := fmt.Appendf(nil, `{"message":%q}`, "The event stream failed: internal error.")
		ew.Exception("InternalFailure", payload)
	}
}

// eventStreamMember is the output member holding the event stream, or nil.
func eventStreamMember(out *shape.Shape) *shape.Member {
	if out == nil {
		return nil
	}
	for _, m := range out.Members {
		if m.Shape.EventStream {
			return m
		}
	}
	return nil
}

// withoutMember is s without m, so the initial response leaves the stream
// member out.
func withoutMember(s *shape.Shape, m *shape.Member) *shape.Shape {
	cp := &shape.Shape{Name: s.Name, Type: s.Type, GoType: s.GoType}
	for _, x := range s.Members {
		if x != m {
			cp.Members = append(cp.Members, x)
		}
	}
	return cp
}

// encodeEvent finds the one member set in ev (a pointer to the union) and
// encodes it as the event's JSON payload.
func encodeEvent(union *shape.Shape, ev any) (name string, exception bool, payload []byte, err error) {
	v := reflect.ValueOf(ev)
	if v.Kind() != reflect.Pointer || v.IsNil() || v.Elem().Type() != union.GoType {
		return "", false, nil, fmt.Errorf("event %T is not a %s", ev, union.Name)
	}
	v = v.Elem()
	for _, m := range union.Members {
		f := v.Field(m.Index)
		if f.IsNil() {
			continue
		}
		return m.WireName(), m.Shape.Exception != nil, awsjson.AppendJSON(nil, m.Shape, f), nil
	}
	return "", false, nil, fmt.Errorf("event %s has no member set", union.Name)
}
