package gateway

import (
	"context"
	"slices"
	"sync"
	"testing"

	logsapi "github.com/vigilhq/vigil/internal/api/logs"
	"github.com/vigilhq/vigil/internal/api/shape"
	"github.com/vigilhq/vigil/internal/audit"
)

// steps records the order of a call's steps.
type steps struct {
	mu sync.Mutex
	s  []string
}

func (s *steps) add(step string) {
	s.mu.Lock()
	s.s = append(s.s, step)
	s.mu.Unlock()
}

func (s *steps) Record(*audit.Event) { s.add("audit") }

// A hot decoder's release runs once per call, after the handler and the
// audit, whether the decoder took the call or declined it (then after in
// was zeroed, and the generic path decoded the call afresh).
func TestHotDecoderReleasedAfterTheCall(t *testing.T) {
	for _, take := range []bool{true, false} {
		st := &steps{}
		var seen *logsapi.DescribeLogGroupsRequest
		b := bindTest[logsapi.Handler](logsapi.Model, logsStub{}, logsapi.Invoke)
		b.Hot = map[HotOp]HotDecoder{{"awsJson1_1", "DescribeLogGroups"}: func(body []byte, in any) (func(), bool) {
			st.add("decode")
			req := in.(*logsapi.DescribeLogGroupsRequest)
			req.LogGroupNamePrefix = shape.Ptr("from-the-hot-decoder")
			return func() {
				if take && shape.Value(seen.LogGroupNamePrefix) != "from-the-hot-decoder" {
					t.Error("released after in was changed")
				}
				st.add("release")
			}, take
		}}
		invoke := b.Invoke
		b.Invoke = func(ctx context.Context, op *shape.Operation, in any) (any, error) {
			seen = in.(*logsapi.DescribeLogGroupsRequest)
			st.add("handler " + shape.Value(seen.LogGroupNamePrefix))
			return invoke(ctx, op, in)
		}
		g := newTestGateway(st)
		g2 := New(Config{Services: []*Binding{b}, Auth: g.cfg.Auth, Keys: g.cfg.Keys, Audit: st, Clock: g.cfg.Clock, IDs: g.cfg.IDs, Logger: g.cfg.Logger})
		w := serve(g2, signed(t, "POST", "/", "logs", []byte(`{"logGroupNamePrefix":"generic"}`), jsonHeaders("Logs_20140328.DescribeLogGroups", "1.1")...))
		if w.status != 200 {
			t.Fatalf("take=%v: status %d %s", take, w.status, w.body.String())
		}
		want := []string{"decode", "handler from-the-hot-decoder", "audit", "release"}
		if !take {
			want = []string{"decode", "release", "handler generic", "audit"}
		}
		if !slices.Equal(st.s, want) {
			t.Errorf("take=%v: steps %q, want %q", take, st.s, want)
		}
	}
}
