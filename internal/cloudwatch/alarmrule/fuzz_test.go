package alarmrule

import (
	"errors"
	"testing"
)

func FuzzParse(f *testing.F) {
	for _, s := range []string{
		`ALARM(CPUUtilizationTooHigh) AND ALARM(DiskReadOpsTooHigh)`,
		`ALARM(CPUUtilizationTooHigh) AND NOT ALARM(DeploymentInProgress)`,
		`(ALARM(CPUUtilizationTooHigh) OR ALARM(DiskReadOpsTooHigh)) AND OK(NetworkOutTooHigh)`,
		`TRUE`, `NOT NOT FALSE`, `()`, `ALARM("a \"b\" \\ c")`, `ALARM("unterminated`,
		`AT_LEAST(2, ALARM, ("a", "b", "c"))`, `AT_LEAST(60%, NOT OK, (a, b))`,
		`ALARM("arn:aws:cloudwatch:us-east-1:123456789012:alarm:x")`, `alarm(a) and ok(b)`,
		"OK(a)\nOR\tINSUFFICIENT_DATA(\"b c\")", `AT_LEAST(0, ALARM, ())`, `ALARM("\q")`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, err := Parse(s)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("%q: error of type %T", s, err)
			}
			if e.Pos < 0 || e.Pos > len(s) || e.Char > e.Pos {
				t.Fatalf("%q: error position %d/%d out of range", s, e.Pos, e.Char)
			}
			return
		}
		roundTrip(t, s, r)
		names := map[string]bool{}
		for _, ref := range r.Refs() {
			names[ref.Name] = true
		}
		if len(names) > MaxChildren {
			t.Fatalf("%q: %d children accepted", s, len(names))
		}
		for _, st := range []State{StateUnknown, StateOK, StateAlarm, StateInsufficientData} {
			r.Eval(func(Ref) State { return st })
		}
	})
}
