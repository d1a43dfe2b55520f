package eventstream

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"slices"
)

// ContentType is the media type of an HTTP body made of event stream
// messages.
const ContentType = "application/vnd.amazon.eventstream"

// Limits of the format. AppendMessage refuses to exceed them, and Decode and
// Reader refuse messages that do, so everything Decode accepts can be encoded
// again.
const (
	MaxHeaderNameLen  = 255       // bytes of a header name: its length is one byte
	MaxHeaderValueLen = 1<<15 - 1 // bytes of a string or byte-array value
	MaxHeadersLen     = 128 << 10 // bytes of the whole headers section
	MaxMessageLen     = 16 << 20  // bytes of a whole message, prelude and CRCs included
)

const (
	preludeLen    = 12 // total length, headers length, prelude CRC
	minMessageLen = preludeLen + 4
)

// Errors returned by AppendMessage, Decode and Reader.Next; details are
// wrapped around them, so test with errors.Is.
var (
	// ErrTruncated: the input ends before the message does.
	ErrTruncated = errors.New("eventstream: truncated message")
	// ErrPreludeChecksum: the CRC of the 8 length bytes does not match, so
	// the lengths cannot be trusted.
	ErrPreludeChecksum = errors.New("eventstream: prelude checksum mismatch")
	// ErrMessageChecksum: the CRC of the whole message does not match.
	ErrMessageChecksum = errors.New("eventstream: message checksum mismatch")
	// ErrMalformed: the checksums match but the content is impossible:
	// lengths that do not add up, an unknown value type, a header that runs
	// past the headers section.
	ErrMalformed = errors.New("eventstream: malformed message")
	// ErrHeaderNameTooLong: a header name is longer than MaxHeaderNameLen.
	ErrHeaderNameTooLong = errors.New("eventstream: header name too long")
	// ErrHeaderValueTooLong: a string or byte-array value is longer than
	// MaxHeaderValueLen.
	ErrHeaderValueTooLong = errors.New("eventstream: header value too long")
	// ErrHeadersTooLarge: the headers section is longer than MaxHeadersLen.
	ErrHeadersTooLarge = errors.New("eventstream: headers too large")
	// ErrMessageTooLarge: the message is longer than MaxMessageLen.
	ErrMessageTooLarge = errors.New("eventstream: message too large")
	// ErrInvalidValue: a header holds the zero HeaderValue.
	ErrInvalidValue = errors.New("eventstream: invalid header value")
)

// Header is one header of a message. The format allows a name at most once
// per message; AppendMessage does not check this, and Message.Header returns
// the first match.
type Header struct {
	Name  string
	Value HeaderValue
}

// Message is one event stream message: headers in wire order and an opaque
// payload.
type Message struct {
	Headers []Header
	Payload []byte
}

// Header returns the value of the first header called name.
func (m Message) Header(name string) (HeaderValue, bool) {
	for i := range m.Headers {
		if m.Headers[i].Name == name {
			return m.Headers[i].Value, true
		}
	}
	return HeaderValue{}, false
}

// AppendMessage appends the encoding of m to dst and returns the extended
// slice. On error dst is returned unchanged; nothing is appended.
func AppendMessage(dst []byte, m Message) ([]byte, error) {
	hl, err := headersLen(m.Headers)
	if err != nil {
		return dst, err
	}
	if len(m.Payload) > MaxMessageLen-minMessageLen-hl {
		return dst, fmt.Errorf("%w: %d bytes of headers and %d of payload exceed %d", ErrMessageTooLarge, hl, len(m.Payload), MaxMessageLen)
	}
	total := minMessageLen + hl + len(m.Payload)
	start := len(dst)
	dst = slices.Grow(dst, total)
	dst = binary.BigEndian.AppendUint32(dst, uint32(total))
	dst = binary.BigEndian.AppendUint32(dst, uint32(hl))
	dst = binary.BigEndian.AppendUint32(dst, crc32.ChecksumIEEE(dst[start:]))
	for i := range m.Headers {
		dst = appendHeader(dst, &m.Headers[i])
	}
	dst = append(dst, m.Payload...)
	return binary.BigEndian.AppendUint32(dst, crc32.ChecksumIEEE(dst[start:])), nil
}

// headersLen validates hs and returns the length of their encoding.
func headersLen(hs []Header) (int, error) {
	n := 0
	for i := range hs {
		h := &hs[i]
		if len(h.Name) > MaxHeaderNameLen {
			return 0, fmt.Errorf("%w: %d bytes > %d", ErrHeaderNameTooLong, len(h.Name), MaxHeaderNameLen)
		}
		n += 1 + len(h.Name) + 1
		switch v := &h.Value; v.typ {
		case TypeBool:
		case TypeByte:
			n++
		case TypeInt16:
			n += 2
		case TypeInt32:
			n += 4
		case TypeInt64, TypeTimestamp:
			n += 8
		case TypeUUID:
			n += 16
		case TypeBytes, TypeString:
			l := len(v.buf) + len(v.str) // one of them is empty
			if l > MaxHeaderValueLen {
				return 0, fmt.Errorf("%w: header %q: %d bytes > %d", ErrHeaderValueTooLong, h.Name, l, MaxHeaderValueLen)
			}
			n += 2 + l
		default:
			return 0, fmt.Errorf("%w: header %q", ErrInvalidValue, h.Name)
		}
		if n > MaxHeadersLen {
			return 0, fmt.Errorf("%w: more than %d bytes", ErrHeadersTooLarge, MaxHeadersLen)
		}
	}
	return n, nil
}

// appendHeader appends one header already checked by headersLen.
func appendHeader(dst []byte, h *Header) []byte {
	dst = append(dst, byte(len(h.Name)))
	dst = append(dst, h.Name...)
	v := &h.Value
	switch v.typ {
	case TypeBool:
		if v.num != 0 {
			return append(dst, 0)
		}
		return append(dst, 1)
	case TypeByte:
		return append(dst, byte(TypeByte), byte(v.num))
	case TypeInt16:
		return binary.BigEndian.AppendUint16(append(dst, byte(TypeInt16)), uint16(v.num))
	case TypeInt32:
		return binary.BigEndian.AppendUint32(append(dst, byte(TypeInt32)), uint32(v.num))
	case TypeInt64, TypeTimestamp:
		return binary.BigEndian.AppendUint64(append(dst, byte(v.typ)), uint64(v.num))
	case TypeBytes:
		dst = binary.BigEndian.AppendUint16(append(dst, byte(TypeBytes)), uint16(len(v.buf)))
		return append(dst, v.buf...)
	case TypeString:
		dst = binary.BigEndian.AppendUint16(append(dst, byte(TypeString)), uint16(len(v.str)))
		return append(dst, v.str...)
	default: // TypeUUID
		return append(append(dst, byte(TypeUUID)), v.uuid[:]...)
	}
}

// Decode decodes the message at the front of b and returns it with its
// length in bytes; b[n:] is what follows it. Both checksums are verified.
//
// The returned Payload and byte-array header values refer to b (capped so
// that appending to them cannot overwrite b); copy them before reusing b.
// Header names and string values are copies.
func Decode(b []byte) (m Message, n int, err error) {
	if len(b) < preludeLen {
		return Message{}, 0, fmt.Errorf("%w: %d bytes, the prelude alone is %d", ErrTruncated, len(b), preludeLen)
	}
	total, hl, err := parsePrelude(b)
	if err != nil {
		return Message{}, 0, err
	}
	if len(b) < total {
		return Message{}, 0, fmt.Errorf("%w: %d bytes of a %d-byte message", ErrTruncated, len(b), total)
	}
	body := b[:total-4]
	if got, want := crc32.ChecksumIEEE(body), binary.BigEndian.Uint32(b[total-4:]); got != want {
		return Message{}, 0, fmt.Errorf("%w: computed %08x, message says %08x", ErrMessageChecksum, got, want)
	}
	if m.Headers, err = decodeHeaders(b[preludeLen : preludeLen+hl]); err != nil {
		return Message{}, 0, err
	}
	if p := body[preludeLen+hl:]; len(p) > 0 {
		m.Payload = p[:len(p):len(p)]
	}
	return m, total, nil
}

// parsePrelude checks the first preludeLen bytes of p and returns the total
// and headers lengths they announce.
func parsePrelude(p []byte) (total, headers int, err error) {
	if got, want := crc32.ChecksumIEEE(p[:8]), binary.BigEndian.Uint32(p[8:12]); got != want {
		return 0, 0, fmt.Errorf("%w: computed %08x, prelude says %08x", ErrPreludeChecksum, got, want)
	}
	t, h := binary.BigEndian.Uint32(p[0:4]), binary.BigEndian.Uint32(p[4:8])
	switch {
	case t < minMessageLen:
		return 0, 0, fmt.Errorf("%w: total length %d is below the minimum %d", ErrMalformed, t, minMessageLen)
	case h > t-minMessageLen:
		return 0, 0, fmt.Errorf("%w: headers length %d does not fit in total length %d", ErrMalformed, h, t)
	case t > MaxMessageLen:
		return 0, 0, fmt.Errorf("%w: %d bytes > %d", ErrMessageTooLarge, t, MaxMessageLen)
	case h > MaxHeadersLen:
		return 0, 0, fmt.Errorf("%w: %d bytes > %d", ErrHeadersTooLarge, h, MaxHeadersLen)
	}
	return int(t), int(h), nil
}

// decodeHeaders decodes a whole headers section.
func decodeHeaders(b []byte) ([]Header, error) {
	if len(b) == 0 {
		return nil, nil
	}
	// Each header takes at least 3 bytes (name length, a 1-byte name, a bool
	// type), which bounds the preallocation by the input's size.
	hs := make([]Header, 0, min(len(b)/3+1, 16))
	for off := 0; off < len(b); {
		nl := int(b[off])
		off++
		if len(b)-off < nl+1 {
			return nil, fmt.Errorf("%w: header name at offset %d runs past the headers section", ErrMalformed, off-1)
		}
		h := Header{Name: string(b[off : off+nl])}
		off += nl
		typ := b[off]
		off++
		v, used, err := decodeValue(typ, b[off:])
		if err != nil {
			return nil, fmt.Errorf("%w (header %q)", err, h.Name)
		}
		off += used
		h.Value = v
		hs = append(hs, h)
	}
	return hs, nil
}

// fixedLen is the value length of each fixed-width wire type.
var fixedLen = [...]int{0: 0, 1: 0, TypeByte: 1, TypeInt16: 2, TypeInt32: 4, TypeInt64: 8, TypeTimestamp: 8, TypeUUID: 16}

// decodeValue decodes the value of wire type typ from the front of b and
// returns it with the number of bytes used.
func decodeValue(typ byte, b []byte) (HeaderValue, int, error) {
	switch typ {
	case 0:
		return BoolValue(true), 0, nil
	case 1:
		return BoolValue(false), 0, nil
	case byte(TypeBytes), byte(TypeString):
		if len(b) < 2 {
			return HeaderValue{}, 0, fmt.Errorf("%w: %s value length runs past the headers section", ErrMalformed, ValueType(typ))
		}
		l := int(binary.BigEndian.Uint16(b))
		if l > MaxHeaderValueLen {
			return HeaderValue{}, 0, fmt.Errorf("%w: %d bytes > %d", ErrHeaderValueTooLong, l, MaxHeaderValueLen)
		}
		if len(b)-2 < l {
			return HeaderValue{}, 0, fmt.Errorf("%w: %d-byte %s value runs past the headers section", ErrMalformed, l, ValueType(typ))
		}
		v := b[2 : 2+l : 2+l]
		if typ == byte(TypeString) {
			return StringValue(string(v)), 2 + l, nil
		}
		return BytesValue(v), 2 + l, nil
	case byte(TypeByte), byte(TypeInt16), byte(TypeInt32), byte(TypeInt64), byte(TypeTimestamp), byte(TypeUUID):
		l := fixedLen[typ]
		if len(b) < l {
			return HeaderValue{}, 0, fmt.Errorf("%w: %s value runs past the headers section", ErrMalformed, ValueType(typ))
		}
		switch ValueType(typ) {
		case TypeByte:
			return ByteValue(int8(b[0])), l, nil
		case TypeInt16:
			return Int16Value(int16(binary.BigEndian.Uint16(b))), l, nil
		case TypeInt32:
			return Int32Value(int32(binary.BigEndian.Uint32(b))), l, nil
		case TypeInt64:
			return Int64Value(int64(binary.BigEndian.Uint64(b))), l, nil
		case TypeTimestamp:
			return HeaderValue{typ: TypeTimestamp, num: int64(binary.BigEndian.Uint64(b))}, l, nil
		default:
			return UUIDValue([16]byte(b[:16])), l, nil
		}
	}
	return HeaderValue{}, 0, fmt.Errorf("%w: unknown value type %d", ErrMalformed, typ)
}
