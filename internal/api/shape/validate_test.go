package shape

import (
	"encoding/json"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/cockroachdb/datadriven"
)

// Hand-built shapes for the data-driven cases in testdata/validate.

type testEvent struct {
	Message   *string
	Timestamp *int64
}

type testInput struct {
	LogGroupName *string
	Limit        *int32
	Ratio        *float64
	Tags         map[string]string
	Names        []string
	LogEvents    []testEvent
	Kind         *string
	Password     *string
	Data         []byte
	Child        *testInput
	ByKey        map[string]testEvent
	Kinds        []string
	Grid         [][]string
	Label        *string
}

func testShapes() *Shape {
	ptr := func(f float64) *float64 { return &f }
	name := &Shape{Name: "LogGroupName", Type: String, Min: ptr(1), Max: ptr(512), Pattern: `[\.\-_/#A-Za-z0-9]+`}
	limit := &Shape{Name: "Limit", Type: Integer, Min: ptr(1), Max: ptr(10000)}
	ratio := &Shape{Name: "Ratio", Type: Double, Min: ptr(0.5), Max: ptr(100)}
	tagKey := &Shape{Name: "TagKey", Type: String, Min: ptr(1), Max: ptr(128), Pattern: `^([\p{L}\p{Z}\p{N}_.:/=+\-@]+)$`}
	tagValue := &Shape{Name: "TagValue", Type: String, Min: ptr(0), Max: ptr(256), Pattern: `^([\p{L}\p{Z}\p{N}_.:/=+\-@]*)$`}
	tags := &Shape{Name: "Tags", Type: Map, Min: ptr(1), Max: ptr(3), Key: &Member{Name: "key", Shape: tagKey}, Value: &Member{Name: "value", Shape: tagValue}}
	short := &Shape{Name: "Short", Type: String, Min: ptr(1), Max: ptr(3)}
	names := &Shape{Name: "Names", Type: List, Max: ptr(2), Member: &Member{Name: "member", Shape: short}}
	message := &Shape{Name: "EventMessage", Type: String, Min: ptr(1)}
	ts := &Shape{Name: "Timestamp", Type: Long, Min: ptr(0)}
	event := &Shape{Name: "InputLogEvent", Type: Structure, GoType: reflect.TypeFor[testEvent]()}
	event.Members = []*Member{
		{Name: "message", Shape: message, Required: true},
		{Name: "timestamp", Shape: ts, Required: true, Index: 1},
	}
	events := &Shape{Name: "InputLogEvents", Type: List, Min: ptr(1), Max: ptr(3), Member: &Member{Name: "member", Shape: event}}
	kind := &Shape{Name: "Statistic", Type: String, Enum: []string{"SampleCount", "Average", "Sum"}}
	password := &Shape{Name: "Password", Type: String, Min: ptr(8), Pattern: `\S+`, Sensitive: true}
	data := &Shape{Name: "Data", Type: Blob, Min: ptr(1), Max: ptr(4)}
	byKey := &Shape{Name: "ByKey", Type: Map, Key: &Member{Name: "key", Shape: &Shape{Name: "K", Type: String}}, Value: &Member{Name: "value", Shape: event}}
	kinds := &Shape{Name: "Statistics", Type: List, Member: &Member{Name: "member", Shape: kind}}
	grid := &Shape{Name: "Grid", Type: List, Member: &Member{Name: "member", Shape: names}}
	label := &Shape{Name: "Label", Type: String, Max: ptr(4)}
	in := &Shape{Name: "TestInput", Type: Structure, GoType: reflect.TypeFor[testInput]()}
	in.Members = []*Member{
		{Name: "logGroupName", Shape: name, Required: true},
		{Name: "limit", Shape: limit, Index: 1},
		{Name: "ratio", Shape: ratio, Index: 2},
		{Name: "tags", Shape: tags, Index: 3},
		{Name: "names", Shape: names, Required: true, Index: 4},
		{Name: "logEvents", Shape: events, Index: 5},
		{Name: "kind", Shape: kind, Index: 6},
		{Name: "password", Shape: password, Index: 7},
		{Name: "data", Shape: data, Index: 8},
		{Name: "Child", Shape: in, Index: 9},
		{Name: "byKey", Shape: byKey, Index: 10},
		{Name: "kinds", Shape: kinds, Index: 11},
		{Name: "grid", Shape: grid, Index: 12},
		{Name: "label", Shape: label, Index: 13},
	}
	return in
}

// TestValidate runs testdata/validate: "validate" decodes the JSON input
// into testInput and prints the violations, then the exception message.
func TestValidate(t *testing.T) {
	in := testShapes()
	datadriven.RunTest(t, "testdata/validate", func(t *testing.T, d *datadriven.TestData) string {
		switch d.Cmd {
		case "validate":
			var v testInput
			if err := json.Unmarshal([]byte(d.Input), &v); err != nil {
				d.Fatalf(t, "bad input: %v", err)
			}
			vs := Validate(in, reflect.ValueOf(&v))
			if len(vs) == 0 {
				return "ok\n"
			}
			var b strings.Builder
			for _, v := range vs {
				b.WriteString(v.String() + "\n")
			}
			b.WriteString("message: " + Message(vs) + "\n")
			return b.String()
		}
		d.Fatalf(t, "unknown command %s", d.Cmd)
		return ""
	})
}

func TestValidateNil(t *testing.T) {
	in := testShapes()
	if vs := Validate(in, reflect.ValueOf((*testInput)(nil))); vs != nil {
		t.Fatalf("nil input: %v", vs)
	}
}

// TestPatterns runs testdata/patterns: "translate" prints the RE2 form of
// the Java pattern (or why there is none); "match" takes the pattern on the
// first line and prints, for each further line (Go-quoted), whether it
// matches the whole pattern.
func TestPatterns(t *testing.T) {
	datadriven.RunTest(t, "testdata/patterns", func(t *testing.T, d *datadriven.TestData) string {
		switch d.Cmd {
		case "translate":
			var b strings.Builder
			for _, p := range strings.Split(d.Input, "\n") {
				tr, err := translatePattern(p)
				if err == nil {
					_, err = compilePattern(p)
				}
				if err != nil {
					b.WriteString("error: " + err.Error() + "\n")
					continue
				}
				b.WriteString(tr + "\n")
			}
			return b.String()
		case "match":
			lines := strings.Split(d.Input, "\n")
			re, err := compilePattern(lines[0])
			if err != nil {
				return "error: " + err.Error() + "\n"
			}
			var b strings.Builder
			for _, l := range lines[1:] {
				s := unquote(t, l)
				if re.MatchString(s) {
					b.WriteString("match    " + l + "\n")
				} else {
					b.WriteString("no match " + l + "\n")
				}
			}
			return b.String()
		}
		d.Fatalf(t, "unknown command %s", d.Cmd)
		return ""
	})
}

func unquote(t *testing.T, l string) string {
	var s string
	if err := json.Unmarshal([]byte(l), &s); err != nil {
		t.Fatalf("sample %s: want a JSON string: %v", l, err)
	}
	return s
}

func TestUncompilableRecorded(t *testing.T) {
	p := `(?<=a)b`
	if compiledPattern(p) != nil || compiledPattern(p) != nil {
		t.Fatal("lookbehind compiled")
	}
	n := 0
	for _, s := range UncompilablePatterns() {
		if strings.HasPrefix(s, p+": ") {
			n++
		}
	}
	if n != 1 {
		t.Fatalf("want %q recorded once, got %v", p, UncompilablePatterns())
	}
}

func TestUTF16Len(t *testing.T) {
	for s, want := range map[string]int{"": 0, "abc": 3, "é": 1, "日本": 2, "😀": 2, "a😀b": 4, "\xff": 1} {
		if got := utf16Len(s); got != want {
			t.Errorf("utf16Len(%q) = %d, want %d", s, got, want)
		}
	}
}

func FuzzTranslatePattern(f *testing.F) {
	for _, p := range []string{
		`[\.\-_/#A-Za-z0-9]+`, `^(?!\s*$).+`, `[\u0020-\uD7FF\uE000-\uFFFD\uD800\uDC00-\uDBFF\uDFFF\t]*`,
		`[\p{L}\p{Z}\p{N}_.:/=+\-@]*`, `(?s).*`, `\Qa.b\E`, `a{2,3}+`, `[\w-_]*`, `\p{Alpha}\P{Punct}`,
		`(?i:abc)`, `\0101\x41\x{41}\cA\e`, `[^\x00-\x1F\x7F]+`, `(?<name>x)\k<name>`, `a{`, `[]`, `\`,
	} {
		f.Add(p)
	}
	f.Fuzz(func(t *testing.T, p string) {
		tr, err := translatePattern(p)
		if err != nil {
			return
		}
		if !utf8.ValidString(tr) {
			t.Fatalf("translation of %q is not UTF-8: %q", p, tr)
		}
		re, err := regexp.Compile(`^(?:` + tr + `)$`)
		if err != nil {
			return // RE2 rejects it: recorded as uncompilable at run time
		}
		// A pattern of letters and digits only means itself.
		if isAlnum(p) && !re.MatchString(p) {
			t.Fatalf("%q does not match itself (translated %q)", p, tr)
		}
		compiledPattern(p) // must not panic either
	})
}

func isAlnum(s string) bool {
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			return false
		}
	}
	return s != ""
}
