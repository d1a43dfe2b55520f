package sqs

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/vigilhq/vigil/internal/api/shape"
	sqsapi "github.com/vigilhq/vigil/internal/api/sqs"
)

const srcArn = "arn:aws:sqs:us-east-1:" + testAccount + ":src"

// deadLetter sends bodies to src and receives until they are all moved to
// the dead-letter queue (maxReceiveCount 2, visibility timeout 0).
func (f *fixture) deadLetter(src string, bodies ...string) {
	f.t.Helper()
	for _, b := range bodies {
		f.send(src, b)
	}
	for range 3 {
		f.advance(time.Second)
		f.receive(src, 10)
	}
}

// manualTicks makes the service's move tasks wait for ticks sent on the
// returned channel.
func (f *fixture) manualTicks() chan time.Time {
	ch := make(chan time.Time)
	f.svc.moves.tick = func() (<-chan time.Time, func()) { return ch, func() {} }
	return ch
}

func (f *fixture) startMove(source, dest string, rate int32) string {
	f.t.Helper()
	in := &sqsapi.StartMessageMoveTaskRequest{SourceArn: &source}
	if dest != "" {
		in.DestinationArn = &dest
	}
	if rate != 0 {
		in.MaxNumberOfMessagesPerSecond = &rate
	}
	out, err := f.svc.StartMessageMoveTask(f.ctx(), in)
	if err != nil {
		f.t.Fatalf("StartMessageMoveTask: %v", err)
	}
	return *out.TaskHandle
}

func (f *fixture) moveTasks(source string, max int32) []sqsapi.ListMessageMoveTasksResultEntry {
	f.t.Helper()
	out, err := f.svc.ListMessageMoveTasks(f.ctx(), &sqsapi.ListMessageMoveTasksRequest{SourceArn: &source, MaxResults: &max})
	if err != nil {
		f.t.Fatalf("ListMessageMoveTasks: %v", err)
	}
	return out.Results
}

// waitTask polls the newest task of source until it has this status and
// count moved.
func (f *fixture) waitTask(source, status string, moved int64) sqsapi.ListMessageMoveTasksResultEntry {
	f.t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		e := f.moveTasks(source, 1)[0]
		if *e.Status == status && *e.ApproximateNumberOfMessagesMoved == moved {
			return e
		}
		if time.Now().After(deadline) {
			f.t.Fatalf("task %s moved %d, want %s moved %d", *e.Status, *e.ApproximateNumberOfMessagesMoved, status, moved)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestMoveTaskErrors(t *testing.T) {
	f := newFixture(t)
	src, _ := newRedrivePair(f)
	f.create("plain", nil)
	f.create("dst.fifo", map[string]string{"FifoQueue": "true"})
	start := func(src, dst string, rate *int32) error {
		in := &sqsapi.StartMessageMoveTaskRequest{SourceArn: &src, MaxNumberOfMessagesPerSecond: rate}
		if dst != "" {
			in.DestinationArn = &dst
		}
		_, err := f.svc.StartMessageMoveTask(f.ctx(), in)
		return err
	}
	arn := func(n string) string { return "arn:aws:sqs:us-east-1:" + testAccount + ":" + n }
	wantErr(t, start("", "", nil), "MissingParameter", "SourceArn")
	wantErr(t, start(arn("nope"), "", nil), "ResourceNotFoundException", "doesn't exist")
	wantErr(t, start("arn:aws:sqs:eu-west-1:"+testAccount+":dlq", "", nil), "ResourceNotFoundException", "doesn't exist")
	// A queue that is nobody's dead-letter queue cannot be a source.
	wantErr(t, start(arn("plain"), "", nil), "InvalidParameterValue", "Dead Letter Queue")
	wantErr(t, start(dlqArn, arn("nope"), nil), "ResourceNotFoundException", "doesn't exist")
	wantErr(t, start(dlqArn, dlqArn, nil), "InvalidParameterValue", "must be different")
	wantErr(t, start(dlqArn, arn("dst.fifo"), nil), "InvalidParameterValue", "same type")
	wantErr(t, start(dlqArn, "", shape.Ptr(int32(0))), "InvalidParameterValue", "MaxNumberOfMessagesPerSecond")
	wantErr(t, start(dlqArn, "", shape.Ptr(int32(501))), "InvalidParameterValue", "MaxNumberOfMessagesPerSecond")

	_, err := f.svc.ListMessageMoveTasks(f.ctx(), &sqsapi.ListMessageMoveTasksRequest{SourceArn: shape.Ptr(dlqArn), MaxResults: shape.Ptr(int32(11))})
	wantErr(t, err, "InvalidParameterValue", "MaxResults")
	_, err = f.svc.ListMessageMoveTasks(f.ctx(), &sqsapi.ListMessageMoveTasksRequest{SourceArn: shape.Ptr(arn("nope"))})
	wantErr(t, err, "ResourceNotFoundException", "doesn't exist")
	_, err = f.svc.CancelMessageMoveTask(f.ctx(), &sqsapi.CancelMessageMoveTaskRequest{TaskHandle: shape.Ptr("nope")})
	wantErr(t, err, "ResourceNotFoundException", "Task does not exist")
	if got := f.moveTasks(dlqArn, 10); len(got) != 0 {
		t.Fatalf("tasks before any start: %+v", got)
	}

	// One active task per source: a second start is refused while the
	// first runs (it waits for a tick that never comes).
	f.manualTicks()
	f.deadLetter(src, "a", "b")
	h := f.startMove(dlqArn, "", 1)
	f.waitTask(dlqArn, "RUNNING", 1)
	wantErr(t, start(dlqArn, "", nil), "InvalidParameterValue", "already a task running")
	if _, err := f.svc.CancelMessageMoveTask(f.ctx(), &sqsapi.CancelMessageMoveTaskRequest{TaskHandle: &h}); err != nil {
		t.Fatal(err)
	}
	f.waitTask(dlqArn, "CANCELLED", 1)
	// A finished task can no longer be cancelled.
	_, err = f.svc.CancelMessageMoveTask(f.ctx(), &sqsapi.CancelMessageMoveTaskRequest{TaskHandle: &h})
	wantErr(t, err, "ResourceNotFoundException", "Task does not exist")
}

// Without a destination each message goes back to the queue it came from,
// keeping its id and body and losing DeadLetterQueueSourceArn.
func TestMoveTaskToOriginalSources(t *testing.T) {
	f := newFixture(t)
	src, dlq := newRedrivePair(f)
	other := f.create("other", map[string]string{"RedrivePolicy": redrivePolicyOf(dlqArn, 2), "VisibilityTimeout": "0"})
	f.deadLetter(src, "s1", "s2")
	f.deadLetter(other, "o1")
	if a := f.attrs(dlq, "ApproximateNumberOfMessages"); a["ApproximateNumberOfMessages"] != "3" {
		t.Fatalf("dead-letter queue %v", a)
	}
	h := f.startMove(dlqArn, "", 0)
	e := f.waitTask(dlqArn, "COMPLETED", 3)
	switch {
	case e.TaskHandle != nil || e.DestinationArn != nil || e.FailureReason != nil || e.MaxNumberOfMessagesPerSecond != nil:
		t.Fatalf("completed task %+v", e)
	case *e.SourceArn != dlqArn || *e.StartedTimestamp != t0.Add(6*time.Second).UnixMilli():
		t.Fatalf("completed task %+v", e)
	case h == "":
		t.Fatal("no handle")
	}
	f.advance(time.Second)
	got := f.receive(src, 10, withSystem("All"))
	b := bodies(got)
	slices.Sort(b)
	if fmt.Sprint(b) != "[s1 s2]" || got[0].Attributes["DeadLetterQueueSourceArn"] != "" || got[0].Attributes["ApproximateReceiveCount"] != "1" {
		t.Fatalf("back in src: %v %v", b, got[0].Attributes)
	}
	if b := bodies(f.receive(other, 10)); fmt.Sprint(b) != "[o1]" {
		t.Fatalf("back in other: %v", b)
	}
	if got := f.receive(dlq, 10); len(got) != 0 {
		t.Fatalf("dead-letter queue still has %v", bodies(got))
	}
	// Durable: after a restart the messages are where they were moved.
	f.reopen()
	if a := f.attrs(dlq, "ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"); a["ApproximateNumberOfMessages"] != "0" || a["ApproximateNumberOfMessagesNotVisible"] != "0" {
		t.Fatalf("dead-letter queue after restart %v", a)
	}
	// The task list is in memory only.
	if got := f.moveTasks(dlqArn, 10); len(got) != 0 {
		t.Fatalf("tasks after restart %+v", got)
	}
}

// A message whose original source is gone fails the task and stays put.
func TestMoveTaskOriginalSourceDeleted(t *testing.T) {
	f := newFixture(t)
	src, dlq := newRedrivePair(f)
	f.deadLetter(src, "m")
	f.create("keep", map[string]string{"RedrivePolicy": redrivePolicyOf(dlqArn, 2)}) // dlq stays a dead-letter queue
	if err := f.svc.DeleteQueue(f.ctx(), &sqsapi.DeleteQueueRequest{QueueUrl: &src}); err != nil {
		t.Fatal(err)
	}
	f.startMove(dlqArn, "", 0)
	e := f.waitTask(dlqArn, "FAILED", 0)
	if shape.Value(e.FailureReason) != "The original source queue "+srcArn+" of a message does not exist." {
		t.Fatalf("failure reason %q", shape.Value(e.FailureReason))
	}
	if b := bodies(f.receive(dlq, 10)); fmt.Sprint(b) != "[m]" {
		t.Fatalf("dead-letter queue %v", b)
	}
}

func TestMoveTaskToDestination(t *testing.T) {
	f := newFixture(t)
	src, dlq := newRedrivePair(f)
	dst := f.create("dst", nil)
	f.deadLetter(src, "a", "b")
	f.startMove(dlqArn, "arn:aws:sqs:us-east-1:"+testAccount+":dst", 0)
	e := f.waitTask(dlqArn, "COMPLETED", 2)
	if shape.Value(e.DestinationArn) != "arn:aws:sqs:us-east-1:"+testAccount+":dst" {
		t.Fatalf("task %+v", e)
	}
	f.advance(time.Second)
	b := bodies(f.receive(dst, 10))
	slices.Sort(b)
	if fmt.Sprint(b) != "[a b]" {
		t.Fatalf("destination %v", b)
	}
	if len(f.receive(src, 10)) != 0 || len(f.receive(dlq, 10)) != 0 {
		t.Fatal("messages left behind")
	}
}

// The task moves at most the rate per tick; ListMessageMoveTasks shows the
// running task's handle and counts, newest first.
func TestMoveTaskRateAndCancel(t *testing.T) {
	f := newFixture(t)
	ticks := f.manualTicks()
	src, dlq := newRedrivePair(f)
	f.deadLetter(src, "1", "2", "3", "4", "5", "6", "7")
	h := f.startMove(dlqArn, "", 2)
	e := f.waitTask(dlqArn, "RUNNING", 2)
	if shape.Value(e.TaskHandle) != h || *e.ApproximateNumberOfMessagesToMove != 7 || *e.MaxNumberOfMessagesPerSecond != 2 {
		t.Fatalf("running task %+v", e)
	}
	ticks <- time.Time{}
	f.waitTask(dlqArn, "RUNNING", 4)
	out, err := f.svc.CancelMessageMoveTask(f.ctx(), &sqsapi.CancelMessageMoveTaskRequest{TaskHandle: &h})
	if err != nil || *out.ApproximateNumberOfMessagesMoved != 4 {
		t.Fatalf("cancel: %v %v", out, err)
	}
	f.waitTask(dlqArn, "CANCELLED", 4)
	if a := f.attrs(dlq, "ApproximateNumberOfMessages"); a["ApproximateNumberOfMessages"] != "3" {
		t.Fatalf("left in the dead-letter queue %v", a)
	}
	// A new task may start once the old one ended; the list is newest first.
	f.startMove(dlqArn, "", 3)
	f.waitTask(dlqArn, "RUNNING", 3)
	ticks <- time.Time{}
	f.waitTask(dlqArn, "COMPLETED", 3)
	list := f.moveTasks(dlqArn, 10)
	if len(list) != 2 || *list[0].Status != "COMPLETED" || *list[1].Status != "CANCELLED" {
		t.Fatalf("list %+v", list)
	}
}

// Close stops a running task and waits for its goroutine.
func TestMoveTaskStopsOnClose(t *testing.T) {
	f := newFixture(t)
	f.manualTicks()
	src, _ := newRedrivePair(f)
	f.deadLetter(src, "1", "2")
	f.startMove(dlqArn, "", 1)
	f.waitTask(dlqArn, "RUNNING", 1)
	svc := f.svc
	svc.Close()
	if e := f.moveTasks(dlqArn, 1)[0]; *e.Status != "CANCELLED" {
		t.Fatalf("after Close %+v", e)
	}
	_, err := svc.StartMessageMoveTask(f.ctx(), &sqsapi.StartMessageMoveTaskRequest{SourceArn: shape.Ptr(dlqArn)})
	wantErr(t, err, "ServiceUnavailable", "shutting down")
}
