package sns

import (
	"encoding/base64"
	"encoding/json"
	"strconv"

	"github.com/vigilhq/vigil/internal/api/shape"
	snsapi "github.com/vigilhq/vigil/internal/api/sns"
	"github.com/vigilhq/vigil/internal/eventpattern"
)

// Filter policies are EventBridge event patterns over a JSON document: the
// message's attributes (FilterPolicyScope MessageAttributes) or its body
// (MessageBody). The operators SNS documents — exact, prefix, suffix,
// anything-but, numeric, exists, cidr, equals-ignore-case and $or — mean
// the same in both services, so eventpattern evaluates them. SNS has no
// wildcard operator; it is refused here.

// maxFilterKeys is SNS's limit on a policy's attribute names.
const maxFilterKeys = 5

// compileFilter checks a policy for its scope and compiles it.
func compileFilter(policy, scope string) (*eventpattern.Pattern, error) {
	var doc map[string]any
	if err := json.Unmarshal([]byte(policy), &doc); err != nil {
		return nil, invalidParameter("FilterPolicy", "failed to parse JSON. "+err.Error())
	}
	if len(doc) > maxFilterKeys {
		return nil, invalidParameter("FilterPolicy", "Filter policy can not have more than 5 keys")
	}
	if scope != "MessageBody" {
		for k, v := range doc {
			if _, nested := v.(map[string]any); nested && k != "$or" {
				return nil, invalidParameter("FilterPolicy", "Filter policy scope MessageAttributes does not support nested filter policy")
			}
		}
	}
	if usesWildcard(doc) {
		return nil, invalidParameter("FilterPolicy", "Unrecognized match type wildcard")
	}
	p, err := eventpattern.Compile([]byte(policy))
	if err != nil {
		return nil, invalidParameter("FilterPolicy", err.Error())
	}
	return p, nil
}

func usesWildcard(v any) bool {
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			if k == "wildcard" || usesWildcard(x) {
				return true
			}
		}
	case []any:
		for _, x := range v {
			if usesWildcard(x) {
				return true
			}
		}
	}
	return false
}

// attributeDocument is the JSON document an attribute-scope policy is
// matched against: String attributes are strings, Number attributes
// numbers, String.Array attributes their array. Binary attributes cannot be
// filtered on (as AWS documents) and are left out.
func attributeDocument(attrs map[string]snsapi.MessageAttributeValue) []byte {
	doc := make(map[string]json.RawMessage, len(attrs))
	for name, v := range attrs {
		s := shape.Value(v.StringValue)
		switch shape.Value(v.DataType) {
		case "String":
			b, _ := json.Marshal(s)
			doc[name] = b
		case "Number":
			if f, err := strconv.ParseFloat(s, 64); err == nil {
				doc[name] = json.RawMessage(strconv.FormatFloat(f, 'g', -1, 64))
			}
		case "String.Array":
			doc[name] = json.RawMessage(s) // checked to be a JSON array by Publish
		}
	}
	b, _ := json.Marshal(doc)
	return b
}

// matches reports whether a message passes a subscription's policy. A
// MessageBody policy never matches a body that is not a JSON object.
func matches(p *eventpattern.Pattern, scope, body string, attrs map[string]snsapi.MessageAttributeValue) bool {
	if p == nil {
		return true
	}
	doc := []byte(body)
	if scope != "MessageBody" {
		doc = attributeDocument(attrs)
	}
	ok, err := p.Match(doc)
	return err == nil && ok
}

// attributeValue is an attribute's value as the envelope shows it: the
// string, or a Binary value in base64.
func attributeValue(v snsapi.MessageAttributeValue) string {
	if shape.Value(v.DataType) == "Binary" {
		return base64.StdEncoding.EncodeToString(v.BinaryValue)
	}
	return shape.Value(v.StringValue)
}
