package awsquery

import (
	"encoding/base64"
	"fmt"
	"math"
	"net/http"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unsafe"

	"github.com/vigilhq/vigil/internal/api/shape"
	"github.com/vigilhq/vigil/internal/protocol"
)

// Error codes of the AWS "Common Errors" pages.
const (
	codeMalformed    = "MalformedQueryString"
	codeInvalidValue = "InvalidParameterValue"
)

func malformed(format string, args ...any) *shape.Error {
	// The CloudWatch, SNS and STS "Common Errors" pages document
	// MalformedQueryString with HTTP status 404.
	return &shape.Error{Code: codeMalformed, Message: fmt.Sprintf(format, args...), Status: http.StatusNotFound, Sender: true}
}

// invalidValue is the error of a parameter whose value does not parse.
func invalidValue(p *param, want string) *shape.Error {
	v := p.val
	if len(v) > 64 {
		v = v[:64] + "..."
	}
	return shape.Errorf(codeInvalidValue, "Value %q for parameter %s is invalid: expected %s.", v, p.key, want)
}

// decoder holds one Decode's scratch space; it is pooled.
type decoder struct {
	params []param
	arena  []byte
}

var decoders = sync.Pool{New: func() any { return &decoder{params: make([]param, 0, 32)} }}

const (
	maxPooledParams = 4096
	maxPooledArena  = 64 << 10
)

func (d *decoder) release() {
	if cap(d.params) > maxPooledParams || cap(d.arena) > maxPooledArena {
		return
	}
	clear(d.params[:cap(d.params)]) // drop views into the request
	d.params = d.params[:0]
	d.arena = d.arena[:0]
	decoders.Put(d)
}

func (codec) Decode(req *protocol.Request, in any) error {
	if req.Op == nil || req.Op.Input == nil || in == nil {
		return nil
	}
	sh := req.Op.Input
	v := reflect.ValueOf(in)
	if v.Kind() != reflect.Pointer || v.IsNil() || v.Elem().Kind() != reflect.Struct || v.Elem().NumField() < len(sh.Members) {
		return &shape.Error{Code: "InternalFailure", Message: fmt.Sprintf("awsquery: cannot decode %s into %T", sh.Name, in), Status: 500}
	}
	d := decoders.Get().(*decoder)
	defer d.release()
	if req.URL != nil && req.URL.RawQuery != "" {
		if err := d.parseForm(req.URL.RawQuery); err != nil {
			return err
		}
	}
	if len(req.Body) > 0 {
		// The body is not modified while Decode runs; every string that
		// outlives Decode is copied (see setScalar).
		body := unsafe.String(unsafe.SliceData(req.Body), len(req.Body))
		if err := d.parseForm(body); err != nil {
			return err
		}
	}
	ps := d.params
	// Routing parameters are not members.
	ps = slices.DeleteFunc(ps, func(p param) bool { return p.key == "Action" || p.key == "Version" })
	d.params = ps
	if !slices.IsSortedFunc(ps, func(a, b param) int { return compareKeys(a.key, b.key) }) {
		slices.SortStableFunc(ps, func(a, b param) int { return compareKeys(a.key, b.key) })
	}
	return decodeStruct(v.Elem(), sh, ps)
}

// group returns the length of the run of ps that share ps[0]'s current
// segment.
func group(ps []param) int {
	seg := ps[0].segment()
	n := 1
	for n < len(ps) && !ps[n].exhausted() && sameSeg(ps[n].segment(), seg) {
		n++
	}
	return n
}

// skipExhausted returns the number of leading params with no segments left.
// Sorting puts a bare "Name=" before every "Name.x=".
func skipExhausted(ps []param) int {
	n := 0
	for n < len(ps) && ps[n].exhausted() {
		n++
	}
	return n
}

func advanceAll(ps []param) {
	for i := range ps {
		ps[i].advance()
	}
}

// memberFor finds the structure member a request key segment names, and
// its field index.
func memberFor(sh *shape.Shape, seg string) (int, *shape.Member) {
	for i, m := range sh.Members {
		if m.Location != "" {
			continue
		}
		if queryName(m) == seg {
			return i, m
		}
	}
	return -1, nil
}

// queryName is a structure member's key in forms and XML: its memberName,
// except that a flattened list whose element is named is keyed by the
// element's name (SQS's AttributeName.1; botocore's and the SDKs' rule).
func queryName(m *shape.Member) string {
	if m.Shape != nil && m.Shape.Type == shape.List && flattened(m) && m.Shape.Member != nil {
		if n := elemName(m.Shape.Member, ""); n != "" {
			return n
		}
	}
	return memberName(m)
}

// memberName is a structure member's awsQuery name: the QueryName the
// generator took from a query-protocol model, else its wire name.
func memberName(m *shape.Member) string {
	if m.QueryName != "" {
		return m.QueryName
	}
	return m.WireName()
}

// elemName is the awsQuery name of a list element or a map key or value:
// its QueryName, else its LocationName, else def.
func elemName(m *shape.Member, def string) string {
	switch {
	case m.QueryName != "":
		return m.QueryName
	case m.LocationName != "":
		return m.LocationName
	}
	return def
}

func flattened(m *shape.Member) bool { return m.Flattened || (m.Shape != nil && m.Shape.Flattened) }

// decodeStruct decodes ps (sorted; every key positioned at a member
// segment) into the struct v.
func decodeStruct(v reflect.Value, sh *shape.Shape, ps []param) error {
	for len(ps) > 0 {
		if n := skipExhausted(ps); n > 0 {
			ps = ps[n:]
			continue
		}
		n := group(ps)
		g := ps[:n]
		ps = ps[n:]
		i, m := memberFor(sh, g[0].segment())
		if m == nil || m.Shape == nil || i >= v.NumField() {
			continue // unknown parameter
		}
		advanceAll(g)
		if err := decodeValue(v.Field(i), m, g); err != nil {
			return err
		}
	}
	return nil
}

// decodeValue decodes the params g (positioned after the member's own name)
// into v, the Go value of member m.
func decodeValue(v reflect.Value, m *shape.Member, g []param) error {
	sh := m.Shape
	switch sh.Type {
	case shape.Structure:
		n := skipExhausted(g)
		if n == len(g) {
			return nil
		}
		if v.Kind() == reflect.Pointer {
			if v.IsNil() {
				v.Set(reflect.New(v.Type().Elem()))
			}
			v = v.Elem()
		}
		if v.Kind() != reflect.Struct {
			return nil
		}
		return decodeStruct(v, sh, g[n:])
	case shape.List:
		return decodeList(v, m, g)
	case shape.Map:
		return decodeMap(v, m, g)
	default:
		// A scalar: the last bare key wins; longer keys are unknown.
		n := skipExhausted(g)
		if n == 0 {
			return nil
		}
		return setScalar(v, sh, &g[n-1])
	}
}

// indexGroups walks g, positioned at index segments, calling f for each
// index in order with that index's params positioned after the index.
func indexGroups(g []param, f func(group []param) error) error {
	for len(g) > 0 {
		if n := skipExhausted(g); n > 0 {
			g = g[n:]
			continue
		}
		n := group(g)
		ig := g[:n]
		g = g[n:]
		seg := ig[0].segment()
		if !isDigits(seg) || trimZeros(seg) == "0" || len(trimZeros(seg)) > 9 {
			return shape.Errorf(codeInvalidValue, "Parameter %s has an invalid list index %q.", ig[0].key, seg)
		}
		advanceAll(ig)
		if err := f(ig); err != nil {
			return err
		}
	}
	return nil
}

// countIndexes counts the distinct index groups of g.
func countIndexes(g []param) int {
	c := 0
	for len(g) > 0 {
		if n := skipExhausted(g); n > 0 {
			g = g[n:]
			continue
		}
		n := group(g)
		g = g[n:]
		c++
	}
	return c
}

// container positions g past a list's "member" / a map's "entry" segment.
// A key that names another segment is unknown and dropped; a key whose
// next segment is already an index is accepted too (a lenient reading of
// clients that flatten what the model does not). It returns the remaining
// params and whether the value was present at all (even as "Name=").
func container(g []param, flat bool, name string) ([]param, bool) {
	bare := skipExhausted(g)
	g = g[bare:]
	if flat {
		return g, bare > 0 || len(g) > 0
	}
	out := g[:0]
	for i := range g {
		p := g[i]
		seg := p.segment()
		switch {
		case seg == name:
			p.advance()
		case isDigits(seg):
		default:
			continue
		}
		out = append(out, p)
	}
	// Leniently accepted index keys may now be out of order relative to
	// the others; the sort is cheap when they are not.
	if !slices.IsSortedFunc(out, compareFromPos) {
		slices.SortStableFunc(out, compareFromPos)
	}
	return out, bare > 0 || len(out) > 0
}

func compareFromPos(a, b param) int {
	return compareKeys(rest(a), rest(b))
}

func rest(p param) string {
	if p.pos > len(p.key) {
		return ""
	}
	return p.key[p.pos:]
}

func decodeList(v reflect.Value, m *shape.Member, g []param) error {
	sh := m.Shape
	if v.Kind() != reflect.Slice || sh.Member == nil || sh.Member.Shape == nil {
		return nil
	}
	g, present := container(g, flattened(m), elemName(sh.Member, "member"))
	if !present {
		return nil
	}
	n := countIndexes(g)
	s := reflect.MakeSlice(v.Type(), n, n)
	k := 0
	err := indexGroups(g, func(ig []param) error {
		if err := decodeValue(s.Index(k), sh.Member, ig); err != nil {
			return err
		}
		k++
		return nil
	})
	if err != nil {
		return err
	}
	v.Set(s)
	return nil
}

func decodeMap(v reflect.Value, m *shape.Member, g []param) error {
	sh := m.Shape
	if v.Kind() != reflect.Map || sh.Key == nil || sh.Value == nil || sh.Value.Shape == nil || v.Type().Key().Kind() != reflect.String {
		return nil
	}
	keyName, valName := elemName(sh.Key, "key"), elemName(sh.Value, "value")
	g, present := container(g, flattened(m), "entry")
	if !present {
		return nil
	}
	if v.IsNil() {
		v.Set(reflect.MakeMapWithSize(v.Type(), countIndexes(g)))
	}
	kt, vt := v.Type().Key(), v.Type().Elem()
	return indexGroups(g, func(ig []param) error {
		var key *param
		var val []param
		for len(ig) > 0 {
			if n := skipExhausted(ig); n > 0 {
				ig = ig[n:]
				continue
			}
			n := group(ig)
			sg := ig[:n]
			ig = ig[n:]
			switch sg[0].segment() {
			case keyName:
				advanceAll(sg)
				if e := skipExhausted(sg); e > 0 {
					key = &sg[e-1]
				}
			case valName:
				advanceAll(sg)
				val = sg
			}
		}
		if key == nil {
			name := "(none)"
			if val != nil {
				name = val[0].key
			}
			return shape.Errorf(codeInvalidValue, "Map entry %s has no %s.", name, keyName)
		}
		kv := reflect.New(kt).Elem()
		kv.SetString(strings.Clone(key.val))
		ev := reflect.New(vt).Elem()
		if val != nil {
			if err := decodeValue(ev, sh.Value, val); err != nil {
				return err
			}
		}
		v.SetMapIndex(kv, ev)
		return nil
	})
}

var timeType = reflect.TypeFor[time.Time]()

// setScalar parses p.val as sh's type and stores it into v, allocating v's
// pointer when v is a pointer member.
func setScalar(v reflect.Value, sh *shape.Shape, p *param) error {
	t := v.Type()
	ptr := t.Kind() == reflect.Pointer
	if ptr {
		t = t.Elem()
	}
	target := func() reflect.Value {
		if ptr {
			nv := reflect.New(t)
			v.Set(nv)
			return nv.Elem()
		}
		return v
	}
	s := p.val
	switch sh.Type {
	case shape.String:
		if t.Kind() != reflect.String {
			return nil
		}
		target().SetString(strings.Clone(s))
	case shape.Boolean:
		var b bool
		switch {
		case strings.EqualFold(s, "true"):
			b = true
		case strings.EqualFold(s, "false"):
		default:
			return invalidValue(p, "a boolean (true or false)")
		}
		if t.Kind() != reflect.Bool {
			return nil
		}
		target().SetBool(b)
	case shape.Integer, shape.Long:
		bits := 32
		want := "an integer"
		if sh.Type == shape.Long {
			bits, want = 64, "a long integer"
		}
		n, err := strconv.ParseInt(s, 10, bits)
		if err != nil {
			return invalidValue(p, want)
		}
		switch t.Kind() {
		case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
			tv := target()
			if tv.OverflowInt(n) {
				return invalidValue(p, want)
			}
			tv.SetInt(n)
		}
	case shape.Float, shape.Double:
		bits := 64
		want := "a double"
		if sh.Type == shape.Float {
			bits, want = 32, "a float"
		}
		f, err := parseFloat(s, bits)
		if err != nil {
			return invalidValue(p, want)
		}
		if k := t.Kind(); k == reflect.Float32 || k == reflect.Float64 {
			target().SetFloat(f)
		}
	case shape.Timestamp:
		tm, ok := parseTime(s)
		if !ok {
			return invalidValue(p, "an ISO 8601 timestamp")
		}
		if t != timeType {
			return nil
		}
		tv := target()
		*(tv.Addr().Interface().(*time.Time)) = tm
	case shape.Blob:
		b, err := base64.StdEncoding.DecodeString(s)
		if err != nil {
			if b, err = base64.RawStdEncoding.DecodeString(s); err != nil {
				return invalidValue(p, "base64-encoded data")
			}
		}
		if t.Kind() == reflect.Slice && t.Elem().Kind() == reflect.Uint8 {
			v.SetBytes(b)
		}
	}
	return nil
}

// parseFloat accepts decimal and exponent forms and the NaN, Infinity and
// -Infinity spellings every AWS SDK sends; it refuses hex floats and
// underscores, which strconv would take.
func parseFloat(s string, bits int) (float64, error) {
	switch s {
	case "NaN":
		return math.NaN(), nil
	case "Infinity", "+Infinity":
		return math.Inf(1), nil
	case "-Infinity":
		return math.Inf(-1), nil
	}
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9', c == '.', c == '-', c == '+', c == 'e', c == 'E':
		default:
			return 0, strconv.ErrSyntax
		}
	}
	return strconv.ParseFloat(s, bits)
}

// parseTime accepts ISO 8601 date-times (with or without fractional
// seconds, with Z or an offset, the offset's '+' possibly unescaped), epoch seconds (possibly fractional) and
// RFC 1123 dates.
func parseTime(s string) (time.Time, bool) {
	if s == "" {
		return time.Time{}, false
	}
	if c := s[0]; (c >= '0' && c <= '9' || c == '-') && len(s) >= 10 && s[4] == '-' {
		if n := len(s); n > 16 && s[n-6] == ' ' {
			// A "+hh:mm" offset whose '+' was not escaped in the form.
			s = s[:n-6] + "+" + s[n-5:]
		}
		if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
			return t.UTC(), true
		}
		// Lowercase t/z and no zone at all (read as UTC).
		u := strings.ToUpper(s)
		if t, err := time.Parse(time.RFC3339Nano, u); err == nil {
			return t.UTC(), true
		}
		if t, err := time.Parse("2006-01-02T15:04:05.999999999", u); err == nil {
			return t, true
		}
		return time.Time{}, false
	}
	if f, err := parseFloat(s, 64); err == nil {
		if math.IsNaN(f) || math.IsInf(f, 0) || math.Abs(f) > 1e11 {
			return time.Time{}, false
		}
		sec, frac := math.Modf(f)
		return time.Unix(int64(sec), int64(math.Round(frac*1e3))*1e6).UTC(), true
	}
	if t, err := time.Parse(time.RFC1123, s); err == nil {
		return t.UTC(), true
	}
	return time.Time{}, false
}
