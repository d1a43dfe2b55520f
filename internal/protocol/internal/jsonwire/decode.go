// Package jsonwire reads and writes the JSON documents of the AWS JSON
// protocols (awsJson1_0, awsJson1_1 and the bodies of restJson1), walking a
// structure shape and its generated Go value together. It owns JSON syntax
// and the JSON representation of every shape type; it knows nothing about
// HTTP, headers or routing.
package jsonwire

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"math"
	"reflect"
	"strconv"
	"time"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/vigilhq/vigil/internal/api/shape"
	"github.com/vigilhq/vigil/internal/protocol/internal/memberpath"
)

// MaxDepth bounds the nesting of objects and arrays in a request.
const MaxDepth = 128

// Options tune Decode and Append.
type Options struct {
	// BodyOnly skips the members bound to an HTTP location (restJson1):
	// Decode ignores their keys and Append does not write them.
	BodyOnly bool
}

// Decode fills the structure v points to (a pointer to s's Go struct) from
// the JSON object in data. An empty or all-whitespace body, and a top-level
// null, leave v untouched. Unknown keys are ignored and null values are
// treated as absent. Errors are *shape.Error with code SerializationException.
func Decode(data []byte, s *shape.Shape, v any, opt Options) error {
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer || rv.IsNil() {
		return serr("input must be a non-nil pointer")
	}
	d := decoder{data: data, bodyOnly: opt.BodyOnly}
	d.ws()
	if d.pos == len(d.data) {
		return nil
	}
	if d.peek() == 'n' {
		if err := d.literal("null"); err != nil {
			return err
		}
	} else {
		if s == nil || s.Type != shape.Structure {
			return serr("operation takes no input")
		}
		if s.GoType != nil && rv.Elem().Type() != s.GoType {
			return errors.New("jsonwire: decoding " + s.Name + " into " + rv.Type().String())
		}
		if err := d.structure(s, rv.Elem()); err != nil {
			return err
		}
	}
	d.ws()
	if d.pos != len(d.data) {
		return d.syntax("unexpected data after the top-level value")
	}
	return nil
}

type decoder struct {
	data     []byte
	pos      int
	depth    int
	bodyOnly bool
	scratch  []byte
	path     memberpath.Path
}

func serr(msg string) *shape.Error {
	return &shape.Error{Code: "SerializationException", Message: msg, Status: 400, Sender: true}
}

// mismatch reports a value of the wrong JSON type, in the words AWS's JSON
// services use ("NUMBER_VALUE cannot be converted to String"), plus the
// member's path.
func (d *decoder) mismatch(want string) error {
	var got string
	switch d.peek() {
	case '"':
		got = "STRING_VALUE"
	case 't':
		got = "TRUE_VALUE"
	case 'f':
		got = "FALSE_VALUE"
	case '{':
		return d.located("Start of structure or map found where not expected")
	case '[':
		return d.located("Start of list found where not expected")
	case '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
		got = "NUMBER_VALUE"
	default:
		if d.pos >= len(d.data) {
			return d.syntax("unexpected end of input")
		}
		return d.syntax("unexpected character " + strconv.QuoteRune(rune(d.peek())))
	}
	return d.located(got + " cannot be converted to " + want)
}

func (d *decoder) located(msg string) error {
	if w := d.path.String(); w != "" {
		msg += " (member " + w + ")"
	}
	return serr(msg)
}

func (d *decoder) syntax(msg string) error {
	return serr("malformed JSON at offset " + strconv.Itoa(d.pos) + ": " + msg)
}

func (d *decoder) ws() {
	for d.pos < len(d.data) {
		switch d.data[d.pos] {
		case ' ', '\t', '\n', '\r':
			d.pos++
		default:
			return
		}
	}
}

func (d *decoder) peek() byte {
	if d.pos < len(d.data) {
		return d.data[d.pos]
	}
	return 0
}

func (d *decoder) literal(lit string) error {
	if len(d.data)-d.pos < len(lit) || string(d.data[d.pos:d.pos+len(lit)]) != lit {
		return d.syntax("invalid literal")
	}
	d.pos += len(lit)
	return nil
}

func (d *decoder) enter() error {
	d.depth++
	if d.depth > MaxDepth {
		return serr("JSON nesting exceeds the maximum depth of " + strconv.Itoa(MaxDepth))
	}
	return nil
}

// value decodes one JSON value at d.pos into v, whose type follows the
// representation of s for list elements and map values (no pointer). The
// caller has skipped whitespace and handled null.
func (d *decoder) value(s *shape.Shape, v reflect.Value) error {
	switch s.Type {
	case shape.Structure:
		if s.Document {
			x, err := d.document()
			if err != nil {
				return err
			}
			if x != nil {
				v.Set(reflect.ValueOf(x))
			}
			return nil
		}
		return d.structure(s, v)
	case shape.List:
		return d.list(s, v)
	case shape.Map:
		return d.mapValue(s, v)
	case shape.String:
		if d.peek() != '"' {
			return d.mismatch("String")
		}
		b, err := d.str()
		if err != nil {
			return err
		}
		v.SetString(string(b))
		return nil
	case shape.Boolean:
		switch d.peek() {
		case 't':
			v.SetBool(true)
			return d.literal("true")
		case 'f':
			v.SetBool(false)
			return d.literal("false")
		}
		return d.mismatch("Boolean")
	case shape.Integer, shape.Long:
		want := "Integer"
		if s.Type == shape.Long {
			want = "Long"
		}
		if c := d.peek(); c != '-' && (c < '0' || c > '9') {
			return d.mismatch(want)
		}
		num, err := d.number()
		if err != nil {
			return err
		}
		n, ok := parseInt(num)
		if !ok || (s.Type == shape.Integer && (n < math.MinInt32 || n > math.MaxInt32)) {
			return d.located("NUMBER_VALUE " + string(num) + " cannot be converted to " + want)
		}
		v.SetInt(n)
		return nil
	case shape.Float, shape.Double:
		want, bits := "Double", 64
		if s.Type == shape.Float {
			want, bits = "Float", 32
		}
		f, err := d.float(want, bits)
		if err != nil {
			return err
		}
		v.SetFloat(f)
		return nil
	case shape.Timestamp:
		t, err := d.timestamp()
		if err != nil {
			return err
		}
		v.Set(reflect.ValueOf(t))
		return nil
	case shape.Blob:
		if d.peek() != '"' {
			return d.mismatch("Blob")
		}
		b, err := d.str()
		if err != nil {
			return err
		}
		out := make([]byte, base64.RawStdEncoding.DecodedLen(len(b)))
		n, err := base64.StdEncoding.Decode(out, b)
		if err != nil {
			// Be lenient with unpadded input, as some clients send it.
			n, err = base64.RawStdEncoding.Decode(out, bytes.TrimRight(b, "="))
			if err != nil {
				return d.located("invalid base64 for a blob")
			}
		}
		v.SetBytes(out[:n])
		return nil
	}
	return d.located("unsupported shape type " + s.Type.String())
}

func (d *decoder) float(want string, bits int) (float64, error) {
	c := d.peek()
	if c == '"' {
		b, err := d.str()
		if err != nil {
			return 0, err
		}
		switch string(b) {
		case "NaN":
			return math.NaN(), nil
		case "Infinity":
			return math.Inf(1), nil
		case "-Infinity":
			return math.Inf(-1), nil
		}
		return 0, d.located("STRING_VALUE cannot be converted to " + want)
	}
	if c != '-' && (c < '0' || c > '9') {
		return 0, d.mismatch(want)
	}
	num, err := d.number()
	if err != nil {
		return 0, err
	}
	f, err := strconv.ParseFloat(string(num), bits)
	if err != nil {
		return 0, d.located("NUMBER_VALUE " + string(num) + " cannot be converted to " + want)
	}
	return f, nil
}

func (d *decoder) timestamp() (time.Time, error) {
	switch c := d.peek(); {
	case c == '"':
		b, err := d.str()
		if err != nil {
			return time.Time{}, err
		}
		t, ok := ParseTimestampString(string(b))
		if !ok {
			return time.Time{}, d.located("STRING_VALUE " + strconv.Quote(string(b)) + " cannot be converted to Timestamp")
		}
		return t, nil
	case c == '-' || (c >= '0' && c <= '9'):
		num, err := d.number()
		if err != nil {
			return time.Time{}, err
		}
		t, ok := ParseEpoch(num)
		if !ok {
			return time.Time{}, d.located("NUMBER_VALUE " + string(num) + " cannot be converted to Timestamp")
		}
		return t, nil
	}
	return time.Time{}, d.mismatch("Timestamp")
}

// ParseEpoch converts a JSON number of epoch seconds, integral or
// fractional, to a UTC time, exactly to the nanosecond for plain decimals.
func ParseEpoch(num []byte) (time.Time, bool) {
	neg := false
	i := 0
	if i < len(num) && num[i] == '-' {
		neg = true
		i++
	}
	var sec int64
	start := i
	for ; i < len(num) && num[i] >= '0' && num[i] <= '9'; i++ {
		if sec > (math.MaxInt64-9)/10 {
			return time.Time{}, false
		}
		sec = sec*10 + int64(num[i]-'0')
	}
	if i == start {
		return time.Time{}, false
	}
	var nsec int64
	if i < len(num) && num[i] == '.' {
		i++
		scale := int64(1e8)
		for ; i < len(num) && num[i] >= '0' && num[i] <= '9'; i++ {
			nsec += int64(num[i]-'0') * scale
			scale /= 10
		}
	}
	if i != len(num) {
		// Exponent form: go through float64.
		f, err := strconv.ParseFloat(string(num), 64)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) || math.Abs(f) > 1e15 {
			return time.Time{}, false
		}
		return EpochFloat(f), true
	}
	if sec > 1e15 {
		return time.Time{}, false
	}
	if neg {
		sec, nsec = -sec, -nsec
	}
	return time.Unix(sec, nsec).UTC(), true
}

// EpochFloat converts epoch seconds to a UTC time rounded to the microsecond
// (float64 cannot carry more for current dates).
func EpochFloat(f float64) time.Time {
	sec, frac := math.Modf(f)
	us := math.Round(frac * 1e6)
	return time.Unix(int64(sec), int64(us)*1e3).UTC()
}

var isoLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05.999999999",
	"2006-01-02T15:04:05.999999999Z0700",
	"2006-01-02",
	time.RFC1123,
	time.RFC1123Z,
}

// ParseTimestampString parses a timestamp sent as a string: ISO-8601
// (RFC 3339, with or without zone), RFC 1123, or epoch seconds.
func ParseTimestampString(s string) (time.Time, bool) {
	for _, l := range isoLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t.UTC(), true
		}
	}
	if t, ok := ParseEpoch([]byte(s)); ok {
		return t, true
	}
	return time.Time{}, false
}

// parseInt parses an integral JSON number; 5.0 and 1e3 are accepted, 1.5 is
// not.
func parseInt(num []byte) (int64, bool) {
	neg := false
	i := 0
	if num[0] == '-' {
		neg = true
		i++
	}
	var n uint64
	for ; i < len(num); i++ {
		c := num[i]
		if c < '0' || c > '9' {
			f, err := strconv.ParseFloat(string(num), 64)
			if err != nil || f != math.Trunc(f) || f < math.MinInt64 || f >= math.MaxInt64 {
				return 0, false
			}
			return int64(f), true
		}
		if n > (math.MaxUint64-9)/10 {
			return 0, false
		}
		n = n*10 + uint64(c-'0')
	}
	if neg {
		if n > 1<<63 {
			return 0, false
		}
		return -int64(n), true
	}
	if n > math.MaxInt64 {
		return 0, false
	}
	return int64(n), true
}

// number scans a JSON number and returns its literal.
func (d *decoder) number() ([]byte, error) {
	start := d.pos
	p := d.pos
	data := d.data
	if p < len(data) && data[p] == '-' {
		p++
	}
	switch {
	case p < len(data) && data[p] == '0':
		p++
	case p < len(data) && data[p] >= '1' && data[p] <= '9':
		for p < len(data) && data[p] >= '0' && data[p] <= '9' {
			p++
		}
	default:
		d.pos = p
		return nil, d.syntax("invalid number")
	}
	if p < len(data) && data[p] == '.' {
		p++
		s := p
		for p < len(data) && data[p] >= '0' && data[p] <= '9' {
			p++
		}
		if p == s {
			d.pos = p
			return nil, d.syntax("invalid number")
		}
	}
	if p < len(data) && (data[p] == 'e' || data[p] == 'E') {
		p++
		if p < len(data) && (data[p] == '+' || data[p] == '-') {
			p++
		}
		s := p
		for p < len(data) && data[p] >= '0' && data[p] <= '9' {
			p++
		}
		if p == s {
			d.pos = p
			return nil, d.syntax("invalid number")
		}
	}
	d.pos = p
	return data[start:p], nil
}

// str scans a JSON string at d.pos and returns its unescaped bytes. The
// result aliases the input or d.scratch and is valid until the next call.
func (d *decoder) str() ([]byte, error) {
	d.pos++ // opening quote
	start := d.pos
	data := d.data
	for p := plainRun(data, start); p < len(data); p++ {
		c := data[p]
		if c == '"' {
			d.pos = p + 1
			return data[start:p], nil
		}
		if c == '\\' {
			return d.strSlow(start, p)
		}
		if c < 0x20 {
			d.pos = p
			return nil, d.syntax("control character in string")
		}
	}
	d.pos = len(data)
	return nil, d.syntax("unterminated string")
}

// strSpecial marks the bytes that end a run of plain string bytes: the
// quote, the backslash and control characters.
var strSpecial = func() (t [256]bool) {
	for c := range 0x20 {
		t[c] = true
	}
	t['"'], t['\\'] = true, true
	return t
}()

// plainRun returns the index of the first byte at or after p that is a
// quote, a backslash or a control character (len(data) if none), testing
// eight bytes at a time.
func plainRun(data []byte, p int) int {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	for ; p+8 <= len(data); p += 8 {
		x := binary.LittleEndian.Uint64(data[p:])
		q, b := x^(ones*'"'), x^(ones*'\\')
		// Each term has a high bit set in a byte that may be special: a
		// byte below 0x20, or one equal to '"' or '\\'. No false negatives.
		if ((x-ones*0x20)|(q-ones)|(b-ones))&^x&highs != 0 {
			break
		}
	}
	for p < len(data) && !strSpecial[data[p]] {
		p++
	}
	return p
}

// PlainRun is plainRun for the hand-tuned decoders of the protocol
// packages (awsjson's PutLogEvents).
func PlainRun(data []byte, p int) int { return plainRun(data, p) }

// Hex4 reads the four hex digits of a \u escape at b[p:].
func Hex4(b []byte, p int) (rune, bool) { return hex4(b, p) }

func (d *decoder) strSlow(start, p int) ([]byte, error) {
	data := d.data
	out := append(d.scratch[:0], data[start:p]...)
	for p < len(data) {
		c := data[p]
		switch {
		case c == '"':
			d.pos = p + 1
			d.scratch = out
			return out, nil
		case c < 0x20:
			d.pos = p
			return nil, d.syntax("control character in string")
		case c != '\\':
			// Copy the whole run of plain bytes at once.
			q := plainRun(data, p+1)
			out = append(out, data[p:q]...)
			p = q
			continue
		}
		p++
		if p >= len(data) {
			break
		}
		switch data[p] {
		case '"', '\\', '/':
			out = append(out, data[p])
		case 'b':
			out = append(out, '\b')
		case 'f':
			out = append(out, '\f')
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 't':
			out = append(out, '\t')
		case 'u':
			r, ok := hex4(data, p+1)
			if !ok {
				d.pos = p
				return nil, d.syntax("invalid \\u escape")
			}
			p += 4
			if utf16.IsSurrogate(r) {
				r2, ok := rune(0), false
				if p+2 < len(data) && data[p+1] == '\\' && data[p+2] == 'u' {
					r2, ok = hex4(data, p+3)
				}
				if ok {
					if rr := utf16.DecodeRune(r, r2); rr != utf8.RuneError {
						r = rr
						p += 6
					} else {
						r = utf8.RuneError
					}
				} else {
					r = utf8.RuneError
				}
			}
			out = utf8.AppendRune(out, r)
		default:
			d.pos = p
			return nil, d.syntax("invalid escape")
		}
		p++
	}
	d.pos = len(data)
	return nil, d.syntax("unterminated string")
}

func hex4(b []byte, p int) (rune, bool) {
	if p+4 > len(b) {
		return 0, false
	}
	var r rune
	for _, c := range b[p : p+4] {
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c >= 'a' && c <= 'f':
			c = c - 'a' + 10
		case c >= 'A' && c <= 'F':
			c = c - 'A' + 10
		default:
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	return r, true
}

// structure decodes a JSON object into the struct v.
func (d *decoder) structure(s *shape.Shape, v reflect.Value) error {
	if d.peek() != '{' {
		return d.mismatch("Structure")
	}
	if err := d.enter(); err != nil {
		return err
	}
	d.pos++
	d.ws()
	if d.peek() == '}' {
		d.pos++
		d.depth--
		return nil
	}
	hint := 0
	members := s.Members
	for {
		d.ws()
		if d.peek() != '"' {
			return d.syntax("expected a string key")
		}
		key, err := d.str()
		if err != nil {
			return err
		}
		d.ws()
		if d.peek() != ':' {
			return d.syntax("expected ':'")
		}
		d.pos++
		d.ws()
		// Find the member: JSON keys usually come in member order, so
		// start after the last match; compare bytes to avoid allocating.
		idx := -1
		for j := range members {
			k := hint + j
			if k >= len(members) {
				k -= len(members)
			}
			if members[k].WireName() == string(key) {
				idx = k
				break
			}
		}
		if idx < 0 || (d.bodyOnly && members[idx].Location != "") || d.peek() == 'n' {
			if err := d.skip(); err != nil {
				return err
			}
		} else {
			hint = idx + 1
			m := members[idx]
			d.path.Push(m.Name, -1)
			if err := d.member(m.Shape, v.Field(idx)); err != nil {
				return err
			}
			d.path.Pop()
		}
		d.ws()
		switch d.peek() {
		case ',':
			d.pos++
		case '}':
			d.pos++
			d.depth--
			return nil
		default:
			return d.syntax("expected ',' or '}'")
		}
	}
}

// member decodes into a struct field: scalars and structures are pointers.
func (d *decoder) member(s *shape.Shape, f reflect.Value) error {
	if f.Kind() != reflect.Pointer {
		return d.value(s, f)
	}
	p := reflect.New(f.Type().Elem())
	if err := d.value(s, p.Elem()); err != nil {
		return err
	}
	f.Set(p)
	return nil
}

func (d *decoder) list(s *shape.Shape, v reflect.Value) error {
	if d.peek() != '[' {
		return d.mismatch("List")
	}
	if err := d.enter(); err != nil {
		return err
	}
	d.pos++
	d.ws()
	et := s.Member.Shape
	v.SetLen(0)
	if d.peek() == ']' {
		d.pos++
		d.depth--
		if v.IsNil() {
			v.Set(reflect.MakeSlice(v.Type(), 0, 0))
		}
		return nil
	}
	for i := 0; ; i++ {
		d.ws()
		if d.peek() == 'n' {
			if err := d.literal("null"); err != nil {
				return err
			}
		} else {
			n := v.Len()
			if n == v.Cap() {
				v.Grow(max(4, n))
			}
			v.SetLen(n + 1)
			d.path.Push("", i)
			if err := d.value(et, v.Index(n)); err != nil {
				return err
			}
			d.path.Pop()
		}
		d.ws()
		switch d.peek() {
		case ',':
			d.pos++
		case ']':
			d.pos++
			d.depth--
			if v.IsNil() {
				v.Set(reflect.MakeSlice(v.Type(), 0, 0))
			}
			return nil
		default:
			return d.syntax("expected ',' or ']'")
		}
	}
}

func (d *decoder) mapValue(s *shape.Shape, v reflect.Value) error {
	if d.peek() != '{' {
		return d.mismatch("Map")
	}
	if err := d.enter(); err != nil {
		return err
	}
	d.pos++
	d.ws()
	mt := v.Type()
	m := reflect.MakeMap(mt)
	vt := s.Value.Shape
	if d.peek() == '}' {
		d.pos++
		d.depth--
		v.Set(m)
		return nil
	}
	elem := reflect.New(mt.Elem()).Elem()
	kv := reflect.New(mt.Key()).Elem()
	zero := reflect.Zero(mt.Elem())
	for {
		d.ws()
		if d.peek() != '"' {
			return d.syntax("expected a string key")
		}
		kb, err := d.str()
		if err != nil {
			return err
		}
		key := string(kb)
		d.ws()
		if d.peek() != ':' {
			return d.syntax("expected ':'")
		}
		d.pos++
		d.ws()
		if d.peek() == 'n' {
			if err := d.literal("null"); err != nil {
				return err
			}
		} else {
			elem.Set(zero)
			d.path.Push(key, -1)
			if err := d.value(vt, elem); err != nil {
				return err
			}
			d.path.Pop()
			kv.SetString(key)
			m.SetMapIndex(kv, elem)
		}
		d.ws()
		switch d.peek() {
		case ',':
			d.pos++
		case '}':
			d.pos++
			d.depth--
			v.Set(m)
			return nil
		default:
			return d.syntax("expected ',' or '}'")
		}
	}
}

// skip scans over one JSON value of any type.
func (d *decoder) skip() error {
	switch c := d.peek(); {
	case c == '"':
		_, err := d.str()
		return err
	case c == '{' || c == '[':
		_, err := d.document()
		return err
	case c == 't':
		return d.literal("true")
	case c == 'f':
		return d.literal("false")
	case c == 'n':
		return d.literal("null")
	case c == '-' || (c >= '0' && c <= '9'):
		_, err := d.number()
		return err
	case c == 0 && d.pos >= len(d.data):
		return d.syntax("unexpected end of input")
	}
	return d.syntax("unexpected character " + strconv.QuoteRune(rune(d.peek())))
}

// document decodes any JSON value into map[string]any, []any, string,
// float64, bool or nil.
func (d *decoder) document() (any, error) {
	switch c := d.peek(); {
	case c == '"':
		b, err := d.str()
		if err != nil {
			return nil, err
		}
		return string(b), nil
	case c == 't':
		return true, d.literal("true")
	case c == 'f':
		return false, d.literal("false")
	case c == 'n':
		return nil, d.literal("null")
	case c == '-' || (c >= '0' && c <= '9'):
		num, err := d.number()
		if err != nil {
			return nil, err
		}
		f, err := strconv.ParseFloat(string(num), 64)
		if err != nil {
			return nil, d.syntax("number out of range")
		}
		return f, nil
	case c == '[':
		if err := d.enter(); err != nil {
			return nil, err
		}
		d.pos++
		out := []any{}
		d.ws()
		if d.peek() == ']' {
			d.pos++
			d.depth--
			return out, nil
		}
		for {
			d.ws()
			x, err := d.document()
			if err != nil {
				return nil, err
			}
			out = append(out, x)
			d.ws()
			switch d.peek() {
			case ',':
				d.pos++
			case ']':
				d.pos++
				d.depth--
				return out, nil
			default:
				return nil, d.syntax("expected ',' or ']'")
			}
		}
	case c == '{':
		if err := d.enter(); err != nil {
			return nil, err
		}
		d.pos++
		out := map[string]any{}
		d.ws()
		if d.peek() == '}' {
			d.pos++
			d.depth--
			return out, nil
		}
		for {
			d.ws()
			if d.peek() != '"' {
				return nil, d.syntax("expected a string key")
			}
			kb, err := d.str()
			if err != nil {
				return nil, err
			}
			key := string(kb)
			d.ws()
			if d.peek() != ':' {
				return nil, d.syntax("expected ':'")
			}
			d.pos++
			d.ws()
			x, err := d.document()
			if err != nil {
				return nil, err
			}
			out[key] = x
			d.ws()
			switch d.peek() {
			case ',':
				d.pos++
			case '}':
				d.pos++
				d.depth--
				return out, nil
			default:
				return nil, d.syntax("expected ',' or '}'")
			}
		}
	case c == 0 && d.pos >= len(d.data):
		return nil, d.syntax("unexpected end of input")
	}
	return nil, d.syntax("unexpected character " + strconv.QuoteRune(rune(d.peek())))
}

// DecodeDocument decodes one JSON value of any type into *out.
func DecodeDocument(data []byte, out *any) error {
	d := decoder{data: data}
	d.ws()
	x, err := d.document()
	if err != nil {
		return err
	}
	d.ws()
	if d.pos != len(d.data) {
		return d.syntax("unexpected data after the value")
	}
	*out = x
	return nil
}
