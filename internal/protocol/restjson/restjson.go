// Package restjson is the restJson1 codec: members bound to the URI path,
// the query string and headers are read from the HTTP request (and header
// members written to the reply), every other member travels in a JSON body
// (package jsonwire, the same as awsJson). Errors are a JSON body with
// "__type" and the X-Amzn-Errortype header. It owns only the wire format:
// choosing the operation from the method and path is the gateway's.
package restjson

import (
	"encoding/base64"
	"math"
	"net/http"
	"net/url"
	"reflect"
	"sort"
	"strconv"
	"strings"

	"github.com/vigilhq/vigil/internal/api/shape"
	"github.com/vigilhq/vigil/internal/protocol"
	"github.com/vigilhq/vigil/internal/protocol/awsjson"
	"github.com/vigilhq/vigil/internal/protocol/internal/jsonwire"
)

// ContentType is the media type of restJson1 bodies.
const ContentType = "application/json"

// Codec is the restJson1 codec. It is stateless and safe for concurrent use;
// the zero value is ready.
type Codec struct{}

// New returns the codec.
func New() protocol.Codec { return Codec{} }

// Name is "restJson1".
func (Codec) Name() string { return "restJson1" }

func serr(msg string) *shape.Error {
	return &shape.Error{Code: "SerializationException", Message: msg, Status: 400, Sender: true}
}

// Decode fills in from the body (members without a location) and from the
// URI labels, query string and headers the model binds members to.
func (Codec) Decode(req *protocol.Request, in any) error {
	var s *shape.Shape
	if req.Op != nil {
		s = req.Op.Input
	}
	if in == nil || s == nil {
		var empty struct{}
		return jsonwire.Decode(req.Body, &shape.Shape{Name: "Unit", Type: shape.Structure}, &empty, jsonwire.Options{})
	}
	if err := jsonwire.Decode(req.Body, s, in, jsonwire.Options{BodyOnly: true}); err != nil {
		return err
	}
	v := reflect.ValueOf(in).Elem()
	var labels map[string]string
	var query url.Values
	for i, m := range s.Members {
		if m.Location == "" {
			continue
		}
		f := v.Field(i)
		switch m.Location {
		case "uri":
			if labels == nil {
				labels = matchURI(req.Op.RequestURI, req.URL)
			}
			if raw, ok := labels[m.WireName()]; ok {
				if err := setScalar(m, f, raw, "iso8601"); err != nil {
					return err
				}
			}
		case "querystring":
			if query == nil {
				query = queryOf(req.URL)
			}
			if err := decodeQuery(s, m, f, query); err != nil {
				return err
			}
		case "header":
			vals := req.Header.Values(m.WireName())
			if len(vals) == 0 {
				continue
			}
			if m.Shape.Type == shape.List {
				if err := setList(m, f, splitHeader(vals), "rfc822"); err != nil {
					return err
				}
				continue
			}
			raw := strings.Join(vals, ",")
			if m.JSONValue {
				b, err := base64.StdEncoding.DecodeString(raw)
				if err != nil {
					return serr("header " + m.WireName() + " is not base64-encoded JSON")
				}
				raw = string(b)
			}
			if err := setScalar(m, f, raw, "rfc822"); err != nil {
				return err
			}
		case "headers":
			if m.Shape.Type != shape.Map {
				continue
			}
			prefix := strings.ToLower(m.WireName())
			mv := reflect.MakeMap(f.Type())
			for k, vs := range req.Header {
				if lk := strings.ToLower(k); strings.HasPrefix(lk, prefix) && len(vs) > 0 {
					mv.SetMapIndex(reflect.ValueOf(lk[len(prefix):]).Convert(f.Type().Key()), reflect.ValueOf(vs[0]).Convert(f.Type().Elem()))
				}
			}
			if mv.Len() > 0 {
				f.Set(mv)
			}
		}
	}
	return nil
}

func queryOf(u *url.URL) url.Values {
	if u == nil {
		return url.Values{}
	}
	q, _ := url.ParseQuery(u.RawQuery)
	return q
}

func decodeQuery(s *shape.Shape, m *shape.Member, f reflect.Value, q url.Values) error {
	switch m.Shape.Type {
	case shape.Map:
		// A map bound to the query string takes every parameter no other
		// member claims.
		bound := map[string]bool{}
		for _, o := range s.Members {
			if o.Location == "querystring" && o.Shape.Type != shape.Map {
				bound[o.WireName()] = true
			}
		}
		mv := reflect.MakeMap(f.Type())
		et := f.Type().Elem()
		for k, vs := range q {
			if bound[k] || len(vs) == 0 {
				continue
			}
			kv := reflect.ValueOf(k).Convert(f.Type().Key())
			if et.Kind() == reflect.Slice {
				mv.SetMapIndex(kv, reflect.ValueOf(append([]string(nil), vs...)).Convert(et))
			} else {
				mv.SetMapIndex(kv, reflect.ValueOf(vs[0]).Convert(et))
			}
		}
		if mv.Len() > 0 {
			f.Set(mv)
		}
		return nil
	case shape.List:
		if vs, ok := q[m.WireName()]; ok {
			return setList(m, f, vs, "iso8601")
		}
		return nil
	}
	if vs, ok := q[m.WireName()]; ok && len(vs) > 0 {
		return setScalar(m, f, vs[0], "iso8601")
	}
	return nil
}

func splitHeader(vals []string) []string {
	var out []string
	for _, v := range vals {
		for p := range strings.SplitSeq(v, ",") {
			if p = strings.TrimSpace(p); p != "" {
				out = append(out, p)
			}
		}
	}
	return out
}

func setList(m *shape.Member, f reflect.Value, vals []string, tsDefault string) error {
	sl := reflect.MakeSlice(f.Type(), len(vals), len(vals))
	em := &shape.Member{Name: m.Name, Shape: m.Shape.Member.Shape}
	for i, raw := range vals {
		if err := setScalar(em, sl.Index(i), raw, tsDefault); err != nil {
			return err
		}
	}
	f.Set(sl)
	return nil
}

// setScalar parses raw into f (a member pointer or a list element).
func setScalar(m *shape.Member, f reflect.Value, raw, tsDefault string) error {
	dst := f
	if f.Kind() == reflect.Pointer {
		dst = reflect.New(f.Type().Elem()).Elem()
	}
	bad := func(want string) error {
		return serr("value " + strconv.Quote(raw) + " cannot be converted to " + want + " (member " + m.Name + ")")
	}
	switch m.Shape.Type {
	case shape.String:
		dst.SetString(raw)
	case shape.Boolean:
		b, err := strconv.ParseBool(raw)
		if err != nil || (raw != "true" && raw != "false") {
			return bad("Boolean")
		}
		dst.SetBool(b)
	case shape.Integer, shape.Long:
		bits := 64
		if m.Shape.Type == shape.Integer {
			bits = 32
		}
		n, err := strconv.ParseInt(raw, 10, bits)
		if err != nil {
			return bad(m.Shape.Type.String())
		}
		dst.SetInt(n)
	case shape.Float, shape.Double:
		var x float64
		switch raw {
		case "NaN":
			x = math.NaN()
		case "Infinity":
			x = math.Inf(1)
		case "-Infinity":
			x = math.Inf(-1)
		default:
			var err error
			if x, err = strconv.ParseFloat(raw, 64); err != nil {
				return bad(m.Shape.Type.String())
			}
		}
		dst.SetFloat(x)
	case shape.Timestamp:
		t, ok := jsonwire.ParseTimestampString(raw)
		if !ok {
			return bad("Timestamp")
		}
		dst.Set(reflect.ValueOf(t))
	case shape.Blob:
		b, err := base64.StdEncoding.DecodeString(raw)
		if err != nil {
			return bad("Blob")
		}
		dst.SetBytes(b)
	case shape.Structure:
		if m.Shape.Document {
			var doc any
			if err := jsonwire.DecodeDocument([]byte(raw), &doc); err != nil {
				return err
			}
			if doc != nil {
				dst.Set(reflect.ValueOf(doc))
			}
			break
		}
		return serr("member " + m.Name + " of type structure cannot be bound to the request line or headers")
	default:
		return serr("member " + m.Name + " of type " + m.Shape.Type.String() + " cannot be bound to the request line or headers")
	}
	if f.Kind() == reflect.Pointer {
		f.Set(dst.Addr())
	}
	_ = tsDefault // every format is accepted on input
	return nil
}

// matchURI matches the path of a requestUri template such as
// "/things/{Name}/parts/{Key+}" against u's path and returns the labels.
func matchURI(template string, u *url.URL) map[string]string {
	labels := map[string]string{}
	if u == nil {
		return labels
	}
	tpath, _, _ := strings.Cut(template, "?")
	tsegs := strings.Split(strings.Trim(tpath, "/"), "/")
	psegs := strings.Split(strings.Trim(u.EscapedPath(), "/"), "/")
	for i, ts := range tsegs {
		if strings.HasPrefix(ts, "{") && strings.HasSuffix(ts, "}") {
			name := ts[1 : len(ts)-1]
			if greedy, ok := strings.CutSuffix(name, "+"); ok {
				if i < len(psegs) {
					rest, err := url.PathUnescape(strings.Join(psegs[i:], "/"))
					if err == nil {
						labels[greedy] = rest
					}
				}
				return labels
			}
			if i < len(psegs) {
				if v, err := url.PathUnescape(psegs[i]); err == nil {
					labels[name] = v
				}
			}
		}
	}
	return labels
}

// EncodeOutput writes the output: header members as headers, a statusCode
// member as the status (200 otherwise), the rest as a JSON body.
func (Codec) EncodeOutput(req *protocol.Request, out any, resp *protocol.Response) {
	var s *shape.Shape
	if req != nil && req.Op != nil {
		s = req.Op.Output
	}
	if resp.Header == nil {
		resp.Header = http.Header{}
	}
	resp.Status = 200
	resp.Header["Content-Type"] = []string{ContentType}
	if req != nil && req.RequestID != "" {
		resp.Header["X-Amzn-Requestid"] = []string{req.RequestID}
	}
	var v reflect.Value
	if out != nil {
		v = reflect.ValueOf(out)
		for v.Kind() == reflect.Pointer && !v.IsNil() {
			v = v.Elem()
		}
	}
	if s != nil && v.Kind() == reflect.Struct && (s.GoType == nil || s.GoType == v.Type()) {
		for i, m := range s.Members {
			if m.Location != "" {
				encodeLocated(m, v.Field(i), resp)
			}
		}
	}
	b := resp.Body.AvailableBuffer()
	b = jsonwire.AppendStruct(b, s, v, jsonwire.Options{BodyOnly: true})
	resp.Body.Write(b)
}

func encodeLocated(m *shape.Member, f reflect.Value, resp *protocol.Response) {
	switch f.Kind() {
	case reflect.Pointer, reflect.Slice, reflect.Map, reflect.Interface:
		if f.IsNil() {
			return
		}
	}
	if f.Kind() == reflect.Pointer {
		f = f.Elem()
	}
	switch m.Location {
	case "statusCode":
		if f.CanInt() && f.Int() >= 100 && f.Int() < 600 {
			resp.Status = int(f.Int())
		}
	case "header":
		var val string
		if m.Shape.Type == shape.List {
			parts := make([]string, f.Len())
			for i := range parts {
				parts[i] = scalarString(m.Shape.Member.Shape, f.Index(i), false)
			}
			val = strings.Join(parts, ",")
		} else {
			val = scalarString(m.Shape, f, m.JSONValue)
		}
		resp.Header.Set(m.WireName(), val)
	case "headers":
		if f.Kind() != reflect.Map {
			return
		}
		keys := f.MapKeys()
		sort.Slice(keys, func(i, j int) bool { return keys[i].String() < keys[j].String() })
		for _, k := range keys {
			resp.Header.Set(m.WireName()+k.String(), f.MapIndex(k).String())
		}
	}
}

func scalarString(s *shape.Shape, v reflect.Value, jsonValue bool) string {
	switch s.Type {
	case shape.String:
		if jsonValue {
			return base64.StdEncoding.EncodeToString([]byte(v.String()))
		}
		return v.String()
	case shape.Boolean:
		return strconv.FormatBool(v.Bool())
	case shape.Integer, shape.Long:
		return strconv.FormatInt(v.Int(), 10)
	case shape.Float, shape.Double:
		f := v.Float()
		switch {
		case math.IsNaN(f):
			return "NaN"
		case math.IsInf(f, 1):
			return "Infinity"
		case math.IsInf(f, -1):
			return "-Infinity"
		}
		return strconv.FormatFloat(f, 'g', -1, 64)
	case shape.Timestamp:
		t := jsonwire.TimeOf(v).UTC()
		switch s.TimestampFormat {
		case "iso8601":
			return t.Format("2006-01-02T15:04:05.999Z")
		case "unixTimestamp":
			return string(jsonwire.AppendEpoch(nil, t))
		}
		return t.Format(http.TimeFormat)
	case shape.Blob:
		return base64.StdEncoding.EncodeToString(v.Bytes())
	case shape.Structure:
		if s.Document {
			return base64.StdEncoding.EncodeToString(jsonwire.AppendDocument(nil, v.Interface()))
		}
	}
	return ""
}

// EncodeError writes the error as a JSON body with "__type" and the
// X-Amzn-Errortype header (and X-Amzn-Query-Error for awsQuery-compatible
// services).
func (Codec) EncodeError(req *protocol.Request, err error, resp *protocol.Response) {
	awsjson.EncodeError(req, err, resp, ContentType, jsonwire.Options{BodyOnly: true})
}
