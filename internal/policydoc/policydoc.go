package policydoc

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// ErrMalformed is returned by Parse for a document that is not a JSON
// object or whose Statement is neither a statement nor a list of them.
var ErrMalformed = errors.New("policydoc: malformed policy")

// Doc is a policy document being edited. The zero value is not usable; use
// New or Parse. A Doc is not safe for concurrent use.
type Doc struct {
	members []member          // top-level members in document order
	stmts   []json.RawMessage // the statements, each a compact JSON object
}

type member struct {
	key   string
	value json.RawMessage // compact; unused for "Statement"
}

const statementKey = "Statement"

// New starts a document with no statements: {"Version":v,"Id":id,"Statement":[]}.
func New(version, id string) *Doc {
	return &Doc{members: []member{
		{key: "Version", value: encode(version)},
		{key: "Id", value: encode(id)},
		{key: statementKey},
	}}
}

// Parse reads a policy document. Statement may hold one statement or a
// list of them (the access policy language allows both); a document
// without one gets an empty list at its end. A member repeated at the top
// level keeps its last value, at its first place (what encoding/json would
// read).
func Parse(policy string) (*Doc, error) {
	data := []byte(policy)
	if !json.Valid(data) {
		return nil, fmt.Errorf("%w: not valid JSON", ErrMalformed)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	if tok, _ := dec.Token(); tok != json.Delim('{') {
		return nil, fmt.Errorf("%w: not a JSON object", ErrMalformed)
	}
	d := &Doc{}
	index := map[string]int{}
	var stmtRaw json.RawMessage
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
		}
		key, _ := tok.(string)
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
		}
		var buf bytes.Buffer
		if err := json.Compact(&buf, raw); err != nil {
			return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
		}
		if key == statementKey {
			stmtRaw = buf.Bytes()
		}
		if i, ok := index[key]; ok {
			d.members[i].value = buf.Bytes()
			continue
		}
		index[key] = len(d.members)
		d.members = append(d.members, member{key: key, value: buf.Bytes()})
	}
	if stmtRaw == nil {
		d.members = append(d.members, member{key: statementKey})
		return d, nil
	}
	switch stmtRaw[0] {
	case '{':
		d.stmts = []json.RawMessage{stmtRaw}
	case '[':
		var list []json.RawMessage
		if err := json.Unmarshal(stmtRaw, &list); err != nil {
			return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
		}
		for i, s := range list {
			if len(s) == 0 || s[0] != '{' {
				return nil, fmt.Errorf("%w: Statement[%d] is not an object", ErrMalformed, i)
			}
		}
		d.stmts = list
	default:
		return nil, fmt.Errorf("%w: Statement is neither a statement nor a list of statements", ErrMalformed)
	}
	return d, nil
}

// Grant is the statement AddPermission writes: Allow Actions on Resource to
// Principals (AWS principal ARNs), under the label Sid.
type Grant struct {
	Sid        string
	Principals []string
	Actions    []string // qualified, as "SQS:SendMessage"
	Resource   string
}

// ErrDuplicateSid is returned by Add when a statement already has the Sid.
var ErrDuplicateSid = errors.New("policydoc: a statement with this Sid exists")

// Add appends g's statement. A single principal or action is written as a
// string, several as a list, as AWS writes them.
func (d *Doc) Add(g Grant) error {
	if d.Has(g.Sid) {
		return ErrDuplicateSid
	}
	// Field order is the order AWS's generated statements show.
	stmt := struct {
		Sid       string
		Effect    string
		Principal struct {
			AWS json.RawMessage
		}
		Action   json.RawMessage
		Resource string
	}{Sid: g.Sid, Effect: "Allow", Action: oneOrList(g.Actions), Resource: g.Resource}
	stmt.Principal.AWS = oneOrList(g.Principals)
	d.stmts = append(d.stmts, encode(stmt))
	return nil
}

// Remove drops every statement whose Sid is sid and reports how many it
// dropped.
func (d *Doc) Remove(sid string) int {
	kept := d.stmts[:0]
	for _, s := range d.stmts {
		if got, ok := sidOf(s); !ok || got != sid {
			kept = append(kept, s)
		}
	}
	n := len(d.stmts) - len(kept)
	clear(d.stmts[len(kept):])
	d.stmts = kept
	return n
}

// Has reports whether a statement has the Sid sid.
func (d *Doc) Has(sid string) bool {
	for _, s := range d.stmts {
		if got, ok := sidOf(s); ok && got == sid {
			return true
		}
	}
	return false
}

// Statements is the number of statements.
func (d *Doc) Statements() int { return len(d.stmts) }

// Principals counts the principals the statements name: "*" is one, and
// each value under Principal (AWS, Service, …) one per entry.
func (d *Doc) Principals() int {
	n := 0
	for _, s := range d.stmts {
		var st struct{ Principal json.RawMessage }
		if json.Unmarshal(s, &st) != nil || len(st.Principal) == 0 {
			continue
		}
		switch st.Principal[0] {
		case '"':
			n++
		case '{':
			var byKind map[string]json.RawMessage
			if json.Unmarshal(st.Principal, &byKind) != nil {
				continue
			}
			for _, v := range byKind {
				n += count(v)
			}
		}
	}
	return n
}

// String is the document as compact JSON.
func (d *Doc) String() string {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, m := range d.members {
		if i > 0 {
			b.WriteByte(',')
		}
		b.Write(encode(m.key))
		b.WriteByte(':')
		if m.key != statementKey {
			b.Write(m.value)
			continue
		}
		b.WriteByte('[')
		for j, s := range d.stmts {
			if j > 0 {
				b.WriteByte(',')
			}
			b.Write(s)
		}
		b.WriteByte(']')
	}
	b.WriteByte('}')
	return b.String()
}

// AccountPrincipal is the principal ARN AddPermission writes for an
// account: the account's root.
func AccountPrincipal(account string) string {
	return "arn:aws:iam::" + account + ":root"
}

// ValidLabel applies the label rule SQS documents for AddPermission: 1 to
// 80 characters, each alphanumeric, a hyphen or an underscore.
func ValidLabel(s string) bool {
	if s == "" || len(s) > 80 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// ValidAccount reports whether s is an AWS account ID: 12 digits.
func ValidAccount(s string) bool {
	if len(s) != 12 {
		return false
	}
	return strings.Trim(s, "0123456789") == ""
}

// sidOf reads a statement's Sid; ok is false when it has none or it is not
// a string.
func sidOf(stmt json.RawMessage) (string, bool) {
	var s struct{ Sid *string }
	if json.Unmarshal(stmt, &s) != nil || s.Sid == nil {
		return "", false
	}
	return *s.Sid, true
}

// count is the number of entries of a string-or-list value.
func count(v json.RawMessage) int {
	if len(v) > 0 && v[0] == '[' {
		var l []json.RawMessage
		if json.Unmarshal(v, &l) == nil {
			return len(l)
		}
		return 0
	}
	return 1
}

func oneOrList(vs []string) json.RawMessage {
	if vs == nil {
		vs = []string{}
	}
	if len(vs) == 1 {
		return encode(vs[0])
	}
	return encode(vs)
}

// encode marshals without HTML escaping ("<" stays "<"), as AWS returns
// policies, and without the encoder's trailing newline.
func encode(v any) json.RawMessage {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		panic(fmt.Sprintf("policydoc: encode %T: %v", v, err)) // strings and lists of strings always encode
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n"))
}
