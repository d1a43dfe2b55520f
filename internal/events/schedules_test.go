package events

import (
	"testing"
	"time"

	eventsapi "github.com/vigilhq/vigil/internal/api/events"
	"github.com/vigilhq/vigil/internal/api/shape"
)

// TestScheduleLoopStartClose: the loop Start runs fires a due rule on its
// own, and Close stops it (twice is harmless).
func TestScheduleLoopStartClose(t *testing.T) {
	e := newEnv(t)
	if _, err := e.s.PutRule(e.ctx(), &eventsapi.PutRuleRequest{Name: shape.Ptr("tick"), ScheduleExpression: shape.Ptr("rate(1 minute)")}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.s.PutTargets(e.ctx(), &eventsapi.PutTargetsRequest{Rule: shape.Ptr("tick"),
		Targets: []eventsapi.Target{{Id: shape.Ptr("q"), Arn: shape.Ptr("arn:aws:sqs:us-east-1:123456789012:q")}}}); err != nil {
		t.Fatal(err)
	}
	if err := e.s.FireSchedules(t.Context()); err != nil { // the rule is seen before the clock moves
		t.Fatal(err)
	}
	e.s.Start()
	e.clk.Advance(2 * time.Minute)
	deadline := time.Now().Add(10 * time.Second)
	for e.k.len() == 0 { // the queue is written at once
		if time.Now().After(deadline) {
			t.Fatal("the schedule loop never fired")
		}
		time.Sleep(10 * time.Millisecond)
	}
	e.s.Close()
	e.s.Close()
}
