package jsonscan

import (
	"encoding/json"
	"testing"
)

func TestAppendString(t *testing.T) {
	for in, want := range map[string]string{
		"plain":         `"plain"`,
		`q"b\s`:         `"q\"b\\s"`,
		"a\nb\r\tc\x01": `"a\nb\r\tc\u0001"`,
		"<a & b>":       `"<a & b>"`,
		"é\u2028\u2029": `"é\u2028\u2029"`,
		"bad\xffutf8":   `"bad\ufffdutf8"`,
		// Past the words copied whole, and in them.
		"0d8cd6ae-1fdc-4a3c-9d7e-9d9c1d1e3b4f": `"0d8cd6ae-1fdc-4a3c-9d7e-9d9c1d1e3b4f"`,
		"12345678\"":                           `"12345678\""`,
		"1234567\x7f90":                        "\"1234567\x7f90\"",
		"abcdefghé12345678\\":                  `"abcdefghé12345678\\"`,
		"abcdefgh\tabcdefgh":                   `"abcdefgh\tabcdefgh"`,
	} {
		got := string(AppendString(nil, in))
		if got != want {
			t.Errorf("AppendString(%q) = %s, want %s", in, got, want)
		}
		var back string
		if err := json.Unmarshal([]byte(got), &back); err != nil {
			t.Errorf("%s is not JSON: %v", got, err)
		}
	}
}

func FuzzAppendString(f *testing.F) {
	f.Add("a\"\\\n\u2028\xff")
	f.Fuzz(func(t *testing.T, s string) {
		var back string
		if err := json.Unmarshal(AppendString(nil, s), &back); err != nil {
			t.Fatalf("%q: %v", s, err)
		}
		if back != string([]rune(s)) { // invalid UTF-8 reads back as U+FFFD, as []rune converts it
			t.Fatalf("%q read back as %q", s, back)
		}
	})
}
