package policydoc

import (
	"fmt"
	"strings"
	"testing"

	"github.com/cockroachdb/datadriven"
)

// TestDataDriven runs the golden files in testdata/. Each file edits one
// document, command after command:
//
//	new version=<v> id=<id>                  start an empty document
//	parse                                    input: a policy; replaces the document
//	add sid=<s> principals=<a,b> actions=<x,y> resource=<arn>
//	remove sid=<s>                           prints how many statements went
//	count                                    statements and principals
//
// Every command but count prints the document afterwards (or the error).
// Refresh with -rewrite.
func TestDataDriven(t *testing.T) {
	datadriven.Walk(t, "testdata", func(t *testing.T, path string) {
		var d *Doc
		datadriven.RunTest(t, path, func(t *testing.T, td *datadriven.TestData) string {
			arg := func(key string) string {
				var v string
				if td.HasArg(key) {
					td.ScanArgs(t, key, &v)
				}
				return v
			}
			list := func(key string) []string {
				if v := arg(key); v != "" {
					return strings.Split(v, ",")
				}
				return nil
			}
			switch td.Cmd {
			case "new":
				d = New(arg("version"), arg("id"))
			case "parse":
				p, err := Parse(strings.TrimSpace(td.Input))
				if err != nil {
					return "error: " + err.Error() + "\n"
				}
				d = p
			case "add":
				err := d.Add(Grant{Sid: arg("sid"), Principals: list("principals"), Actions: list("actions"), Resource: arg("resource")})
				if err != nil {
					return "error: " + err.Error() + "\n"
				}
			case "remove":
				n := d.Remove(arg("sid"))
				return fmt.Sprintf("removed %d\n%s\n", n, d)
			case "count":
				return fmt.Sprintf("statements=%d principals=%d\n", d.Statements(), d.Principals())
			default:
				t.Fatalf("%s: unknown command %q", td.Pos, td.Cmd)
			}
			return d.String() + "\n"
		})
	})
}

func TestValidLabel(t *testing.T) {
	for s, want := range map[string]bool{
		"AliceSendMessage": true, "Publish-Permission": true, "a_b-9": true, strings.Repeat("x", 80): true,
		"": false, strings.Repeat("x", 81): false, "has space": false, "dot.ted": false, "colon:": false, "é": false,
	} {
		if got := ValidLabel(s); got != want {
			t.Errorf("ValidLabel(%q) = %v, want %v", s, got, want)
		}
	}
}

func TestValidAccount(t *testing.T) {
	for s, want := range map[string]bool{
		"111122223333": true, "000000000000": true,
		"": false, "11112222333": false, "1111222233334": false, "11112222333a": false, "*": false, "-11122223333": false,
	} {
		if got := ValidAccount(s); got != want {
			t.Errorf("ValidAccount(%q) = %v, want %v", s, got, want)
		}
	}
}

// FuzzParse: whatever Parse accepts prints as valid JSON that parses back
// to the same text, and an added statement can be removed again.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		`{}`, `{"Version":"2012-10-17","Statement":[]}`, `{"Statement":{"Sid":"a"}}`,
		`{"Id":"x","Statement":[{"Sid":"a","Principal":"*"},{"Principal":{"AWS":["1","2"],"Service":"s"}}],"Extra":[1,{"b":null}]}`,
		`{"Statement":"x"}`, `[]`, `{"a":1,"a":2}`, `{"Statement":[1]}`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := Parse(s)
		if err != nil {
			return
		}
		out := d.String()
		d2, err := Parse(out)
		if err != nil {
			t.Fatalf("Parse(%q) printed %q, which does not parse: %v", s, out, err)
		}
		if got := d2.String(); got != out {
			t.Fatalf("not stable: %q then %q", out, got)
		}
		n := d2.Statements()
		if d2.Has("fuzz-sid") {
			return
		}
		if err := d2.Add(Grant{Sid: "fuzz-sid", Principals: []string{AccountPrincipal("111122223333")}, Actions: []string{"SQS:*"}, Resource: "r"}); err != nil {
			t.Fatal(err)
		}
		if d2.Statements() != n+1 || d2.Remove("fuzz-sid") != 1 || d2.String() != out {
			t.Fatalf("add then remove changed %q into %q", out, d2.String())
		}
	})
}
