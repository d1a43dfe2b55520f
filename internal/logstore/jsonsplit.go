package logstore

import "github.com/vigilhq/vigil/internal/jsonscan"

// splitObject splits a message that is one JSON object into its top-level
// members: the byte ranges of each value (a string's content without its
// quotes, or a whole number, true, false, null, object or array token).
// Everything between values — braces, keys, colons, commas, white space —
// is the message's shape, so the message is exactly its shape's literals
// interleaved with its values.
//
// It validates the whole message the way JSON requires (and as the Logs
// Insights engine's scanner does: strings without raw control characters
// and with valid escapes, the number grammar, nesting up to jsonscan.MaxDepth),
// and refuses a key with an escape (two spellings of one name), which the
// columnar form does not keep as a column. It appends to mem and reports
// false for that and for anything but one object (white space around it
// is part of the shape). Repeated keys are the caller's to find
// (hasRepeatedKey): once per shape, not once per message.
func splitObject(msg []byte, mem []member) ([]member, bool) {
	i := jsonscan.Space(msg, 0)
	if i >= len(msg) || msg[i] != '{' {
		return mem, false
	}
	i = jsonscan.Space(msg, i+1)
	if i < len(msg) && msg[i] == '}' {
		return mem, jsonscan.Space(msg, i+1) == len(msg)
	}
	base := len(mem)
	for {
		i = jsonscan.Space(msg, i)
		if i >= len(msg) || msg[i] != '"' {
			return mem[:base], false
		}
		ks := i + 1
		var esc, ok bool
		if i, esc, ok = jsonscan.String(msg, i); !ok || esc {
			return mem[:base], false
		}
		m := member{KeyStart: uint32(ks), KeyEnd: uint32(i - 1)}
		if i = jsonscan.Space(msg, i); i >= len(msg) || msg[i] != ':' {
			return mem[:base], false
		}
		start := jsonscan.Space(msg, i+1)
		if i, ok = jsonscan.Value(msg, start, 1); !ok {
			return mem[:base], false
		}
		switch msg[start] {
		case '"':
			m.Kind, m.Start, m.End = KindString, uint32(start+1), uint32(i-1)
		case '{', '[':
			m.Kind, m.Start, m.End = KindContainer, uint32(start), uint32(i)
		default:
			m.Kind, m.Start, m.End = KindScalar, uint32(start), uint32(i)
		}
		mem = append(mem, m)
		if i = jsonscan.Space(msg, i); i >= len(msg) {
			return mem[:base], false
		}
		switch msg[i] {
		case ',':
			i++
		case '}':
			if jsonscan.Space(msg, i+1) != len(msg) {
				return mem[:base], false
			}
			return mem, true
		default:
			return mem[:base], false
		}
	}
}

// hasRepeatedKey reports whether two members of msg have the same key.
func hasRepeatedKey(msg []byte, mem []member) bool {
	for i, m := range mem {
		for _, o := range mem[:i] {
			if string(msg[m.KeyStart:m.KeyEnd]) == string(msg[o.KeyStart:o.KeyEnd]) {
				return true
			}
		}
	}
	return false
}

// member is one top-level member of a JSON object message.
type member struct {
	KeyStart, KeyEnd uint32 // the key's content
	Start, End       uint32 // the value (a string's content)
	Kind             ValueKind
}

// ValueKind is what a column's values are.
type ValueKind uint8

const (
	// KindRaw: whole messages that are not JSON objects the columnar form
	// keeps (the raw column of shape 0).
	KindRaw ValueKind = iota
	// KindString: a JSON string's content between the quotes, escapes as
	// written.
	KindString
	// KindScalar: a JSON number, true, false or null token.
	KindScalar
	// KindContainer: a JSON object or array, as written.
	KindContainer
)
