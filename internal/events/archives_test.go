package events

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/cockroachdb/datadriven"

	eventsapi "github.com/vigilhq/vigil/internal/api/events"
	"github.com/vigilhq/vigil/internal/api/shape"
)

// scriptArchiveCmd runs the script commands of archives and replays.
func scriptArchiveCmd(t *testing.T, e *env, d *datadriven.TestData) string {
	ctx := context.Background()
	switch d.Cmd {
	case "replay-run":
		before := e.out.len()
		var err error
		if d.HasArg("batch") {
			var n int
			d.ScanArgs(t, "batch", &n)
			_, err = e.s.replayPass(ctx, n)
		} else {
			err = e.s.RunReplays(ctx)
		}
		if err != nil {
			return "error " + err.Error() + "\n"
		}
		return fmt.Sprintf("%d deliveries enqueued\n", e.out.len()-before)
	case "sweep-archives":
		if err := e.s.SweepArchives(ctx); err != nil {
			return "error " + err.Error() + "\n"
		}
		return "ok\n"
	}
	t.Fatalf("unknown command %s", d.Cmd)
	return ""
}

func mustCall(t *testing.T, e *env, op, input string) string {
	t.Helper()
	out := invoke(t, e.s, e.ctx(), op, input)
	if strings.HasPrefix(out, "error ") {
		t.Fatalf("%s: %s", op, out)
	}
	return out
}

func describeArchive(t *testing.T, e *env, name string) *eventsapi.DescribeArchiveResponse {
	t.Helper()
	out, err := e.s.DescribeArchive(e.ctx(), &eventsapi.DescribeArchiveRequest{ArchiveName: shape.Ptr(name)})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func putAt(t *testing.T, e *env, bus string, at ...time.Time) {
	t.Helper()
	in := &eventsapi.PutEventsRequest{}
	for i, ts := range at {
		in.Entries = append(in.Entries, eventsapi.PutEventsRequestEntry{Source: shape.Ptr("app"), DetailType: shape.Ptr("t"),
			Detail: shape.Ptr(fmt.Sprintf(`{"n":%d}`, i)), EventBusName: shape.Ptr(bus), Time: shape.Ptr(ts)})
	}
	out, err := e.s.PutEvents(e.ctx(), in)
	if err != nil || shape.Value(out.FailedEntryCount) != 0 {
		t.Fatalf("PutEvents: %v %+v", err, out)
	}
}

// An archived event survives a restart: it was fsynced before PutEvents
// answered, and the counts are rebuilt from the store.
func TestArchiveDurableAcrossRestart(t *testing.T) {
	e := newEnv(t)
	mustCall(t, e, "CreateArchive", `{"ArchiveName": "a", "EventSourceArn": "arn:aws:events:us-east-1:123456789012:event-bus/default"}`)
	putAt(t, e, "default", t0.Add(-time.Hour), t0.Add(-time.Minute))
	before := describeArchive(t, e, "a")
	if shape.Value(before.EventCount) != 2 || shape.Value(before.SizeBytes) == 0 {
		t.Fatalf("before restart: %d events, %d bytes", shape.Value(before.EventCount), shape.Value(before.SizeBytes))
	}
	e.restart()
	after := describeArchive(t, e, "a")
	if shape.Value(after.EventCount) != 2 || shape.Value(after.SizeBytes) != shape.Value(before.SizeBytes) {
		t.Fatalf("after restart: %d events, %d bytes; want 2, %d", shape.Value(after.EventCount), shape.Value(after.SizeBytes), shape.Value(before.SizeBytes))
	}
	mustCall(t, e, "PutRule", `{"Name": "r", "EventPattern": "{\"source\": [\"app\"]}"}`)
	mustCall(t, e, "PutTargets", `{"Rule": "r", "Targets": [{"Id": "q", "Arn": "arn:aws:sqs:us-east-1:123456789012:q"}]}`)
	mustCall(t, e, "StartReplay", `{"ReplayName": "rp", "EventSourceArn": "arn:aws:events:us-east-1:123456789012:archive/a",
		"EventStartTime": "2026-11-25T08:00:00Z", "EventEndTime": "2026-11-25T10:00:00Z",
		"Destination": {"Arn": "arn:aws:events:us-east-1:123456789012:event-bus/default"}}`)
	if err := e.s.RunReplays(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n := e.k.len(); n != 2 {
		t.Fatalf("%d messages delivered by the replay, want 2", n)
	}
}

// Retention deletes only events older than RetentionDays and keeps the
// counts exact; an archive without retention keeps everything.
func TestArchiveRetention(t *testing.T) {
	e := newEnv(t)
	mustCall(t, e, "CreateArchive", `{"ArchiveName": "short", "RetentionDays": 1, "EventSourceArn": "arn:aws:events:us-east-1:123456789012:event-bus/default"}`)
	mustCall(t, e, "CreateArchive", `{"ArchiveName": "forever", "EventSourceArn": "arn:aws:events:us-east-1:123456789012:event-bus/default"}`)
	putAt(t, e, "default", t0.Add(-48*time.Hour), t0.Add(-25*time.Hour), t0.Add(-23*time.Hour), t0)
	if err := e.s.SweepArchives(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n := shape.Value(describeArchive(t, e, "short").EventCount); n != 2 {
		t.Fatalf("short: %d events after the sweep, want 2", n)
	}
	if n := shape.Value(describeArchive(t, e, "forever").EventCount); n != 4 {
		t.Fatalf("forever: %d events after the sweep, want 4", n)
	}
	e.clk.Advance(25 * time.Hour)
	if err := e.s.SweepArchives(context.Background()); err != nil {
		t.Fatal(err)
	}
	short := describeArchive(t, e, "short")
	if shape.Value(short.EventCount) != 0 || shape.Value(short.SizeBytes) != 0 {
		t.Fatalf("short: %d events, %d bytes after a day, want none", shape.Value(short.EventCount), shape.Value(short.SizeBytes))
	}
	e.restart()
	if n := shape.Value(describeArchive(t, e, "short").EventCount); n != 0 {
		t.Fatalf("short after restart: %d events, want 0", n)
	}
}

// A replay running at shutdown resumes from its cursor after a restart and
// does not replay what it already had.
func TestReplayResumesAfterRestart(t *testing.T) {
	e := newEnv(t)
	mustCall(t, e, "CreateArchive", `{"ArchiveName": "a", "EventSourceArn": "arn:aws:events:us-east-1:123456789012:event-bus/default"}`)
	mustCall(t, e, "PutRule", `{"Name": "r", "EventPattern": "{\"source\": [\"app\"]}"}`)
	mustCall(t, e, "PutTargets", `{"Rule": "r", "Targets": [{"Id": "q", "Arn": "arn:aws:sqs:us-east-1:123456789012:q"}]}`)
	putAt(t, e, "default", t0.Add(-3*time.Minute), t0.Add(-2*time.Minute), t0.Add(-time.Minute))
	e.out.run(e.s, e.clk.Now())
	e.k.take()
	mustCall(t, e, "StartReplay", `{"ReplayName": "rp", "EventSourceArn": "arn:aws:events:us-east-1:123456789012:archive/a",
		"EventStartTime": "2026-11-25T09:00:00Z", "EventEndTime": "2026-11-25T10:00:00Z",
		"Destination": {"Arn": "arn:aws:events:us-east-1:123456789012:event-bus/default"}}`)
	if _, err := e.s.replayPass(context.Background(), 1); err != nil {
		t.Fatal(err)
	}
	e.restart()
	out, err := e.s.DescribeReplay(e.ctx(), &eventsapi.DescribeReplayRequest{ReplayName: shape.Ptr("rp")})
	if err != nil {
		t.Fatal(err)
	}
	if shape.Value(out.State) != eventsapi.ReplayStateRunning || !out.EventLastReplayedTime.Equal(t0.Add(-3*time.Minute)) {
		t.Fatalf("after restart: state %s, last replayed %v", shape.Value(out.State), out.EventLastReplayedTime)
	}
	if err := e.s.RunReplays(context.Background()); err != nil {
		t.Fatal(err)
	}
	e.out.run(e.s, e.clk.Now())
	got := e.k.take()
	if len(got) != 3 {
		t.Fatalf("got %d deliveries, want 3 (one before the restart, two after):\n%s", len(got), strings.Join(got, "\n"))
	}
	for _, g := range got {
		if !strings.Contains(g, `"replay-name":"rp"`) {
			t.Errorf("delivery without replay-name: %s", g)
		}
	}
	out, _ = e.s.DescribeReplay(e.ctx(), &eventsapi.DescribeReplayRequest{ReplayName: shape.Ptr("rp")})
	if shape.Value(out.State) != eventsapi.ReplayStateCompleted || out.ReplayEndTime == nil {
		t.Fatalf("state %s, end %v; want COMPLETED with an end time", shape.Value(out.State), out.ReplayEndTime)
	}
}

// The runner goroutine started by Start runs a replay to completion without
// anyone calling RunReplays, and Close stops it.
func TestReplayRunnerStartClose(t *testing.T) {
	e := newEnv(t)
	mustCall(t, e, "CreateArchive", `{"ArchiveName": "a", "EventSourceArn": "arn:aws:events:us-east-1:123456789012:event-bus/default"}`)
	mustCall(t, e, "PutRule", `{"Name": "r", "EventPattern": "{\"source\": [\"app\"]}"}`)
	mustCall(t, e, "PutTargets", `{"Rule": "r", "Targets": [{"Id": "q", "Arn": "arn:aws:sqs:us-east-1:123456789012:q"}]}`)
	putAt(t, e, "default", t0.Add(-time.Minute))
	e.s.Start()
	mustCall(t, e, "StartReplay", `{"ReplayName": "rp", "EventSourceArn": "arn:aws:events:us-east-1:123456789012:archive/a",
		"EventStartTime": "2026-11-25T09:00:00Z", "EventEndTime": "2026-11-25T10:00:00Z",
		"Destination": {"Arn": "arn:aws:events:us-east-1:123456789012:event-bus/default"}}`)
	deadline := time.Now().Add(30 * time.Second)
	for {
		out, err := e.s.DescribeReplay(e.ctx(), &eventsapi.DescribeReplayRequest{ReplayName: shape.Ptr("rp")})
		if err != nil {
			t.Fatal(err)
		}
		if shape.Value(out.State) == eventsapi.ReplayStateCompleted {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("replay still %s", shape.Value(out.State))
		}
		time.Sleep(10 * time.Millisecond)
	}
	e.s.Close()
	e.s.Close() // idempotent
	if n := e.k.len(); n != 2 {
		t.Fatalf("%d messages delivered, want 2 (the original and its replay)", n)
	}
}

// At most ten replays may be active per account and region; finished ones
// do not count.
func TestReplayActiveLimit(t *testing.T) {
	e := newEnv(t)
	mustCall(t, e, "CreateArchive", `{"ArchiveName": "a", "EventSourceArn": "arn:aws:events:us-east-1:123456789012:event-bus/default"}`)
	start := func(i int) string {
		return invoke(t, e.s, e.ctx(), "StartReplay", fmt.Sprintf(`{"ReplayName": "rp%d", "EventSourceArn": "arn:aws:events:us-east-1:123456789012:archive/a",
			"EventStartTime": "2026-11-25T09:00:00Z", "EventEndTime": "2026-11-25T10:00:00Z",
			"Destination": {"Arn": "arn:aws:events:us-east-1:123456789012:event-bus/default"}}`, i))
	}
	for i := range maxActiveReplays {
		if out := start(i); strings.HasPrefix(out, "error") {
			t.Fatalf("replay %d: %s", i, out)
		}
	}
	if out := start(99); !strings.HasPrefix(out, "error LimitExceededException") {
		t.Fatalf("eleventh active replay: %s", out)
	}
	if err := e.s.RunReplays(context.Background()); err != nil {
		t.Fatal(err)
	}
	if out := start(99); strings.HasPrefix(out, "error") {
		t.Fatalf("after the others completed: %s", out)
	}
}

// quietPebble keeps Pebble's informational chatter out of test output.
type quietPebble struct{ t testing.TB }

func (quietPebble) Infof(string, ...any)                {}
func (q quietPebble) Errorf(format string, args ...any) { q.t.Logf("pebble: "+format, args...) }
func (q quietPebble) Fatalf(format string, args ...any) { q.t.Fatalf("pebble: "+format, args...) }

// PutEvents, archive changes and replays run concurrently (for -race).
func TestArchiveConcurrent(t *testing.T) {
	e := newEnv(t)
	mustCall(t, e, "CreateArchive", `{"ArchiveName": "a", "EventSourceArn": "arn:aws:events:us-east-1:123456789012:event-bus/default"}`)
	mustCall(t, e, "PutRule", `{"Name": "r", "EventPattern": "{\"source\": [\"app\"]}"}`)
	mustCall(t, e, "PutTargets", `{"Rule": "r", "Targets": [{"Id": "q", "Arn": "arn:aws:sqs:us-east-1:123456789012:q"}]}`)
	e.s.Start()
	defer e.s.Close()
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := range 50 {
			at := t0.Add(-time.Duration(i) * time.Second)
			out, err := e.s.PutEvents(e.ctx(), &eventsapi.PutEventsRequest{Entries: []eventsapi.PutEventsRequestEntry{{
				Source: shape.Ptr("app"), DetailType: shape.Ptr("t"), Detail: shape.Ptr("{}"), Time: &at}}})
			if err != nil || shape.Value(out.FailedEntryCount) != 0 {
				t.Errorf("PutEvents: %v %+v", err, out)
			}
		}
	}()
	for i := range 20 {
		invoke(t, e.s, e.ctx(), "UpdateArchive", fmt.Sprintf(`{"ArchiveName": "a", "Description": "v%d"}`, i))
		invoke(t, e.s, e.ctx(), "StartReplay", fmt.Sprintf(`{"ReplayName": "rp%d", "EventSourceArn": "arn:aws:events:us-east-1:123456789012:archive/a",
			"EventStartTime": "2026-11-25T09:00:00Z", "EventEndTime": "2026-11-25T10:00:01Z",
			"Destination": {"Arn": "arn:aws:events:us-east-1:123456789012:event-bus/default"}}`, i))
		invoke(t, e.s, e.ctx(), "CancelReplay", fmt.Sprintf(`{"ReplayName": "rp%d"}`, i))
		invoke(t, e.s, e.ctx(), "ListReplays", `{}`)
	}
	<-done
	if err := e.s.SweepArchives(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n := describeArchive(t, e, "a").EventCount; shape.Value(n) != 50 {
		t.Fatalf("%d events archived, want 50", shape.Value(n))
	}
}

// TestForwardRetryArchivesOnce: a forward attempted again (after a failure
// past its archive write) leaves one archived copy, counted once.
func TestForwardRetryArchivesOnce(t *testing.T) {
	e := newEnv(t)
	e.calls(t,
		apiCall{"CreateEventBus", `{"Name":"second"}`},
		apiCall{"CreateArchive", `{"ArchiveName":"a","EventSourceArn":"arn:aws:events:us-east-1:123456789012:event-bus/second"}`},
	)
	tg, err := compileTarget(partition{acct, reg}, &eventsapi.Target{Id: shape.Ptr("b"), Arn: shape.Ptr("arn:aws:events:us-east-1:123456789012:event-bus/second")})
	if err != nil {
		t.Fatal(err)
	}
	ev := appendEvent(nil, "id-1", "d", "app", partition{acct, reg}, e.clk.Now(), nil, []byte(`{}`))
	j := &job{Account: acct, Region: reg, Bus: defaultBus, ID: "id-1", Time: e.clk.Now().UnixMilli(), Event: ev}
	for range 2 {
		if err := e.s.forward(e.ctx(), tg, j, e.clk.Now()); err != nil {
			t.Fatal(err)
		}
	}
	if d := describeArchive(t, e, "a"); shape.Value(d.EventCount) != 1 || shape.Value(d.SizeBytes) != int64(len(ev)) {
		t.Fatalf("after two forwards: %d events, %d bytes; want 1, %d", shape.Value(d.EventCount), shape.Value(d.SizeBytes), len(ev))
	}
	e.restart()
	if d := describeArchive(t, e, "a"); shape.Value(d.EventCount) != 1 {
		t.Fatalf("after a restart: %d events, want 1", shape.Value(d.EventCount))
	}
}
