package e2e

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// --- helpers -----------------------------------------------------------------

const testAccount = "000000000000"

func logGroupArn(name string) string {
	return "arn:aws:logs:us-east-1:" + testAccount + ":log-group:" + name
}

func logEv(ts int64, msg string) types.InputLogEvent {
	return types.InputLogEvent{Timestamp: aws.Int64(ts), Message: aws.String(msg)}
}

func ms(t time.Time) int64 { return t.UnixMilli() }

// mkLogs creates a log group and its streams.
func mkLogs(t *testing.T, c *clients, group string, streams ...string) {
	t.Helper()
	ctx := ctxT(t)
	if _, err := c.logs.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String(group)}); err != nil {
		t.Fatalf("CreateLogGroup %s: %v", group, err)
	}
	for _, s := range streams {
		if _, err := c.logs.CreateLogStream(ctx, &cloudwatchlogs.CreateLogStreamInput{LogGroupName: aws.String(group), LogStreamName: aws.String(s)}); err != nil {
			t.Fatalf("CreateLogStream %s/%s: %v", group, s, err)
		}
	}
}

// putLogs puts a batch that must be accepted whole.
func putLogs(t *testing.T, c *clients, group, stream string, evs ...types.InputLogEvent) {
	t.Helper()
	out, err := c.logs.PutLogEvents(ctxT(t), &cloudwatchlogs.PutLogEventsInput{
		LogGroupName: aws.String(group), LogStreamName: aws.String(stream), LogEvents: evs,
	})
	if err != nil {
		t.Fatalf("PutLogEvents %s/%s: %v", group, stream, err)
	}
	if out.RejectedLogEventsInfo != nil {
		t.Fatalf("PutLogEvents %s/%s rejected events: %+v", group, stream, *out.RejectedLogEventsInfo)
	}
}

// getMessages reads a whole stream oldest first with forward tokens.
func getMessages(t *testing.T, c *clients, group, stream string) []string {
	t.Helper()
	var msgs []string
	in := &cloudwatchlogs.GetLogEventsInput{LogGroupName: aws.String(group), LogStreamName: aws.String(stream), StartFromHead: aws.Bool(true)}
	for range 100_000 {
		out, err := c.logs.GetLogEvents(ctxT(t), in)
		if err != nil {
			t.Fatalf("GetLogEvents %s/%s: %v", group, stream, err)
		}
		for _, e := range out.Events {
			msgs = append(msgs, aws.ToString(e.Message))
		}
		if in.NextToken != nil && aws.ToString(out.NextForwardToken) == aws.ToString(in.NextToken) {
			return msgs
		}
		in.NextToken = out.NextForwardToken
	}
	t.Fatalf("GetLogEvents %s/%s never returned its forward token again", group, stream)
	return nil
}

// filterAll pages through FilterLogEvents.
func filterAll(t *testing.T, c *clients, in cloudwatchlogs.FilterLogEventsInput) []types.FilteredLogEvent {
	t.Helper()
	var evs []types.FilteredLogEvent
	for range 100_000 {
		out, err := c.logs.FilterLogEvents(ctxT(t), &in)
		if err != nil {
			t.Fatalf("FilterLogEvents %q: %v", aws.ToString(in.FilterPattern), err)
		}
		evs = append(evs, out.Events...)
		if out.NextToken == nil {
			return evs
		}
		in.NextToken = out.NextToken
	}
	t.Fatal("FilterLogEvents never stopped returning a nextToken")
	return nil
}

func filteredMessages(evs []types.FilteredLogEvent) []string {
	msgs := make([]string, len(evs))
	for i, e := range evs {
		msgs[i] = aws.ToString(e.Message)
	}
	return msgs
}

// eventually polls cond until it holds or 10 s have passed; the last
// failure explanation is reported.
func eventually(t *testing.T, what string, cond func() (bool, string)) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		ok, why := cond()
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: %s", what, why)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func apiMessage(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorMessage()
	}
	return ""
}

// --- groups and streams -------------------------------------------------------

func TestLogsGroupsAndStreams(t *testing.T) {
	p := startVigil(t, "")
	c := newClients(p.URL, "test", "test", "us-east-1")
	ctx := ctxT(t)

	before := time.Now().Add(-time.Second).UnixMilli()
	_, err := c.logs.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{
		LogGroupName: aws.String("/e2e/app-1"), Tags: map[string]string{"team": "core", "env": "test"},
		LogGroupClass: types.LogGroupClassInfrequentAccess,
	})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.logs.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String("/e2e/app-1")})
	wantAPIError(t, "duplicate group", err, "ResourceAlreadyExistsException", 400)
	for _, n := range []string{"/e2e/app-2", "/e2e/app-3", "/e2e/app-4", "/e2e/app-5", "/other/app-3x"} {
		mkLogs(t, c, n)
	}

	tags, err := c.logs.ListTagsForResource(ctx, &cloudwatchlogs.ListTagsForResourceInput{ResourceArn: aws.String(logGroupArn("/e2e/app-1"))})
	if err != nil || tags.Tags["team"] != "core" || tags.Tags["env"] != "test" || len(tags.Tags) != 2 {
		t.Fatalf("tags given at creation: %+v %v", tags, err)
	}

	// Prefix, full description.
	dg, err := c.logs.DescribeLogGroups(ctx, &cloudwatchlogs.DescribeLogGroupsInput{LogGroupNamePrefix: aws.String("/e2e/app-1")})
	if err != nil || len(dg.LogGroups) != 1 {
		t.Fatalf("DescribeLogGroups prefix: %+v %v", dg, err)
	}
	g := dg.LogGroups[0]
	if aws.ToString(g.LogGroupName) != "/e2e/app-1" || aws.ToString(g.Arn) != logGroupArn("/e2e/app-1")+":*" ||
		aws.ToString(g.LogGroupArn) != logGroupArn("/e2e/app-1") || g.LogGroupClass != types.LogGroupClassInfrequentAccess ||
		aws.ToInt64(g.CreationTime) < before || aws.ToInt64(g.CreationTime) > time.Now().Add(time.Second).UnixMilli() ||
		g.StoredBytes == nil || aws.ToInt32(g.MetricFilterCount) != 0 || g.RetentionInDays != nil {
		t.Fatalf("described group: %+v", g)
	}
	if dg.NextToken != nil {
		t.Fatalf("DescribeLogGroups prefix: unexpected nextToken")
	}

	// Pattern: a case-sensitive substring; only arn, creationTime and
	// logGroupName come back.
	dg, err = c.logs.DescribeLogGroups(ctx, &cloudwatchlogs.DescribeLogGroupsInput{LogGroupNamePattern: aws.String("app-3")})
	if err != nil || len(dg.LogGroups) != 2 {
		t.Fatalf("DescribeLogGroups pattern: %+v %v", dg, err)
	}
	for _, g := range dg.LogGroups {
		if g.Arn == nil || g.CreationTime == nil || g.LogGroupName == nil {
			t.Errorf("pattern result lacks arn/creationTime/logGroupName: %+v", g)
		}
		if g.LogGroupArn != nil || g.StoredBytes != nil || g.MetricFilterCount != nil || g.LogGroupClass != "" || g.RetentionInDays != nil || g.KmsKeyId != nil {
			t.Errorf("pattern result has more than arn/creationTime/logGroupName: %+v", g)
		}
	}
	if n := []string{aws.ToString(dg.LogGroups[0].LogGroupName), aws.ToString(dg.LogGroups[1].LogGroupName)}; !slices.Equal(n, []string{"/e2e/app-3", "/other/app-3x"}) {
		t.Errorf("pattern names: %v", n)
	}
	if dg, err = c.logs.DescribeLogGroups(ctx, &cloudwatchlogs.DescribeLogGroupsInput{LogGroupNamePattern: aws.String("APP-3")}); err != nil || len(dg.LogGroups) != 0 {
		t.Errorf("pattern is case-sensitive: %+v %v", dg, err)
	}
	_, err = c.logs.DescribeLogGroups(ctx, &cloudwatchlogs.DescribeLogGroupsInput{LogGroupNamePattern: aws.String("app"), LogGroupNamePrefix: aws.String("/e2e")})
	wantAPIError(t, "prefix and pattern", err, "InvalidParameterException", 400)

	// Paging: limit 2 over five groups.
	var names []string
	var pages int
	in := &cloudwatchlogs.DescribeLogGroupsInput{LogGroupNamePrefix: aws.String("/e2e/"), Limit: aws.Int32(2)}
	for {
		out, err := c.logs.DescribeLogGroups(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		if len(out.LogGroups) > 2 {
			t.Fatalf("page of %d groups with limit 2", len(out.LogGroups))
		}
		for _, g := range out.LogGroups {
			names = append(names, aws.ToString(g.LogGroupName))
		}
		if out.NextToken == nil {
			break
		}
		in.NextToken = out.NextToken
	}
	if want := []string{"/e2e/app-1", "/e2e/app-2", "/e2e/app-3", "/e2e/app-4", "/e2e/app-5"}; !slices.Equal(names, want) || pages != 3 {
		t.Fatalf("paged DescribeLogGroups: %v in %d pages", names, pages)
	}
	_, err = c.logs.DescribeLogGroups(ctx, &cloudwatchlogs.DescribeLogGroupsInput{NextToken: aws.String("!!not a token")})
	wantAPIError(t, "bad nextToken", err, "InvalidParameterException", 400)

	// ListLogGroups: pattern (^ anchors), class filter, paging.
	lg, err := c.logs.ListLogGroups(ctx, &cloudwatchlogs.ListLogGroupsInput{LogGroupNamePattern: aws.String("^/e2e")})
	if err != nil || len(lg.LogGroups) != 5 {
		t.Fatalf("ListLogGroups ^/e2e: %+v %v", lg, err)
	}
	if s := lg.LogGroups[0]; aws.ToString(s.LogGroupArn) != logGroupArn("/e2e/app-1") || s.LogGroupClass != types.LogGroupClassInfrequentAccess {
		t.Errorf("ListLogGroups summary: %+v", s)
	}
	lg, err = c.logs.ListLogGroups(ctx, &cloudwatchlogs.ListLogGroupsInput{LogGroupClass: types.LogGroupClassStandard, Limit: aws.Int32(4)})
	if err != nil || len(lg.LogGroups) != 4 || lg.NextToken == nil {
		t.Fatalf("ListLogGroups STANDARD limit 4: %+v %v", lg, err)
	}
	lg2, err := c.logs.ListLogGroups(ctx, &cloudwatchlogs.ListLogGroupsInput{LogGroupClass: types.LogGroupClassStandard, Limit: aws.Int32(4), NextToken: lg.NextToken})
	if err != nil || len(lg2.LogGroups) != 1 || lg2.NextToken != nil || aws.ToString(lg2.LogGroups[0].LogGroupName) != "/other/app-3x" {
		t.Fatalf("ListLogGroups second page: %+v %v", lg2, err)
	}

	// Streams.
	_, err = c.logs.CreateLogStream(ctx, &cloudwatchlogs.CreateLogStreamInput{LogGroupName: aws.String("/missing"), LogStreamName: aws.String("s")})
	wantAPIError(t, "stream in missing group", err, "ResourceNotFoundException", 400)
	mkLogsStreams(t, c, "/e2e/app-2", "s-a", "s-b", "s-c")
	_, err = c.logs.CreateLogStream(ctx, &cloudwatchlogs.CreateLogStreamInput{LogGroupName: aws.String("/e2e/app-2"), LogStreamName: aws.String("s-a")})
	wantAPIError(t, "duplicate stream", err, "ResourceAlreadyExistsException", 400)

	t0 := time.Now().Add(-time.Hour).Truncate(time.Second)
	putLogs(t, c, "/e2e/app-2", "s-c", logEv(ms(t0.Add(time.Second)), "c"))
	putLogs(t, c, "/e2e/app-2", "s-a", logEv(ms(t0), "a0"), logEv(ms(t0.Add(2*time.Second)), "a"))
	putLogs(t, c, "/e2e/app-2", "s-b", logEv(ms(t0.Add(3*time.Second)), "b"))

	streamNames := func(in *cloudwatchlogs.DescribeLogStreamsInput) ([]string, []types.LogStream) {
		t.Helper()
		var names []string
		var all []types.LogStream
		in.LogGroupName = aws.String("/e2e/app-2")
		for {
			out, err := c.logs.DescribeLogStreams(ctx, in)
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range out.LogStreams {
				names = append(names, aws.ToString(s.LogStreamName))
			}
			all = append(all, out.LogStreams...)
			if out.NextToken == nil {
				return names, all
			}
			in.NextToken = out.NextToken
		}
	}
	if n, _ := streamNames(&cloudwatchlogs.DescribeLogStreamsInput{}); !slices.Equal(n, []string{"s-a", "s-b", "s-c"}) {
		t.Errorf("streams by name: %v", n)
	}
	if n, _ := streamNames(&cloudwatchlogs.DescribeLogStreamsInput{Descending: aws.Bool(true), Limit: aws.Int32(1)}); !slices.Equal(n, []string{"s-c", "s-b", "s-a"}) {
		t.Errorf("streams by name descending, limit 1: %v", n)
	}
	if n, _ := streamNames(&cloudwatchlogs.DescribeLogStreamsInput{LogStreamNamePrefix: aws.String("s-b")}); !slices.Equal(n, []string{"s-b"}) {
		t.Errorf("streams with prefix s-b: %v", n)
	}
	// lastEventTimestamp is eventually consistent in CloudWatch Logs: poll.
	eventually(t, "streams by LastEventTime descending", func() (bool, string) {
		n, all := streamNames(&cloudwatchlogs.DescribeLogStreamsInput{OrderBy: types.OrderByLastEventTime, Descending: aws.Bool(true)})
		return slices.Equal(n, []string{"s-b", "s-a", "s-c"}), fmt.Sprintf("%v %+v", n, all)
	})
	eventually(t, "streams by LastEventTime ascending, limit 2", func() (bool, string) {
		n, _ := streamNames(&cloudwatchlogs.DescribeLogStreamsInput{OrderBy: types.OrderByLastEventTime, Limit: aws.Int32(2)})
		return slices.Equal(n, []string{"s-c", "s-a", "s-b"}), fmt.Sprint(n)
	})
	_, all := streamNames(&cloudwatchlogs.DescribeLogStreamsInput{LogStreamNamePrefix: aws.String("s-a")})
	if s := all[0]; aws.ToInt64(s.FirstEventTimestamp) != ms(t0) || aws.ToInt64(s.LastEventTimestamp) != ms(t0.Add(2*time.Second)) ||
		aws.ToString(s.Arn) != logGroupArn("/e2e/app-2")+":log-stream:s-a" || s.LastIngestionTime == nil || s.CreationTime == nil {
		t.Errorf("stream s-a: %+v", s)
	}
	_, err = c.logs.DescribeLogStreams(ctx, &cloudwatchlogs.DescribeLogStreamsInput{LogGroupName: aws.String("/e2e/app-2"),
		OrderBy: types.OrderByLastEventTime, LogStreamNamePrefix: aws.String("s")})
	wantAPIError(t, "LastEventTime with a prefix", err, "InvalidParameterException", 400)
	_, err = c.logs.DescribeLogStreams(ctx, &cloudwatchlogs.DescribeLogStreamsInput{LogGroupName: aws.String("/missing")})
	wantAPIError(t, "streams of a missing group", err, "ResourceNotFoundException", 400)
}

func mkLogsStreams(t *testing.T, c *clients, group string, streams ...string) {
	t.Helper()
	for _, s := range streams {
		if _, err := c.logs.CreateLogStream(ctxT(t), &cloudwatchlogs.CreateLogStreamInput{LogGroupName: aws.String(group), LogStreamName: aws.String(s)}); err != nil {
			t.Fatalf("CreateLogStream %s/%s: %v", group, s, err)
		}
	}
}

// --- PutLogEvents -----------------------------------------------------------------

func TestLogsPutLogEventsRules(t *testing.T) {
	p := startVigil(t, "")
	c := newClients(p.URL, "test", "test", "us-east-1")
	ctx := ctxT(t)
	now := time.Now()
	put := func(group, stream string, evs ...types.InputLogEvent) (*cloudwatchlogs.PutLogEventsOutput, error) {
		return c.logs.PutLogEvents(ctx, &cloudwatchlogs.PutLogEventsInput{LogGroupName: aws.String(group), LogStreamName: aws.String(stream), LogEvents: evs})
	}

	// What the CloudWatch agent relies on to create a group or stream.
	_, err := put("/nope", "s", logEv(ms(now), "x"))
	wantAPIError(t, "put to a missing group", err, "ResourceNotFoundException", 400)
	if m := apiMessage(err); m != "The specified log group does not exist." {
		t.Errorf("missing group message: %q", m)
	}
	mkLogs(t, c, "/put", "s")
	_, err = put("/put", "nope", logEv(ms(now), "x"))
	wantAPIError(t, "put to a missing stream", err, "ResourceNotFoundException", 400)
	if m := apiMessage(err); m != "The specified log stream does not exist." {
		t.Errorf("missing stream message: %q", m)
	}

	// Unsorted batch; batch spanning more than 24 hours.
	_, err = put("/put", "s", logEv(ms(now), "b"), logEv(ms(now.Add(-time.Minute)), "a"))
	wantAPIError(t, "unsorted batch", err, "InvalidParameterException", 400)
	_, err = put("/put", "s", logEv(ms(now.Add(-25*time.Hour)), "a"), logEv(ms(now), "b"))
	wantAPIError(t, "batch over 24 hours", err, "InvalidParameterException", 400)
	if msgs := getMessages(t, c, "/put", "s"); len(msgs) != 0 {
		t.Fatalf("refused batches stored events: %v", msgs)
	}

	// Too old and too new events are rejected one by one; the rest is stored.
	out, err := put("/put", "s",
		logEv(ms(now.Add(-15*24*time.Hour)), "old-0"),
		logEv(ms(now.Add(-15*24*time.Hour+time.Second)), "old-1"),
		logEv(ms(now.Add(-time.Minute)), "ok-2"),
		logEv(ms(now), "ok-3"),
		logEv(ms(now.Add(3*time.Hour)), "new-4"),
	)
	if err != nil {
		t.Fatal(err)
	}
	ri := out.RejectedLogEventsInfo
	if ri == nil || aws.ToInt32(ri.TooOldLogEventEndIndex) != 2 || aws.ToInt32(ri.TooNewLogEventStartIndex) != 4 || ri.ExpiredLogEventEndIndex != nil {
		t.Fatalf("rejectedLogEventsInfo: %+v", ri)
	}
	if msgs := getMessages(t, c, "/put", "s"); !slices.Equal(msgs, []string{"ok-2", "ok-3"}) {
		t.Fatalf("stored after partial rejection: %v", msgs)
	}

	// The batch size is the messages' UTF-8 bytes plus 26 per event: exactly
	// 1,048,576 is accepted, one byte more is not.
	mkLogsStreams(t, c, "/put", "big")
	const per = 209_689 // 5 events: 4*per + (per+1) + 5*26 = 1,048,576
	batch := func(extra int) []types.InputLogEvent {
		evs := make([]types.InputLogEvent, 5)
		for i := range evs {
			n := per
			if i == 4 {
				n = per + 1 + extra
			}
			evs[i] = logEv(ms(now)+int64(i), strings.Repeat(string(rune('a'+i)), n))
		}
		return evs
	}
	_, err = put("/put", "big", batch(1)...)
	wantAPIError(t, "batch of 1,048,577 bytes", err, "InvalidParameterException", 400)
	if out, err := put("/put", "big", batch(0)...); err != nil || out.RejectedLogEventsInfo != nil {
		t.Fatalf("batch of exactly 1,048,576 bytes: %+v %v", out, err)
	}
	// Multi-byte characters count as their UTF-8 bytes: 4 * 262,116 bytes of
	// "é" plus 4*26 is 1,048,568; five more 2-byte characters go over.
	mkLogsStreams(t, c, "/put", "utf8")
	utf := func(extraChars int) []types.InputLogEvent {
		evs := make([]types.InputLogEvent, 4)
		for i := range evs {
			n := 131_058
			if i == 3 {
				n += extraChars
			}
			evs[i] = logEv(ms(now)+int64(i), strings.Repeat("é", n))
		}
		return evs
	}
	_, err = put("/put", "utf8", utf(5)...)
	wantAPIError(t, "multi-byte batch over the limit", err, "InvalidParameterException", 400)
	if _, err := put("/put", "utf8", utf(4)...); err != nil {
		t.Fatalf("multi-byte batch of exactly 1,048,576 bytes: %v", err)
	}

	// Retention: events older than the group's retention are expired.
	_, err = c.logs.PutRetentionPolicy(ctx, &cloudwatchlogs.PutRetentionPolicyInput{LogGroupName: aws.String("/put"), RetentionInDays: aws.Int32(2)})
	wantAPIError(t, "retention of 2 days", err, "InvalidParameterException", 400)
	if !strings.Contains(apiMessage(err), "retentionInDays") {
		t.Errorf("invalid retention message: %q", apiMessage(err))
	}
	_, err = c.logs.PutRetentionPolicy(ctx, &cloudwatchlogs.PutRetentionPolicyInput{LogGroupName: aws.String("/nope"), RetentionInDays: aws.Int32(1)})
	wantAPIError(t, "retention of a missing group", err, "ResourceNotFoundException", 400)
	if _, err := c.logs.PutRetentionPolicy(ctx, &cloudwatchlogs.PutRetentionPolicyInput{LogGroupName: aws.String("/put"), RetentionInDays: aws.Int32(1)}); err != nil {
		t.Fatal(err)
	}
	dg, err := c.logs.DescribeLogGroups(ctx, &cloudwatchlogs.DescribeLogGroupsInput{LogGroupNamePrefix: aws.String("/put")})
	if err != nil || len(dg.LogGroups) != 1 || aws.ToInt32(dg.LogGroups[0].RetentionInDays) != 1 {
		t.Fatalf("retention described: %+v %v", dg, err)
	}
	mkLogsStreams(t, c, "/put", "ret")
	out, err = put("/put", "ret",
		logEv(ms(now.Add(-48*time.Hour)), "expired-0"),
		logEv(ms(now.Add(-48*time.Hour+time.Second)), "expired-1"),
		logEv(ms(now.Add(-time.Minute)), "kept-2"),
	)
	if err != nil {
		t.Fatal(err)
	}
	if ri := out.RejectedLogEventsInfo; ri == nil || aws.ToInt32(ri.ExpiredLogEventEndIndex) != 2 || ri.TooOldLogEventEndIndex != nil || ri.TooNewLogEventStartIndex != nil {
		t.Fatalf("rejectedLogEventsInfo with retention: %+v", ri)
	}
	if msgs := getMessages(t, c, "/put", "ret"); !slices.Equal(msgs, []string{"kept-2"}) {
		t.Fatalf("stored with retention: %v", msgs)
	}
	if _, err := c.logs.DeleteRetentionPolicy(ctx, &cloudwatchlogs.DeleteRetentionPolicyInput{LogGroupName: aws.String("/put")}); err != nil {
		t.Fatal(err)
	}
	if out, err := put("/put", "ret", logEv(ms(now.Add(-48*time.Hour)), "no-longer-expired")); err != nil || out.RejectedLogEventsInfo != nil {
		t.Fatalf("put after DeleteRetentionPolicy: %+v %v", out, err)
	}

	// A gzip-compressed request body (the CloudWatch agent compresses; the
	// Go SDK does not, so this request is signed by hand).
	mkLogsStreams(t, c, "/put", "gz")
	body, _ := json.Marshal(map[string]any{"logGroupName": "/put", "logStreamName": "gz", "logEvents": []map[string]any{
		{"timestamp": ms(now), "message": "gzip-0"}, {"timestamp": ms(now) + 1, "message": "gzip-1"},
	}})
	resp, rbody := doGzipJSON(t, p.URL, "Logs_20140328.PutLogEvents", body)
	if resp.StatusCode != 200 || !strings.Contains(rbody, "nextSequenceToken") {
		t.Fatalf("gzip PutLogEvents: %d %s", resp.StatusCode, rbody)
	}
	if msgs := getMessages(t, c, "/put", "gz"); !slices.Equal(msgs, []string{"gzip-0", "gzip-1"}) {
		t.Fatalf("gzip events: %v", msgs)
	}
	// The decompressed body is what is validated.
	body, _ = json.Marshal(map[string]any{"logGroupName": "/put", "logStreamName": "gz-missing", "logEvents": []map[string]any{{"timestamp": ms(now), "message": "x"}}})
	resp, rbody = doGzipJSON(t, p.URL, "Logs_20140328.PutLogEvents", body)
	if resp.StatusCode != 400 || !strings.Contains(rbody, "ResourceNotFoundException") || !strings.Contains(rbody, "The specified log stream does not exist.") {
		t.Fatalf("gzip PutLogEvents to a missing stream: %d %s", resp.StatusCode, rbody)
	}
}

// doGzipJSON sends a JSON 1.1 logs request whose body is gzip-compressed,
// signed (with Content-Encoding) by the test key.
func doGzipJSON(t *testing.T, url, target string, body []byte) (*http.Response, string) {
	t.Helper()
	var zb bytes.Buffer
	zw := gzip.NewWriter(&zb)
	zw.Write(body)
	zw.Close()
	req, _ := http.NewRequest("POST", url+"/", bytes.NewReader(zb.Bytes()))
	req.Header.Set("X-Amz-Target", target)
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("Content-Encoding", "gzip")
	sum := sha256.Sum256(zb.Bytes())
	err := v4.NewSigner().SignHTTP(context.Background(), aws.Credentials{AccessKeyID: "test", SecretAccessKey: "test"},
		req, hex.EncodeToString(sum[:]), "logs", "us-east-1", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

// --- GetLogEvents -----------------------------------------------------------------

func TestLogsGetLogEvents(t *testing.T) {
	p := startVigil(t, "")
	c := newClients(p.URL, "test", "test", "us-east-1")
	ctx := ctxT(t)
	mkLogs(t, c, "/get", "s", "empty")
	t0 := time.Now().Add(-time.Hour).Truncate(time.Second)
	ts := func(i int) int64 { return ms(t0.Add(time.Duration(i) * time.Second)) }
	var evs []types.InputLogEvent
	for i := range 10 {
		evs = append(evs, logEv(ts(i), fmt.Sprintf("e%d", i)))
	}
	putLogs(t, c, "/get", "s", evs...)
	msgs := func(out *cloudwatchlogs.GetLogEventsOutput) []string {
		var m []string
		for _, e := range out.Events {
			m = append(m, aws.ToString(e.Message))
		}
		return m
	}
	seq := func(from, to int) []string {
		var m []string
		for i := from; i < to; i++ {
			m = append(m, fmt.Sprintf("e%d", i))
		}
		return m
	}
	get := func(in cloudwatchlogs.GetLogEventsInput) *cloudwatchlogs.GetLogEventsOutput {
		t.Helper()
		in.LogGroupName, in.LogStreamName = aws.String("/get"), aws.String("s")
		out, err := c.logs.GetLogEvents(ctx, &in)
		if err != nil {
			t.Fatal(err)
		}
		return out
	}

	// Whole stream either way; events carry timestamp and ingestion time.
	all := get(cloudwatchlogs.GetLogEventsInput{})
	if !slices.Equal(msgs(all), seq(0, 10)) {
		t.Fatalf("default read: %v", msgs(all))
	}
	if e := all.Events[3]; aws.ToInt64(e.Timestamp) != ts(3) || aws.ToInt64(e.IngestionTime) < ts(10) {
		t.Errorf("event 3: %+v", e)
	}
	if m := msgs(get(cloudwatchlogs.GetLogEventsInput{StartFromHead: aws.Bool(true)})); !slices.Equal(m, seq(0, 10)) {
		t.Fatalf("startFromHead: %v", m)
	}
	// Limit: from the head the first events, from the tail the last ones
	// (still oldest first).
	if m := msgs(get(cloudwatchlogs.GetLogEventsInput{StartFromHead: aws.Bool(true), Limit: aws.Int32(3)})); !slices.Equal(m, seq(0, 3)) {
		t.Fatalf("head, limit 3: %v", m)
	}
	if m := msgs(get(cloudwatchlogs.GetLogEventsInput{StartFromHead: aws.Bool(false), Limit: aws.Int32(3)})); !slices.Equal(m, seq(7, 10)) {
		t.Fatalf("tail, limit 3: %v", m)
	}

	// Forward paging until the same token comes back.
	var got []string
	var pages int
	in := cloudwatchlogs.GetLogEventsInput{StartFromHead: aws.Bool(true), Limit: aws.Int32(3)}
	for range 20 {
		out := get(in)
		pages++
		got = append(got, msgs(out)...)
		if in.NextToken != nil && aws.ToString(out.NextForwardToken) == aws.ToString(in.NextToken) {
			if len(out.Events) != 0 {
				t.Fatalf("the end token came with events: %v", msgs(out))
			}
			break
		}
		in.NextToken = out.NextForwardToken
	}
	if !slices.Equal(got, seq(0, 10)) || pages != 5 { // 3+3+3+1, then the empty end page
		t.Fatalf("forward paging: %v in %d pages", got, pages)
	}
	// Events written later are found from the end token.
	endTok := in.NextToken
	putLogs(t, c, "/get", "s", logEv(ts(10), "e10"))
	if out := get(cloudwatchlogs.GetLogEventsInput{NextToken: endTok}); !slices.Equal(msgs(out), []string{"e10"}) {
		t.Fatalf("read from the end token after a new event: %v", msgs(out))
	}

	// Backward paging from the tail with nextBackwardToken.
	var back [][]string
	in = cloudwatchlogs.GetLogEventsInput{Limit: aws.Int32(4)}
	for range 20 {
		out := get(in)
		if in.NextToken != nil && aws.ToString(out.NextBackwardToken) == aws.ToString(in.NextToken) {
			if len(out.Events) != 0 {
				t.Fatalf("the start token came with events: %v", msgs(out))
			}
			break
		}
		back = append(back, msgs(out))
		in.NextToken = out.NextBackwardToken
	}
	want := [][]string{seq(7, 11), seq(3, 7), seq(0, 3)}
	if fmt.Sprint(back) != fmt.Sprint(want) {
		t.Fatalf("backward paging: %v, want %v", back, want)
	}

	// startTime inclusive, endTime exclusive.
	if m := msgs(get(cloudwatchlogs.GetLogEventsInput{StartTime: aws.Int64(ts(2)), EndTime: aws.Int64(ts(5)), StartFromHead: aws.Bool(true)})); !slices.Equal(m, seq(2, 5)) {
		t.Fatalf("time range, from head: %v", m)
	}
	if m := msgs(get(cloudwatchlogs.GetLogEventsInput{StartTime: aws.Int64(ts(2)), EndTime: aws.Int64(ts(5))})); !slices.Equal(m, seq(2, 5)) {
		t.Fatalf("time range, from tail: %v", m)
	}
	if m := msgs(get(cloudwatchlogs.GetLogEventsInput{StartTime: aws.Int64(ts(2)), EndTime: aws.Int64(ts(8)), Limit: aws.Int32(2), StartFromHead: aws.Bool(true)})); !slices.Equal(m, seq(2, 4)) {
		t.Fatalf("time range with limit: %v", m)
	}

	// By group ARN; an empty stream; errors.
	out, err := c.logs.GetLogEvents(ctx, &cloudwatchlogs.GetLogEventsInput{LogGroupIdentifier: aws.String(logGroupArn("/get")), LogStreamName: aws.String("s"), Limit: aws.Int32(1)})
	if err != nil || !slices.Equal(msgs(out), []string{"e10"}) {
		t.Fatalf("by logGroupIdentifier: %+v %v", out, err)
	}
	out, err = c.logs.GetLogEvents(ctx, &cloudwatchlogs.GetLogEventsInput{LogGroupName: aws.String("/get"), LogStreamName: aws.String("empty")})
	if err != nil || len(out.Events) != 0 || out.NextForwardToken == nil || out.NextBackwardToken == nil {
		t.Fatalf("empty stream: %+v %v", out, err)
	}
	_, err = c.logs.GetLogEvents(ctx, &cloudwatchlogs.GetLogEventsInput{LogGroupName: aws.String("/get"), LogStreamName: aws.String("nope")})
	wantAPIError(t, "missing stream", err, "ResourceNotFoundException", 400)
	_, err = c.logs.GetLogEvents(ctx, &cloudwatchlogs.GetLogEventsInput{LogGroupName: aws.String("/get"), LogStreamName: aws.String("s"), NextToken: aws.String("garbage")})
	wantAPIError(t, "bad token", err, "InvalidParameterException", 400)
}

// --- FilterLogEvents ----------------------------------------------------------------

func TestLogsFilterLogEvents(t *testing.T) {
	p := startVigil(t, "")
	c := newClients(p.URL, "test", "test", "us-east-1")
	ctx := ctxT(t)
	mkLogs(t, c, "/filter", "web-1", "web-2", "app-1")
	t0 := time.Now().Add(-time.Hour).Truncate(time.Second)
	ts := func(i int) int64 { return ms(t0.Add(time.Duration(i) * time.Second)) }
	// Interleaved timestamps across streams: i is the global order.
	data := map[string][]struct {
		i   int
		msg string
	}{
		"web-1": {{0, `127.0.0.1 frank GET /index.html 200 512`}, {3, `10.0.0.2 alice GET /big 404 2048`}, {6, `10.0.0.3 bob POST /api 500 100`}},
		"web-2": {{1, `ERROR database timeout`}, {4, `WARN disk almost full`}, {7, `INFO all good`}},
		"app-1": {{2, `{"level":"ERROR","msg":"boom","latency":120}`}, {5, `{"level":"INFO","msg":"ok","latency":30}`}, {8, `user said "hello world" today`}},
	}
	byIndex := map[int]string{}
	for stream, evs := range data {
		var in []types.InputLogEvent
		for _, e := range evs {
			in = append(in, logEv(ts(e.i), e.msg))
			byIndex[e.i] = e.msg
		}
		putLogs(t, c, "/filter", stream, in...)
	}
	idx := func(is ...int) []string {
		var m []string
		for _, i := range is {
			m = append(m, byIndex[i])
		}
		return m
	}
	filter := func(in cloudwatchlogs.FilterLogEventsInput) []types.FilteredLogEvent {
		t.Helper()
		in.LogGroupName = aws.String("/filter")
		return filterAll(t, c, in)
	}

	// Across streams, in timestamp order, with stream names and unique ids.
	all := filter(cloudwatchlogs.FilterLogEventsInput{})
	if m := filteredMessages(all); !slices.Equal(m, idx(0, 1, 2, 3, 4, 5, 6, 7, 8)) {
		t.Fatalf("all events: %v", m)
	}
	ids := map[string]bool{}
	for _, e := range all {
		ids[aws.ToString(e.EventId)] = true
	}
	if len(ids) != 9 || aws.ToString(all[1].LogStreamName) != "web-2" || aws.ToInt64(all[1].Timestamp) != ts(1) || all[1].IngestionTime == nil {
		t.Fatalf("events: %d ids, second %+v", len(ids), all[1])
	}

	for _, tc := range []struct {
		name string
		in   cloudwatchlogs.FilterLogEventsInput
		want []int
	}{
		{"stream prefix", cloudwatchlogs.FilterLogEventsInput{LogStreamNamePrefix: aws.String("web")}, []int{0, 1, 3, 4, 6, 7}},
		{"stream names", cloudwatchlogs.FilterLogEventsInput{LogStreamNames: []string{"app-1", "web-1"}}, []int{0, 2, 3, 5, 6, 8}},
		// startTime and endTime both inclusive.
		{"time range", cloudwatchlogs.FilterLogEventsInput{StartTime: aws.Int64(ts(2)), EndTime: aws.Int64(ts(5))}, []int{2, 3, 4, 5}},
		{"term", cloudwatchlogs.FilterLogEventsInput{FilterPattern: aws.String("ERROR")}, []int{1, 2}},
		{"terms are case-sensitive", cloudwatchlogs.FilterLogEventsInput{FilterPattern: aws.String("error")}, nil},
		{"two terms", cloudwatchlogs.FilterLogEventsInput{FilterPattern: aws.String("GET 404")}, []int{3}},
		{"?OR", cloudwatchlogs.FilterLogEventsInput{FilterPattern: aws.String("?ERROR ?WARN")}, []int{1, 2, 4}},
		{"-exclusion", cloudwatchlogs.FilterLogEventsInput{FilterPattern: aws.String("ERROR -database")}, []int{2}},
		{"quoted phrase", cloudwatchlogs.FilterLogEventsInput{FilterPattern: aws.String(`"hello world"`)}, []int{8}},
		{"JSON", cloudwatchlogs.FilterLogEventsInput{FilterPattern: aws.String(`{$.level = "ERROR"}`)}, []int{2}},
		{"JSON numeric", cloudwatchlogs.FilterLogEventsInput{FilterPattern: aws.String(`{ $.latency > 50 }`)}, []int{2}},
		{"space-delimited", cloudwatchlogs.FilterLogEventsInput{FilterPattern: aws.String(`[ip, user, ..., status=4*, bytes > 1000]`)}, []int{3}},
		{"space-delimited 5xx", cloudwatchlogs.FilterLogEventsInput{FilterPattern: aws.String(`[ip, user, method, path, status=5*, bytes]`)}, []int{6}},
		{"pattern with stream and time", cloudwatchlogs.FilterLogEventsInput{FilterPattern: aws.String("?ERROR ?WARN"), LogStreamNames: []string{"web-2"}, StartTime: aws.Int64(ts(2))}, []int{4}},
		{"blank pattern", cloudwatchlogs.FilterLogEventsInput{FilterPattern: aws.String("")}, []int{0, 1, 2, 3, 4, 5, 6, 7, 8}},
	} {
		if m := filteredMessages(filter(tc.in)); !slices.Equal(m, idx(tc.want...)) {
			t.Errorf("%s: got %q, want %q", tc.name, m, idx(tc.want...))
		}
	}

	// Pagination with limit: no duplicates, nothing skipped, same order.
	var pages int
	var got []string
	in := &cloudwatchlogs.FilterLogEventsInput{LogGroupName: aws.String("/filter"), Limit: aws.Int32(2)}
	for {
		out, err := c.logs.FilterLogEvents(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		if len(out.Events) > 2 {
			t.Fatalf("page of %d events with limit 2", len(out.Events))
		}
		pages++
		got = append(got, filteredMessages(out.Events)...)
		if out.NextToken == nil {
			break
		}
		in.NextToken = out.NextToken
	}
	if !slices.Equal(got, idx(0, 1, 2, 3, 4, 5, 6, 7, 8)) || pages < 5 {
		t.Fatalf("paged: %v in %d pages", got, pages)
	}
	// Paging with a pattern.
	if m := filteredMessages(filter(cloudwatchlogs.FilterLogEventsInput{FilterPattern: aws.String("?ERROR ?WARN ?INFO"), Limit: aws.Int32(1)})); !slices.Equal(m, idx(1, 2, 4, 5, 7)) {
		t.Fatalf("paged with a pattern: %v", m)
	}
	// A token belongs to its search.
	first, err := c.logs.FilterLogEvents(ctx, &cloudwatchlogs.FilterLogEventsInput{LogGroupName: aws.String("/filter"), Limit: aws.Int32(1)})
	if err != nil || first.NextToken == nil {
		t.Fatalf("first page: %+v %v", first, err)
	}
	_, err = c.logs.FilterLogEvents(ctx, &cloudwatchlogs.FilterLogEventsInput{LogGroupName: aws.String("/filter"), FilterPattern: aws.String("ERROR"), NextToken: first.NextToken})
	wantAPIError(t, "token of another search", err, "InvalidParameterException", 400)

	// Invalid patterns are refused, never read as match-everything.
	for _, bad := range []string{`{$.level = `, `{ $.level = "ERROR" `, `[ip, user`, `ERROR!`, `{ $.a IS NOT NULL }`, `%a(b)%`} {
		_, err := c.logs.FilterLogEvents(ctx, &cloudwatchlogs.FilterLogEventsInput{LogGroupName: aws.String("/filter"), FilterPattern: aws.String(bad)})
		wantAPIError(t, "pattern "+bad, err, "InvalidParameterException", 400)
	}
	_, err = c.logs.FilterLogEvents(ctx, &cloudwatchlogs.FilterLogEventsInput{LogGroupName: aws.String("/nope")})
	wantAPIError(t, "missing group", err, "ResourceNotFoundException", 400)
	_, err = c.logs.FilterLogEvents(ctx, &cloudwatchlogs.FilterLogEventsInput{LogGroupName: aws.String("/filter"), LogStreamNames: []string{"web-1"}, LogStreamNamePrefix: aws.String("web")})
	wantAPIError(t, "names and prefix", err, "InvalidParameterException", 400)
}

// --- metric filters and EMF -----------------------------------------------------------

func TestLogsMetricFilters(t *testing.T) {
	p := startVigil(t, "")
	c := newClients(p.URL, "test", "test", "us-east-1")
	ctx := ctxT(t)

	// TestMetricFilter: numbered matches and extracted values.
	tm, err := c.logs.TestMetricFilter(ctx, &cloudwatchlogs.TestMetricFilterInput{
		FilterPattern:    aws.String(`[ip, user, status, bytes]`),
		LogEventMessages: []string{"1.2.3.4 bob 200 512", "not four fields", "5.6.7.8 amy 404 0"},
	})
	if err != nil || len(tm.Matches) != 2 {
		t.Fatalf("TestMetricFilter delimited: %+v %v", tm, err)
	}
	if m := tm.Matches[0]; m.EventNumber != 1 || aws.ToString(m.EventMessage) != "1.2.3.4 bob 200 512" ||
		fmt.Sprint(m.ExtractedValues) != fmt.Sprint(map[string]string{"$ip": "1.2.3.4", "$user": "bob", "$status": "200", "$bytes": "512"}) {
		t.Errorf("first match: %+v", m)
	}
	if m := tm.Matches[1]; m.EventNumber != 3 || m.ExtractedValues["$status"] != "404" {
		t.Errorf("second match: %+v", m)
	}
	tm, err = c.logs.TestMetricFilter(ctx, &cloudwatchlogs.TestMetricFilterInput{
		FilterPattern:    aws.String(`{ $.latency > 100 }`),
		LogEventMessages: []string{`{"latency": 50}`, `{"latency": 150}`, `latency 150`},
	})
	if err != nil || len(tm.Matches) != 1 || tm.Matches[0].EventNumber != 2 {
		t.Fatalf("TestMetricFilter JSON: %+v %v", tm, err)
	}
	_, err = c.logs.TestMetricFilter(ctx, &cloudwatchlogs.TestMetricFilterInput{FilterPattern: aws.String(`{ $.latency > `), LogEventMessages: []string{"x"}})
	wantAPIError(t, "TestMetricFilter bad pattern", err, "InvalidParameterException", 400)

	// A metric filter whose value and dimension come from the event.
	mkLogs(t, c, "/mf", "s")
	_, err = c.logs.PutMetricFilter(ctx, &cloudwatchlogs.PutMetricFilterInput{
		LogGroupName: aws.String("/nope"), FilterName: aws.String("latency"), FilterPattern: aws.String(`{ $.latency = * }`),
		MetricTransformations: []types.MetricTransformation{{MetricName: aws.String("Latency"), MetricNamespace: aws.String("E2E/Logs"), MetricValue: aws.String("$.latency")}},
	})
	wantAPIError(t, "metric filter on a missing group", err, "ResourceNotFoundException", 400)
	_, err = c.logs.PutMetricFilter(ctx, &cloudwatchlogs.PutMetricFilterInput{
		LogGroupName: aws.String("/mf"), FilterName: aws.String("latency"), FilterPattern: aws.String(`{ $.latency = * }`),
		MetricTransformations: []types.MetricTransformation{{
			MetricName: aws.String("Latency"), MetricNamespace: aws.String("E2E/Logs"), MetricValue: aws.String("$.latency"),
			Dimensions: map[string]string{"Service": "$.service"}, Unit: types.StandardUnitMilliseconds,
		}},
	})
	if err != nil {
		t.Fatal(err)
	}
	// Dimensions need a JSON or space-delimited pattern, and exclude a default value.
	_, err = c.logs.PutMetricFilter(ctx, &cloudwatchlogs.PutMetricFilterInput{
		LogGroupName: aws.String("/mf"), FilterName: aws.String("bad"), FilterPattern: aws.String(`ERROR`),
		MetricTransformations: []types.MetricTransformation{{MetricName: aws.String("X"), MetricNamespace: aws.String("E2E/Logs"), MetricValue: aws.String("1"),
			Dimensions: map[string]string{"Service": "$.service"}}},
	})
	wantAPIError(t, "dimensions with a term pattern", err, "InvalidParameterException", 400)
	_, err = c.logs.PutMetricFilter(ctx, &cloudwatchlogs.PutMetricFilterInput{
		LogGroupName: aws.String("/mf"), FilterName: aws.String("bad"), FilterPattern: aws.String(`{ $.latency = * }`),
		MetricTransformations: []types.MetricTransformation{{MetricName: aws.String("X"), MetricNamespace: aws.String("E2E/Logs"), MetricValue: aws.String("$.latency"),
			Dimensions: map[string]string{"Service": "$.service"}, DefaultValue: aws.Float64(0)}},
	})
	wantAPIError(t, "dimensions with a default value", err, "InvalidParameterException", 400)
	_, err = c.logs.PutMetricFilter(ctx, &cloudwatchlogs.PutMetricFilterInput{
		LogGroupName: aws.String("/mf"), FilterName: aws.String("bad"), FilterPattern: aws.String(`{ $.latency = `),
		MetricTransformations: []types.MetricTransformation{{MetricName: aws.String("X"), MetricNamespace: aws.String("E2E/Logs"), MetricValue: aws.String("1")}},
	})
	wantAPIError(t, "metric filter with a bad pattern", err, "InvalidParameterException", 400)

	t0 := time.Now().Add(-10 * time.Minute).Truncate(time.Minute)
	at := func(sec int) int64 { return ms(t0.Add(time.Duration(sec) * time.Second)) }
	putLogs(t, c, "/mf", "s",
		logEv(at(1), `{"service":"api","latency":100}`),
		logEv(at(2), `{"service":"api","latency":50}`),
		logEv(at(3), `{"service":"web","latency":7}`),
		logEv(at(4), `{"msg":"no latency"}`),
		logEv(at(5), `{"service":"api","latency":"fast"}`), // matches, not a number: nothing published
		logEv(at(6), `{"latency":1000}`),                   // no dimension value: nothing published
	)
	stats := func(ns, name string, dims []cwtypes.Dimension, from time.Time) []cwtypes.Datapoint {
		t.Helper()
		out, err := c.cw.GetMetricStatistics(ctx, &cloudwatch.GetMetricStatisticsInput{
			Namespace: aws.String(ns), MetricName: aws.String(name), Dimensions: dims,
			StartTime: aws.Time(from), EndTime: aws.Time(from.Add(time.Minute)), Period: aws.Int32(60),
			Statistics: []cwtypes.Statistic{cwtypes.StatisticSum, cwtypes.StatisticSampleCount, cwtypes.StatisticMaximum},
		})
		if err != nil {
			t.Fatalf("GetMetricStatistics %s/%s: %v", ns, name, err)
		}
		return out.Datapoints
	}
	svc := func(v string) []cwtypes.Dimension {
		return []cwtypes.Dimension{{Name: aws.String("Service"), Value: aws.String(v)}}
	}
	eventually(t, "Latency{Service=api}", func() (bool, string) {
		d := stats("E2E/Logs", "Latency", svc("api"), t0)
		return len(d) == 1 && aws.ToFloat64(d[0].Sum) == 150 && aws.ToFloat64(d[0].SampleCount) == 2 && aws.ToFloat64(d[0].Maximum) == 100 &&
			d[0].Unit == cwtypes.StandardUnitMilliseconds, fmt.Sprintf("%+v", d)
	})
	gmd, err := c.cw.GetMetricData(ctx, &cloudwatch.GetMetricDataInput{
		StartTime: aws.Time(t0), EndTime: aws.Time(t0.Add(time.Minute)),
		MetricDataQueries: []cwtypes.MetricDataQuery{{Id: aws.String("web"), MetricStat: &cwtypes.MetricStat{
			Metric: &cwtypes.Metric{Namespace: aws.String("E2E/Logs"), MetricName: aws.String("Latency"), Dimensions: svc("web")},
			Period: aws.Int32(60), Stat: aws.String("Sum")}}},
	})
	if err != nil || len(gmd.MetricDataResults) != 1 || !slices.Equal(gmd.MetricDataResults[0].Values, []float64{7}) {
		t.Fatalf("GetMetricData Latency{Service=web}: %+v %v", gmd, err)
	}
	lm, err := c.cw.ListMetrics(ctx, &cloudwatch.ListMetricsInput{Namespace: aws.String("E2E/Logs")})
	if err != nil || len(lm.Metrics) != 2 { // Service=api and Service=web only
		t.Fatalf("ListMetrics E2E/Logs: %+v %v", lm, err)
	}

	// A literal metric value with a default value: published as the value
	// for each matching event, and as the default for a batch with none.
	mkLogs(t, c, "/mf-errors", "s")
	_, err = c.logs.PutMetricFilter(ctx, &cloudwatchlogs.PutMetricFilterInput{
		LogGroupName: aws.String("/mf-errors"), FilterName: aws.String("errors"), FilterPattern: aws.String(`ERROR`),
		MetricTransformations: []types.MetricTransformation{{MetricName: aws.String("Errors"), MetricNamespace: aws.String("E2E/Logs"),
			MetricValue: aws.String("1"), DefaultValue: aws.Float64(0)}},
	})
	if err != nil {
		t.Fatal(err)
	}
	putLogs(t, c, "/mf-errors", "s", logEv(at(1), "ERROR one"), logEv(at(2), "INFO fine"), logEv(at(3), "ERROR two"))
	t1 := t0.Add(2 * time.Minute)
	putLogs(t, c, "/mf-errors", "s", logEv(ms(t1.Add(time.Second)), "INFO all good"), logEv(ms(t1.Add(2*time.Second)), "INFO still good"))
	eventually(t, "Errors with matches", func() (bool, string) {
		d := stats("E2E/Logs", "Errors", nil, t0)
		return len(d) == 1 && aws.ToFloat64(d[0].Sum) == 2 && aws.ToFloat64(d[0].SampleCount) == 2, fmt.Sprintf("%+v", d)
	})
	eventually(t, "Errors default value", func() (bool, string) {
		d := stats("E2E/Logs", "Errors", nil, t1)
		return len(d) == 1 && aws.ToFloat64(d[0].Sum) == 0 && aws.ToFloat64(d[0].SampleCount) == 1, fmt.Sprintf("%+v", d)
	})

	// Describe and delete.
	dm, err := c.logs.DescribeMetricFilters(ctx, &cloudwatchlogs.DescribeMetricFiltersInput{MetricName: aws.String("Errors"), MetricNamespace: aws.String("E2E/Logs")})
	if err != nil || len(dm.MetricFilters) != 1 {
		t.Fatalf("DescribeMetricFilters by metric: %+v %v", dm, err)
	}
	if f := dm.MetricFilters[0]; aws.ToString(f.FilterName) != "errors" || aws.ToString(f.LogGroupName) != "/mf-errors" || aws.ToString(f.FilterPattern) != "ERROR" ||
		aws.ToFloat64(f.MetricTransformations[0].DefaultValue) != 0 || f.MetricTransformations[0].DefaultValue == nil || aws.ToString(f.MetricTransformations[0].MetricValue) != "1" {
		t.Errorf("described filter: %+v", f)
	}
	dg, err := c.logs.DescribeLogGroups(ctx, &cloudwatchlogs.DescribeLogGroupsInput{LogGroupNamePrefix: aws.String("/mf")})
	if err != nil || len(dg.LogGroups) != 2 || aws.ToInt32(dg.LogGroups[0].MetricFilterCount) != 1 {
		t.Fatalf("metricFilterCount: %+v %v", dg, err)
	}
	if _, err := c.logs.DeleteMetricFilter(ctx, &cloudwatchlogs.DeleteMetricFilterInput{LogGroupName: aws.String("/mf"), FilterName: aws.String("latency")}); err != nil {
		t.Fatal(err)
	}
	_, err = c.logs.DeleteMetricFilter(ctx, &cloudwatchlogs.DeleteMetricFilterInput{LogGroupName: aws.String("/mf"), FilterName: aws.String("latency")})
	wantAPIError(t, "delete a deleted filter", err, "ResourceNotFoundException", 400)
	// Events after the deletion publish nothing.
	putLogs(t, c, "/mf", "s", logEv(at(30), `{"service":"api","latency":1}`))
	if d := stats("E2E/Logs", "Latency", svc("api"), t0); len(d) != 1 || aws.ToFloat64(d[0].SampleCount) != 2 {
		t.Fatalf("after DeleteMetricFilter: %+v", d)
	}
}

func TestLogsEmbeddedMetricFormat(t *testing.T) {
	p := startVigil(t, "")
	c := newClients(p.URL, "test", "test", "us-east-1")
	ctx := ctxT(t)
	mkLogs(t, c, "/emf", "s")
	t0 := time.Now().Add(-10 * time.Minute).Truncate(time.Minute)
	emfTS := ms(t0.Add(30 * time.Second))
	doc := fmt.Sprintf(`{"_aws":{"Timestamp":%d,"CloudWatchMetrics":[{"Namespace":"E2E/EMF","Dimensions":[["Service"]],"Metrics":[{"Name":"Latency","Unit":"Milliseconds"}]}]},"Service":"api","Latency":42}`, emfTS)
	malformed := `{"_aws":{"Timestamp":1,"CloudWatchMetrics":[{"Namespace":"E2E/EMF","Dimensions":[["Service"]],"Metrics":[{"Name":"Broken"`
	putLogs(t, c, "/emf", "s", logEv(emfTS, doc), logEv(emfTS+1, malformed))

	if msgs := getMessages(t, c, "/emf", "s"); !slices.Equal(msgs, []string{doc, malformed}) {
		t.Fatalf("EMF events as stored: %q", msgs)
	}
	var lm *cloudwatch.ListMetricsOutput
	eventually(t, "ListMetrics E2E/EMF", func() (bool, string) {
		var err error
		lm, err = c.cw.ListMetrics(ctx, &cloudwatch.ListMetricsInput{Namespace: aws.String("E2E/EMF")})
		return err == nil && len(lm.Metrics) == 1, fmt.Sprintf("%+v %v", lm, err)
	})
	if m := lm.Metrics[0]; aws.ToString(m.MetricName) != "Latency" || len(m.Dimensions) != 1 ||
		aws.ToString(m.Dimensions[0].Name) != "Service" || aws.ToString(m.Dimensions[0].Value) != "api" {
		t.Fatalf("EMF metric: %+v", m)
	}
	st, err := c.cw.GetMetricStatistics(ctx, &cloudwatch.GetMetricStatisticsInput{
		Namespace: aws.String("E2E/EMF"), MetricName: aws.String("Latency"),
		Dimensions: []cwtypes.Dimension{{Name: aws.String("Service"), Value: aws.String("api")}},
		StartTime:  aws.Time(t0), EndTime: aws.Time(t0.Add(time.Minute)), Period: aws.Int32(60),
		Statistics: []cwtypes.Statistic{cwtypes.StatisticSum, cwtypes.StatisticSampleCount},
	})
	if err != nil || len(st.Datapoints) != 1 {
		t.Fatalf("EMF GetMetricStatistics: %+v %v", st, err)
	}
	if d := st.Datapoints[0]; aws.ToFloat64(d.Sum) != 42 || aws.ToFloat64(d.SampleCount) != 1 || d.Unit != cwtypes.StandardUnitMilliseconds ||
		!d.Timestamp.Equal(t0) {
		t.Fatalf("EMF datapoint: %+v", d)
	}
}

// --- subscriptions, tags, resource policies, deletion -----------------------------

func TestLogsSubscriptionsTagsPolicies(t *testing.T) {
	p := startVigil(t, "")
	c := newClients(p.URL, "test", "test", "us-east-1")
	ctx := ctxT(t)
	mkLogs(t, c, "/sub", "s")

	// No destination exists in Vigil yet: CloudWatch Logs refuses a filter
	// whose test delivery fails.
	for _, dest := range []struct{ arn, role string }{
		{"arn:aws:kinesis:us-east-1:000000000000:stream/s", "arn:aws:iam::000000000000:role/cwl"},
		{"arn:aws:firehose:us-east-1:000000000000:deliverystream/f", "arn:aws:iam::000000000000:role/cwl"},
		{"arn:aws:lambda:us-east-1:000000000000:function:f", ""},
	} {
		in := &cloudwatchlogs.PutSubscriptionFilterInput{LogGroupName: aws.String("/sub"), FilterName: aws.String("f"),
			FilterPattern: aws.String(""), DestinationArn: aws.String(dest.arn)}
		if dest.role != "" {
			in.RoleArn = aws.String(dest.role)
		}
		_, err := c.logs.PutSubscriptionFilter(ctx, in)
		wantAPIError(t, "subscription to "+dest.arn, err, "InvalidParameterException", 400)
	}
	ds, err := c.logs.DescribeSubscriptionFilters(ctx, &cloudwatchlogs.DescribeSubscriptionFiltersInput{LogGroupName: aws.String("/sub")})
	if err != nil || len(ds.SubscriptionFilters) != 0 {
		t.Fatalf("DescribeSubscriptionFilters: %+v %v", ds, err)
	}
	_, err = c.logs.DescribeSubscriptionFilters(ctx, &cloudwatchlogs.DescribeSubscriptionFiltersInput{LogGroupName: aws.String("/nope")})
	wantAPIError(t, "subscriptions of a missing group", err, "ResourceNotFoundException", 400)

	// Tags by ARN (TagResource) and by name (the older TagLogGroup).
	arn := logGroupArn("/sub")
	if _, err := c.logs.TagResource(ctx, &cloudwatchlogs.TagResourceInput{ResourceArn: aws.String(arn), Tags: map[string]string{"team": "core", "cost": "42"}}); err != nil {
		t.Fatal(err)
	}
	lt, err := c.logs.ListTagsForResource(ctx, &cloudwatchlogs.ListTagsForResourceInput{ResourceArn: aws.String(arn)})
	if err != nil || fmt.Sprint(lt.Tags) != fmt.Sprint(map[string]string{"cost": "42", "team": "core"}) {
		t.Fatalf("ListTagsForResource: %+v %v", lt, err)
	}
	if _, err := c.logs.UntagResource(ctx, &cloudwatchlogs.UntagResourceInput{ResourceArn: aws.String(arn), TagKeys: []string{"cost"}}); err != nil {
		t.Fatal(err)
	}
	//lint:ignore SA1019 the deprecated tag operations are still part of the API
	if _, err := c.logs.TagLogGroup(ctx, &cloudwatchlogs.TagLogGroupInput{LogGroupName: aws.String("/sub"), Tags: map[string]string{"env": "e2e"}}); err != nil {
		t.Fatal(err)
	}
	//lint:ignore SA1019 the deprecated tag operations are still part of the API
	ltg, err := c.logs.ListTagsLogGroup(ctx, &cloudwatchlogs.ListTagsLogGroupInput{LogGroupName: aws.String("/sub")})
	if err != nil || fmt.Sprint(ltg.Tags) != fmt.Sprint(map[string]string{"env": "e2e", "team": "core"}) {
		t.Fatalf("ListTagsLogGroup: %+v %v", ltg, err)
	}
	lt, err = c.logs.ListTagsForResource(ctx, &cloudwatchlogs.ListTagsForResourceInput{ResourceArn: aws.String(arn)})
	if err != nil || fmt.Sprint(lt.Tags) != fmt.Sprint(ltg.Tags) {
		t.Fatalf("ListTagsForResource after TagLogGroup: %+v %v", lt, err)
	}
	_, err = c.logs.ListTagsForResource(ctx, &cloudwatchlogs.ListTagsForResourceInput{ResourceArn: aws.String(logGroupArn("/nope"))})
	wantAPIError(t, "tags of a missing group", err, "ResourceNotFoundException", 400)
	// Another account's group is not this caller's.
	_, err = c.logs.TagResource(ctx, &cloudwatchlogs.TagResourceInput{ResourceArn: aws.String("arn:aws:logs:us-east-1:111111111111:log-group:/sub"), Tags: map[string]string{"a": "b"}})
	wantAPIError(t, "tag another account's group", err, "ResourceNotFoundException", 400)

	// Resource policies: stored and returned as given, with a revision.
	policy := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"es.amazonaws.com"},"Action":"logs:PutLogEvents","Resource":"*"}]}`
	pr, err := c.logs.PutResourcePolicy(ctx, &cloudwatchlogs.PutResourcePolicyInput{PolicyName: aws.String("e2e"), PolicyDocument: aws.String(policy)})
	if err != nil || aws.ToString(pr.ResourcePolicy.PolicyName) != "e2e" || aws.ToString(pr.ResourcePolicy.PolicyDocument) != policy || pr.ResourcePolicy.PolicyScope != types.PolicyScopeAccount {
		t.Fatalf("PutResourcePolicy: %+v %v", pr, err)
	}
	rev1 := aws.ToString(pr.RevisionId)
	pr, err = c.logs.PutResourcePolicy(ctx, &cloudwatchlogs.PutResourcePolicyInput{PolicyName: aws.String("e2e"), PolicyDocument: aws.String(policy), ExpectedRevisionId: aws.String(rev1)})
	if err != nil || aws.ToString(pr.RevisionId) == rev1 {
		t.Fatalf("PutResourcePolicy update: %+v %v", pr, err)
	}
	_, err = c.logs.PutResourcePolicy(ctx, &cloudwatchlogs.PutResourcePolicyInput{PolicyName: aws.String("e2e"), PolicyDocument: aws.String(policy), ExpectedRevisionId: aws.String(rev1)})
	wantAPIError(t, "stale revision", err, "OperationAbortedException", 400)
	_, err = c.logs.PutResourcePolicy(ctx, &cloudwatchlogs.PutResourcePolicyInput{PolicyName: aws.String("bad"), PolicyDocument: aws.String(`{not json`)})
	wantAPIError(t, "policy that is not JSON", err, "InvalidParameterException", 400)
	rp, err := c.logs.DescribeResourcePolicies(ctx, &cloudwatchlogs.DescribeResourcePoliciesInput{})
	if err != nil || len(rp.ResourcePolicies) != 1 || aws.ToString(rp.ResourcePolicies[0].PolicyDocument) != policy || rp.ResourcePolicies[0].LastUpdatedTime == nil {
		t.Fatalf("DescribeResourcePolicies: %+v %v", rp, err)
	}
	if _, err := c.logs.DeleteResourcePolicy(ctx, &cloudwatchlogs.DeleteResourcePolicyInput{PolicyName: aws.String("e2e")}); err != nil {
		t.Fatal(err)
	}
	if rp, err := c.logs.DescribeResourcePolicies(ctx, &cloudwatchlogs.DescribeResourcePoliciesInput{}); err != nil || len(rp.ResourcePolicies) != 0 {
		t.Fatalf("DescribeResourcePolicies after delete: %+v %v", rp, err)
	}
	_, err = c.logs.DeleteResourcePolicy(ctx, &cloudwatchlogs.DeleteResourcePolicyInput{PolicyName: aws.String("e2e")})
	wantAPIError(t, "delete a deleted policy", err, "ResourceNotFoundException", 400)
}

func TestLogsDeletion(t *testing.T) {
	p := startVigil(t, "")
	c := newClients(p.URL, "test", "test", "us-east-1")
	ctx := ctxT(t)
	now := time.Now().Add(-time.Minute)
	mkLogs(t, c, "/del", "s1", "s2")
	putLogs(t, c, "/del", "s1", logEv(ms(now), "s1-old"))
	putLogs(t, c, "/del", "s2", logEv(ms(now)+1, "s2-old"))

	if _, err := c.logs.DeleteLogStream(ctx, &cloudwatchlogs.DeleteLogStreamInput{LogGroupName: aws.String("/del"), LogStreamName: aws.String("s1")}); err != nil {
		t.Fatal(err)
	}
	_, err := c.logs.GetLogEvents(ctx, &cloudwatchlogs.GetLogEventsInput{LogGroupName: aws.String("/del"), LogStreamName: aws.String("s1")})
	wantAPIError(t, "GetLogEvents of a deleted stream", err, "ResourceNotFoundException", 400)
	if m := apiMessage(err); m != "The specified log stream does not exist." {
		t.Errorf("deleted stream message: %q", m)
	}
	_, err = c.logs.DeleteLogStream(ctx, &cloudwatchlogs.DeleteLogStreamInput{LogGroupName: aws.String("/del"), LogStreamName: aws.String("s1")})
	wantAPIError(t, "delete a deleted stream", err, "ResourceNotFoundException", 400)
	if m := filteredMessages(filterAll(t, c, cloudwatchlogs.FilterLogEventsInput{LogGroupName: aws.String("/del")})); !slices.Equal(m, []string{"s2-old"}) {
		t.Fatalf("FilterLogEvents after DeleteLogStream: %v", m)
	}
	// A re-created stream starts empty.
	mkLogsStreams(t, c, "/del", "s1")
	if m := getMessages(t, c, "/del", "s1"); len(m) != 0 {
		t.Fatalf("re-created stream: %v", m)
	}

	if _, err := c.logs.DeleteLogGroup(ctx, &cloudwatchlogs.DeleteLogGroupInput{LogGroupName: aws.String("/del")}); err != nil {
		t.Fatal(err)
	}
	_, err = c.logs.GetLogEvents(ctx, &cloudwatchlogs.GetLogEventsInput{LogGroupName: aws.String("/del"), LogStreamName: aws.String("s2")})
	wantAPIError(t, "GetLogEvents of a deleted group", err, "ResourceNotFoundException", 400)
	if m := apiMessage(err); m != "The specified log group does not exist." {
		t.Errorf("deleted group message: %q", m)
	}
	_, err = c.logs.DeleteLogGroup(ctx, &cloudwatchlogs.DeleteLogGroupInput{LogGroupName: aws.String("/del")})
	wantAPIError(t, "delete a deleted group", err, "ResourceNotFoundException", 400)

	// Same name again: no old streams, no old events.
	mkLogs(t, c, "/del", "s2")
	if m := getMessages(t, c, "/del", "s2"); len(m) != 0 {
		t.Fatalf("re-created group's stream has old events: %v", m)
	}
	if m := filterAll(t, c, cloudwatchlogs.FilterLogEventsInput{LogGroupName: aws.String("/del")}); len(m) != 0 {
		t.Fatalf("re-created group has old events: %v", filteredMessages(m))
	}
	st, err := c.logs.DescribeLogStreams(ctx, &cloudwatchlogs.DescribeLogStreamsInput{LogGroupName: aws.String("/del")})
	if err != nil || len(st.LogStreams) != 1 || st.LogStreams[0].LastEventTimestamp != nil {
		t.Fatalf("re-created group's streams: %+v %v", st, err)
	}
	putLogs(t, c, "/del", "s2", logEv(ms(now)+2, "s2-new"))
	if m := getMessages(t, c, "/del", "s2"); !slices.Equal(m, []string{"s2-new"}) {
		t.Fatalf("re-created group: %v", m)
	}
}

// TestLogsDeletionProtection: a protected group cannot be deleted, with the
// error the CloudWatch Logs User Guide documents ("Protecting log groups
// from deletion", Error handling): a ValidationException with the message
// "Cannot delete log group with deletion protection enabled. Disable
// deletion protection first."
func TestLogsDeletionProtection(t *testing.T) {
	p := startVigil(t, "")
	c := newClients(p.URL, "test", "test", "us-east-1")
	ctx := ctxT(t)
	mkLogs(t, c, "/protected", "s")
	putLogs(t, c, "/protected", "s", logEv(ms(time.Now()), "keep me"))
	_, err := c.logs.PutLogGroupDeletionProtection(ctx, &cloudwatchlogs.PutLogGroupDeletionProtectionInput{LogGroupIdentifier: aws.String("/protected"), DeletionProtectionEnabled: aws.Bool(true)})
	if err != nil {
		t.Fatal(err)
	}
	dg, err := c.logs.DescribeLogGroups(ctx, &cloudwatchlogs.DescribeLogGroupsInput{LogGroupNamePrefix: aws.String("/protected")})
	if err != nil || len(dg.LogGroups) != 1 || !aws.ToBool(dg.LogGroups[0].DeletionProtectionEnabled) {
		t.Fatalf("deletionProtectionEnabled: %+v %v", dg, err)
	}
	_, delErr := c.logs.DeleteLogGroup(ctx, &cloudwatchlogs.DeleteLogGroupInput{LogGroupName: aws.String("/protected")})
	wantAPIError(t, "delete a protected group", delErr, "ValidationException", 400)
	if m := getMessages(t, c, "/protected", "s"); !slices.Equal(m, []string{"keep me"}) {
		t.Fatalf("protected group after a refused delete: %v", m)
	}
	// Unprotected, it goes.
	_, err = c.logs.PutLogGroupDeletionProtection(ctx, &cloudwatchlogs.PutLogGroupDeletionProtectionInput{LogGroupIdentifier: aws.String(logGroupArn("/protected")), DeletionProtectionEnabled: aws.Bool(false)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.logs.DeleteLogGroup(ctx, &cloudwatchlogs.DeleteLogGroupInput{LogGroupName: aws.String("/protected")}); err != nil {
		t.Fatal(err)
	}
	// Last, so that a wording difference does not hide the checks above.
	if m, want := apiMessage(delErr), "Cannot delete log group with deletion protection enabled. Disable deletion protection first."; m != want {
		t.Errorf("protected group delete message:\n got %q\nwant %q (CloudWatch Logs User Guide)", m, want)
	}
}

// --- durability -------------------------------------------------------------------

// TestLogsSurviveKill9: every event of an acknowledged PutLogEvents is
// readable after kill -9 and a restart on the same data directory.
func TestLogsSurviveKill9(t *testing.T) {
	p := startVigil(t, "")
	c := newClients(p.URL, "test", "test", "us-east-1")
	mkLogs(t, c, "/durable", "a", "b")
	const calls, perCall = 60, 100
	t0 := time.Now().Add(-30 * time.Minute)
	want := map[string][]string{}
	for call := range calls {
		stream := []string{"a", "b"}[call%2]
		evs := make([]types.InputLogEvent, perCall)
		for i := range evs {
			n := call*perCall + i
			msg := fmt.Sprintf("event %05d from call %02d {\"n\":%d}", n, call, n)
			evs[i] = logEv(ms(t0)+int64(n), msg)
			want[stream] = append(want[stream], msg)
		}
		putLogs(t, c, "/durable", stream, evs...)
	}
	p.Kill9()

	p2 := startVigil(t, p.DataDir)
	c2 := newClients(p2.URL, "test", "test", "us-east-1")
	for _, s := range []string{"a", "b"} {
		if got := getMessages(t, c2, "/durable", s); !slices.Equal(got, want[s]) {
			t.Fatalf("stream %s after kill -9: %d events, want %d", s, len(got), len(want[s]))
		}
	}
	all := filteredMessages(filterAll(t, c2, cloudwatchlogs.FilterLogEventsInput{LogGroupName: aws.String("/durable"), Limit: aws.Int32(1000)}))
	if len(all) != calls*perCall {
		t.Fatalf("FilterLogEvents after kill -9: %d events, want %d", len(all), calls*perCall)
	}
	for i, m := range all {
		if !strings.HasPrefix(m, fmt.Sprintf("event %05d ", i)) {
			t.Fatalf("FilterLogEvents after kill -9: event %d is %q", i, m)
		}
	}
	// A filtered read sees them too (JSON is not the whole message here, so a term).
	if got := filterAll(t, c2, cloudwatchlogs.FilterLogEventsInput{LogGroupName: aws.String("/durable"), FilterPattern: aws.String(`"call 59"`)}); len(got) != perCall {
		t.Fatalf("filtered after kill -9: %d events", len(got))
	}
	// The server takes new events in the same streams.
	putLogs(t, c2, "/durable", "a", logEv(ms(t0)+calls*perCall, "after restart"))
	if got := getMessages(t, c2, "/durable", "a"); got[len(got)-1] != "after restart" {
		t.Fatalf("after restart: last event %q", got[len(got)-1])
	}
}

// --- Live Tail ----------------------------------------------------------------------

// disableHostPrefix turns off the "stream-" host prefix the Go SDK puts in
// front of the endpoint's host for StartLiveTail (the operation's smithy
// endpoint trait), which would send the request to stream-127.0.0.1:port.
//
// What the SDK does (service/cloudwatchlogs@v1.92.2, api_op_StartLiveTail.go):
// endpointPrefix_opStartLiveTailMiddleware, a Finalize middleware with ID
// "EndpointHostPrefix" inserted after "ResolveEndpointV2", sets
// req.URL.Host = "stream-" + req.URL.Host unless
// smithyhttp.GetHostnameImmutable(ctx) or
// smithyhttp.IsEndpointHostPrefixDisabled(ctx). There is no client option
// for it (cloudwatchlogs.Options has no DisableHostPrefix; HostnameImmutable
// is only set by the deprecated v1 EndpointResolver path). Both flags are
// middleware stack values, and invokeOperation calls
// middleware.ClearStackValues(ctx) first, so setting
// smithyhttp.DisableEndpointHostPrefix on the context passed to
// StartLiveTail has no effect: it has to be set from inside the stack, by a
// middleware added through APIOptions, as below. (Removing the middleware,
// stack.Finalize.Remove("EndpointHostPrefix"), works too.)
func disableHostPrefix(o *cloudwatchlogs.Options) {
	o.APIOptions = append(o.APIOptions, func(s *middleware.Stack) error {
		return s.Initialize.Add(middleware.InitializeMiddlewareFunc("VigilDisableHostPrefix",
			func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
				return next.HandleInitialize(smithyhttp.DisableEndpointHostPrefix(ctx, true), in)
			}), middleware.Before)
	})
}

// recordHost records the host the request is finally sent to.
func recordHost(host *string) func(*cloudwatchlogs.Options) {
	return func(o *cloudwatchlogs.Options) {
		o.APIOptions = append(o.APIOptions, func(s *middleware.Stack) error {
			return s.Finalize.Add(middleware.FinalizeMiddlewareFunc("VigilRecordHost",
				func(ctx context.Context, in middleware.FinalizeInput, next middleware.FinalizeHandler) (middleware.FinalizeOutput, middleware.Metadata, error) {
					if req, ok := in.Request.(*smithyhttp.Request); ok {
						*host = req.URL.Host
					}
					return next.HandleFinalize(ctx, in)
				}), middleware.After)
		})
	}
}

func TestLiveTailGoSDK(t *testing.T) {
	p := startVigil(t, "")
	c := newClients(p.URL, "test", "test", "us-east-1")
	ctx := ctxT(t)
	mkLogs(t, c, "/tail", "s1", "s2")
	arn := logGroupArn("/tail")

	// Refusals come before the stream.
	_, err := c.logs.StartLiveTail(ctx, &cloudwatchlogs.StartLiveTailInput{LogGroupIdentifiers: []string{logGroupArn("/nope")}}, disableHostPrefix)
	wantAPIError(t, "tail a missing group", err, "ResourceNotFoundException", 400)
	_, err = c.logs.StartLiveTail(ctx, &cloudwatchlogs.StartLiveTailInput{LogGroupIdentifiers: []string{arn}, LogEventFilterPattern: aws.String(`{ $.a = `)}, disableHostPrefix)
	wantAPIError(t, "tail with a bad pattern", err, "InvalidParameterException", 400)

	var host string
	out, err := c.logs.StartLiveTail(ctx, &cloudwatchlogs.StartLiveTailInput{
		LogGroupIdentifiers: []string{arn}, LogEventFilterPattern: aws.String("ERROR"),
	}, disableHostPrefix, recordHost(&host))
	if err != nil {
		t.Fatal(err)
	}
	if host != p.Addr {
		t.Fatalf("StartLiveTail went to host %q, want %q", host, p.Addr)
	}
	stream := out.GetStream()
	defer stream.Close()

	deadline := time.After(15 * time.Second)
	next := func() types.StartLiveTailResponseStream {
		t.Helper()
		select {
		case ev, ok := <-stream.Events():
			if !ok {
				t.Fatalf("the Live Tail stream ended: %v", stream.Err())
			}
			return ev
		case <-deadline:
			t.Fatal("no Live Tail event within 15 s")
		}
		return nil
	}
	start, ok := next().(*types.StartLiveTailResponseStreamMemberSessionStart)
	if !ok {
		t.Fatal("first event is not sessionStart")
	}
	if s := start.Value; aws.ToString(s.SessionId) == "" || aws.ToString(s.RequestId) == "" || !slices.Equal(s.LogGroupIdentifiers, []string{arn}) ||
		aws.ToString(s.LogEventFilterPattern) != "ERROR" {
		t.Fatalf("sessionStart: %+v", s)
	}

	// waitFor reads updates until one carries want; nothing matching "noise"
	// may ever show.
	waitFor := func(want string) types.LiveTailSessionLogEvent {
		t.Helper()
		for {
			ev := next()
			u, ok := ev.(*types.StartLiveTailResponseStreamMemberSessionUpdate)
			if !ok {
				t.Fatalf("event %T after sessionStart", ev)
			}
			if u.Value.SessionMetadata == nil || u.Value.SessionMetadata.Sampled {
				t.Fatalf("sessionMetadata: %+v", u.Value.SessionMetadata)
			}
			var found *types.LiveTailSessionLogEvent
			for i, r := range u.Value.SessionResults {
				if strings.Contains(aws.ToString(r.Message), "noise") {
					t.Fatalf("an event that does not match the pattern was tailed: %q", aws.ToString(r.Message))
				}
				if aws.ToString(r.Message) == want {
					found = &u.Value.SessionResults[i]
				}
			}
			if found != nil {
				return *found
			}
		}
	}
	now := ms(time.Now())
	putLogs(t, c, "/tail", "s1", logEv(now, "INFO noise 1"), logEv(now+1, "ERROR match 1"))
	e := waitFor("ERROR match 1")
	if aws.ToString(e.LogStreamName) != "s1" || aws.ToString(e.LogGroupIdentifier) != arn || aws.ToInt64(e.Timestamp) != now+1 || e.IngestionTime == nil {
		t.Fatalf("tailed event: %+v", e)
	}
	putLogs(t, c, "/tail", "s2", logEv(now+2, "WARN noise 2"))
	putLogs(t, c, "/tail", "s2", logEv(now+3, "ERROR match 2"), logEv(now+4, "DEBUG noise 3"))
	if e := waitFor("ERROR match 2"); aws.ToString(e.LogStreamName) != "s2" {
		t.Fatalf("second tailed event: %+v", e)
	}
	if err := stream.Close(); err != nil {
		t.Fatal(err)
	}

	// A session limited to one stream by name. It runs on a client of its
	// own: smithy-go v1.28.9's awsjson protocol shares one event-stream
	// codec, and its payload buffer, between all the streams of a client
	// (internal/eventstream.Codec.payloadBuf), and the race detector reports
	// the second session's initial response racing with the first session's
	// reader goroutine.
	tail2 := newClients(p.URL, "test", "test", "us-east-1")
	out, err = tail2.logs.StartLiveTail(ctx, &cloudwatchlogs.StartLiveTailInput{LogGroupIdentifiers: []string{arn}, LogStreamNames: []string{"s2"}}, disableHostPrefix)
	if err != nil {
		t.Fatal(err)
	}
	stream = out.GetStream()
	defer stream.Close()
	deadline = time.After(15 * time.Second)
	if _, ok := next().(*types.StartLiveTailResponseStreamMemberSessionStart); !ok {
		t.Fatal("first event is not sessionStart")
	}
	putLogs(t, c, "/tail", "s1", logEv(now+5, "ERROR noise from s1"))
	putLogs(t, c, "/tail", "s2", logEv(now+6, "INFO from s2"))
	waitFor("INFO from s2")
}

// --- other clients -------------------------------------------------------------------

// TestLogsBoto3 runs logs_boto3_suite.py: the Logs API and Live Tail
// through boto3 (Config(inject_host_prefix=False) for Live Tail).
func TestLogsBoto3(t *testing.T) {
	needTool(t, "python3")
	if exec.Command("python3", "-c", "import boto3").Run() != nil {
		t.Skip("boto3 is not installed (scripts/setup.sh installs it)")
	}
	p := startVigil(t, "")
	out, err := exec.Command("python3", "logs_boto3_suite.py", p.URL).CombinedOutput()
	t.Logf("%s", out)
	if err != nil {
		t.Fatalf("boto3 logs suite failed: %v", err)
	}
}

// TestLogsAWSCLI drives Logs with the aws CLI (v1), Live Tail included.
func TestLogsAWSCLI(t *testing.T) {
	needTool(t, "aws")
	p := startVigil(t, "")
	run := func(args ...string) string {
		t.Helper()
		out, stderr, err := awsCLI(t, p.URL, append([]string{"logs"}, args...)...)
		if err != nil {
			t.Fatalf("aws logs %s: %v %s", strings.Join(args, " "), err, stderr)
		}
		return out
	}
	run("create-log-group", "--log-group-name", "/cli/app", "--tags", "team=core")
	run("create-log-stream", "--log-group-name", "/cli/app", "--log-stream-name", "web")
	_, stderr, err := awsCLI(t, p.URL, "logs", "create-log-group", "--log-group-name", "/cli/app")
	if err == nil || !strings.Contains(stderr, "(ResourceAlreadyExistsException)") {
		t.Fatalf("duplicate create-log-group: %v %s", err, stderr)
	}

	t0 := time.Now().Add(-time.Hour).UnixMilli()
	msgs := []string{`{"level":"INFO","msg":"start"}`, `{"level":"ERROR","msg":"boom"}`, `plain ERROR line`, `{"level":"ERROR","msg":"again"}`}
	var evs []map[string]any
	for i, m := range msgs {
		evs = append(evs, map[string]any{"timestamp": t0 + int64(i), "message": m})
	}
	b, _ := json.Marshal(evs)
	file := t.TempDir() + "/events.json"
	if err := os.WriteFile(file, b, 0o644); err != nil {
		t.Fatal(err)
	}
	var put struct {
		NextSequenceToken     string
		RejectedLogEventsInfo map[string]int
	}
	out := run("put-log-events", "--log-group-name", "/cli/app", "--log-stream-name", "web", "--log-events", "file://"+file)
	if err := json.Unmarshal([]byte(out), &put); err != nil || put.NextSequenceToken == "" || put.RejectedLogEventsInfo != nil {
		t.Fatalf("put-log-events: %v %s", err, out)
	}

	var got struct {
		Events []struct {
			Timestamp, IngestionTime int64
			Message, LogStreamName   string
		}
		NextForwardToken, NextBackwardToken string
	}
	out = run("get-log-events", "--log-group-name", "/cli/app", "--log-stream-name", "web", "--start-from-head")
	if err := json.Unmarshal([]byte(out), &got); err != nil || len(got.Events) != 4 || !strings.HasPrefix(got.NextForwardToken, "f/") {
		t.Fatalf("get-log-events: %v %s", err, out)
	}
	for i, e := range got.Events {
		if e.Message != msgs[i] || e.Timestamp != t0+int64(i) {
			t.Fatalf("get-log-events event %d: %+v", i, e)
		}
	}

	// The CLI follows nextToken itself; --page-size makes it do so.
	out = run("filter-log-events", "--log-group-name", "/cli/app", "--filter-pattern", `{ $.level = "ERROR" }`, "--page-size", "1")
	got.Events = nil
	if err := json.Unmarshal([]byte(out), &got); err != nil || len(got.Events) != 2 ||
		got.Events[0].Message != msgs[1] || got.Events[1].Message != msgs[3] || got.Events[0].LogStreamName != "web" {
		t.Fatalf("filter-log-events JSON pattern: %v %s", err, out)
	}
	out = run("filter-log-events", "--log-group-name", "/cli/app", "--filter-pattern", "ERROR -again")
	got.Events = nil
	if err := json.Unmarshal([]byte(out), &got); err != nil || len(got.Events) != 2 || got.Events[1].Message != msgs[2] {
		t.Fatalf("filter-log-events terms: %v %s", err, out)
	}

	// Errors: a missing stream (what the CloudWatch agent reacts to) and an
	// invalid pattern.
	_, stderr, err = awsCLI(t, p.URL, "logs", "put-log-events", "--log-group-name", "/cli/app", "--log-stream-name", "nope",
		"--log-events", fmt.Sprintf("timestamp=%d,message=x", time.Now().UnixMilli()))
	if err == nil || !strings.Contains(stderr, "(ResourceNotFoundException)") || !strings.Contains(stderr, "The specified log stream does not exist.") {
		t.Fatalf("put-log-events to a missing stream: %v %s", err, stderr)
	}
	_, stderr, err = awsCLI(t, p.URL, "logs", "filter-log-events", "--log-group-name", "/cli/app", "--filter-pattern", `{ $.level = `)
	if err == nil || !strings.Contains(stderr, "(InvalidParameterException)") {
		t.Fatalf("filter-log-events with an invalid pattern: %v %s", err, stderr)
	}

	// Live Tail. The CLI (botocore) would send StartLiveTail to
	// stream-127.0.0.1:port; botocore 1.43 reads
	// AWS_DISABLE_HOST_PREFIX_INJECTION (disable_host_prefix_injection in
	// the config file), which turns the prefix off. The CLI prints matching
	// messages as they arrive and stops on SIGINT.
	cmd := exec.Command("aws", "--endpoint-url", p.URL, "logs", "start-live-tail",
		"--log-group-identifiers", logGroupArn("/cli/app"), "--log-event-filter-pattern", "ERROR")
	cmd.Env = append(os.Environ(), "AWS_ACCESS_KEY_ID=test", "AWS_SECRET_ACCESS_KEY=test",
		"AWS_DEFAULT_REGION=us-east-1", "AWS_MAX_ATTEMPTS=1", "AWS_PAGER=", "AWS_CONFIG_FILE=/dev/null",
		"AWS_SHARED_CREDENTIALS_FILE=/dev/null", "AWS_DISABLE_HOST_PREFIX_INJECTION=true")
	tailOut, tailErr := &syncBuffer{}, &syncBuffer{}
	cmd.Stdout, cmd.Stderr = tailOut, tailErr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var waitErr error
	exited := make(chan struct{})
	go func() { waitErr = cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		cmd.Process.Kill() // an error when it has exited already
		<-exited
	})
	// The CLI prints nothing when the session starts, so keep putting one
	// matching and one non-matching event until a matching one shows.
	deadline := time.Now().Add(20 * time.Second)
	for i := 0; !strings.Contains(tailOut.String(), "ERROR cli tail"); i++ {
		select {
		case <-exited:
			t.Fatalf("aws logs start-live-tail exited: %v\nstdout: %s\nstderr: %s", waitErr, tailOut.String(), tailErr.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("aws logs start-live-tail printed no matching event within 20 s\nstdout: %s\nstderr: %s", tailOut.String(), tailErr.String())
		}
		ts := time.Now().UnixMilli()
		run("put-log-events", "--log-group-name", "/cli/app", "--log-stream-name", "web", "--log-events",
			fmt.Sprintf("timestamp=%d,message=INFO cli noise %d", ts, i), fmt.Sprintf("timestamp=%d,message=ERROR cli tail %d", ts, i))
		time.Sleep(300 * time.Millisecond)
	}
	cmd.Process.Signal(syscall.SIGINT)
	select {
	case <-exited:
	case <-time.After(15 * time.Second):
		t.Fatalf("aws logs start-live-tail did not stop on SIGINT")
	}
	if s := tailOut.String(); strings.Contains(s, "noise") {
		t.Fatalf("start-live-tail printed a non-matching event: %s", s)
	}
	if s := tailErr.String(); s != "" {
		t.Errorf("start-live-tail stderr: %s", s)
	}
}

// syncBuffer is a strings.Builder safe for a writer and a reader.
type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
