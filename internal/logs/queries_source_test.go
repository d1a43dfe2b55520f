package logs

import (
	"errors"
	"testing"
	"time"

	logsapi "github.com/vigilhq/vigil/internal/api/logs"
	"github.com/vigilhq/vigil/internal/api/shape"
	"github.com/vigilhq/vigil/internal/insights"
)

// TestStartQuerySourceWindow: SOURCE start= and end= replace startTime and
// endTime, relative to the request's time; a bad window is a
// MalformedQueryException with its location.
func TestStartQuerySourceWindow(t *testing.T) {
	f := newFixture(t) // now: 2026-11-25T12:00:00Z
	q := &specQueries{}
	f.svc.queries, f.svc.checkQuery = q, insights.Unsupported
	f.mustCreate(t, "lg")
	ia := "ia"
	if err := f.svc.CreateLogGroup(f.ctx(), &logsapi.CreateLogGroupRequest{LogGroupName: &ia, LogGroupClass: shape.Ptr(logsapi.LogGroupClassInfrequentAccess)}); err != nil {
		t.Fatal(err)
	}
	start := func(qs string) error {
		_, err := f.svc.StartQuery(f.ctx(), &logsapi.StartQueryRequest{QueryString: &qs,
			StartTime: shape.Ptr(int64(1700000000)), EndTime: shape.Ptr(int64(1700000060))})
		return err
	}
	window := func() string {
		s := q.specs[len(q.specs)-1]
		return time.UnixMilli(s.Start).UTC().Format(time.RFC3339Nano) + ".." + time.UnixMilli(s.End).UTC().Format(time.RFC3339Nano)
	}
	for _, c := range []struct{ qs, want string }{
		{"SOURCE lg | fields @message", "2023-11-14T22:13:20Z..2023-11-14T22:14:20.999Z"},
		{"SOURCE lg start=-1d end=now | logcompare timeshift 7d", "2026-11-24T12:00:00Z..2026-11-25T12:00:00Z"},
		{"SOURCE lg end=-30m", "2023-11-14T22:13:20Z..2026-11-25T11:30:00Z"},
	} {
		if err := start(c.qs); err != nil {
			t.Fatalf("%s: %v", c.qs, err)
		}
		if got := window(); got != c.want {
			t.Errorf("%s: window %s, want %s", c.qs, got, c.want)
		}
	}
	// start=-1y is after endTime: the window is empty.
	err := start("SOURCE lg start=-1y | anomaly")
	var mq *logsapi.MalformedQueryException
	if !errors.As(err, &mq) || mq.QueryCompileError == nil || *mq.QueryCompileError.Location.StartCharOffset != 10 {
		t.Fatalf("empty window: %v", err)
	}
	wantErr[*logsapi.MalformedQueryException](t, start("SOURCE lg start=1700000000"), "absolute times are not supported")
	wantErr[*logsapi.MalformedQueryException](t, start("SOURCE lg start=-1h | SOURCE lg start=-2h"), "a query has one time window")
	wantErr[*logsapi.MalformedQueryException](t, start("fields a | join left=a right=b where a.x = b.x (SOURCE 'lg' start=-1d)"), "not supported")
	wantErr[*logsapi.InvalidParameterException](t, start("SOURCE ia start=-1d end=now | logcompare timeshift 7d"), "does not support the logcompare command")
}
