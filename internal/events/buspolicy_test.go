package events

import (
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/cockroachdb/datadriven"
)

// TestBusPolicy runs testdata/buspolicy: each case evaluates a bus policy
// for bus arn:aws:events:us-east-1:999999999999:event-bus/inbox.
//
//	eval [account=<id>] [principal=<arn>] [source=<s>] [detail-type=<d>]
//	<policy>
//	----
//	allowed | denied: <reason>
func TestBusPolicy(t *testing.T) {
	datadriven.Walk(t, "testdata/buspolicy", func(t *testing.T, path string) {
		datadriven.RunTest(t, path, func(t *testing.T, d *datadriven.TestData) string {
			req := busPolicyRequest{account: "123456789012", busARN: "arn:aws:events:us-east-1:999999999999:event-bus/inbox", source: "app", detailType: "d"}
			d.MaybeScanArgs(t, "account", &req.account)
			d.MaybeScanArgs(t, "source", &req.source)
			d.MaybeScanArgs(t, "detail-type", &req.detailType)
			d.MaybeScanArgs(t, "principal", &req.principal)
			v := evaluateBusPolicy(d.Input, req)
			if v.allowed {
				return "allowed\n"
			}
			return "denied: " + v.reason + "\n"
		})
	})
}

// FuzzBusPolicy: any policy text gives a verdict, the same twice, and a
// refusal always says why.
func FuzzBusPolicy(f *testing.F) {
	f.Add(`{"Statement":[{"Effect":"Allow","Principal":"*","Action":"events:*"}]}`, "123456789012", "app")
	f.Add(`{"Statement":{"Effect":"Deny","Principal":{"AWS":["*"]},"Action":["*"],"Resource":"arn:*/[x","Condition":{"StringLikeIgnoreCase":{"events:source":["a*?"]}}}}`, "1", "A")
	f.Add(`{"Statement":[{"Effect":"Allow","NotPrincipal":"*","Condition":{"StringEquals":{"x":1}}}]}`, "", "")
	f.Fuzz(func(t *testing.T, policy, account, source string) {
		req := busPolicyRequest{account: account, busARN: "arn:aws:events:us-east-1:999999999999:event-bus/inbox", source: source, detailType: source}
		v := evaluateBusPolicy(policy, req)
		if evaluateBusPolicy(policy, req) != v {
			t.Fatal("two evaluations differ")
		}
		if !v.allowed && v.reason == "" {
			t.Fatal("refused without a reason")
		}
	})
}

// FuzzGlobMatch: IAM's wildcards agree with the same pattern as an
// anchored regular expression.
func FuzzGlobMatch(f *testing.F) {
	for _, c := range [][2]string{{"a*b?c", "axxbyc"}, {"*", ""}, {"**x", "yx"}, {"a?", "aé"}, {"[a]*", "[a]b"}, {"*a*a", "aaa"}, {"x", "y"}} {
		f.Add(c[0], c[1])
	}
	f.Fuzz(func(t *testing.T, pattern, s string) {
		if !utf8.ValidString(pattern) || !utf8.ValidString(s) {
			return
		}
		var re strings.Builder
		re.WriteString("(?s)^")
		for _, r := range pattern {
			switch r {
			case '*':
				re.WriteString(".*")
			case '?':
				re.WriteString(".")
			default:
				re.WriteString(regexp.QuoteMeta(string(r)))
			}
		}
		re.WriteString("$")
		want := regexp.MustCompile(re.String()).MatchString(s)
		if got := globMatch(pattern, s, false); got != want {
			t.Fatalf("globMatch(%q, %q) = %v, want %v", pattern, s, got, want)
		}
	})
}
