package awsquery

import (
	"bytes"
	"cmp"
	"encoding/base64"
	"errors"
	"math"
	"net/http"
	"reflect"
	"slices"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/vigilhq/vigil/internal/api/shape"
	"github.com/vigilhq/vigil/internal/protocol"
)

func (codec) EncodeOutput(req *protocol.Request, out any, resp *protocol.Response) {
	setHeaders(req, resp, http.StatusOK)
	b := &resp.Body
	op := req.Op
	name := "Response"
	if op != nil {
		name = op.Name + "Response"
	}
	b.WriteByte('<')
	b.WriteString(name)
	writeNamespace(b, req.Service)
	b.WriteByte('>')
	if op != nil && op.Output != nil {
		wrapper := op.ResultWrapper
		if wrapper == "" {
			wrapper = op.Name + "Result"
		}
		v := reflect.ValueOf(out)
		for v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface {
			if v.IsNil() {
				v = reflect.Value{}
				break
			}
			v = v.Elem()
		}
		if v.IsValid() && v.Kind() == reflect.Struct {
			writeStruct(b, wrapper, v, op.Output)
		} else {
			emptyElem(b, wrapper)
		}
	}
	b.WriteString("<ResponseMetadata><RequestId>")
	escape(b, req.RequestID)
	b.WriteString("</RequestId></ResponseMetadata></")
	b.WriteString(name)
	b.WriteByte('>')
}

func writeNamespace(b *bytes.Buffer, svc *shape.Service) {
	if svc == nil || svc.XMLNamespace == "" {
		return
	}
	b.WriteString(` xmlns="`)
	escape(b, svc.XMLNamespace)
	b.WriteByte('"')
}

// Generic texts of errors that are neither modeled nor *shape.Error: the
// reply must not reveal the Go error.
const (
	internalCode    = "InternalFailure"
	internalMessage = "The request processing has failed because of an unknown error, exception or failure."
)

func (codec) EncodeError(req *protocol.Request, err error, resp *protocol.Response) {
	var (
		code, msg string
		sender    bool
		status    int
		modeled   shape.ModeledError
		plain     *shape.Error
		exShape   *shape.Shape
		exValue   reflect.Value
	)
	switch {
	case errors.As(err, &modeled) && modeled.ErrorShape() != nil:
		exShape = modeled.ErrorShape()
		code = exShape.Name
		status = http.StatusBadRequest
		sender = true
		if t := exShape.Exception; t != nil {
			if t.Code != "" {
				code = t.Code
			}
			if t.HTTPStatus != 0 {
				status = t.HTTPStatus
			}
			sender = t.SenderFault
		}
		exValue = reflect.ValueOf(modeled)
		for exValue.Kind() == reflect.Pointer || exValue.Kind() == reflect.Interface {
			if exValue.IsNil() {
				break
			}
			exValue = exValue.Elem()
		}
		msg = messageOf(exValue, exShape)
	case errors.As(err, &plain) && plain != nil:
		code, msg, sender, status = plain.Code, plain.Message, plain.Sender, plain.Status
		if status == 0 {
			status = http.StatusInternalServerError
			if sender {
				status = http.StatusBadRequest
			}
		}
	default:
		code, msg, status = internalCode, internalMessage, http.StatusInternalServerError
	}
	setHeaders(req, resp, status)
	b := &resp.Body
	b.WriteString("<ErrorResponse")
	writeNamespace(b, req.Service)
	b.WriteString("><Error><Type>")
	if sender {
		b.WriteString("Sender")
	} else {
		b.WriteString("Receiver")
	}
	b.WriteString("</Type><Code>")
	escape(b, code)
	b.WriteString("</Code><Message>")
	escape(b, msg)
	b.WriteString("</Message>")
	// Other members of a modeled error sit beside Code and Message, where
	// botocore's and the SDKs' query error parsers look for them.
	if exShape != nil && exValue.Kind() == reflect.Struct {
		for i, m := range exShape.Members {
			if i >= exValue.NumField() || isMessage(m) || m.Name == "Code" || m.Name == "Type" || m.XMLAttribute {
				continue
			}
			writeMember(b, exValue.Field(i), m)
		}
	}
	b.WriteString("</Error><RequestId>")
	escape(b, req.RequestID)
	b.WriteString("</RequestId></ErrorResponse>")
}

func isMessage(m *shape.Member) bool {
	return (m.Name == "message" || m.Name == "Message") && m.Shape != nil && m.Shape.Type == shape.String
}

// messageOf returns the message member of an exception value.
func messageOf(v reflect.Value, sh *shape.Shape) string {
	if v.Kind() != reflect.Struct {
		return ""
	}
	for i, m := range sh.Members {
		if i < v.NumField() && isMessage(m) {
			f := v.Field(i)
			if f.Kind() == reflect.Pointer {
				if f.IsNil() {
					return ""
				}
				f = f.Elem()
			}
			if f.Kind() == reflect.String {
				return f.String()
			}
		}
	}
	return ""
}

// writeStruct writes <name attrs>members</name> for the struct v of sh.
func writeStruct(b *bytes.Buffer, name string, v reflect.Value, sh *shape.Shape) {
	b.WriteByte('<')
	b.WriteString(name)
	n := min(len(sh.Members), v.NumField())
	for i := 0; i < n; i++ {
		m := sh.Members[i]
		if !m.XMLAttribute || m.Shape == nil {
			continue
		}
		f, ok := deref(v.Field(i))
		if !ok {
			continue
		}
		b.WriteByte(' ')
		b.WriteString(memberName(m))
		b.WriteString(`="`)
		writeScalar(b, f, m.Shape)
		b.WriteByte('"')
	}
	b.WriteByte('>')
	for i := 0; i < n; i++ {
		m := sh.Members[i]
		if m.XMLAttribute || m.Location != "" || m.Shape == nil {
			continue
		}
		writeMember(b, v.Field(i), m)
	}
	b.WriteString("</")
	b.WriteString(name)
	b.WriteByte('>')
}

// deref follows a member's pointer; ok is false for an absent member.
func deref(v reflect.Value) (reflect.Value, bool) {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return v, false
		}
		return v.Elem(), true
	case reflect.Slice, reflect.Map:
		return v, !v.IsNil()
	case reflect.Invalid:
		return v, false
	}
	return v, true
}

// writeMember writes the structure member m with Go value v, nothing when
// it is absent.
func writeMember(b *bytes.Buffer, v reflect.Value, m *shape.Member) {
	v, ok := deref(v)
	if !ok {
		return
	}
	sh := m.Shape
	switch sh.Type {
	case shape.List:
		if flattened(m) {
			writeFlatList(b, queryName(m), v, sh.Member)
			return
		}
		writeList(b, memberName(m), v, sh.Member)
	case shape.Map:
		writeMap(b, memberName(m), v, sh, flattened(m))
	default:
		writeElem(b, memberName(m), v, sh)
	}
}

// writeElem writes <name>v</name> for a value that is present.
func writeElem(b *bytes.Buffer, name string, v reflect.Value, sh *shape.Shape) {
	switch sh.Type {
	case shape.Structure:
		if v.Kind() == reflect.Struct {
			writeStruct(b, name, v, sh)
		}
	case shape.List:
		// A list inside a list or map: never flattened there.
		writeList(b, name, v, sh.Member)
	case shape.Map:
		writeMap(b, name, v, sh, false)
	default:
		b.WriteByte('<')
		b.WriteString(name)
		b.WriteByte('>')
		writeScalar(b, v, sh)
		b.WriteString("</")
		b.WriteString(name)
		b.WriteByte('>')
	}
}

func writeList(b *bytes.Buffer, name string, v reflect.Value, elem *shape.Member) {
	if v.Kind() != reflect.Slice || elem == nil || elem.Shape == nil {
		return
	}
	if v.Len() == 0 {
		emptyElem(b, name)
		return
	}
	en := elemName(elem, "member")
	b.WriteByte('<')
	b.WriteString(name)
	b.WriteByte('>')
	for i := 0; i < v.Len(); i++ {
		if e, ok := deref(v.Index(i)); ok {
			writeElem(b, en, e, elem.Shape)
		}
	}
	b.WriteString("</")
	b.WriteString(name)
	b.WriteByte('>')
}

func writeFlatList(b *bytes.Buffer, name string, v reflect.Value, elem *shape.Member) {
	if v.Kind() != reflect.Slice || elem == nil || elem.Shape == nil {
		return
	}
	for i := 0; i < v.Len(); i++ {
		if e, ok := deref(v.Index(i)); ok {
			writeElem(b, name, e, elem.Shape)
		}
	}
}

// writeMap writes the entries in key order, so replies are deterministic.
func writeMap(b *bytes.Buffer, name string, v reflect.Value, sh *shape.Shape, flat bool) {
	if v.Kind() != reflect.Map || sh.Key == nil || sh.Value == nil || sh.Value.Shape == nil || v.Type().Key().Kind() != reflect.String {
		return
	}
	kn, vn := elemName(sh.Key, "key"), elemName(sh.Value, "value")
	keys := v.MapKeys()
	slices.SortFunc(keys, func(a, b reflect.Value) int { return cmp.Compare(a.String(), b.String()) })
	entry := "entry"
	if flat {
		entry = name
	} else {
		b.WriteByte('<')
		b.WriteString(name)
		b.WriteByte('>')
	}
	for _, k := range keys {
		b.WriteByte('<')
		b.WriteString(entry)
		b.WriteString("><")
		b.WriteString(kn)
		b.WriteByte('>')
		escape(b, k.String())
		b.WriteString("</")
		b.WriteString(kn)
		b.WriteByte('>')
		if e, ok := deref(v.MapIndex(k)); ok {
			writeElem(b, vn, e, sh.Value.Shape)
		}
		b.WriteString("</")
		b.WriteString(entry)
		b.WriteByte('>')
	}
	if !flat {
		b.WriteString("</")
		b.WriteString(name)
		b.WriteByte('>')
	}
}

// writeScalar writes the text of a scalar value (already dereferenced).
func writeScalar(b *bytes.Buffer, v reflect.Value, sh *shape.Shape) {
	switch sh.Type {
	case shape.String:
		if v.Kind() == reflect.String {
			escape(b, v.String())
		}
	case shape.Boolean:
		if v.Kind() == reflect.Bool {
			b.Write(strconv.AppendBool(b.AvailableBuffer(), v.Bool()))
		}
	case shape.Integer, shape.Long:
		if v.CanInt() {
			b.Write(strconv.AppendInt(b.AvailableBuffer(), v.Int(), 10))
		}
	case shape.Float, shape.Double:
		if v.CanFloat() {
			bits := 64
			if sh.Type == shape.Float || v.Kind() == reflect.Float32 {
				bits = 32
			}
			b.Write(appendFloat(b.AvailableBuffer(), v.Float(), bits))
		}
	case shape.Timestamp:
		var t time.Time
		switch {
		case v.Type() != timeType:
			return
		case v.CanAddr():
			t = *(v.Addr().Interface().(*time.Time))
		default:
			t = v.Interface().(time.Time)
		}
		b.Write(appendTime(b.AvailableBuffer(), t, sh.TimestampFormat))
	case shape.Blob:
		if v.Kind() == reflect.Slice && v.Type().Elem().Kind() == reflect.Uint8 {
			raw := v.Bytes()
			buf := b.AvailableBuffer()
			n := base64.StdEncoding.EncodedLen(len(raw))
			buf = slices.Grow(buf, n)[:n]
			base64.StdEncoding.Encode(buf, raw)
			b.Write(buf)
		}
	}
}

// appendFloat writes the shortest text that parses back to f: plain
// decimals in the usual range, exponent form outside it, and NaN,
// Infinity, -Infinity as botocore's float() and Go's ParseFloat read them.
func appendFloat(buf []byte, f float64, bits int) []byte {
	switch {
	case math.IsNaN(f):
		return append(buf, "NaN"...)
	case math.IsInf(f, 1):
		return append(buf, "Infinity"...)
	case math.IsInf(f, -1):
		return append(buf, "-Infinity"...)
	}
	if a := math.Abs(f); a != 0 && (a < 1e-6 || a >= 1e21) {
		return strconv.AppendFloat(buf, f, 'e', -1, bits)
	}
	return strconv.AppendFloat(buf, f, 'f', -1, bits)
}

// appendTime formats a timestamp: ISO 8601 UTC with milliseconds by
// default, or the shape's timestampFormat.
func appendTime(buf []byte, t time.Time, format string) []byte {
	switch format {
	case "unixTimestamp":
		ms := t.UnixMilli()
		buf = strconv.AppendInt(buf, ms/1000, 10)
		if r := ms % 1000; r != 0 {
			if r < 0 {
				r = -r
			}
			buf = append(buf, '.')
			buf = append(buf, byte('0'+r/100), byte('0'+r/10%10), byte('0'+r%10))
			for buf[len(buf)-1] == '0' {
				buf = buf[:len(buf)-1]
			}
		}
		return buf
	case "rfc822":
		return t.UTC().AppendFormat(buf, http.TimeFormat)
	}
	return t.UTC().AppendFormat(buf, "2006-01-02T15:04:05.000Z")
}

// escape writes s as XML character data, valid in text and in
// double-quoted attributes. Carriage returns are escaped so parsers do not
// normalise them away; characters XML cannot carry (most C0 controls,
// invalid UTF-8) become U+FFFD, as encoding/xml does.
func escape(b *bytes.Buffer, s string) {
	last := 0
	for i := 0; i < len(s); {
		c := s[i]
		var rep string
		width := 1
		if c < utf8.RuneSelf {
			switch c {
			case '<':
				rep = "&lt;"
			case '>':
				rep = "&gt;"
			case '&':
				rep = "&amp;"
			case '"':
				rep = "&quot;"
			case '\'':
				rep = "&apos;"
			case '\r':
				rep = "&#xD;"
			case '\n', '\t':
			default:
				if c < 0x20 {
					rep = "\uFFFD"
				}
			}
		} else {
			r, w := utf8.DecodeRuneInString(s[i:])
			width = w
			if r == utf8.RuneError && w == 1 || r == 0xFFFE || r == 0xFFFF {
				rep = "\uFFFD"
			}
		}
		if rep != "" {
			b.WriteString(s[last:i])
			b.WriteString(rep)
			last = i + width
		}
		i += width
	}
	b.WriteString(s[last:])
}

func emptyElem(b *bytes.Buffer, name string) {
	b.WriteByte('<')
	b.WriteString(name)
	b.WriteString("/>")
}
