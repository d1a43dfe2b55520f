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
// and with valid escapes, the number grammar, nesting up to maxJSONDepth),
// and refuses a key with an escape (two spellings of one name), which the
// columnar form does not keep as a column. It appends to mem and reports
// false for that and for anything but one object (white space around it
// is part of the shape). Repeated keys are the caller's to find
// (hasRepeatedKey): once per shape, not once per message.
func splitObject(msg []byte, mem []member) ([]member, bool) {
	s := jsonSplitter{s: msg}
	s.space()
	if s.i >= len(msg) || msg[s.i] != '{' {
		return mem, false
	}
	s.i++
	s.space()
	if s.i < len(msg) && msg[s.i] == '}' {
		s.i++
		s.space()
		return mem, s.i == len(msg)
	}
	base := len(mem)
	for {
		s.space()
		if s.i >= len(msg) || msg[s.i] != '"' {
			return mem[:base], false
		}
		ks := s.i + 1
		esc, ok := s.str()
		if !ok || esc {
			return mem[:base], false
		}
		key := msg[ks : s.i-1]
		s.space()
		if s.i >= len(msg) || msg[s.i] != ':' {
			return mem[:base], false
		}
		s.i++
		s.space()
		m := member{KeyStart: uint32(ks), KeyEnd: uint32(ks + len(key))}
		if s.i >= len(msg) {
			return mem[:base], false
		}
		start := s.i
		switch c := msg[s.i]; {
		case c == '"':
			if _, ok := s.str(); !ok {
				return mem[:base], false
			}
			m.Kind, m.Start, m.End = KindString, uint32(start+1), uint32(s.i-1)
		case c == '{' || c == '[':
			if !s.value(1) {
				return mem[:base], false
			}
			m.Kind, m.Start, m.End = KindContainer, uint32(start), uint32(s.i)
		default:
			if !s.value(1) {
				return mem[:base], false
			}
			m.Kind, m.Start, m.End = KindScalar, uint32(start), uint32(s.i)
		}
		mem = append(mem, m)
		s.space()
		if s.i >= len(msg) {
			return mem[:base], false
		}
		switch msg[s.i] {
		case ',':
			s.i++
		case '}':
			s.i++
			s.space()
			if s.i != len(msg) {
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

// maxJSONDepth is the nesting the Logs Insights engine accepts.
const maxJSONDepth = 512

type jsonSplitter struct {
	s []byte
	i int
}

func (s *jsonSplitter) space() { s.i = jsonscan.Space(s.s, s.i) }

// value validates one value at depth (the top-level object is depth 0).
func (s *jsonSplitter) value(depth int) bool {
	if s.i >= len(s.s) || depth > maxJSONDepth {
		return false
	}
	switch c := s.s[s.i]; {
	case c == '"':
		_, ok := s.str()
		return ok
	case c == '{':
		return s.object(depth)
	case c == '[':
		return s.array(depth)
	case c == 't':
		return s.word("true")
	case c == 'f':
		return s.word("false")
	case c == 'n':
		return s.word("null")
	case c == '-' || (c >= '0' && c <= '9'):
		return s.number()
	}
	return false
}

func (s *jsonSplitter) word(w string) bool {
	var ok bool
	s.i, ok = jsonscan.Word(s.s, s.i, w)
	return ok
}

// object validates a nested object; nested keys may repeat (the engine
// parses such values itself).
func (s *jsonSplitter) object(depth int) bool {
	s.i++
	s.space()
	if s.i < len(s.s) && s.s[s.i] == '}' {
		s.i++
		return true
	}
	for {
		s.space()
		if s.i >= len(s.s) || s.s[s.i] != '"' {
			return false
		}
		if _, ok := s.str(); !ok {
			return false
		}
		s.space()
		if s.i >= len(s.s) || s.s[s.i] != ':' {
			return false
		}
		s.i++
		s.space()
		if !s.value(depth + 1) {
			return false
		}
		s.space()
		if s.i >= len(s.s) {
			return false
		}
		switch s.s[s.i] {
		case ',':
			s.i++
		case '}':
			s.i++
			return true
		default:
			return false
		}
	}
}

func (s *jsonSplitter) array(depth int) bool {
	s.i++
	s.space()
	if s.i < len(s.s) && s.s[s.i] == ']' {
		s.i++
		return true
	}
	for {
		s.space()
		if !s.value(depth + 1) {
			return false
		}
		s.space()
		if s.i >= len(s.s) {
			return false
		}
		switch s.s[s.i] {
		case ',':
			s.i++
		case ']':
			s.i++
			return true
		default:
			return false
		}
	}
}

// str skips a string starting at its opening quote.
func (s *jsonSplitter) str() (escaped, ok bool) {
	s.i, escaped, ok = jsonscan.String(s.s, s.i)
	return escaped, ok
}

func (s *jsonSplitter) number() bool {
	var ok bool
	s.i, ok = jsonscan.Number(s.s, s.i)
	return ok
}
