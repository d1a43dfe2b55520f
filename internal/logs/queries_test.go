package logs

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	logsapi "github.com/vigilhq/vigil/internal/api/logs"
	"github.com/vigilhq/vigil/internal/api/shape"
	"github.com/vigilhq/vigil/internal/insights"
	"github.com/vigilhq/vigil/internal/insights/query"
)

// echoExec answers every query with one row naming its groups and range.
type echoExec struct{}

func (echoExec) Run(_ context.Context, spec insights.Spec, _ func([]insights.Row, insights.Stats)) ([]insights.Row, insights.Stats, error) {
	row := insights.Row{{Name: "groups", Value: spec.Groups[0]}, {Name: "range", Value: time.UnixMilli(spec.Start).UTC().Format(time.RFC3339) + "/" + time.UnixMilli(spec.End).UTC().Format(time.RFC3339Nano)}}
	return []insights.Row{row}, insights.Stats{RecordsScanned: 3, RecordsMatched: 1}, nil
}

func TestQueryHandlers(t *testing.T) {
	f := newFixture(t)
	m := insights.NewManager(echoExec{}, insights.ManagerOptions{})
	defer m.Close()
	f.svc.queries = m
	f.svc.checkQuery = func(q *query.Query) error {
		for _, c := range q.Commands {
			if c.Name() == "pattern" {
				return &query.ParseError{Msg: "The command 'pattern' is not supported by Vigil yet.", Pos: c.Start()}
			}
		}
		return nil
	}
	f.mustCreate(t, "/app/a")
	f.mustCreate(t, "/app/b")
	start := func(in *logsapi.StartQueryRequest) (string, error) {
		if in.StartTime == nil {
			in.StartTime, in.EndTime = shape.Ptr(int64(1700000000)), shape.Ptr(int64(1700000060))
		}
		out, err := f.svc.StartQuery(f.ctx(), in)
		if err != nil {
			return "", err
		}
		return *out.QueryId, nil
	}
	id, err := start(&logsapi.StartQueryRequest{LogGroupName: shape.Ptr("/app/a"), QueryString: shape.Ptr("fields @message | limit 5")})
	if err != nil {
		t.Fatal(err)
	}
	var res *logsapi.GetQueryResultsResponse
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(time.Millisecond) {
		res, err = f.svc.GetQueryResults(f.ctx(), &logsapi.GetQueryResultsRequest{QueryId: &id})
		if err != nil {
			t.Fatal(err)
		}
		if *res.Status == "Complete" || time.Now().After(deadline) {
			break
		}
	}
	if *res.Status != "Complete" || len(res.Results) != 1 || *res.Results[0][0].Value != "/app/a" || *res.Statistics.RecordsScanned != 3 {
		t.Fatalf("results %+v", res)
	}
	// The end second is included whole.
	if got := *res.Results[0][1].Value; got != "2023-11-14T22:13:20Z/2023-11-14T22:14:20.999Z" {
		t.Fatalf("range %s", got)
	}

	// SOURCE selects by prefix; it excludes the log group parameters.
	if _, err := start(&logsapi.StartQueryRequest{QueryString: shape.Ptr(`SOURCE logGroups(namePrefix: ["/app/b"]) | fields @message`)}); err != nil {
		t.Fatal(err)
	}
	_, err = start(&logsapi.StartQueryRequest{LogGroupName: shape.Ptr("/app/a"), QueryString: shape.Ptr(`SOURCE logGroups(namePrefix: ["/app"]) | fields @message`)})
	wantErr[*logsapi.InvalidParameterException](t, err, "SOURCE")
	_, err = start(&logsapi.StartQueryRequest{QueryString: shape.Ptr("fields @message")})
	wantErr[*logsapi.InvalidParameterException](t, err, "exactly one")
	_, err = start(&logsapi.StartQueryRequest{LogGroupName: shape.Ptr("/nope"), QueryString: shape.Ptr("fields @message")})
	wantErr[*logsapi.ResourceNotFoundException](t, err, "/nope")
	_, err = start(&logsapi.StartQueryRequest{LogGroupName: shape.Ptr("/app/a"), QueryString: shape.Ptr("fields @message | frobnicate")})
	var mq *logsapi.MalformedQueryException
	if !errors.As(err, &mq) || mq.QueryCompileError == nil || *mq.QueryCompileError.Location.StartCharOffset <= 0 {
		t.Fatalf("malformed query: %v", err)
	}
	_, err = start(&logsapi.StartQueryRequest{LogGroupName: shape.Ptr("/app/a"), QueryString: shape.Ptr("pattern @message")})
	wantErr[*logsapi.MalformedQueryException](t, err, "not supported")
	_, err = start(&logsapi.StartQueryRequest{LogGroupName: shape.Ptr("/app/a"), QueryString: shape.Ptr("fields @message"), QueryLanguage: shape.Ptr("SQL")})
	wantErr[*logsapi.InvalidParameterException](t, err, "SQL")
	_, err = start(&logsapi.StartQueryRequest{LogGroupName: shape.Ptr("/app/a"), QueryString: shape.Ptr("fields @message"), StartTime: shape.Ptr(int64(10)), EndTime: shape.Ptr(int64(5))})
	wantErr[*logsapi.InvalidParameterException](t, err, "endTime")

	list, err := f.svc.DescribeQueries(f.ctx(), &logsapi.DescribeQueriesRequest{MaxResults: shape.Ptr(int32(1))})
	if err != nil || len(list.Queries) != 1 || list.NextToken == nil {
		t.Fatalf("describe: %+v %v", list, err)
	}
	rest, err := f.svc.DescribeQueries(f.ctx(), &logsapi.DescribeQueriesRequest{NextToken: list.NextToken})
	if err != nil || len(rest.Queries) != 1 {
		t.Fatalf("describe page 2: %+v %v", rest, err)
	}
	byGroup, _ := f.svc.DescribeQueries(f.ctx(), &logsapi.DescribeQueriesRequest{LogGroupName: shape.Ptr("/app/a")})
	if len(byGroup.Queries) != 1 || *byGroup.Queries[0].QueryId != id {
		t.Fatalf("by group: %+v", byGroup.Queries)
	}
	if out, err := f.svc.StopQuery(f.ctx(), &logsapi.StopQueryRequest{QueryId: &id}); err != nil || *out.Success {
		t.Fatalf("stopping a complete query: %v %v", out, err)
	}
	_, err = f.svc.GetQueryResults(f.ctx(), &logsapi.GetQueryResultsRequest{QueryId: shape.Ptr("nope")})
	wantErr[*logsapi.ResourceNotFoundException](t, err, "query")
}

func TestGetLogGroupFields(t *testing.T) {
	f := newFixture(t)
	f.svc.fields = insights.NewEngine(f.events, nil)
	f.mustCreate(t, "g", "s")
	now := f.now.UnixMilli()
	msgs := []string{`{"level":"INFO","req":{"path":"/a"}}`, `{"level":"ERROR"}`, `plain`, `{"level":"INFO","tags":["x","y"]}`}
	if _, err := f.put("g", "s", events([]int64{now - 60_000, now - 50_000, now - 40_000, now - 30_000}, func(i int) string { return msgs[i] })); err != nil {
		t.Fatal(err)
	}
	// An event outside the 15 minutes is not sampled.
	if _, err := f.put("g", "s", events([]int64{now - 3_600_000}, func(int) string { return `{"old":1}` })); err != nil {
		t.Fatal(err)
	}
	out, err := f.svc.GetLogGroupFields(f.ctx(), &logsapi.GetLogGroupFieldsRequest{LogGroupName: shape.Ptr("g")})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]int32{}
	for _, fld := range out.LogGroupFields {
		got[*fld.Name] = *fld.Percent
	}
	want := map[string]int32{"@ingestionTime": 100, "@log": 100, "@logStream": 100, "@message": 100, "@timestamp": 100,
		"level": 75, "req.path": 25, "tags.0": 25, "tags.1": 25}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("fields %v, want %v", got, want)
	}
	_, err = f.svc.GetLogGroupFields(f.ctx(), &logsapi.GetLogGroupFieldsRequest{LogGroupName: shape.Ptr("nope")})
	wantErr[*logsapi.ResourceNotFoundException](t, err, "log group")
}

// Log classes limit Logs Insights: no queries on Delivery groups, and not
// pattern, diff, filterIndex or unmask on Infrequent Access ones.
func TestStartQueryLogClasses(t *testing.T) {
	f := newFixture(t)
	f.svc.queries, f.svc.checkQuery = &specQueries{}, insights.Unsupported
	for name, class := range map[string]string{"std": logsapi.LogGroupClassStandard, "ia": logsapi.LogGroupClassInfrequentAccess, "dl": logsapi.LogGroupClassDelivery} {
		if err := f.svc.CreateLogGroup(f.ctx(), &logsapi.CreateLogGroupRequest{LogGroupName: shape.Ptr(name), LogGroupClass: shape.Ptr(class)}); err != nil {
			t.Fatal(err)
		}
	}
	start := func(group, qs string) error {
		_, err := f.svc.StartQuery(f.ctx(), &logsapi.StartQueryRequest{LogGroupName: shape.Ptr(group), QueryString: &qs,
			StartTime: shape.Ptr(int64(0)), EndTime: shape.Ptr(int64(1))})
		return err
	}
	for _, qs := range []string{"stats count(*) by level", "pattern @message", "filterIndex level = 'x'", "unmask @message"} {
		if err := start("std", qs); err != nil {
			t.Fatalf("standard, %s: %v", qs, err)
		}
	}
	if err := start("ia", "stats count(*) by level | sort level"); err != nil {
		t.Fatal(err)
	}
	wantErr[*logsapi.InvalidParameterException](t, start("ia", "pattern @message"), "Infrequent Access log class, which does not support the pattern command")
	wantErr[*logsapi.InvalidParameterException](t, start("ia", "fields @message | unmask @message"), "does not support the unmask command")
	wantErr[*logsapi.InvalidParameterException](t, start("dl", "fields @message"), "Delivery log class, which does not support Logs Insights queries")
}
