package filterpattern

import (
	"strings"
	"testing"
)

var fuzzPatterns = []string{
	"", "ERROR", "ERROR -ARGUMENTS", "?ERROR ?WARN", `"INTERNAL SERVER ERROR"`, `" "`,
	`?"ERROR" "MainThread" ?"WARN" "Deadlock"`, `"say \"hi\""`,
	"%AUTHORIZED%", `%\d{1,3}\.\d{1,3}%`, "%[Ee]rror|[Ff]ail%", `%\x28%`,
	`{ $.eventType = "UpdateTrail" }`, "{ $.sourceIPAddress != 123.123.* }",
	"{ $.SomeObject IS NULL }", "{ $.x NOT EXISTS }", "{ $.f IS TRUE }",
	"{ $.latency >= 500 }", "{ $.numbers[0] < 10e-3 }", "{ $.coordinates[0][1] = 1 }",
	`{ ($.user.id = 2 && $.users[0].email = "nonmatch") || $.actions[2] = "GET" }`,
	"{ $.level = %ERROR|WARN% }",
	"[ip, user, ..., status_code = 4*, bytes > 1000]", "[w1=ERROR || W1=WARNING, w2]",
	"[..., request=*.html*, status_code=4*,]", `[a = "two words", b]`,
	"{ $.a IS NOT NULL }", "[a, a]", "%(x)%",
}

var fuzzMessages = []string{
	"", "[ERROR 400] BAD REQUEST", "ERROR WARN message",
	`{"eventType": "UpdateTrail", "a": [1, {"b": null}], "s": "x\"y\u00e9"}`,
	`127.0.0.1 - frank [10/Oct/2000:13:25:15 -0700] "GET /index.html HTTP/1.0" 404 1534`,
	`{"latency": 1e400, "n": -0.5e-3}`, `{"a": {"b": [[[]]]}}`, "{", `"unterminated`, "[",
}

// FuzzParse: Parse never panics, and a parsed pattern's normal form parses back to
// the same normal form and matches like the original.
func FuzzParse(f *testing.F) {
	for _, p := range fuzzPatterns {
		f.Add(p)
	}
	f.Fuzz(func(t *testing.T, pattern string) {
		p, err := Parse(pattern)
		if err != nil {
			if _, ok := err.(*Error); !ok {
				t.Fatalf("Parse(%q) returned %T, want *Error", pattern, err)
			}
			return
		}
		norm := p.String()
		p2, err := Parse(norm)
		if err != nil {
			t.Fatalf("Parse(%q) ok but its normal form %q fails: %v", pattern, norm, err)
		}
		if p2.String() != norm {
			t.Fatalf("normal form not stable: %q -> %q -> %q", pattern, norm, p2.String())
		}
		for _, m := range fuzzMessages {
			if p.Match(m) != p2.Match(m) {
				t.Fatalf("%q and its normal form %q disagree on %q", pattern, norm, m)
			}
		}
		// The pattern's own required substrings, joined, make an event that
		// may match; any event that matches contains them all.
		msgs := []string{strings.Join(p.RequiredSubstrings(), " "), pattern}
		for _, m := range append(msgs, fuzzMessages...) {
			checkRequired(t, p, m)
		}
		_ = p.String()
	})
}

// FuzzMatch: matching, extraction and value lookup never panic on any event, and
// Extract agrees with Match.
func FuzzMatch(f *testing.F) {
	for i, m := range fuzzMessages {
		f.Add(i, m)
	}
	pats := make([]*Pattern, 0, len(fuzzPatterns))
	for _, s := range fuzzPatterns {
		if p, err := Parse(s); err == nil {
			pats = append(pats, p)
		}
	}
	refs := []string{"$.a", "$.a[1].b", "$.eventType", "$bytes", "$1", "$request", "$99"}
	f.Fuzz(func(t *testing.T, which int, msg string) {
		if which < 0 {
			which = -which
		}
		p := pats[which%len(pats)]
		m := p.Match(msg)
		if _, ok := p.Extract(msg); ok != m {
			t.Fatalf("%q on %q: Match %v, Extract %v", p, msg, m, ok)
		}
		for _, r := range refs {
			if _, ok := p.Value(msg, r); ok && !m {
				t.Fatalf("%q on %q: Value(%q) found without a match", p, msg, r)
			}
		}
		checkRequired(t, p, msg)
		// A JSON pattern never matches what is not one JSON object.
		if p.Kind() == KindJSON && m && !strings.Contains(msg, "{") {
			t.Fatalf("%q matched non-JSON %q", p, msg)
		}
	})
}

// checkRequired fails when msg matches p but lacks one of its required
// substrings.
func checkRequired(t *testing.T, p *Pattern, msg string) {
	t.Helper()
	if !p.Match(msg) {
		return
	}
	for _, r := range p.RequiredSubstrings() {
		if !strings.Contains(msg, r) {
			t.Fatalf("%q matches %q, which lacks its required substring %q", p, msg, r)
		}
	}
}
