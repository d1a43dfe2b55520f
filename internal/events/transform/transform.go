package transform

import (
	"bytes"
	"encoding/json"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/vigilhq/vigil/internal/jsonscan"
)

// Transformer is a target's InputTransformer.
type Transformer struct {
	PathsMap map[string]string
	Template string
}

// Vars are the values of the predefined <aws.events.*> variables for one
// delivery.
type Vars struct {
	RuleArn, RuleName string
	IngestionTime     time.Time
}

// Transform is a compiled target input setting. It is immutable and safe
// for concurrent use.
type Transform struct {
	kind     kind
	constant []byte // kindConstant: Input
	path     path   // kindPath: InputPath

	// kindTemplate
	jsonMode bool // the template is JSON, not plain text
	parts    []part
	vars     []variable // InputPathsMap, sorted by name
}

type kind uint8

const (
	kindWhole kind = iota
	kindConstant
	kindPath
	kindTemplate
)

// part is a run of literal template text followed by at most one
// placeholder.
type part struct {
	text     string
	ref      ref  // refNone: text only
	variable int  // refVariable: index into vars
	inString bool // the placeholder sits inside a JSON string literal
}

type ref uint8

const (
	refNone ref = iota
	refVariable
	refRuleArn
	refRuleName
	refIngestionTime
	refEvent
	refEventJSON
)

type variable struct {
	name string
	path path
}

// Limits from PutTargets' Target and InputTransformer shapes.
const (
	maxInput     = 8192
	maxTemplate  = 8192
	maxPathsMap  = 100
	maxKeyLength = 256
)

var reserved = map[string]ref{
	"aws.events.rule-arn":             refRuleArn,
	"aws.events.rule-name":            refRuleName,
	"aws.events.event.ingestion-time": refIngestionTime,
	"aws.events.event":                refEvent,
	"aws.events.event.json":           refEventJSON,
}

var keyPattern = regexp.MustCompile(`^[A-Za-z0-9_\-]+$`)

// Compile validates a target's Input, InputPath and InputTransformer as
// PutTargets does and returns what Apply runs. nil, nil, nil means the
// whole event. Errors are *Error.
func Compile(input, inputPath *string, t *Transformer) (*Transform, error) {
	n := 0
	for _, set := range []bool{input != nil, inputPath != nil, t != nil} {
		if set {
			n++
		}
	}
	if n > 1 {
		return nil, invalid("Only one of Input, InputPath, or InputTransformer may be provided for a target.")
	}
	switch {
	case input != nil:
		if len(*input) > maxInput {
			return nil, invalid("Input must be at most 8192 characters long.")
		}
		if !json.Valid([]byte(*input)) {
			return nil, invalid("Input is not valid JSON text.")
		}
		return &Transform{kind: kindConstant, constant: []byte(*input)}, nil
	case inputPath != nil:
		p, err := parsePath(*inputPath)
		if err != nil {
			return nil, err
		}
		return &Transform{kind: kindPath, path: p}, nil
	case t != nil:
		return compileTemplate(t)
	}
	return &Transform{kind: kindWhole}, nil
}

func compileTemplate(t *Transformer) (*Transform, error) {
	if len(t.PathsMap) > maxPathsMap {
		return nil, invalid("InputPathsMap must have at most 100 entries.")
	}
	tr := &Transform{kind: kindTemplate}
	for name, p := range t.PathsMap {
		if _, ok := reserved[name]; ok {
			return nil, invalid("InputPathsMap key " + strconv.Quote(name) + " is a reserved variable name.")
		}
		if len(name) > maxKeyLength || !keyPattern.MatchString(name) || strings.HasPrefix(strings.ToUpper(name), "AWS.") {
			return nil, invalid("InputPathsMap key " + strconv.Quote(name) + " must be 1-256 characters of letters, digits, _ and -.")
		}
		cp, err := parsePath(p)
		if err != nil {
			return nil, err
		}
		tr.vars = append(tr.vars, variable{name: name, path: cp})
	}
	sort.Slice(tr.vars, func(i, j int) bool { return tr.vars[i].name < tr.vars[j].name })
	if t.Template == "" {
		return nil, invalid("InputTemplate is required and must not be empty.")
	}
	if len(t.Template) > maxTemplate {
		return nil, invalid("InputTemplate must be at most 8192 characters long.")
	}
	// A template starting with { or [ is JSON and must be valid; one
	// starting with a quote is JSON if it is valid (the documented
	// "\"instance <instance> is in <state>\""), else plain text such as
	// "\"<instance>\" is in state <status>" (our decision); anything else
	// is plain text.
	first := jsonscan.Space(t.Template, 0)
	opening := byte(0)
	if first < len(t.Template) {
		opening = t.Template[first]
	}
	if opening == '{' || opening == '[' || opening == '"' {
		tr.jsonMode = true
		tr.parts = tr.split(t.Template)
		err := tr.checkJSON()
		if err == nil {
			return tr, nil
		}
		if opening != '"' || err != errNotJSON {
			if err == errNotJSON {
				err = invalid(errNotJSON.Message) // callers may keep or change theirs
			}
			return nil, err
		}
		tr.jsonMode = false
	}
	tr.parts = tr.split(t.Template)
	return tr, nil
}

// split cuts the template at its placeholders: <name> where name is an
// InputPathsMap key or a reserved variable. Other <...> text is literal
// (our decision: templates may carry markup such as "<b>"). In JSON mode it
// records which placeholders sit inside string literals.
func (tr *Transform) split(tpl string) []part {
	var parts []part
	inString := false
	start := 0
	for i := 0; i < len(tpl); i++ {
		c := tpl[i]
		if tr.jsonMode && inString && c == '\\' {
			i++
			continue
		}
		if tr.jsonMode && c == '"' {
			inString = !inString
			continue
		}
		if c != '<' {
			continue
		}
		end := strings.IndexByte(tpl[i+1:], '>')
		if end < 0 {
			continue
		}
		name := tpl[i+1 : i+1+end]
		p := part{text: tpl[start:i], inString: inString}
		if r, ok := reserved[name]; ok {
			p.ref = r
		} else if k := sort.Search(len(tr.vars), func(k int) bool { return tr.vars[k].name >= name }); k < len(tr.vars) && tr.vars[k].name == name {
			p.ref, p.variable = refVariable, k
		} else {
			continue
		}
		parts = append(parts, p)
		i += end + 1
		start = i + 1
	}
	return append(parts, part{text: tpl[start:]})
}

// marker stands for a placeholder inside a string while checking the
// template's shape; U+0001 cannot appear raw in a valid JSON template.
const marker = `\u0001`

// checkJSON enforces what AWS documents for JSON templates: valid JSON
// once placeholders are filled, no placeholder as an object key, and the
// whole-event variables only as values, never inside strings.
func (tr *Transform) checkJSON() error {
	var probe, keyProbe strings.Builder
	for _, p := range tr.parts {
		probe.WriteString(p.text)
		keyProbe.WriteString(p.text)
		switch {
		case p.ref == refNone:
		case p.inString:
			if p.ref == refEvent || p.ref == refEventJSON {
				return invalid("InputTemplate: <aws.events.event> and <aws.events.event.json> can only be used as the value of a JSON field, not inside a string.")
			}
			probe.WriteString(marker)
			keyProbe.WriteString(marker)
		default:
			probe.WriteString("null")
			keyProbe.WriteString(`"` + marker + `"`)
		}
	}
	if validJSON(probe.String()) {
		if markerInKey([]byte(probe.String())) {
			return invalid("InputTemplate: a placeholder cannot be used as an object key.")
		}
		return nil
	}
	if validJSON(keyProbe.String()) && markerInKey([]byte(keyProbe.String())) {
		return invalid("InputTemplate: a placeholder cannot be used as an object key.")
	}
	return errNotJSON
}

var errNotJSON = invalid("InputTemplate is not valid JSON.")

// validJSON is json.Valid with jsonscan's nesting limit, which the
// walkers here rely on.
func validJSON(s string) bool {
	i := jsonscan.Space(s, 0)
	end, ok := jsonscan.Value(s, i, 0)
	return ok && jsonscan.Space(s, end) == len(s) && json.Valid([]byte(s))
}

func markerInKey(doc []byte) bool {
	found := false
	var walk func(v []byte)
	walk = func(v []byte) {
		members(v, func(key, val []byte) {
			if strings.Contains(keyString(key), "\x01") {
				found = true
			}
			walk(val)
		})
		elements(v, walk)
	}
	walk(bytes.TrimSpace(doc))
	return found
}

// Whole reports whether Apply sends the event itself (no Input, InputPath
// or InputTransformer): a caller holding an event it built, valid by
// construction, may then send it as is, without Apply's validation and
// copy (two scans of each event an SQS target of PutEvents receives).
func (t *Transform) Whole() bool { return t.kind == kindWhole }

// Apply produces the payload sent to the target for one event (the event
// JSON as EventBridge builds it). Errors are *Error.
func (t *Transform) Apply(event []byte, v Vars) ([]byte, error) {
	event = bytes.TrimSpace(event)
	if !validJSON(string(event)) {
		return nil, invalid("event is not valid JSON")
	}
	switch t.kind {
	case kindWhole:
		return bytes.Clone(event), nil
	case kindConstant:
		return bytes.Clone(t.constant), nil
	case kindPath:
		if val, ok := t.path.eval(event); ok {
			return bytes.Clone(val), nil
		}
		// Our decision: a path the event lacks sends JSON null.
		return []byte("null"), nil
	}
	values := make([][]byte, len(t.vars))
	found := make([]bool, len(t.vars))
	for i, vr := range t.vars {
		values[i], found[i] = vr.path.eval(event)
	}
	var b bytes.Buffer
	for _, p := range t.parts {
		b.WriteString(p.text)
		switch p.ref {
		case refNone:
		case refVariable:
			t.writeValue(&b, values[p.variable], found[p.variable], p.inString)
		case refRuleArn:
			t.writeString(&b, v.RuleArn, p.inString)
		case refRuleName:
			t.writeString(&b, v.RuleName, p.inString)
		case refIngestionTime:
			t.writeString(&b, v.IngestionTime.UTC().Format(time.RFC3339), p.inString)
		case refEvent:
			t.writeValue(&b, withoutDetail(event), true, p.inString)
		case refEventJSON:
			t.writeValue(&b, event, true, p.inString)
		}
	}
	if !t.jsonMode {
		return b.Bytes(), nil
	}
	var out bytes.Buffer
	if err := json.Compact(&out, b.Bytes()); err != nil {
		return nil, invalid("InputTemplate produced invalid JSON: " + err.Error())
	}
	return out.Bytes(), nil
}

// writeValue inserts a JSON value taken from the event:
//   - as a JSON value (JSON template, outside quotes): as is — strings keep
//     their quotes, objects and arrays stay JSON; a missing value is null;
//   - inside a string literal: a string's content as it is escaped in the
//     event, numbers and literals as text, objects and arrays with their
//     quotes removed ("EventBridge removes any internal quotes to ensure a
//     valid string"); a missing value is empty;
//   - in a plain-text template: a string's decoded content, anything else
//     as compact JSON; a missing value is empty.
func (t *Transform) writeValue(b *bytes.Buffer, val []byte, found, inString bool) {
	switch {
	case !found:
		if t.jsonMode && !inString {
			b.WriteString("null")
		}
	case t.jsonMode && !inString:
		b.Write(val)
	case t.jsonMode:
		switch val[0] {
		case '"':
			b.Write(val[1 : len(val)-1])
		case '{', '[':
			writeUnquoted(b, val)
		default:
			b.Write(val)
		}
	default:
		if val[0] == '"' {
			var s string
			_ = json.Unmarshal(val, &s)
			b.WriteString(s)
			return
		}
		_ = json.Compact(b, val)
	}
}

// writeString inserts one of the string variables.
func (t *Transform) writeString(b *bytes.Buffer, s string, inString bool) {
	if !t.jsonMode {
		b.WriteString(s)
		return
	}
	var q bytes.Buffer
	enc := json.NewEncoder(&q)
	enc.SetEscapeHTML(false) // keep < > & as they are, like the event's own text
	_ = enc.Encode(s)
	out := bytes.TrimSuffix(q.Bytes(), []byte("\n"))
	if inString {
		out = out[1 : len(out)-1]
	}
	b.Write(out)
}

// writeUnquoted writes compact JSON without the quotes that delimit its
// strings; escaped quotes inside strings stay escaped, so the result is
// valid string content.
func writeUnquoted(b *bytes.Buffer, val []byte) {
	inString := false
	for i := 0; i < len(val); i++ {
		c := val[i]
		switch {
		case inString && c == '\\':
			b.WriteByte(c)
			i++
			b.WriteByte(val[i])
		case c == '"':
			inString = !inString
		case !inString && (c == ' ' || c == '\t' || c == '\n' || c == '\r'):
		default:
			b.WriteByte(c)
		}
	}
}

// withoutDetail returns the event object without its detail member:
// AWS's <aws.events.event> ("the original event payload as JSON, without
// the detail field").
func withoutDetail(event []byte) []byte {
	var b bytes.Buffer
	b.WriteByte('{')
	members(event, func(key, val []byte) {
		if keyString(key) == "detail" {
			return
		}
		if b.Len() > 1 {
			b.WriteByte(',')
		}
		b.Write(key)
		b.WriteByte(':')
		b.Write(val)
	})
	b.WriteByte('}')
	return b.Bytes()
}
