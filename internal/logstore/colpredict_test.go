package logstore

import (
	"testing"

	"github.com/vigilhq/vigil/internal/jsonscan"
)

func checkScanString(t *testing.T, s []byte) {
	t.Helper()
	for i, c := range s {
		if c != '"' {
			continue
		}
		end, ok := scanString(s, i)
		wantEnd, _, wantOK := jsonscan.String(s, i)
		if ok != wantOK || ok && end != wantEnd {
			t.Fatalf("%q at %d: %d %v, want %d %v", s, i, end, ok, wantEnd, wantOK)
		}
	}
}

func TestScanString(t *testing.T) {
	for _, s := range []string{
		`""`, `"a"`, `"abcdefgh"`, `"abcdefghi"`, `"abcdefghijklmnopq"x`, `"abc`, `"abcdefghijklmnop`,
		`"a\"b"`, `"abcdefgh\"ijklmn"`, `"a\u00e9b"`, `"a\x"`, "\"a\x01b\"", "\"abcdefg\x1fhij\"",
		"\"\xff\xfe\x80 ok\"", `"12345678\\"`, `"1234567\\\""`, `{"k":"v","k2":"value two"}`,
	} {
		checkScanString(t, []byte(s))
	}
}

func FuzzScanString(f *testing.F) {
	f.Add([]byte(`{"k":"v","k2":"value \"two\""}`))
	f.Add([]byte("\"abcdefgh\x00\""))
	f.Fuzz(func(t *testing.T, s []byte) { checkScanString(t, s) })
}
