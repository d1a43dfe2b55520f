package transform

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/cockroachdb/datadriven"
)

// settings is a target's input settings as PutTargets spells them.
type settings struct {
	Input            *string
	InputPath        *string
	InputTransformer *struct {
		InputPathsMap map[string]string
		InputTemplate string
	}
}

// vars are the predefined variables every case uses.
var vars = Vars{
	RuleArn:       "arn:aws:events:us-east-2:123456789012:rule/example",
	RuleName:      "example",
	IngestionTime: time.Date(2015, 11, 11, 21, 29, 55, 0, time.UTC),
}

// TestDataDriven runs testdata/*: "event" sets the event (the input);
// "target" compiles its input, a target's settings as PutTargets JSON
// (Input, InputPath, InputTransformer), and prints the payload Apply sends
// for the current event, or "error: " and the ValidationException message.
func TestDataDriven(t *testing.T) {
	datadriven.Walk(t, "testdata", func(t *testing.T, path string) {
		var event []byte
		datadriven.RunTest(t, path, func(t *testing.T, d *datadriven.TestData) string {
			switch d.Cmd {
			case "event":
				event = []byte(d.Input)
				return ""
			case "target":
				var s settings
				dec := json.NewDecoder(strings.NewReader(d.Input))
				dec.DisallowUnknownFields()
				if err := dec.Decode(&s); err != nil {
					d.Fatalf(t, "settings: %v", err)
				}
				var tr *Transformer
				if s.InputTransformer != nil {
					tr = &Transformer{PathsMap: s.InputTransformer.InputPathsMap, Template: s.InputTransformer.InputTemplate}
				}
				c, err := Compile(s.Input, s.InputPath, tr)
				if err != nil {
					var e *Error
					if !errors.As(err, &e) {
						t.Fatalf("untyped error %v", err)
					}
					return "error: " + err.Error() + "\n"
				}
				out, err := c.Apply(event, vars)
				if err != nil {
					return "apply error: " + err.Error() + "\n"
				}
				return string(out) + "\n"
			}
			d.Fatalf(t, "unknown command %s", d.Cmd)
			return ""
		})
	})
}

func ptr(s string) *string { return &s }

// FuzzCompileApply: Compile and Apply never panic, and a JSON template's
// output is valid JSON.
func FuzzCompileApply(f *testing.F) {
	f.Add("$.detail.state", `{"s": <state>, "m": "is <state>", "e": <aws.events.event>}`, `{"detail":{"state":"RUNNING","n":[1,{"a":"b\"c"}]}}`)
	f.Add("$.detail.n[1]", `"<state> at <aws.events.event.ingestion-time>"`, `{"detail":{"n":[1,{"a":"b"}]}}`)
	f.Add("$.detail.*", `<state> is <aws.events.rule-name>`, `{"detail":{"x":"\u00e9\n"}}`)
	f.Add("$..x", `[<state>, "<state>"]`, `[]`)
	f.Fuzz(func(t *testing.T, p, tpl, event string) {
		if c, err := Compile(nil, &p, nil); err == nil {
			out, err := c.Apply([]byte(event), vars)
			if err == nil && !json.Valid(out) {
				t.Fatalf("InputPath %q on %q gave invalid JSON %q", p, event, out)
			}
		}
		c, err := Compile(nil, nil, &Transformer{PathsMap: map[string]string{"state": p}, Template: tpl})
		if err != nil {
			return
		}
		out, err := c.Apply([]byte(event), vars)
		if err == nil && c.jsonMode && !json.Valid(out) {
			t.Fatalf("template %q with %q on %q gave invalid JSON %q", tpl, p, event, out)
		}
	})
}

func TestPathsMapLimit(t *testing.T) {
	m := map[string]string{}
	for i := range 101 {
		m["v"+strings.Repeat("x", i)] = "$.detail"
	}
	if _, err := Compile(nil, nil, &Transformer{PathsMap: m, Template: "x"}); err == nil {
		t.Fatal("101 variables accepted")
	}
	delete(m, "v")
	if _, err := Compile(nil, nil, &Transformer{PathsMap: m, Template: "x"}); err != nil {
		t.Fatalf("100 variables: %v", err)
	}
	long := strings.Repeat("a", 8193)
	for _, in := range []*string{ptr(`"` + long + `"`)} {
		if _, err := Compile(in, nil, nil); err == nil {
			t.Error("8194-character Input accepted")
		}
	}
	if _, err := Compile(nil, nil, &Transformer{Template: long}); err == nil {
		t.Error("8193-character InputTemplate accepted")
	}
	if _, err := Compile(nil, ptr("$."+strings.Repeat("a", 255)), nil); err == nil {
		t.Error("257-character InputPath accepted")
	}
}

// TestDeepNesting: templates and events nested past jsonscan's limit are
// refused, not looped on.
func TestDeepNesting(t *testing.T) {
	deep := strings.Repeat("[", 600) + "<a>" + strings.Repeat("]", 600)
	if _, err := Compile(nil, nil, &Transformer{PathsMap: map[string]string{"a": "$"}, Template: deep}); err == nil {
		t.Error("600-deep template accepted")
	}
	c, err := Compile(nil, ptr("$.a"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Apply([]byte(strings.Repeat("[", 600)+strings.Repeat("]", 600)), vars); err == nil {
		t.Error("600-deep event accepted")
	}
}

// TestVarsEscaping: predefined string variables are JSON-escaped in JSON
// templates (without HTML escaping) and raw in plain text.
func TestVarsEscaping(t *testing.T) {
	v := Vars{RuleName: `a"b<c>&`, RuleArn: "arn", IngestionTime: time.Date(2024, 1, 2, 3, 4, 5, 6, time.FixedZone("x", 3600))}
	for tpl, want := range map[string]string{
		`{"n": <aws.events.rule-name>, "s": "x<aws.events.rule-name>"}`: `{"n":"a\"b<c>&","s":"xa\"b<c>&"}`,
		`<aws.events.rule-name> <aws.events.event.ingestion-time>`:      `a"b<c>& 2024-01-02T02:04:05Z`,
	} {
		c, err := Compile(nil, nil, &Transformer{Template: tpl})
		if err != nil {
			t.Fatal(err)
		}
		out, err := c.Apply([]byte(`{}`), v)
		if err != nil || string(out) != want {
			t.Errorf("%s: got %s, %v; want %s", tpl, out, err, want)
		}
	}
}
