package schedule

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/cockroachdb/datadriven"
)

// TestDataDriven runs testdata/*. "parse" parses each input line and prints
// "ok" or the error with its reason. "next from=T [anchor=A] [n=N]" prints
// the first N fire times after T of the expression in the input (rate
// schedules counted from A, the epoch by default), "none" once there are no
// more.
func TestDataDriven(t *testing.T) {
	datadriven.Walk(t, "testdata", func(t *testing.T, path string) {
		datadriven.RunTest(t, path, func(t *testing.T, d *datadriven.TestData) string {
			switch d.Cmd {
			case "parse":
				var b strings.Builder
				for _, line := range strings.Split(d.Input, "\n") {
					if line == "" {
						continue
					}
					_, err := Parse(line)
					var e *Error
					switch {
					case err == nil:
						fmt.Fprintf(&b, "%s: ok\n", line)
					case errors.As(err, &e):
						fmt.Fprintf(&b, "%s: %s (%s)\n", line, err, e.Reason)
					default:
						t.Fatalf("%s: untyped error %v", line, err)
					}
				}
				return b.String()
			case "next":
				s, err := Parse(strings.TrimSpace(d.Input))
				if err != nil {
					d.Fatalf(t, "parse: %v", err)
				}
				var from, anchor string
				n := 5
				d.ScanArgs(t, "from", &from)
				if d.HasArg("anchor") {
					d.ScanArgs(t, "anchor", &anchor)
				}
				if d.HasArg("n") {
					d.ScanArgs(t, "n", &n)
				}
				at := mustTime(t, from)
				var b strings.Builder
				for range n {
					var next time.Time
					if anchor != "" {
						next = s.NextFrom(mustTime(t, anchor), at)
					} else {
						next = s.Next(at)
					}
					if next.IsZero() {
						b.WriteString("none\n")
						break
					}
					if !next.After(at) {
						t.Fatalf("Next(%v) = %v, not after", at, next)
					}
					fmt.Fprintf(&b, "%s %s\n", next.Format(time.RFC3339), next.Weekday().String()[:3])
					at = next
				}
				return b.String()
			}
			d.Fatalf(t, "unknown command %s", d.Cmd)
			return ""
		})
	})
}

func mustTime(t *testing.T, s string) time.Time {
	tm, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t.Fatal(err)
	}
	return tm
}

func TestString(t *testing.T) {
	for _, e := range []string{"rate(5 minutes)", "cron(0 12 * * ? *)"} {
		s, err := Parse(e)
		if err != nil || s.String() != e {
			t.Errorf("Parse(%q) = %v, %v", e, s, err)
		}
	}
	if s, _ := Parse("rate(2 hours)"); !s.IsRate() || s.Rate() != 2*time.Hour {
		t.Errorf("rate(2 hours): IsRate %v Rate %v", s.IsRate(), s.Rate())
	}
}

// FuzzParse: Parse never panics; for a valid cron expression, Next is
// strictly increasing, lands on minutes the fields allow, and skips none
// (checked minute by minute over a short window).
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"rate(1 minute)", "rate(7 days)", "cron(0 12 * * ? *)", "cron(0/15 * ? * MON-FRI *)",
		"cron(0 0 L * ? *)", "cron(0 0 1W * ? *)", "cron(0 0 LW * ? *)", "cron(0 0 ? * 6L *)",
		"cron(0 0 ? * 3#5 *)", "cron(5,10 22-2 ? * SAT-MON 2020-2030/3)", "cron(0 0 29 2 ? *)",
		"cron(* * * * ? 2199)", "cron(59 23 31 DEC ? *)",
	} {
		f.Add(s, int64(1700000000))
	}
	f.Fuzz(func(t *testing.T, expr string, start int64) {
		s, err := Parse(expr)
		if err != nil {
			return
		}
		// Keep starts in the supported span so brute force stays meaningful.
		at := time.Unix(start%(300*365*86400), 0).UTC()
		if s.cron == nil {
			next := s.Next(at)
			if !next.IsZero() && !next.After(at) {
				t.Fatalf("rate Next(%v) = %v", at, next)
			}
			return
		}
		prev := at
		for range 5 {
			next := s.Next(prev)
			if next.IsZero() {
				return
			}
			if !next.After(prev) || !s.cron.matches(next) {
				t.Fatalf("%s: Next(%v) = %v", expr, prev, next)
			}
			for m := prev.Truncate(time.Minute).Add(time.Minute); m.Before(next) && m.Sub(prev) < 3*24*time.Hour; m = m.Add(time.Minute) {
				if s.cron.matches(m) {
					t.Fatalf("%s: Next(%v) = %v skips %v", expr, prev, next, m)
				}
			}
			prev = next
		}
	})
}
