package alarmrule

import (
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/cockroachdb/datadriven"
)

// dump prints a parsed tree as an s-expression, for golden files.
func dump(n node) string {
	var b strings.Builder
	dumpTo(&b, n)
	return b.String()
}

func dumpTo(b *strings.Builder, n node) {
	switch n := n.(type) {
	case constNode:
		b.WriteString(strings.ToLower(strconv.FormatBool(n.value)))
	case stateNode:
		fmt.Fprintf(b, "(%s %s)", strings.ToLower(n.state.String()), dumpRef(n.ref))
	case notNode:
		b.WriteString("(not ")
		dumpTo(b, n.x)
		b.WriteString(")")
	case andNode, orNode:
		op, xs := "and", []node(nil)
		if o, ok := n.(orNode); ok {
			op, xs = "or", o.xs
		} else {
			xs = n.(andNode).xs
		}
		b.WriteString("(" + op)
		for _, x := range xs {
			b.WriteString(" ")
			dumpTo(b, x)
		}
		b.WriteString(")")
	case atLeastNode:
		th := strconv.Itoa(n.threshold)
		if n.percent {
			th += "%"
		}
		st := strings.ToLower(n.state.String())
		if n.negate {
			st = "not-" + st
		}
		fmt.Fprintf(b, "(at-least %s %s", th, st)
		for _, r := range n.refs {
			b.WriteString(" " + dumpRef(r))
		}
		b.WriteString(")")
	default:
		fmt.Fprintf(b, "?%T", n)
	}
}

func dumpRef(r Ref) string {
	if r.IsARN() {
		return fmt.Sprintf("%q[arn %s/%s/%s name=%q]", r.Text, r.Partition, r.Region, r.Account, r.Name)
	}
	return strconv.Quote(r.Text)
}

func formatErr(err error) string {
	var e *Error
	if !errors.As(err, &e) {
		return fmt.Sprintf("error of type %T: %v", err, err)
	}
	return fmt.Sprintf("error (byte %d, char %d): %s", e.Pos, e.Char, e.Msg)
}

// roundTrip checks that the canonical form reparses to the same tree and is
// a fixed point.
func roundTrip(t testing.TB, src string, r *Rule) {
	t.Helper()
	s := r.String()
	if len([]rune(s)) > MaxLength {
		return
	}
	r2, err := Parse(s)
	if err != nil {
		t.Fatalf("%q: canonical form %q does not reparse: %v", src, s, err)
	}
	if !reflect.DeepEqual(r.root, r2.root) {
		t.Fatalf("%q: canonical form %q reparses to %s, want %s", src, s, dump(r2.root), dump(r.root))
	}
	if s2 := r2.String(); s2 != s {
		t.Fatalf("%q: canonical form not stable: %q then %q", src, s, s2)
	}
}

func TestParse(t *testing.T) {
	datadriven.Walk(t, "testdata/parse", func(t *testing.T, path string) {
		datadriven.RunTest(t, path, func(t *testing.T, td *datadriven.TestData) string {
			switch td.Cmd {
			case "parse":
				src := td.Input
				if td.HasArg("repeat") {
					src = expandRepeat(t, td)
				}
				r, err := Parse(src)
				if err != nil {
					return formatErr(err) + "\n"
				}
				roundTrip(t, src, r)
				if td.HasArg("repeat") {
					return fmt.Sprintf("ok: %d distinct refs\n", len(r.Refs()))
				}
				var b strings.Builder
				fmt.Fprintf(&b, "tree: %s\n", dump(r.root))
				fmt.Fprintf(&b, "string: %s\n", r.String())
				refs := make([]string, len(r.Refs()))
				for i, ref := range r.Refs() {
					refs[i] = dumpRef(ref)
				}
				if len(refs) > 5 {
					fmt.Fprintf(&b, "refs: %d distinct\n", len(refs))
				} else {
					fmt.Fprintf(&b, "refs: %s\n", strings.Join(refs, " "))
				}
				return b.String()
			}
			t.Fatalf("unknown command %q", td.Cmd)
			return ""
		})
	})
}

// expandRepeat builds long rules for the limit tests: the input is
// "prefix|part|separator|suffix" and the part is repeated n=N times, with
// %d in part replaced by the repetition index.
func expandRepeat(t *testing.T, td *datadriven.TestData) string {
	var n int
	td.ScanArgs(t, "repeat", &n)
	f := strings.Split(strings.TrimSuffix(td.Input, "\n"), "|")
	if len(f) != 4 {
		t.Fatalf("repeat input must be prefix|part|separator|suffix")
	}
	parts := make([]string, n)
	for i := range parts {
		parts[i] = strings.ReplaceAll(f[1], "%d", strconv.Itoa(i))
	}
	return f[0] + strings.Join(parts, f[2]) + f[3]
}

func TestEval(t *testing.T) {
	datadriven.Walk(t, "testdata/eval", func(t *testing.T, path string) {
		states := map[string]State{}
		datadriven.RunTest(t, path, func(t *testing.T, td *datadriven.TestData) string {
			switch td.Cmd {
			case "states":
				// One "name: STATE" per line; later blocks replace the set.
				states = map[string]State{}
				for _, line := range strings.Split(strings.TrimSpace(td.Input), "\n") {
					if line == "" {
						continue
					}
					i := strings.LastIndex(line, ":")
					st, ok := ParseState(strings.TrimSpace(line[i+1:]))
					if i < 0 || !ok {
						t.Fatalf("bad state line %q", line)
					}
					states[strings.TrimSpace(line[:i])] = st
				}
				return ""
			case "eval":
				r, err := Parse(td.Input)
				if err != nil {
					return formatErr(err) + "\n"
				}
				// Resolve as a caller in us-east-1, account 123456789012
				// would: foreign ARNs are unknown alarms.
				lookup := func(ref Ref) State {
					if !ref.In("aws", "us-east-1", "123456789012") {
						return StateUnknown
					}
					return states[ref.Name]
				}
				return fmt.Sprintf("%t -> composite %s\n", r.Eval(lookup), r.CompositeState(lookup))
			}
			t.Fatalf("unknown command %q", td.Cmd)
			return ""
		})
	})
}

func TestCycle(t *testing.T) {
	datadriven.Walk(t, "testdata/cycle", func(t *testing.T, path string) {
		rules := map[string]*Rule{}
		datadriven.RunTest(t, path, func(t *testing.T, td *datadriven.TestData) string {
			switch td.Cmd {
			case "composites":
				// One "NAME: rule" per line: the existing composite alarms.
				rules = map[string]*Rule{}
				for _, line := range strings.Split(strings.TrimSpace(td.Input), "\n") {
					name, rule, ok := strings.Cut(line, ":")
					if !ok {
						t.Fatalf("bad composite line %q", line)
					}
					r, err := Parse(rule)
					if err != nil {
						t.Fatalf("composite %s: %v", name, err)
					}
					rules[strings.TrimSpace(name)] = r
				}
				return ""
			case "find-cycle", "eval-cycle":
				var name string
				td.ScanArgs(t, "name", &name)
				r, err := Parse(td.Input)
				if err != nil {
					return formatErr(err) + "\n"
				}
				var asked []string
				ruleOf := func(ref Ref) *Rule {
					if ref.Name == name {
						t.Fatalf("ruleOf asked about the alarm being checked")
					}
					asked = append(asked, ref.Name)
					return rules[ref.Name]
				}
				var cycle []string
				if td.Cmd == "find-cycle" {
					cycle = FindCycle(name, r, ruleOf)
				} else {
					cycle = EvalCycle(name, r, ruleOf)
				}
				seen := map[string]bool{}
				for _, a := range asked {
					if seen[a] {
						t.Fatalf("ruleOf asked twice about %s", a)
					}
					seen[a] = true
				}
				if cycle == nil {
					return "no cycle\n"
				}
				return "cycle: " + strings.Join(cycle, " -> ") + "\n"
			}
			t.Fatalf("unknown command %q", td.Cmd)
			return ""
		})
	})
}

func TestStateNames(t *testing.T) {
	for _, s := range []State{StateOK, StateAlarm, StateInsufficientData} {
		if got, ok := ParseState(s.String()); !ok || got != s {
			t.Errorf("ParseState(%q) = %v, %v", s.String(), got, ok)
		}
	}
	if _, ok := ParseState("UNKNOWN"); ok {
		t.Errorf("ParseState(UNKNOWN) succeeded")
	}
	if StateUnknown.String() != "UNKNOWN" {
		t.Errorf("StateUnknown.String() = %q", StateUnknown.String())
	}
}

func TestRefIn(t *testing.T) {
	name := Ref{Text: "a", Name: "a"}
	if !name.In("aws", "eu-west-1", "111111111111") {
		t.Errorf("a plain name must resolve in any account and Region")
	}
	r, err := Parse(`ALARM("arn:aws:cloudwatch:eu-west-1:111111111111:alarm:a")`)
	if err != nil {
		t.Fatal(err)
	}
	arn := r.Refs()[0]
	if !arn.In("aws", "eu-west-1", "111111111111") || arn.In("aws", "us-east-1", "111111111111") ||
		arn.In("aws", "eu-west-1", "222222222222") || arn.In("aws-cn", "eu-west-1", "111111111111") {
		t.Errorf("ARN scope check wrong for %+v", arn)
	}
	if arn.String() != arn.Text {
		t.Errorf("String() = %q, want the text as written", arn.String())
	}
}

// TestWhitespace covers white space the golden files cannot hold (datadriven
// normalises line endings).
func TestWhitespace(t *testing.T) {
	want, err := Parse(`ALARM("a b") OR OK(c)`)
	if err != nil {
		t.Fatal(err)
	}
	for _, src := range []string{
		"ALARM(\"a b\")\r\nOR\r\nOK(c)\r\n",
		"\tALARM(\t\"a b\"\t)\tOR\tOK(c)\t",
		"\vALARM(\"a b\")\fOR\u00a0OK(c)",
	} {
		r, err := Parse(src)
		if err != nil {
			t.Errorf("%q: %v", src, err)
			continue
		}
		if !reflect.DeepEqual(r.root, want.root) {
			t.Errorf("%q parses to %s, want %s", src, dump(r.root), dump(want.root))
		}
	}
}
