package events

import (
	"context"
	"encoding/json"
	"fmt"
	"github.com/vigilhq/vigil/internal/audit"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/cockroachdb/datadriven"
)

// TestScript runs testdata/script: each file is a timeline against one
// service on a fake clock, with fake SQS, SNS and Logs and an in-memory
// outbox.
//
//	call <Operation> [account=<id>] [region=<r>]
//	<request JSON, AWS member names>
//	----
//	<response JSON without nulls, or "error <Code>: <message>">
//
//	deliver               attempt every due outbox entry; print each
//	                      outcome and what the targets received
//	advance <duration>    move the clock
//	missing|failing|healthy <arn>   make a destination vanish, fail, recover
//	fire                  FireSchedules at the clock's now; print the
//	                      deliveries enqueued and those made at once
//	restart               reopen the service on the same database
//	service-event         PutServiceEvent with {account, region, source,
//	                      detailType, resources, detail}
//	api-call              the audit recorder's management sink with one
//	                      CloudTrail record (JSON)
//	replay-run [batch=N]  run replays until idle, or one pass of at most
//	                      N events per replay (archives_test.go)
//	sweep-archives        archive retention at the clock's now
func TestScript(t *testing.T) {
	datadriven.Walk(t, "testdata/script", func(t *testing.T, path string) {
		e := newEnv(t)
		datadriven.RunTest(t, path, func(t *testing.T, d *datadriven.TestData) string {
			switch d.Cmd {
			case "call":
				account, region := acct, reg
				d.MaybeScanArgs(t, "account", &account)
				d.MaybeScanArgs(t, "region", &region)
				return invoke(t, e.s, e.ctxIn(account, region), d.CmdArgs[0].Key, d.Input)
			case "deliver":
				log := e.out.run(e.s, e.clk.Now())
				log = append(log, e.k.take()...)
				if len(log) == 0 {
					return "nothing due\n"
				}
				return strings.Join(log, "\n") + "\n"
			case "advance":
				dur, err := time.ParseDuration(d.CmdArgs[0].Key)
				if err != nil {
					t.Fatal(err)
				}
				e.clk.Advance(dur)
				return ""
			case "missing", "failing", "healthy":
				arn := d.CmdArgs[0].Key
				e.k.mu.Lock()
				e.k.missing[arn] = d.Cmd == "missing"
				e.k.failing[arn] = d.Cmd == "failing"
				e.k.mu.Unlock()
				return ""
			case "fire":
				before := e.out.len()
				if err := e.s.FireSchedules(context.Background()); err != nil {
					return "error " + err.Error() + "\n"
				}
				// Deliveries to SQS queues are made at once; the rest wait
				// in the outbox.
				return fmt.Sprintf("%d deliveries enqueued\n", e.out.len()-before) + lines(e.k.take())
			case "restart":
				e.restart()
				return ""
			case "api-call":
				var ev audit.Event
				if err := json.Unmarshal([]byte(d.Input), &ev); err != nil {
					t.Fatal(err)
				}
				ev.ManagementEvent = true
				if err := e.s.APICalls().Deliver(context.Background(), []*audit.Event{&ev}); err != nil {
					return "error " + err.Error() + "\n"
				}
				return fmt.Sprintf("ok (%d pending)\n", e.out.len())
			case "replay-run", "sweep-archives":
				return scriptArchiveCmd(t, e, d)
			case "service-event":
				var in struct {
					Account, Region, Source, DetailType string
					Resources                           []string
					Detail                              json.RawMessage
				}
				if err := json.Unmarshal([]byte(d.Input), &in); err != nil {
					t.Fatal(err)
				}
				if err := e.s.PutServiceEvent(context.Background(), in.Account, in.Region, in.Source, in.DetailType, in.Resources, in.Detail, e.clk.Now()); err != nil {
					return "error " + err.Error() + "\n"
				}
				return fmt.Sprintf("ok (%d pending)\n", e.out.len())
			}
			t.Fatalf("unknown command %s", d.Cmd)
			return ""
		})
	})
}

func lines(ls []string) string {
	if len(ls) == 0 {
		return ""
	}
	return strings.Join(ls, "\n") + "\n"
}

// invoke calls the handler method op with the JSON request.
func invoke(t *testing.T, s *Service, ctx context.Context, op, input string) string {
	m := reflect.ValueOf(s).MethodByName(op)
	if !m.IsValid() {
		t.Fatalf("no operation %s", op)
	}
	in := reflect.New(m.Type().In(1).Elem())
	if strings.TrimSpace(input) != "" {
		if err := json.Unmarshal([]byte(input), in.Interface()); err != nil {
			t.Fatalf("%s input: %v", op, err)
		}
	}
	res := m.Call([]reflect.Value{reflect.ValueOf(ctx), in})
	if err, _ := res[len(res)-1].Interface().(error); err != nil {
		return "error " + err.Error() + "\n"
	}
	if len(res) == 1 {
		return "ok\n"
	}
	b, err := json.Marshal(res[0].Interface())
	if err != nil {
		t.Fatal(err)
	}
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatal(err)
	}
	out, err := json.Marshal(dropNulls(v))
	if err != nil {
		t.Fatal(err)
	}
	return string(out) + "\n"
}

func dropNulls(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			if e == nil {
				delete(x, k)
			} else {
				x[k] = dropNulls(e)
			}
		}
	case []any:
		for i := range x {
			x[i] = dropNulls(x[i])
		}
	}
	return v
}
