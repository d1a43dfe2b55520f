package e2e

import (
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
)

// TestLookupTableGoSDK creates a lookup table with the Go SDK, enriches a
// Logs Insights query with it, replaces its content, and finds it again
// after a restart.
func TestLookupTableGoSDK(t *testing.T) {
	p := startVigil(t, "")
	c := newClients(p.URL, "test", "test", "us-east-1")
	ctx := ctxT(t)
	mkLogs(t, c, "/app/auth", "s")
	now := time.Now().Truncate(time.Second)
	putLogs(t, c, "/app/auth", "s",
		logEv(ms(now.Add(-3*time.Second)), `{"user_id":"u1","action":"login"}`),
		logEv(ms(now.Add(-2*time.Second)), `{"user_id":"u2","action":"login"}`),
		logEv(ms(now.Add(-1*time.Second)), `{"user_id":"u3","action":"logout"}`))
	from, to := now.Add(-time.Minute), now.Add(time.Minute)

	created, err := c.logs.CreateLookupTable(ctx, &cloudwatchlogs.CreateLookupTableInput{
		LookupTableName: aws.String("user_data"),
		Description:     aws.String("users by id"),
		TableBody:       aws.String("user_id,username,department\nu1,ann,Engineering\nu2,bob,Sales\n"),
	})
	if err != nil {
		t.Fatalf("CreateLookupTable: %v", err)
	}
	if aws.ToString(created.LookupTableArn) != "arn:aws:logs:us-east-1:000000000000:lookup-table:user_data" {
		t.Errorf("ARN %s", aws.ToString(created.LookupTableArn))
	}
	_, err = c.logs.CreateLookupTable(ctx, &cloudwatchlogs.CreateLookupTableInput{LookupTableName: aws.String("user_data"), TableBody: aws.String("a\n")})
	wantAPIError(t, "duplicate table", err, "ResourceAlreadyExistsException", 400)
	_, err = c.logs.CreateLookupTable(ctx, &cloudwatchlogs.CreateLookupTableInput{LookupTableName: aws.String("bad"), TableBody: aws.String("a,b\n1\n")})
	wantAPIError(t, "ragged CSV", err, "InvalidParameterException", 400)

	q := "fields user_id, action | lookup user_data user_id OUTPUT username, department | sort user_id"
	got := fmt.Sprint(cells(runQuery(t, c, "/app/auth", q, from, to)))
	want := "[map[action:login department:Engineering user_id:u1 username:ann] map[action:login department:Sales user_id:u2 username:bob] map[action:logout user_id:u3]]"
	if got != want {
		t.Errorf("lookup query:\n%s\nwant\n%s", got, want)
	}
	byDept := fmt.Sprint(cells(runQuery(t, c, "/app/auth", "lookup user_data user_id OUTPUT department | stats count(*) as n by department", from, to)))
	if byDept != "[map[department:Engineering n:1] map[department:Sales n:1] map[n:1]]" {
		t.Errorf("stats by looked-up department: %s", byDept)
	}

	// A table that does not exist, or a column it lacks, refuses the query.
	_, err = c.logs.StartQuery(ctx, &cloudwatchlogs.StartQueryInput{LogGroupName: aws.String("/app/auth"), QueryString: aws.String("lookup nope user_id OUTPUT x"),
		StartTime: aws.Int64(from.Unix()), EndTime: aws.Int64(to.Unix())})
	wantAPIError(t, "missing table", err, "ResourceNotFoundException", 400)
	_, err = c.logs.StartQuery(ctx, &cloudwatchlogs.StartQueryInput{LogGroupName: aws.String("/app/auth"), QueryString: aws.String("lookup user_data user_id OUTPUT phone"),
		StartTime: aws.Int64(from.Unix()), EndTime: aws.Int64(to.Unix())})
	wantAPIError(t, "missing column", err, "MalformedQueryException", 400)

	// UpdateLookupTable replaces the content; later queries see it.
	if _, err := c.logs.UpdateLookupTable(ctx, &cloudwatchlogs.UpdateLookupTableInput{LookupTableArn: created.LookupTableArn,
		TableBody: aws.String("user_id,username,department\nu3,cy,Support\n")}); err != nil {
		t.Fatalf("UpdateLookupTable: %v", err)
	}
	got = fmt.Sprint(cells(runQuery(t, c, "/app/auth", "fields user_id | lookup user_data user_id OUTPUT username | filter ispresent(username)", from, to)))
	if got != "[map[user_id:u3 username:cy]]" {
		t.Errorf("after update: %s", got)
	}

	// The table survives a restart.
	p.Stop()
	p2 := startVigil(t, p.DataDir)
	c2 := newClients(p2.URL, "test", "test", "us-east-1")
	list, err := c2.logs.DescribeLookupTables(ctxT(t), &cloudwatchlogs.DescribeLookupTablesInput{})
	if err != nil || len(list.LookupTables) != 1 || aws.ToString(list.LookupTables[0].LookupTableName) != "user_data" ||
		aws.ToInt64(list.LookupTables[0].RecordsCount) != 1 || aws.ToString(list.LookupTables[0].Description) != "users by id" {
		t.Fatalf("DescribeLookupTables after restart: %+v %v", list, err)
	}
	table, err := c2.logs.GetLookupTable(ctxT(t), &cloudwatchlogs.GetLookupTableInput{LookupTableArn: created.LookupTableArn})
	if err != nil || aws.ToString(table.TableBody) != "user_id,username,department\nu3,cy,Support\n" {
		t.Fatalf("GetLookupTable after restart: %+v %v", table, err)
	}
	if _, err := c2.logs.DeleteLookupTable(ctxT(t), &cloudwatchlogs.DeleteLookupTableInput{LookupTableArn: created.LookupTableArn}); err != nil {
		t.Fatalf("DeleteLookupTable: %v", err)
	}
	_, err = c2.logs.GetLookupTable(ctxT(t), &cloudwatchlogs.GetLookupTableInput{LookupTableArn: created.LookupTableArn})
	wantAPIError(t, "deleted table", err, "ResourceNotFoundException", 400)
}
