package logs

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	logsapi "github.com/vigilhq/vigil/internal/api/logs"
	"github.com/vigilhq/vigil/internal/api/shape"
	"github.com/vigilhq/vigil/internal/insights"
)

// specQueries records the Spec of each started query and runs none.
type specQueries struct{ specs []insights.Spec }

func (q *specQueries) Start(spec insights.Spec) (string, error) {
	q.specs = append(q.specs, spec)
	return fmt.Sprint(len(q.specs)), nil
}
func (q *specQueries) Get(partition, string) (insights.Info, bool) { return insights.Info{}, false }
func (q *specQueries) Stop(partition, string) (bool, bool)         { return false, false }
func (q *specQueries) List(partition, insights.Status, string) []insights.Info {
	return nil
}

const usersCSV = "id,name,team\n7,ann,core\n8,bob,\n"

func (f *fixture) createTable(t *testing.T, name, body string) string {
	t.Helper()
	out, err := f.svc.CreateLookupTable(f.ctx(), &logsapi.CreateLookupTableRequest{LookupTableName: &name, TableBody: &body})
	if err != nil {
		t.Fatal(err)
	}
	return *out.LookupTableArn
}

func TestLookupTableHandlers(t *testing.T) {
	f := newFixture(t)
	ctx := f.ctx()
	out, err := f.svc.CreateLookupTable(ctx, &logsapi.CreateLookupTableRequest{LookupTableName: shape.Ptr("users"), TableBody: shape.Ptr(usersCSV),
		Description: shape.Ptr("who is who"), KmsKeyId: shape.Ptr("arn:aws:kms:us-east-1:123456789012:key/k"), Tags: map[string]string{"team": "core"}})
	if err != nil {
		t.Fatal(err)
	}
	arn := "arn:aws:logs:us-east-1:123456789012:lookup-table:users"
	if *out.LookupTableArn != arn || *out.CreatedAt != f.now.UnixMilli() {
		t.Fatalf("create: %s %d", *out.LookupTableArn, *out.CreatedAt)
	}
	_, err = f.svc.CreateLookupTable(ctx, &logsapi.CreateLookupTableRequest{LookupTableName: shape.Ptr("users"), TableBody: shape.Ptr(usersCSV)})
	wantErr[*logsapi.ResourceAlreadyExistsException](t, err, "users")

	got, err := f.svc.GetLookupTable(ctx, &logsapi.GetLookupTableRequest{LookupTableArn: &arn})
	if err != nil {
		t.Fatal(err)
	}
	if *got.LookupTableName != "users" || *got.TableBody != usersCSV || *got.SizeBytes != int64(len(usersCSV)) || *got.Description != "who is who" ||
		*got.KmsKeyId != "arn:aws:kms:us-east-1:123456789012:key/k" || *got.LastUpdatedTime != f.now.UnixMilli() {
		t.Fatalf("get: %+v", got)
	}
	_, err = f.svc.GetLookupTable(ctx, &logsapi.GetLookupTableRequest{LookupTableArn: shape.Ptr("arn:aws:logs:us-east-1:123456789012:lookup-table:nope")})
	wantErr[*logsapi.ResourceNotFoundException](t, err, "lookup table")
	_, err = f.svc.GetLookupTable(ctx, &logsapi.GetLookupTableRequest{LookupTableArn: shape.Ptr("arn:aws:logs:eu-west-1:123456789012:lookup-table:users")})
	wantErr[*logsapi.ResourceNotFoundException](t, err, "lookup table")
	_, err = f.svc.GetLookupTable(ctx, &logsapi.GetLookupTableRequest{LookupTableArn: shape.Ptr("users")})
	wantErr[*logsapi.InvalidParameterException](t, err, "ARN")

	// Update replaces the content; a description left out stays, an empty
	// kmsKeyId removes the key.
	f.now = f.now.Add(time.Minute)
	up, err := f.svc.UpdateLookupTable(f.ctx(), &logsapi.UpdateLookupTableRequest{LookupTableArn: &arn, TableBody: shape.Ptr("id,name\n9,cy\n"), KmsKeyId: shape.Ptr("")})
	if err != nil || *up.LastUpdatedTime != f.now.UnixMilli() || *up.LookupTableArn != arn {
		t.Fatalf("update: %+v %v", up, err)
	}
	got, _ = f.svc.GetLookupTable(f.ctx(), &logsapi.GetLookupTableRequest{LookupTableArn: &arn})
	if *got.TableBody != "id,name\n9,cy\n" || *got.Description != "who is who" || got.KmsKeyId != nil {
		t.Fatalf("after update: %+v", got)
	}
	_, err = f.svc.UpdateLookupTable(f.ctx(), &logsapi.UpdateLookupTableRequest{LookupTableArn: &arn, TableBody: shape.Ptr("id,name\n1\n")})
	wantErr[*logsapi.InvalidParameterException](t, err, "line 2")
	if got, _ = f.svc.GetLookupTable(f.ctx(), &logsapi.GetLookupTableRequest{LookupTableArn: &arn}); *got.TableBody != "id,name\n9,cy\n" {
		t.Fatalf("a refused update changed the table: %q", *got.TableBody)
	}
	_, err = f.svc.UpdateLookupTable(f.ctx(), &logsapi.UpdateLookupTableRequest{LookupTableArn: shape.Ptr("arn:aws:logs:us-east-1:123456789012:lookup-table:nope"), TableBody: shape.Ptr("a\n")})
	wantErr[*logsapi.ResourceNotFoundException](t, err, "lookup table")

	if err := f.svc.DeleteLookupTable(f.ctx(), &logsapi.DeleteLookupTableRequest{LookupTableArn: &arn}); err != nil {
		t.Fatal(err)
	}
	_, err = f.svc.GetLookupTable(f.ctx(), &logsapi.GetLookupTableRequest{LookupTableArn: &arn})
	wantErr[*logsapi.ResourceNotFoundException](t, err, "lookup table")
	err = f.svc.DeleteLookupTable(f.ctx(), &logsapi.DeleteLookupTableRequest{LookupTableArn: &arn})
	wantErr[*logsapi.ResourceNotFoundException](t, err, "lookup table")
}

func TestLookupTableBodyRules(t *testing.T) {
	f := newFixture(t)
	for _, c := range []struct{ body, want string }{
		{"id,name\n7\n", "line 2"},
		{"id,\n7,ann\n", "no name"},
		{"id,id\n7,8\n", `"id" twice`},
		{"id\n\"open\n", "not valid CSV"},
		{"id\n\xff\n", "UTF-8"},
		{"\n\n", "header row"},
		{"id\n" + strings.Repeat("é", maxLookupTableBody/2), "10 MB"},
	} {
		_, err := f.svc.CreateLookupTable(f.ctx(), &logsapi.CreateLookupTableRequest{LookupTableName: shape.Ptr("t"), TableBody: &c.body})
		wantErr[*logsapi.InvalidParameterException](t, err, c.want)
	}
	// A header alone is a table without rows; a byte order mark is not
	// part of the first column's name.
	arn := f.createTable(t, "empty", "\uFEFFid,name\n")
	list, err := f.svc.DescribeLookupTables(f.ctx(), &logsapi.DescribeLookupTablesRequest{})
	if err != nil || len(list.LookupTables) != 1 || *list.LookupTables[0].RecordsCount != 0 || fmt.Sprint(list.LookupTables[0].TableFields) != "[id name]" ||
		*list.LookupTables[0].LookupTableArn != arn {
		t.Fatalf("describe: %+v %v", list, err)
	}
}

func TestLookupTableLimitAndListing(t *testing.T) {
	f := newFixture(t)
	for i := range maxLookupTables {
		f.createTable(t, fmt.Sprintf("t%03d", i), "a,b\n1,2\n")
	}
	_, err := f.svc.CreateLookupTable(f.ctx(), &logsapi.CreateLookupTableRequest{LookupTableName: shape.Ptr("one_more"), TableBody: shape.Ptr("a\n")})
	wantErr[*logsapi.LimitExceededException](t, err, "100")

	// Pages of at most maxResults (default 50), by name; the prefix filters.
	var names []string
	var token *string
	for {
		out, err := f.svc.DescribeLookupTables(f.ctx(), &logsapi.DescribeLookupTablesRequest{MaxResults: shape.Ptr(int32(40)), NextToken: token})
		if err != nil {
			t.Fatal(err)
		}
		for _, lt := range out.LookupTables {
			names = append(names, *lt.LookupTableName)
		}
		if token = out.NextToken; token == nil {
			break
		}
	}
	if len(names) != maxLookupTables || names[0] != "t000" || names[99] != "t099" {
		t.Fatalf("%d tables listed: %v...", len(names), names[:3])
	}
	out, err := f.svc.DescribeLookupTables(f.ctx(), &logsapi.DescribeLookupTablesRequest{})
	if err != nil || len(out.LookupTables) != 50 || out.NextToken == nil {
		t.Fatalf("default page: %d %v", len(out.LookupTables), err)
	}
	out, err = f.svc.DescribeLookupTables(f.ctx(), &logsapi.DescribeLookupTablesRequest{LookupTableNamePrefix: shape.Ptr("t05")})
	if err != nil || len(out.LookupTables) != 10 || *out.LookupTables[0].LookupTableName != "t050" || out.NextToken != nil {
		t.Fatalf("prefix: %+v %v", out, err)
	}
	lt := out.LookupTables[0]
	if *lt.RecordsCount != 1 || *lt.SizeBytes != 8 || fmt.Sprint(lt.TableFields) != "[a b]" || lt.Description != nil {
		t.Fatalf("table: %+v", lt)
	}
	_, err = f.svc.DescribeLookupTables(f.ctx(), &logsapi.DescribeLookupTablesRequest{MaxResults: shape.Ptr(int32(0))})
	wantErr[*logsapi.InvalidParameterException](t, err, "maxResults")
}

// Tables survive a restart, and queries started afterwards read them.
func TestLookupTablesPersist(t *testing.T) {
	f, open := durableFixture(t)
	arn := f.createTable(t, "users", usersCSV)
	f.createTable(t, "gone", "a\n")
	if err := f.svc.DeleteLookupTable(f.ctx(), &logsapi.DeleteLookupTableRequest{LookupTableArn: shape.Ptr(lookupTableArn(partitionOf(f.ctx()), "gone"))}); err != nil {
		t.Fatal(err)
	}
	open()
	got, err := f.svc.GetLookupTable(f.ctx(), &logsapi.GetLookupTableRequest{LookupTableArn: &arn})
	if err != nil || *got.TableBody != usersCSV {
		t.Fatalf("after reopen: %+v %v", got, err)
	}
	list, _ := f.svc.DescribeLookupTables(f.ctx(), &logsapi.DescribeLookupTablesRequest{})
	if len(list.LookupTables) != 1 || *list.LookupTables[0].RecordsCount != 2 {
		t.Fatalf("tables after reopen: %+v", list.LookupTables)
	}
	q := &specQueries{}
	f.svc.queries, f.svc.checkQuery = q, insights.Unsupported
	f.mustCreate(t, "g")
	if _, err := f.svc.StartQuery(f.ctx(), &logsapi.StartQueryRequest{LogGroupName: shape.Ptr("g"), QueryString: shape.Ptr("lookup users id OUTPUT name"),
		StartTime: shape.Ptr(int64(0)), EndTime: shape.Ptr(int64(1))}); err != nil {
		t.Fatal(err)
	}
	tbl, ok := q.specs[0].Lookups.LookupTable("users")
	if !ok || fmt.Sprint(tbl.Columns, tbl.Rows) != "[id name team] [[7 ann core] [8 bob ]]" {
		t.Fatalf("query's table: %v %v", tbl, ok)
	}
}

// StartQuery refuses a lookup of a table or column that does not exist.
func TestStartQueryLookups(t *testing.T) {
	f := newFixture(t)
	q := &specQueries{}
	f.svc.queries, f.svc.checkQuery = q, insights.Unsupported
	f.mustCreate(t, "g")
	f.createTable(t, "users", usersCSV)
	start := func(qs string) error {
		_, err := f.svc.StartQuery(f.ctx(), &logsapi.StartQueryRequest{LogGroupName: shape.Ptr("g"), QueryString: &qs,
			StartTime: shape.Ptr(int64(0)), EndTime: shape.Ptr(int64(1))})
		return err
	}
	wantErr[*logsapi.ResourceNotFoundException](t, start("fields a | lookup nope id OUTPUT name"), "Lookup table 'nope' does not exist.")
	err := start("fields a | lookup users id OUTPUT phone")
	var mq *logsapi.MalformedQueryException
	if !errors.As(err, &mq) || *mq.QueryCompileError.Location.StartCharOffset != 11 || !strings.Contains(*mq.Message, "no column phone") {
		t.Fatalf("missing column: %v", err)
	}
	wantErr[*logsapi.MalformedQueryException](t, start("lookup users userId as id OUTPUT name"), "no column userId")
	if err := start("lookup users id OUTPUT name, team"); err != nil {
		t.Fatal(err)
	}
	if _, ok := q.specs[0].Lookups.LookupTable("users"); !ok || len(q.specs) != 1 {
		t.Fatalf("specs %+v", q.specs)
	}
}
