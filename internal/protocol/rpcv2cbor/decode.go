package rpcv2cbor

import (
	"encoding/base64"
	"errors"
	"math"
	"reflect"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/vigilhq/vigil/internal/api/shape"
	"github.com/vigilhq/vigil/internal/protocol/internal/arena"
	"github.com/vigilhq/vigil/internal/protocol/internal/memberpath"
)

// MaxDepth bounds the nesting of maps, arrays and tags in a request.
const MaxDepth = 128

// CBOR major types.
const (
	majUint   = 0
	majNegInt = 1
	majBytes  = 2
	majText   = 3
	majArray  = 4
	majMap    = 5
	majTag    = 6
	majSimple = 7
)

const indefinite = 31

var majorNames = [8]string{"unsigned integer", "negative integer", "byte string", "text string", "array", "map", "tag", "simple value or float"}

func serr(msg string) *shape.Error {
	return &shape.Error{Code: "SerializationException", Message: msg, Status: 400, Sender: true}
}

// decodeBody fills v (pointer to s's struct) from a CBOR map.
func decodeBody(data []byte, s *shape.Shape, v any) error {
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer || rv.IsNil() {
		return errors.New("rpcv2cbor: input must be a non-nil pointer")
	}
	if s.GoType != nil && rv.Elem().Type() != s.GoType {
		return errors.New("rpcv2cbor: decoding " + s.Name + " into " + rv.Type().String())
	}
	d := decoder{data: data}
	if len(data) == 0 {
		return nil
	}
	if isNull(data[0]) {
		d.pos++
	} else if err := d.structure(s, rv.Elem()); err != nil {
		return err
	}
	if d.pos != len(d.data) {
		return d.malformed("unexpected data after the top-level value")
	}
	return nil
}

func isNull(b byte) bool { return b == 0xf6 || b == 0xf7 }

type decoder struct {
	arena   arena.Arena
	data    []byte
	pos     int
	depth   int
	scratch []byte
	path    memberpath.Path
}

func (d *decoder) located(msg string) error {
	if w := d.path.String(); w != "" {
		msg += " (member " + w + ")"
	}
	return serr(msg)
}

func (d *decoder) malformed(msg string) error {
	return serr("malformed CBOR at offset " + strconv.Itoa(d.pos) + ": " + msg)
}

func (d *decoder) mismatch(major byte, want string) error {
	return d.located("CBOR " + majorNames[major] + " cannot be converted to " + want)
}

func (d *decoder) enter() error {
	d.depth++
	if d.depth > MaxDepth {
		return serr("CBOR nesting exceeds the maximum depth of " + strconv.Itoa(MaxDepth))
	}
	return nil
}

// head reads an initial byte and its argument. For indefinite lengths it
// returns info 31 and arg 0.
func (d *decoder) head() (major, info byte, arg uint64, err error) {
	if d.pos >= len(d.data) {
		return 0, 0, 0, d.malformed("unexpected end of input")
	}
	b := d.data[d.pos]
	d.pos++
	major, info = b>>5, b&31
	switch {
	case info < 24:
		return major, info, uint64(info), nil
	case info <= 27:
		n := 1 << (info - 24)
		if len(d.data)-d.pos < n {
			return 0, 0, 0, d.malformed("unexpected end of input")
		}
		for _, c := range d.data[d.pos : d.pos+n] {
			arg = arg<<8 | uint64(c)
		}
		d.pos += n
		return major, info, arg, nil
	case info == indefinite:
		switch major {
		case majBytes, majText, majArray, majMap:
			return major, info, 0, nil
		case majSimple:
			return 0, 0, 0, d.malformed("unexpected break")
		}
	}
	return 0, 0, 0, d.malformed("invalid additional information " + strconv.Itoa(int(info)))
}

func (d *decoder) peekMajor() byte { return d.data[d.pos] >> 5 }

func (d *decoder) atNull() bool { return d.pos < len(d.data) && isNull(d.data[d.pos]) }

// length checks a definite container length against the remaining input.
func (d *decoder) length(arg uint64, per int) (int, error) {
	if arg > uint64(len(d.data)-d.pos)/uint64(per) {
		return 0, d.malformed("length exceeds the input")
	}
	return int(arg), nil
}

// stringBytes reads a byte or text string (definite or chunked) of the
// given major type after its head. The result aliases the input or
// d.scratch and is valid until the next call.
func (d *decoder) stringBytes(major, info byte, arg uint64) ([]byte, error) {
	if info != indefinite {
		n, err := d.length(arg, 1)
		if err != nil {
			return nil, err
		}
		b := d.data[d.pos : d.pos+n]
		d.pos += n
		if major == majText && !utf8.Valid(b) {
			return nil, d.malformed("invalid UTF-8 in text string")
		}
		return b, nil
	}
	out := d.scratch[:0]
	for {
		if d.pos >= len(d.data) {
			return nil, d.malformed("unterminated indefinite-length string")
		}
		if d.data[d.pos] == 0xff {
			d.pos++
			break
		}
		m, ci, carg, err := d.head()
		if err != nil {
			return nil, err
		}
		if m != major || ci == indefinite {
			return nil, d.malformed("invalid chunk in indefinite-length string")
		}
		n, err := d.length(carg, 1)
		if err != nil {
			return nil, err
		}
		chunk := d.data[d.pos : d.pos+n]
		if major == majText && !utf8.Valid(chunk) {
			return nil, d.malformed("invalid UTF-8 in text string")
		}
		out = append(out, chunk...)
		d.pos += n
	}
	d.scratch = out
	return out, nil
}

// float reads a number (any float width or an integer) after its head.
func (d *decoder) number(major, info byte, arg uint64) (float64, bool) {
	switch major {
	case majUint:
		return float64(arg), true
	case majNegInt:
		return -1 - float64(arg), true
	case majSimple:
		switch info {
		case 25:
			return halfToFloat(uint16(arg)), true
		case 26:
			return float64(math.Float32frombits(uint32(arg))), true
		case 27:
			return math.Float64frombits(arg), true
		}
	}
	return 0, false
}

func halfToFloat(h uint16) float64 {
	sign := 1.0
	if h&0x8000 != 0 {
		sign = -1
	}
	exp := int(h>>10) & 0x1f
	frac := float64(h & 0x3ff)
	switch exp {
	case 0:
		return sign * math.Ldexp(frac, -24)
	case 31:
		if frac == 0 {
			return math.Inf(int(sign))
		}
		return math.NaN()
	}
	return sign * math.Ldexp(frac+1024, exp-25)
}

// value decodes one data item into v (the list-element representation of
// s). The caller has handled null.
func (d *decoder) value(s *shape.Shape, v reflect.Value) error {
	if s.Type == shape.Structure && s.Document {
		x, err := d.document()
		if err != nil {
			return err
		}
		if x != nil {
			v.Set(reflect.ValueOf(x))
		}
		return nil
	}
	switch s.Type {
	case shape.Structure:
		return d.structure(s, v)
	case shape.List:
		return d.list(s, v)
	case shape.Map:
		return d.mapValue(s, v)
	}
	major, info, arg, err := d.head()
	if err != nil {
		return err
	}
	// Tags other than a timestamp's are ignored.
	for tags := 0; major == majTag && s.Type != shape.Timestamp; tags++ {
		if tags == MaxDepth {
			return serr("too many nested CBOR tags")
		}
		if major, info, arg, err = d.head(); err != nil {
			return err
		}
	}
	switch s.Type {
	case shape.String:
		if major != majText {
			return d.mismatch(major, "String")
		}
		b, err := d.stringBytes(major, info, arg)
		if err != nil {
			return err
		}
		v.SetString(d.arena.String(b))
		return nil
	case shape.Blob:
		if major != majBytes {
			return d.mismatch(major, "Blob")
		}
		b, err := d.stringBytes(major, info, arg)
		if err != nil {
			return err
		}
		v.SetBytes(append([]byte{}, b...))
		return nil
	case shape.Boolean:
		if major == majSimple && (info == 20 || info == 21) {
			v.SetBool(info == 21)
			return nil
		}
		return d.mismatch(major, "Boolean")
	case shape.Integer, shape.Long:
		n, err := d.integer(s.Type, major, info, arg)
		if err != nil {
			return err
		}
		v.SetInt(n)
		return nil
	case shape.Float, shape.Double:
		f, ok := d.number(major, info, arg)
		if !ok {
			return d.mismatch(major, s.Type.String())
		}
		v.SetFloat(f)
		return nil
	case shape.Timestamp:
		if major == majTag {
			if arg != 1 {
				return d.located("tag " + strconv.FormatUint(arg, 10) + " cannot be converted to Timestamp")
			}
			if major, info, arg, err = d.head(); err != nil {
				return err
			}
		}
		t, err := d.epochTime(major, info, arg)
		if err != nil {
			return err
		}
		v.Set(reflect.ValueOf(t))
		return nil
	}
	return d.located("unsupported shape type " + s.Type.String())
}

// integer reads an Integer or Long (typ) after its head: an integer in
// range, or a float with an integral value.
func (d *decoder) integer(typ shape.Type, major, info byte, arg uint64) (int64, error) {
	want, lo, hi := "Long", int64(math.MinInt64), int64(math.MaxInt64)
	if typ == shape.Integer {
		want, lo, hi = "Integer", math.MinInt32, math.MaxInt32
	}
	switch {
	case major == majUint && arg <= uint64(hi):
		return int64(arg), nil
	case major == majNegInt && arg <= uint64(-(lo+1)):
		return -1 - int64(arg), nil
	case major == majSimple && info >= 25 && info <= 27:
		f, _ := d.number(major, info, arg)
		if f != math.Trunc(f) || f < float64(lo) || f >= float64(hi)+1 {
			return 0, d.located("float " + strconv.FormatFloat(f, 'g', -1, 64) + " cannot be converted to " + want)
		}
		return int64(f), nil
	case major == majUint || major == majNegInt:
		return 0, d.located("integer out of range for " + want)
	}
	return 0, d.mismatch(major, want)
}

// epochTime reads a timestamp's epoch seconds (an integer or a float; the
// tag, if any, already read) after its head.
func (d *decoder) epochTime(major, info byte, arg uint64) (time.Time, error) {
	switch {
	case major == majUint && arg <= 1e15:
		return time.Unix(int64(arg), 0).UTC(), nil
	case major == majNegInt && arg < 1e15:
		return time.Unix(-1-int64(arg), 0).UTC(), nil
	case major == majSimple && info >= 25 && info <= 27:
		f, _ := d.number(major, info, arg)
		if math.IsNaN(f) || math.Abs(f) > 1e15 {
			return time.Time{}, d.located("float cannot be converted to Timestamp")
		}
		sec, frac := math.Modf(f)
		return time.Unix(int64(sec), int64(math.Round(frac*1e6))*1e3).UTC(), nil
	}
	return time.Time{}, d.mismatch(major, "Timestamp")
}

// member decodes into a struct field: scalars and structures are pointers.
func (d *decoder) member(s *shape.Shape, f reflect.Value) error {
	if f.Kind() != reflect.Pointer {
		return d.value(s, f)
	}
	p := d.arena.New(f.Type().Elem())
	if err := d.value(s, p.Elem()); err != nil {
		return err
	}
	f.Set(p)
	return nil
}

// mapHead reads the head of a map and returns its length (-1: indefinite).
func (d *decoder) containerHead(want byte, name string) (int, error) {
	if d.pos >= len(d.data) {
		return 0, d.malformed("unexpected end of input")
	}
	if m := d.peekMajor(); m != want {
		return 0, d.mismatch(m, name)
	}
	_, info, arg, err := d.head()
	if err != nil {
		return 0, err
	}
	if err := d.enter(); err != nil {
		return 0, err
	}
	if info == indefinite {
		return -1, nil
	}
	per := 1
	if want == majMap {
		per = 2
	}
	return d.length(arg, per)
}

// more reports whether a container has another item, consuming the break
// of an indefinite one.
func (d *decoder) more(n, i int) (bool, error) {
	if n >= 0 {
		return i < n, nil
	}
	if d.pos >= len(d.data) {
		return false, d.malformed("unterminated indefinite-length container")
	}
	if d.data[d.pos] == 0xff {
		d.pos++
		return false, nil
	}
	return true, nil
}

func (d *decoder) key() ([]byte, error) {
	if d.pos >= len(d.data) {
		return nil, d.malformed("unexpected end of input")
	}
	major, info, arg, err := d.head()
	if err != nil {
		return nil, err
	}
	if major != majText {
		return nil, d.malformed("map key is a " + majorNames[major] + ", not a text string")
	}
	return d.stringBytes(major, info, arg)
}

func (d *decoder) structure(s *shape.Shape, v reflect.Value) error {
	n, err := d.containerHead(majMap, "Structure")
	if err != nil {
		return err
	}
	members := s.Members
	hint := 0
	for i := 0; ; i++ {
		ok, err := d.more(n, i)
		if err != nil {
			return err
		}
		if !ok {
			break
		}
		key, err := d.key()
		if err != nil {
			return err
		}
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
		if d.pos >= len(d.data) {
			return d.malformed("unexpected end of input")
		}
		if idx < 0 || d.atNull() {
			if err := d.skip(); err != nil {
				return err
			}
			continue
		}
		hint = idx + 1
		m := members[idx]
		d.path.Push(m.Name, -1)
		if err := d.member(m.Shape, v.Field(idx)); err != nil {
			return err
		}
		d.path.Pop()
	}
	d.depth--
	return nil
}

func (d *decoder) list(s *shape.Shape, v reflect.Value) error {
	n, err := d.containerHead(majArray, "List")
	if err != nil {
		return err
	}
	et := s.Member.Shape
	v.SetLen(0)
	if n > 0 {
		v.Grow(n)
	}
	for i := 0; ; i++ {
		ok, err := d.more(n, i)
		if err != nil {
			return err
		}
		if !ok {
			break
		}
		if d.pos >= len(d.data) {
			return d.malformed("unexpected end of input")
		}
		if d.atNull() {
			d.pos++
			continue
		}
		l := v.Len()
		if l == v.Cap() {
			v.Grow(max(4, l))
		}
		v.SetLen(l + 1)
		d.path.Push("", i)
		if err := d.value(et, v.Index(l)); err != nil {
			return err
		}
		d.path.Pop()
	}
	if v.IsNil() {
		v.Set(reflect.MakeSlice(v.Type(), 0, 0))
	}
	d.depth--
	return nil
}

func (d *decoder) mapValue(s *shape.Shape, v reflect.Value) error {
	n, err := d.containerHead(majMap, "Map")
	if err != nil {
		return err
	}
	mt := v.Type()
	m := reflect.MakeMapWithSize(mt, max(n, 0))
	elem := reflect.New(mt.Elem()).Elem()
	kv := reflect.New(mt.Key()).Elem()
	zero := reflect.Zero(mt.Elem())
	vt := s.Value.Shape
	for i := 0; ; i++ {
		ok, err := d.more(n, i)
		if err != nil {
			return err
		}
		if !ok {
			break
		}
		kb, err := d.key()
		if err != nil {
			return err
		}
		key := string(kb)
		if d.pos >= len(d.data) {
			return d.malformed("unexpected end of input")
		}
		if d.atNull() {
			d.pos++
			continue
		}
		elem.Set(zero)
		d.path.Push(key, -1)
		if err := d.value(vt, elem); err != nil {
			return err
		}
		d.path.Pop()
		kv.SetString(key)
		m.SetMapIndex(kv, elem)
	}
	v.Set(m)
	d.depth--
	return nil
}

// skip reads over one data item.
func (d *decoder) skip() error {
	_, err := d.item(false)
	return err
}

// document decodes any data item into map[string]any, []any, string,
// float64, bool or nil; byte strings become base64 strings.
func (d *decoder) document() (any, error) { return d.item(true) }

func (d *decoder) item(keep bool) (any, error) {
	major, info, arg, err := d.head()
	if err != nil {
		return nil, err
	}
	switch major {
	case majUint, majNegInt:
		f, _ := d.number(major, info, arg)
		return f, nil
	case majBytes, majText:
		b, err := d.stringBytes(major, info, arg)
		if err != nil || !keep {
			return nil, err
		}
		if major == majBytes {
			return base64.StdEncoding.EncodeToString(b), nil
		}
		return string(b), nil
	case majArray, majMap:
		if err := d.enter(); err != nil {
			return nil, err
		}
		n := -1
		if info != indefinite {
			per := 1
			if major == majMap {
				per = 2
			}
			if n, err = d.length(arg, per); err != nil {
				return nil, err
			}
		}
		var arr []any
		var obj map[string]any
		if keep && major == majArray {
			arr = make([]any, 0, max(n, 0))
		} else if keep {
			obj = make(map[string]any, max(n, 0))
		}
		for i := 0; ; i++ {
			ok, err := d.more(n, i)
			if err != nil {
				return nil, err
			}
			if !ok {
				break
			}
			if major == majArray {
				x, err := d.item(keep)
				if err != nil {
					return nil, err
				}
				if keep {
					arr = append(arr, x)
				}
				continue
			}
			var key string
			if keep {
				kb, err := d.key()
				if err != nil {
					return nil, err
				}
				key = string(kb)
			} else if _, err := d.item(false); err != nil { // any key type when skipping
				return nil, err
			}
			x, err := d.item(keep)
			if err != nil {
				return nil, err
			}
			if keep {
				obj[key] = x
			}
		}
		d.depth--
		if major == majArray {
			return arr, nil
		}
		return obj, nil
	case majTag:
		if err := d.enter(); err != nil {
			return nil, err
		}
		x, err := d.item(keep)
		d.depth--
		return x, err
	case majSimple:
		switch {
		case info == 20:
			return false, nil
		case info == 21:
			return true, nil
		case info == 22 || info == 23:
			return nil, nil
		case info >= 25 && info <= 27:
			f, _ := d.number(major, info, arg)
			return f, nil
		case info == 24 && arg < 32:
			return nil, d.malformed("invalid simple value encoding")
		}
		return nil, nil // other simple values carry nothing we use
	}
	return nil, d.malformed("unknown major type")
}
