package funcs

import (
	"encoding/binary"
	"math"
	"strconv"
	"time"
)

// Kind is the type of a Value.
type Kind uint8

// The kinds of Value. The zero Kind is KindNull, so the zero Value is null.
const (
	// KindNull is a missing field, or the result of an operation whose input
	// was missing or unusable. Result cells for null are absent.
	KindNull Kind = iota
	// KindBool is the result of a comparison or predicate. It prints as 1 or
	// 0 and counts as that number in arithmetic and comparisons.
	KindBool
	// KindNumber is a finite float64.
	KindNumber
	// KindString is text, as most log fields are.
	KindString
	// KindTime is a timestamp with millisecond precision (@timestamp, and
	// the results of bin, datefloor, dateceil and fromMillis).
	KindTime
	// KindMap is a JSON object made by jsonParse: members in input order.
	KindMap
	// KindList is a JSON array made by jsonParse or split.
	KindList
)

var kindNames = [...]string{"null", "bool", "number", "string", "time", "map", "list"}

func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "kind(" + strconv.Itoa(int(k)) + ")"
}

// Value is one value of the query language. It is small and comparable by
// kind; numbers, booleans and timestamps are held inline and never allocate.
// Values are immutable and safe to share between goroutines.
//
// The zero Value is null (a missing field).
type Value struct {
	kind Kind
	num  float64    // KindNumber; KindBool (0 or 1); KindTime (Unix milliseconds)
	str  string     // KindString
	ref  *composite // KindMap, KindList
}

type composite struct {
	members []Member // KindMap
	elems   []Value  // KindList
}

// Member is one key and value of a map.
type Member struct {
	Key   string
	Value Value
}

// Null is the missing value; it is the zero Value.
var Null Value

var (
	trueValue  = Value{kind: KindBool, num: 1}
	falseValue = Value{kind: KindBool}
)

// Str returns a string value.
func Str(s string) Value { return Value{kind: KindString, str: s} }

// Num returns a number value. NaN and the infinities are not values of the
// language: Num returns null for them, so every arithmetic or numeric
// function result that is not finite (1/0, sqrt(-1), log(0)) is null.
// Negative zero becomes zero.
func Num(f float64) Value {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return Null
	}
	if f == 0 {
		f = 0
	}
	return Value{kind: KindNumber, num: f}
}

// Bool returns a boolean value.
func Bool(b bool) Value {
	if b {
		return trueValue
	}
	return falseValue
}

// Timestamp returns a time value for ms milliseconds since the Unix epoch.
func Timestamp(ms int64) Value { return Value{kind: KindTime, num: float64(ms)} }

// TimeOf returns a time value for t, truncated to the millisecond.
func TimeOf(t time.Time) Value { return Timestamp(t.UnixMilli()) }

// Map returns a map value with the given members, in order. The value takes
// ownership of the slice. Keys should be unique; Get returns the first.
func Map(members ...Member) Value {
	return Value{kind: KindMap, ref: &composite{members: members}}
}

// List returns a list value. The value takes ownership of the slice.
func List(elems ...Value) Value {
	return Value{kind: KindList, ref: &composite{elems: elems}}
}

// Kind reports the value's kind.
func (v Value) Kind() Kind { return v.kind }

// IsNull reports whether v is null (missing).
func (v Value) IsNull() bool { return v.kind == KindNull }

// Text returns the content of a string value, or "" for other kinds. Use
// String for the printed form of any value.
func (v Value) Text() string { return v.str }

// Float returns the number held by a number, bool (0 or 1) or time
// (milliseconds) value, or 0 for other kinds. Use Number for the numeric
// view including numeric strings.
func (v Value) Float() float64 {
	switch v.kind {
	case KindNumber, KindBool, KindTime:
		return v.num
	}
	return 0
}

// Millis returns the milliseconds since the Unix epoch of a time value, or 0
// for other kinds.
func (v Value) Millis() int64 {
	if v.kind != KindTime {
		return 0
	}
	return int64(v.num)
}

// Members returns the members of a map value (nil for other kinds). The
// slice must not be modified.
func (v Value) Members() []Member {
	if v.kind != KindMap {
		return nil
	}
	return v.ref.members
}

// Elems returns the elements of a list value (nil for other kinds). The
// slice must not be modified.
func (v Value) Elems() []Value {
	if v.kind != KindList {
		return nil
	}
	return v.ref.elems
}

// Get is the dot access operator (map.key): the value of the first member
// named key, or null when v is not a map or has no such member. The lookup
// is linear in the number of members.
func (v Value) Get(key string) Value {
	if v.kind != KindMap {
		return Null
	}
	for i := range v.ref.members {
		if v.ref.members[i].Key == key {
			return v.ref.members[i].Value
		}
	}
	return Null
}

// Index is the bracket access operator (list[i]), zero-based: the element
// at position i, or null when v is not a list or i is out of range.
func (v Value) Index(i int) Value {
	if v.kind != KindList || i < 0 || i >= len(v.ref.elems) {
		return Null
	}
	return v.ref.elems[i]
}

// Number is the numeric view of a value: numbers as they are, booleans as 1
// or 0, timestamps as Unix milliseconds and strings that ParseNumber
// accepts. Null, maps, lists and other strings have none.
func (v Value) Number() (float64, bool) {
	switch v.kind {
	case KindNumber, KindBool, KindTime:
		return v.num, true
	case KindString:
		return ParseNumber(v.str)
	}
	return 0, false
}

// textual is the string view string functions use: strings as they are and
// numbers, booleans and timestamps in their printed form. Null, maps and
// lists have none (AWS: "Maps and lists are treated as null for string,
// number, and datetime functions").
func (v Value) textual() (string, bool) {
	switch v.kind {
	case KindString:
		return v.str, true
	case KindNumber, KindBool, KindTime:
		return v.String(), true
	}
	return "", false
}

// TimeLayout is how a timestamp prints in a result cell, always in UTC
// (AWS prints @timestamp as "2024-01-02 03:04:05.678").
const TimeLayout = "2006-01-02 15:04:05.000"

// String returns the value as a result cell shows it: strings verbatim,
// numbers in their shortest round-trip decimal form without an exponent
// unless the magnitude is at least 1e21 or below 1e-6 (1.5, 2, 1642195111000,
// 1e+21, 1e-7), booleans as 1 or 0, timestamps in TimeLayout (UTC), maps and
// lists as compact JSON, and null as "".
func (v Value) String() string {
	switch v.kind {
	case KindString:
		return v.str
	case KindNull:
		return ""
	}
	var buf [32]byte
	return string(v.AppendTo(buf[:0]))
}

// AppendKey appends an encoding of v for grouping: two values of one kind
// have equal keys exactly when they print the same (a time is its
// milliseconds, not its text, which is slower to write).
func (v Value) AppendKey(dst []byte) []byte {
	if v.kind == KindTime {
		return binary.LittleEndian.AppendUint64(dst, uint64(int64(v.num)))
	}
	return v.AppendTo(dst)
}

// AppendTo appends the printed form of v (see String) to dst.
func (v Value) AppendTo(dst []byte) []byte {
	switch v.kind {
	case KindNull:
		return dst
	case KindBool:
		if v.num != 0 {
			return append(dst, '1')
		}
		return append(dst, '0')
	case KindNumber:
		return appendNumber(dst, v.num)
	case KindString:
		return append(dst, v.str...)
	case KindTime:
		return time.UnixMilli(int64(v.num)).UTC().AppendFormat(dst, TimeLayout)
	default:
		return appendJSON(dst, v)
	}
}

// appendNumber formats f the way JavaScript's Number.prototype.toString
// does: the shortest decimal that reads back as f, positional for
// 1e-6 <= |f| < 1e21 and in exponent form otherwise.
func appendNumber(dst []byte, f float64) []byte {
	if f == 0 {
		return append(dst, '0')
	}
	a := math.Abs(f)
	if a >= 1e-6 && a < 1e21 {
		return strconv.AppendFloat(dst, f, 'f', -1, 64)
	}
	start := len(dst)
	dst = strconv.AppendFloat(dst, f, 'e', -1, 64)
	// Go writes at least two exponent digits (1e-07); drop the padding.
	for i := start; i < len(dst); i++ {
		if dst[i] == 'e' && i+3 < len(dst) && dst[i+2] == '0' {
			copy(dst[i+2:], dst[i+3:])
			dst = dst[:len(dst)-1]
			break
		}
	}
	return dst
}

// ParseNumber reports whether s is a decimal number and returns its value.
// Accepted: optional surrounding ASCII blanks, an optional sign, digits with
// an optional fraction (or a fraction alone, ".5"), and an optional exponent
// ("1e3", "2.5E-4"). Not accepted: hexadecimal, "Inf", "NaN", digit
// separators and values outside the float64 range. It never allocates.
func ParseNumber(s string) (float64, bool) {
	// Fast reject: most log text is not numeric.
	if s == "" {
		return 0, false
	}
	if c := s[0]; !(c >= '0' && c <= '9') && c != '-' && c != '+' && c != '.' && c != ' ' && c != '\t' {
		return 0, false
	}
	i, j := 0, len(s)
	for i < j && (s[i] == ' ' || s[i] == '\t') {
		i++
	}
	for j > i && (s[j-1] == ' ' || s[j-1] == '\t') {
		j--
	}
	t := s[i:j]
	p := 0
	neg := false
	if p < len(t) && (t[p] == '+' || t[p] == '-') {
		neg = t[p] == '-'
		p++
	}
	intStart := p
	var mant uint64
	for p < len(t) && t[p] >= '0' && t[p] <= '9' {
		mant = mant*10 + uint64(t[p]-'0')
		p++
	}
	intDigits := p - intStart
	if p == len(t) {
		if intDigits == 0 {
			return 0, false
		}
		if intDigits <= 15 { // exact in float64
			f := float64(mant)
			if neg && mant != 0 {
				f = -f
			}
			return f, true
		}
		return parseFloatChecked(t)
	}
	fracDigits := 0
	if t[p] == '.' {
		p++
		for p < len(t) && t[p] >= '0' && t[p] <= '9' {
			p++
			fracDigits++
		}
	}
	if intDigits == 0 && fracDigits == 0 {
		return 0, false
	}
	if p < len(t) && (t[p] == 'e' || t[p] == 'E') {
		p++
		if p < len(t) && (t[p] == '+' || t[p] == '-') {
			p++
		}
		expStart := p
		for p < len(t) && t[p] >= '0' && t[p] <= '9' {
			p++
		}
		if p == expStart {
			return 0, false
		}
	}
	if p != len(t) {
		return 0, false
	}
	return parseFloatChecked(t)
}

// parseFloatChecked parses a string already validated as decimal, so
// strconv can only fail on range (and then allocates its error, rarely).
func parseFloatChecked(t string) (float64, bool) {
	f, err := strconv.ParseFloat(t, 64)
	if err != nil || math.IsInf(f, 0) {
		return 0, false
	}
	if f == 0 {
		f = 0
	}
	return f, true
}
