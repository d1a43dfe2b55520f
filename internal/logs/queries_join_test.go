package logs

import (
	"fmt"
	"testing"

	logsapi "github.com/vigilhq/vigil/internal/api/logs"
	"github.com/vigilhq/vigil/internal/api/shape"
	"github.com/vigilhq/vigil/internal/insights"
	"github.com/vigilhq/vigil/internal/insights/query"
)

// StartQuery resolves the SOURCE of join subqueries, nested ones included,
// as it resolves the query's own, and refuses a group that does not exist.
func TestStartQueryJoinGroups(t *testing.T) {
	f := newFixture(t)
	q := &specQueries{}
	f.svc.queries, f.svc.checkQuery = q, insights.Unsupported
	for _, g := range []string{"/app/a", "/app/b", "/lambda/x", "/lambda/y"} {
		f.mustCreate(t, g)
	}
	start := func(qs string) error {
		_, err := f.svc.StartQuery(f.ctx(), &logsapi.StartQueryRequest{LogGroupName: shape.Ptr("/app/a"), QueryString: &qs,
			StartTime: shape.Ptr(int64(0)), EndTime: shape.Ptr(int64(1))})
		return err
	}
	groups := func(spec insights.Spec) string {
		var out []string
		var walk func(q *query.Query)
		walk = func(q *query.Query) {
			for _, c := range q.Commands {
				if j, ok := c.(*query.JoinCmd); ok {
					out = append(out, fmt.Sprint(spec.JoinGroups[j.Sub.Source]))
					walk(j.Sub)
				}
			}
		}
		walk(spec.Query)
		return fmt.Sprint(out)
	}

	if err := start(`join left=a right=b where a.id = b.id (SOURCE logGroups(namePrefix: ["/lambda"]))`); err != nil {
		t.Fatal(err)
	}
	if got := groups(q.specs[0]); got != "[[/lambda/x /lambda/y]]" {
		t.Fatalf("prefix: %s", got)
	}
	if err := start(`join left=a right=b where a.id = b.id (SOURCE '/app/b' | join left=c right=d where c.id = d.id (SOURCE '/lambda/y'))`); err != nil {
		t.Fatal(err)
	}
	if got := groups(q.specs[1]); got != "[[/app/b] [/lambda/y]]" {
		t.Fatalf("nested: %s", got)
	}
	if err := start(`fields @message`); err != nil || q.specs[2].JoinGroups != nil {
		t.Fatalf("without join: %v %v", q.specs[2].JoinGroups, err)
	}
	wantErr[*logsapi.ResourceNotFoundException](t, start(`join left=a right=b where a.id = b.id (SOURCE '/nope')`), "/nope")
	wantErr[*logsapi.ResourceNotFoundException](t,
		start(`join left=a right=b where a.id = b.id (SOURCE '/app/b' | join left=c right=d where c.id = d.id (SOURCE '/nope2'))`), "/nope2")
	if len(q.specs) != 3 {
		t.Fatalf("%d queries started", len(q.specs))
	}
}
