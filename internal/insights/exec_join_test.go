package insights

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/vigilhq/vigil/internal/insights/query"
	"github.com/vigilhq/vigil/internal/logstore"
)

// TestJoinSubqueryGroups: a join subquery reads the log groups the caller
// resolved for its SOURCE (Spec.JoinGroups), else the groups SOURCE names;
// SOURCE logGroups() needs the caller.
func TestJoinSubqueryGroups(t *testing.T) {
	s := openStore(t)
	ctx := context.Background()
	for i, group := range []string{"main", "named", "resolved"} {
		ev := logstore.Event{Timestamp: int64(1000 + i), IngestionTime: 1000, Message: []byte(`{"id":1,"v":"` + group + `"}`)}
		if err := s.Append(ctx, testPart, group, "s", []logstore.Event{ev}); err != nil {
			t.Fatal(err)
		}
	}
	e := NewEngine(s, nil)
	run := func(qs string, joins func(*query.Query) map[*query.Source][]string) (string, error) {
		q := query.MustParse(qs)
		spec := Spec{Partition: testPart, Query: q, Groups: []string{"main"}, Start: 0, End: 2000}
		if joins != nil {
			spec.JoinGroups = joins(q)
		}
		rows, st, err := e.Run(ctx, spec, nil)
		if err != nil {
			return "", err
		}
		var vs []string
		for _, r := range rows {
			vs = append(vs, r[0].Value)
		}
		return fmt.Sprintf("%s scanned=%v", strings.Join(vs, ","), st.RecordsScanned), nil
	}
	const qs = `join left=a right=b where a.id = b.id (SOURCE 'named') | display b.v`
	if got, err := run(qs, nil); err != nil || got != "named scanned=2" {
		t.Fatalf("named: %q %v", got, err)
	}
	resolved := func(q *query.Query) map[*query.Source][]string {
		return map[*query.Source][]string{q.Commands[0].(*query.JoinCmd).Sub.Source: {"resolved", "named"}}
	}
	if got, err := run(qs, resolved); err != nil || got != "resolved,named scanned=3" {
		t.Fatalf("resolved: %q %v", got, err)
	}
	_, err := run(`join left=a right=b where a.id = b.id (SOURCE logGroups(namePrefix: ["n"]))`, nil)
	var ue *UnsupportedError
	if !errors.As(err, &ue) || !strings.Contains(ue.Msg, "logGroups") {
		t.Fatalf("unresolved logGroups(): %v", err)
	}
}
