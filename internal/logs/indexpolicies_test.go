package logs

import (
	"fmt"
	"strings"
	"testing"
	"time"

	logsapi "github.com/vigilhq/vigil/internal/api/logs"
	"github.com/vigilhq/vigil/internal/api/shape"
	"github.com/vigilhq/vigil/internal/insights"
)

func (f *fixture) putIndexPolicy(group, doc string) (*logsapi.PutIndexPolicyResponse, error) {
	return f.svc.PutIndexPolicy(f.ctx(), &logsapi.PutIndexPolicyRequest{LogGroupIdentifier: &group, PolicyDocument: &doc})
}

func TestIndexPolicyHandlers(t *testing.T) {
	f := newFixture(t)
	f.mustCreate(t, "g")
	ia := "ia"
	if err := f.svc.CreateLogGroup(f.ctx(), &logsapi.CreateLogGroupRequest{LogGroupName: &ia, LogGroupClass: shape.Ptr(logsapi.LogGroupClassInfrequentAccess)}); err != nil {
		t.Fatal(err)
	}
	doc := `{"Fields": ["TransactionId"], "FieldsV2": {"RequestId": {"type": "FIELD_INDEX"}, "APIName": {"type": "FACET"}}}`
	out, err := f.putIndexPolicy("arn:aws:logs:us-east-1:123456789012:log-group:g", doc)
	if err != nil {
		t.Fatal(err)
	}
	p := out.IndexPolicy
	if *p.LogGroupIdentifier != "arn:aws:logs:us-east-1:123456789012:log-group:g" || *p.PolicyDocument != doc || *p.Source != "LOG_GROUP" ||
		*p.LastUpdateTime != f.now.UnixMilli() || p.PolicyName != nil {
		t.Fatalf("put: %+v", p)
	}

	many := make([]string, 21)
	for i := range many {
		many[i] = fmt.Sprintf("%q", fmt.Sprint("f", i))
	}
	for _, c := range []struct{ doc, want string }{
		{`not json`, "Invalid index policy document"},
		{`{}`, "at least one field"},
		{`{"Fields": []}`, "at least one field"},
		{`{"Fields": ["a"], "Other": 1}`, "Other"},
		{`{"Fields": ["a", "a"]}`, "listed twice"},
		{`{"Fields": ["a"], "FieldsV2": {"a": {"type": "FACET"}}}`, "both Fields and FieldsV2"},
		{`{"FieldsV2": {"a": {"type": "INDEX"}}}`, "FIELD_INDEX or FACET"},
		{`{"Fields": [""]}`, "1 to 100 characters"},
		{`{"Fields": ["` + strings.Repeat("x", 101) + `"]}`, "1 to 100 characters"},
		{`{"Fields": ["a"]} {}`, "one JSON object"},
	} {
		_, err := f.putIndexPolicy("g", c.doc)
		wantErr[*logsapi.InvalidParameterException](t, err, c.want)
	}
	_, err = f.putIndexPolicy("g", `{"Fields": [`+strings.Join(many, ",")+`]}`)
	wantErr[*logsapi.LimitExceededException](t, err, "at most 20 fields")
	if _, err := f.putIndexPolicy("g", `{"Fields": [`+strings.Join(many[:20], ",")+`]}`); err != nil {
		t.Fatalf("20 fields: %v", err)
	}
	_, err = f.putIndexPolicy("ia", doc)
	wantErr[*logsapi.InvalidParameterException](t, err, "Standard log class")
	_, err = f.putIndexPolicy("nope", doc)
	wantErr[*logsapi.ResourceNotFoundException](t, err, "log group")

	list, err := f.svc.DescribeIndexPolicies(f.ctx(), &logsapi.DescribeIndexPoliciesRequest{LogGroupIdentifiers: []string{"g"}})
	if err != nil || len(list.IndexPolicies) != 1 || !strings.Contains(*list.IndexPolicies[0].PolicyDocument, `"f19"`) {
		t.Fatalf("describe: %+v %v", list, err)
	}
	list, err = f.svc.DescribeIndexPolicies(f.ctx(), &logsapi.DescribeIndexPoliciesRequest{LogGroupIdentifiers: []string{"ia"}})
	if err != nil || len(list.IndexPolicies) != 0 {
		t.Fatalf("describe without policy: %+v %v", list, err)
	}
	_, err = f.svc.DescribeIndexPolicies(f.ctx(), &logsapi.DescribeIndexPoliciesRequest{LogGroupIdentifiers: []string{"nope"}})
	wantErr[*logsapi.ResourceNotFoundException](t, err, "log group")

	if _, err := f.svc.DeleteIndexPolicy(f.ctx(), &logsapi.DeleteIndexPolicyRequest{LogGroupIdentifier: shape.Ptr("g")}); err != nil {
		t.Fatal(err)
	}
	list, _ = f.svc.DescribeIndexPolicies(f.ctx(), &logsapi.DescribeIndexPoliciesRequest{LogGroupIdentifiers: []string{"g"}})
	if len(list.IndexPolicies) != 0 {
		t.Fatalf("describe after delete: %+v", list)
	}
	_, err = f.svc.DeleteIndexPolicy(f.ctx(), &logsapi.DeleteIndexPolicyRequest{LogGroupIdentifier: shape.Ptr("g")})
	wantErr[*logsapi.ResourceNotFoundException](t, err, "no index policy")
	_, err = f.svc.DeleteIndexPolicy(f.ctx(), &logsapi.DeleteIndexPolicyRequest{LogGroupIdentifier: shape.Ptr("nope")})
	wantErr[*logsapi.ResourceNotFoundException](t, err, "log group")
}

// What filterIndex sees: a field is indexed for the events ingested while
// a policy held it, and for 30 days after it left what it indexed stays
// usable; the default fields index every event of a Standard group.
func TestIndexSpans(t *testing.T) {
	f := newFixture(t)
	f.mustCreate(t, "g")
	ia := "ia"
	if err := f.svc.CreateLogGroup(f.ctx(), &logsapi.CreateLogGroupRequest{LogGroupName: &ia, LogGroupClass: shape.Ptr(logsapi.LogGroupClassInfrequentAccess)}); err != nil {
		t.Fatal(err)
	}
	t0 := f.now.UnixMilli()
	if _, err := f.putIndexPolicy("g", `{"Fields": ["a", "b"]}`); err != nil {
		t.Fatal(err)
	}
	f.now = f.now.Add(time.Hour)
	t1 := f.now.UnixMilli()
	if _, err := f.putIndexPolicy("g", `{"Fields": ["b"], "FieldsV2": {"c": {"type": "FACET"}}}`); err != nil {
		t.Fatal(err)
	}
	f.now = f.now.Add(time.Hour)
	t2 := f.now.UnixMilli()
	if _, err := f.svc.DeleteIndexPolicy(f.ctx(), &logsapi.DeleteIndexPolicyRequest{LogGroupIdentifier: shape.Ptr("g")}); err != nil {
		t.Fatal(err)
	}
	check := func(now int64, want string) {
		t.Helper()
		snap := f.svc.queryIndexes(partitionOf(f.ctx()), []string{"g", "ia"}, now)
		var got []string
		for _, c := range []struct {
			group, field string
			at           int64
		}{
			{"g", "a", t0 - 1}, {"g", "a", t0}, {"g", "a", t1}, {"g", "b", t0}, {"g", "b", t2 - 1}, {"g", "b", t2},
			{"g", "c", t1 - 1}, {"g", "c", t1}, {"g", "traceId", 0}, {"g", "@logStream", t2 + 1}, {"ia", "traceId", 0}, {"g", "d", t0},
		} {
			if snap.Indexed(c.group, c.field, c.at) {
				got = append(got, fmt.Sprintf("%s.%s@%d", c.group, c.field, c.at-t0))
			}
		}
		if s := strings.Join(got, " "); s != want {
			t.Errorf("indexed at %d: %s, want %s", now-t0, s, want)
		}
	}
	check(t2, "g.a@0 g.b@0 g.b@7199999 g.c@3600000 g.traceId@-1795608000000 g.@logStream@7200001")
	month := (30 * 24 * time.Hour).Milliseconds()
	check(t1+month-1, "g.a@0 g.b@0 g.b@7199999 g.c@3600000 g.traceId@-1795608000000 g.@logStream@7200001")
	check(t1+month, "g.b@0 g.b@7199999 g.c@3600000 g.traceId@-1795608000000 g.@logStream@7200001")
	check(t2+month, "g.traceId@-1795608000000 g.@logStream@7200001")
}

// Policies and what they indexed survive a restart; deleting the log group
// deletes its policy.
func TestIndexPoliciesPersist(t *testing.T) {
	f, open := durableFixture(t)
	f.mustCreate(t, "g")
	f.mustCreate(t, "h")
	f.mustCreate(t, "gone")
	t0 := f.now.UnixMilli()
	for _, g := range []string{"g", "h", "gone"} {
		if _, err := f.putIndexPolicy(g, `{"Fields": ["requestId"]}`); err != nil {
			t.Fatal(err)
		}
	}
	f.now = f.now.Add(time.Minute)
	if _, err := f.svc.DeleteIndexPolicy(f.ctx(), &logsapi.DeleteIndexPolicyRequest{LogGroupIdentifier: shape.Ptr("h")}); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.DeleteLogGroup(f.ctx(), &logsapi.DeleteLogGroupRequest{LogGroupName: shape.Ptr("gone")}); err != nil {
		t.Fatal(err)
	}
	open()
	list, err := f.svc.DescribeIndexPolicies(f.ctx(), &logsapi.DescribeIndexPoliciesRequest{LogGroupIdentifiers: []string{"g"}})
	if err != nil || len(list.IndexPolicies) != 1 || *list.IndexPolicies[0].PolicyDocument != `{"Fields": ["requestId"]}` || *list.IndexPolicies[0].LastUpdateTime != t0 {
		t.Fatalf("after reopen: %+v %v", list, err)
	}
	snap := f.svc.queryIndexes(partitionOf(f.ctx()), []string{"g", "h"}, f.now.UnixMilli())
	if !snap.Indexed("g", "requestId", t0+1e6) || !snap.Indexed("h", "requestId", t0) || snap.Indexed("h", "requestId", f.now.UnixMilli()) {
		t.Fatalf("spans after reopen: %+v", snap)
	}
	f.mustCreate(t, "gone")
	list, _ = f.svc.DescribeIndexPolicies(f.ctx(), &logsapi.DescribeIndexPoliciesRequest{LogGroupIdentifiers: []string{"gone"}})
	if len(list.IndexPolicies) != 0 || f.svc.queryIndexes(partitionOf(f.ctx()), []string{"gone"}, f.now.UnixMilli()).Indexed("gone", "requestId", t0) {
		t.Fatalf("a re-created group inherited its predecessor's policy: %+v", list)
	}
}

func TestListLogGroupsByFieldIndex(t *testing.T) {
	f := newFixture(t)
	f.mustCreate(t, "a")
	f.mustCreate(t, "b")
	ia := "c"
	if err := f.svc.CreateLogGroup(f.ctx(), &logsapi.CreateLogGroupRequest{LogGroupName: &ia, LogGroupClass: shape.Ptr(logsapi.LogGroupClassInfrequentAccess)}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.putIndexPolicy("a", `{"Fields": ["requestId"], "FieldsV2": {"status": {"type": "FACET"}}}`); err != nil {
		t.Fatal(err)
	}
	if _, err := f.putIndexPolicy("b", `{"Fields": ["userId"]}`); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.DeleteIndexPolicy(f.ctx(), &logsapi.DeleteIndexPolicyRequest{LogGroupIdentifier: shape.Ptr("b")}); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		names []string
		want  string
	}{
		{[]string{"requestId"}, "[a]"},
		{[]string{"requestId", "status"}, "[a]"},
		{[]string{"requestId", "userId"}, "[]"},
		{[]string{"userId"}, "[]"}, // b's policy is gone
		{[]string{"@logStream"}, "[a b]"},
		{[]string{"traceId", "status"}, "[a]"},
		{nil, "[a b c]"},
	} {
		out, err := f.svc.ListLogGroups(f.ctx(), &logsapi.ListLogGroupsRequest{FieldIndexNames: c.names})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, g := range out.LogGroups {
			got = append(got, *g.LogGroupName)
		}
		if s := fmt.Sprint(got); s != c.want && !(c.want == "[]" && got == nil) {
			t.Errorf("fieldIndexNames %v: %s, want %s", c.names, s, c.want)
		}
	}
}

func TestDescribeFieldIndexes(t *testing.T) {
	f := newFixture(t)
	f.svc.indexScanner = insights.NewEngine(f.events, nil)
	f.mustCreate(t, "g", "s")
	f.mustCreate(t, "h", "s")
	now := f.now.UnixMilli()
	before := []string{`{"requestId":"r0","traceId":"t0"}`, `{"@user":"ann"}`}
	if _, err := f.put("g", "s", events([]int64{now - 9000, now - 8000}, func(i int) string { return before[i] })); err != nil {
		t.Fatal(err)
	}
	f.now = f.now.Add(time.Second)
	if _, err := f.putIndexPolicy("g", `{"Fields": ["requestId", "@@user", "absent"], "FieldsV2": {"status": {"type": "FACET"}}}`); err != nil {
		t.Fatal(err)
	}
	f.now = f.now.Add(time.Second)
	after := []string{`{"requestId":"r1","status":200}`, `plain`, `{"requestId":"r2","@user":"bob"}`}
	if _, err := f.put("g", "s", events([]int64{now - 5000, now - 4000, now - 3000}, func(i int) string { return after[i] })); err != nil {
		t.Fatal(err)
	}
	out, err := f.svc.DescribeFieldIndexes(f.ctx(), &logsapi.DescribeFieldIndexesRequest{LogGroupIdentifiers: []string{"g", "arn:aws:logs:us-east-1:123456789012:log-group:h"}})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, fi := range out.FieldIndexes {
		if *fi.LastScanTime != f.now.UnixMilli() {
			t.Errorf("lastScanTime %d", *fi.LastScanTime)
		}
		got = append(got, fmt.Sprintf("%s %s %s %d..%d", strings.TrimPrefix(*fi.LogGroupIdentifier, "arn:aws:logs:us-east-1:123456789012:log-group:"),
			*fi.FieldIndexName, *fi.Type, *fi.FirstEventTime-now, *fi.LastEventTime-now))
	}
	// traceId (default) is found in the event before the policy: default
	// indexes cover every event. requestId and @@user only count events
	// ingested after the policy; "absent" occurs nowhere; h has no events.
	want := "[g @@user FIELD_INDEX -3000..-3000 g @logStream FIELD_INDEX -9000..-3000 g requestId FIELD_INDEX -5000..-3000 g status FACET -5000..-5000 g traceId FIELD_INDEX -9000..-9000]"
	if s := fmt.Sprint(got); s != want {
		t.Fatalf("field indexes:\n%s\nwant\n%s", s, want)
	}
	_, err = f.svc.DescribeFieldIndexes(f.ctx(), &logsapi.DescribeFieldIndexesRequest{LogGroupIdentifiers: []string{"g", "nope"}})
	wantErr[*logsapi.ResourceNotFoundException](t, err, "log group")
}
