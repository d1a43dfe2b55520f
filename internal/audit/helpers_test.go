package audit

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/cockroachdb/pebble/v2"
	"github.com/cockroachdb/pebble/v2/vfs"
)

func jsonValid(b []byte) bool { return json.Valid(b) }

func openPebble(t testing.TB, dir string) *pebble.DB {
	t.Helper()
	db, err := pebble.Open(dir, &pebble.Options{Logger: quietPebble{}})
	if err != nil {
		t.Fatal(err)
	}
	return db
}

func memPebble(t testing.TB) *pebble.DB {
	t.Helper()
	db, err := pebble.Open("", &pebble.Options{FS: vfs.NewMem(), Logger: quietPebble{}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

var t0 = time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)

// mkEvent returns a management event of account/region at t0+sec seconds.
func mkEvent(account, region string, sec int, id string) *Event {
	return &Event{
		EventVersion: EventVersion,
		UserIdentity: UserIdentity{Type: "IAMUser", AccountID: account, AccessKeyID: "AKID" + account,
			ARN: "arn:aws:iam::" + account + ":user/alice", UserName: "alice"},
		EventTime:          Time{t0.Add(time.Duration(sec) * time.Second)},
		EventSource:        "logs.amazonaws.com",
		EventName:          "CreateLogGroup",
		AWSRegion:          region,
		RequestID:          "req-" + id,
		EventID:            id,
		EventType:          "AwsApiCall",
		ManagementEvent:    true,
		RecipientAccountID: account,
		EventCategory:      CategoryManagement,
		Username:           "alice",
		LookupResources:    []ResourceRef{{Type: "AWS::Logs::LogGroup", Name: fmt.Sprintf("/g/%d", sec)}},
	}
}

func ids(p Page) []string {
	var out []string
	for _, e := range p.Events {
		out = append(out, e.EventID)
	}
	return out
}

func mustAppend(t testing.TB, s Store, evs ...*Event) {
	t.Helper()
	if err := s.Append(context.Background(), evs); err != nil {
		t.Fatal(err)
	}
}

// quietPebble drops Pebble's informational logging in tests.
type quietPebble struct{}

func (quietPebble) Infof(string, ...any)      {}
func (quietPebble) Errorf(f string, a ...any) { fmt.Printf("pebble: "+f+"\n", a...) }
func (quietPebble) Fatalf(f string, a ...any) { panic(fmt.Sprintf(f, a...)) }
