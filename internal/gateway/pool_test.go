package gateway

import (
	"strconv"
	"testing"
)

// The per-call state is recycled (getCall, putCall): one answer must not
// leak a header or a byte of its body into the next one's.
func TestRecycledCallsStartClean(t *testing.T) {
	g := newTestGateway(&events{})
	long := func() *sink {
		return serve(g, signed(t, "POST", "/", "logs", []byte(`{"logGroupNamePrefix":"plain-error"}`),
			jsonHeaders("Logs_20140328.DescribeLogGroups", "1.1")...))
	}
	short := func() *sink {
		return serve(g, signed(t, "POST", "/", "logs", []byte(`{}`), jsonHeaders("Logs_20140328.DescribeLogGroups", "1.1")...))
	}
	for range 20 { // sync.Pool may drop an item now and then
		if w := long(); w.status != 500 || w.h.Get("X-Amzn-Errortype") == "" {
			t.Fatalf("error answer: %d %v", w.status, w.h)
		}
		w := short()
		if w.status != 200 || w.body.String() != `{"logGroups":[]}` {
			t.Fatalf("answer after an error: %d %q", w.status, w.body.String())
		}
		if w.h.Get("X-Amzn-Errortype") != "" {
			t.Fatalf("error header leaked into the next answer: %v", w.h)
		}
		if got := w.h.Get("Content-Length"); got != strconv.Itoa(w.body.Len()) {
			t.Fatalf("Content-Length %s for %d bytes", got, w.body.Len())
		}
		if ids := w.h.Values("X-Amzn-Requestid"); len(ids) != 1 || ids[0] == "" {
			t.Fatalf("request ids %q", ids)
		}
	}
}
