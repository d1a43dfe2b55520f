package jsonscan

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestTokens(t *testing.T) {
	for _, tc := range []struct {
		in      string
		end     int
		escaped bool
		ok      bool
	}{
		{`"plain"`, 7, false, true},
		{`"a long string past eight bytes"x`, 32, false, true},
		{`"esc \" \\ \/ \b \f \n \r \t \u00e9"`, 36, true, true},
		{`"bad \x"`, 6, false, false},
		{`"short \u12"`, 8, false, false},
		{"\"raw \x01 control\"", 5, false, false},
		{`"unterminated`, 13, false, false},
	} {
		end, esc, ok := String(tc.in, 0)
		if end != tc.end || esc != tc.escaped || ok != tc.ok {
			t.Errorf("String(%q) = %d %v %v, want %d %v %v", tc.in, end, esc, ok, tc.end, tc.escaped, tc.ok)
		}
		bend, besc, bok := String([]byte(tc.in), 0)
		if bend != end || besc != esc || bok != ok {
			t.Errorf("String([]byte(%q)) differs from String(string)", tc.in)
		}
	}
	for _, tc := range []struct {
		in  string
		end int
		ok  bool
	}{
		{"0", 1, true}, {"-12.5e+3,", 8, true}, {"01", 1, true}, {"-", 1, false}, {"1.", 2, false}, {"1e", 2, false}, {".5", 0, false},
	} {
		if end, ok := Number(tc.in, 0); end != tc.end || ok != tc.ok {
			t.Errorf("Number(%q) = %d %v, want %d %v", tc.in, end, ok, tc.end, tc.ok)
		}
	}
	if end, ok := Word("null,", 0, "null"); end != 4 || !ok {
		t.Error("Word null")
	}
	if _, ok := Word("nul", 0, "null"); ok {
		t.Error("Word nul")
	}
	if Space(" \t\r\n x", 0) != 5 {
		t.Error("Space")
	}
}

// FuzzString: a string or number token the scanner accepts is valid JSON,
// and a whole valid one is accepted whole.
func FuzzString(f *testing.F) {
	for _, s := range []string{`"abc"`, `"a\u0041\n"`, `"\ud800"`, `-0.5E-7`, `12`, "\"\xff\xfe\"", `"x\"y"`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if s == "" {
			return
		}
		var end int
		var ok bool
		if s[0] == '"' {
			end, _, ok = String(s, 0)
		} else {
			end, ok = Number(s, 0)
		}
		if ok && !json.Valid([]byte(s[:end])) {
			t.Fatalf("%q: accepted %q, which is not JSON", s, s[:end])
		}
		whole := len(strings.TrimRight(s, " \t\r\n"))
		if json.Valid([]byte(s)) && (s[0] == '"' || s[0] == '-' || s[0] >= '0' && s[0] <= '9') && (!ok || end != whole) {
			t.Fatalf("%q: valid JSON, scanned to %d (%v)", s, end, ok)
		}
	})
}
