package sqs

import (
	"crypto/md5"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/vigilhq/vigil/internal/api/shape"
	sqsapi "github.com/vigilhq/vigil/internal/api/sqs"
)

const maxMessageAttributes = 10

// allowedChar is the character set SendMessage documents for bodies (and
// String attribute values): #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to
// #xFFFD | #x10000 to #x10FFFF.
func allowedChar(r rune) bool {
	switch {
	case r == 0x9 || r == 0xA || r == 0xD:
		return true
	case r >= 0x20 && r <= 0xD7FF, r >= 0xE000 && r <= 0xFFFD, r >= 0x10000 && r <= 0x10FFFF:
		return true
	}
	return false
}

// badChar returns the first character outside the allowed set (a byte of
// invalid UTF-8 counts as its value), or -1.
func badChar(s string) rune {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c < 0x20 && c != 0x9 && c != 0xA && c != 0xD {
				return rune(c)
			}
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n == 1 {
			return rune(c)
		}
		if !allowedChar(r) {
			return r
		}
		i += n
	}
	return -1
}

const allowedSet = "#x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF"

func checkBody(body string) error {
	if body == "" {
		return missingParameter("MessageBody")
	}
	if r := badChar(body); r >= 0 {
		return &sqsapi.InvalidMessageContents{Message: shape.Ptr(fmt.Sprintf(
			"Invalid binary character '#x%X' was found in the message body, the set of allowed characters is %s", r, allowedSet))}
	}
	return nil
}

// messageAttributes checks a message's attributes against SQS's rules and
// returns them sorted by name, with the bytes they add to the message size
// (name, type and value).
func messageAttributes(in map[string]sqsapi.MessageAttributeValue) ([]attr, int, error) {
	if len(in) > maxMessageAttributes {
		return nil, 0, invalidParameter("Number of message attributes [%d] exceeds the allowed maximum [%d].", len(in), maxMessageAttributes)
	}
	if len(in) == 0 {
		return nil, 0, nil // most messages: no allocation
	}
	out := make([]attr, 0, len(in))
	size := 0
	names := make([]string, 0, len(in))
	for name := range in {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		a, err := messageAttribute(name, in[name])
		if err != nil {
			return nil, 0, err
		}
		out = append(out, a)
		size += len(a.Name) + len(a.DataType) + len(a.Value)
	}
	return out, size, nil
}

func messageAttribute(name string, v sqsapi.MessageAttributeValue) (attr, error) {
	if err := checkAttributeName(name); err != nil {
		return attr{}, err
	}
	dt := shape.Value(v.DataType)
	base, ok := baseType(dt)
	if !ok {
		return attr{}, invalidParameter("The type of message (user) attribute '%s' is invalid. You must use only the following supported type prefixes: Binary, Number, String.", name)
	}
	a := attr{Name: name, DataType: dt}
	// StringListValues and BinaryListValues are documented as "not
	// implemented, reserved for future use": ignored, as AWS ignores them.
	if base == "Binary" {
		a.Value = string(v.BinaryValue)
	} else {
		a.Value = shape.Value(v.StringValue)
	}
	if a.Value == "" {
		return attr{}, invalidParameter("Message (user) attribute '%s' must contain a non-empty value of message attribute type '%s'.", name, base)
	}
	switch base {
	case "Number":
		if !validNumber(a.Value) {
			return attr{}, invalidParameter("Can't cast the value of message (user) attribute '%s' to a number.", name)
		}
	case "String":
		if r := badChar(a.Value); r >= 0 {
			return attr{}, &sqsapi.InvalidMessageContents{Message: shape.Ptr(fmt.Sprintf(
				"Invalid binary character '#x%X' was found in the message attribute '%s', the set of allowed characters is %s", r, name, allowedSet))}
		}
	}
	return a, nil
}

// checkAttributeName: A-Z a-z 0-9 _ - ., up to 256, no leading, trailing
// or doubled period, and not the reserved AWS. or Amazon. prefixes.
func checkAttributeName(name string) error {
	if name == "" || len(name) > 256 {
		return invalidParameter("Message (user) attribute name must be between 1 and 256 characters long.")
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-' || c == '.') {
			return invalidParameter("Message (user) attribute name '%s' can only contain alphanumeric characters, hyphens (-), underscores (_) and periods (.).", name)
		}
	}
	if name[0] == '.' || name[len(name)-1] == '.' || strings.Contains(name, "..") {
		return invalidParameter("Message (user) attribute name '%s' must not start or end with a period, nor contain two periods in a row.", name)
	}
	if l := strings.ToLower(name); strings.HasPrefix(l, "aws.") || strings.HasPrefix(l, "amazon.") {
		return invalidParameter("Message (user) attribute name '%s' is reserved for use by SQS.", name)
	}
	return nil
}

// baseType splits a DataType into String, Number or Binary and an optional
// custom label ("Number.float").
func baseType(dt string) (string, bool) {
	if len(dt) > 256 {
		return "", false
	}
	base, label, dotted := strings.Cut(dt, ".")
	switch base {
	case "String", "Number", "Binary":
		return base, !dotted || label != ""
	}
	return "", false
}

func isBinaryType(dt string) bool { return strings.HasPrefix(dt, "Binary") }

// validNumber: a decimal number with up to 38 digits of precision between
// -10^128 and 10^126, as SQS's Number type documents.
func validNumber(s string) bool {
	t := strings.TrimLeft(s, "+-")
	if len(s)-len(t) > 1 {
		return false
	}
	mant, exp, hasExp := strings.Cut(strings.ToLower(t), "e")
	intPart, frac, _ := strings.Cut(mant, ".")
	if intPart == "" && frac == "" || !digits(intPart) || !digits(frac) {
		return false
	}
	if hasExp {
		e := strings.TrimLeft(exp, "+-")
		if e == "" || len(exp)-len(e) > 1 || !digits(e) {
			return false
		}
	}
	if sig := strings.TrimLeft(strings.TrimRight(intPart+frac, "0"), "0"); len(sig) > 38 {
		return false
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return false // out of float64's range is out of SQS's too
	}
	return f == 0 || (f < 1e126 && f > -1e126 && (f >= 1e-128 || f <= -1e-128))
}

func digits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// systemAttributes checks MessageSystemAttributes: AWSTraceHeader, a
// String, is the only one a sender may set.
func systemAttributes(in map[string]sqsapi.MessageSystemAttributeValue) (string, error) {
	trace := ""
	for name, v := range in {
		if name != "AWSTraceHeader" {
			return "", invalidParameter("Message system attribute name '%s' is invalid.", name)
		}
		if shape.Value(v.DataType) != "String" || shape.Value(v.StringValue) == "" {
			return "", invalidParameter("Message system attribute 'AWSTraceHeader' must be a non-empty String.")
		}
		trace = *v.StringValue
	}
	return trace, nil
}

// md5OfAttributes is MD5OfMessageAttributes as SQS computes it: over the
// attributes sorted by name, each as its name, its data type, a transport
// byte (1 for String and Number, 2 for Binary) and its value, the three
// strings each preceded by its length as a 4-byte big-endian integer. ""
// when there are none (the field is then left out).
func md5OfAttributes(attrs []attr) string {
	if len(attrs) == 0 {
		return ""
	}
	h := md5.New()
	var b []byte
	for _, a := range attrs {
		b = appendLenPrefixed(b[:0], a.Name)
		b = appendLenPrefixed(b, a.DataType)
		if a.binary() {
			b = append(b, 2)
		} else {
			b = append(b, 1)
		}
		b = appendLenPrefixed(b, a.Value)
		h.Write(b)
	}
	return hex.EncodeToString(h.Sum(nil))
}

func appendLenPrefixed(b []byte, s string) []byte {
	b = binary.BigEndian.AppendUint32(b, uint32(len(s)))
	return append(b, s...)
}

// md5Hex is MD5OfMessageBody.
func md5Hex(sum [16]byte) string { return hex.EncodeToString(sum[:]) }
