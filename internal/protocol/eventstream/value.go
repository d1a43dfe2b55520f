package eventstream

import (
	"encoding/hex"
	"strconv"
	"time"
)

// ValueType is the type of a header value. Apart from TypeInvalid and
// TypeBool, the constants equal the type byte that introduces the value on
// the wire; a bool is written as type 0 (true) or 1 (false) and carries no
// value bytes.
type ValueType uint8

const (
	TypeInvalid   ValueType = iota // the zero HeaderValue; cannot be encoded
	TypeBool                       // wire types 0 (true) and 1 (false)
	TypeByte                       // 2: int8
	TypeInt16                      // 3: int16, big-endian
	TypeInt32                      // 4: int32, big-endian
	TypeInt64                      // 5: int64, big-endian
	TypeBytes                      // 6: uint16 length, then the bytes
	TypeString                     // 7: uint16 length, then UTF-8 bytes
	TypeTimestamp                  // 8: int64 milliseconds since the Unix epoch
	TypeUUID                       // 9: 16 bytes
)

var typeNames = [...]string{"invalid", "bool", "byte", "int16", "int32", "int64", "bytes", "string", "timestamp", "uuid"}

func (t ValueType) String() string {
	if int(t) < len(typeNames) {
		return typeNames[t]
	}
	return "ValueType(" + strconv.Itoa(int(t)) + ")"
}

// HeaderValue is a typed header value. Build one with the constructor for its
// type (StringValue, BoolValue, ...). The accessors (Str, Bool, Int64, ...)
// panic when called on a value of another type, like log/slog.Value's; check
// Type first when the type is not known. The zero HeaderValue has type
// TypeInvalid and is refused by AppendMessage.
//
// A HeaderValue is a plain value: copying it is cheap, and one built by
// BytesValue shares its slice with the caller.
type HeaderValue struct {
	typ  ValueType
	num  int64  // bool (0 or 1), byte, int16, int32, int64, timestamp (ms)
	str  string // string
	buf  []byte // byte array
	uuid [16]byte
}

// BoolValue returns a bool header value.
func BoolValue(v bool) HeaderValue {
	n := int64(0)
	if v {
		n = 1
	}
	return HeaderValue{typ: TypeBool, num: n}
}

// ByteValue returns a byte (int8) header value.
func ByteValue(v int8) HeaderValue { return HeaderValue{typ: TypeByte, num: int64(v)} }

// Int16Value returns a short (int16) header value.
func Int16Value(v int16) HeaderValue { return HeaderValue{typ: TypeInt16, num: int64(v)} }

// Int32Value returns an integer (int32) header value.
func Int32Value(v int32) HeaderValue { return HeaderValue{typ: TypeInt32, num: int64(v)} }

// Int64Value returns a long (int64) header value.
func Int64Value(v int64) HeaderValue { return HeaderValue{typ: TypeInt64, num: v} }

// BytesValue returns a byte-array header value. The value refers to b; it is
// not copied.
func BytesValue(b []byte) HeaderValue { return HeaderValue{typ: TypeBytes, buf: b} }

// StringValue returns a string header value.
func StringValue(s string) HeaderValue { return HeaderValue{typ: TypeString, str: s} }

// TimestampValue returns a timestamp header value. The wire carries
// milliseconds since the Unix epoch, so t is truncated to the millisecond.
func TimestampValue(t time.Time) HeaderValue {
	return HeaderValue{typ: TypeTimestamp, num: t.UnixMilli()}
}

// UUIDValue returns a UUID header value; u holds the 16 bytes in wire order.
func UUIDValue(u [16]byte) HeaderValue { return HeaderValue{typ: TypeUUID, uuid: u} }

// Type reports the value's type.
func (v HeaderValue) Type() ValueType { return v.typ }

func (v HeaderValue) must(t ValueType) {
	if v.typ != t {
		panic("eventstream: HeaderValue of type " + v.typ.String() + " used as " + t.String())
	}
}

// Bool returns a TypeBool value.
func (v HeaderValue) Bool() bool { v.must(TypeBool); return v.num != 0 }

// Int64 returns a TypeByte, TypeInt16, TypeInt32 or TypeInt64 value, widened
// to int64.
func (v HeaderValue) Int64() int64 {
	switch v.typ {
	case TypeByte, TypeInt16, TypeInt32, TypeInt64:
		return v.num
	}
	v.must(TypeInt64)
	return 0
}

// Bytes returns a TypeBytes value. The slice is shared, not copied.
func (v HeaderValue) Bytes() []byte { v.must(TypeBytes); return v.buf }

// Str returns a TypeString value.
func (v HeaderValue) Str() string { v.must(TypeString); return v.str }

// Time returns a TypeTimestamp value, in UTC.
func (v HeaderValue) Time() time.Time { v.must(TypeTimestamp); return time.UnixMilli(v.num).UTC() }

// UnixMilli returns a TypeTimestamp value as milliseconds since the Unix
// epoch, exactly as carried on the wire.
func (v HeaderValue) UnixMilli() int64 { v.must(TypeTimestamp); return v.num }

// UUID returns a TypeUUID value.
func (v HeaderValue) UUID() [16]byte { v.must(TypeUUID); return v.uuid }

// Equal reports whether v and w have the same type and value.
func (v HeaderValue) Equal(w HeaderValue) bool {
	if v.typ != w.typ {
		return false
	}
	switch v.typ {
	case TypeBytes:
		return string(v.buf) == string(w.buf)
	case TypeString:
		return v.str == w.str
	case TypeUUID:
		return v.uuid == w.uuid
	}
	return v.num == w.num
}

// String returns a string value unchanged and formats any other: decimal
// integers, "true"/"false", lower-case hex bytes, RFC 3339 timestamps with
// milliseconds, canonical 8-4-4-4-12 UUIDs.
func (v HeaderValue) String() string {
	switch v.typ {
	case TypeBool:
		return strconv.FormatBool(v.num != 0)
	case TypeByte, TypeInt16, TypeInt32, TypeInt64:
		return strconv.FormatInt(v.num, 10)
	case TypeBytes:
		return hex.EncodeToString(v.buf)
	case TypeString:
		return v.str
	case TypeTimestamp:
		return time.UnixMilli(v.num).UTC().Format("2006-01-02T15:04:05.000Z07:00")
	case TypeUUID:
		var b [36]byte
		hex.Encode(b[0:8], v.uuid[0:4])
		b[8] = '-'
		hex.Encode(b[9:13], v.uuid[4:6])
		b[13] = '-'
		hex.Encode(b[14:18], v.uuid[6:8])
		b[18] = '-'
		hex.Encode(b[19:23], v.uuid[8:10])
		b[23] = '-'
		hex.Encode(b[24:36], v.uuid[10:16])
		return string(b[:])
	}
	return "<invalid>"
}
