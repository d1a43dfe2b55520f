package awsjson

import (
	"encoding/binary"
	"math/bits"
	"unicode/utf16"
	"unicode/utf8"
	"unsafe"

	logsapi "github.com/vigilhq/vigil/internal/api/logs"
	"github.com/vigilhq/vigil/internal/protocol/internal/jsonwire"
)

// DecodePutLogEvents is the hand-tuned decoder of CloudWatch Logs'
// PutLogEvents, the hottest call of the Logs API (DESIGN.md allows one for
// hot operations: the generic decoder's reflection, its string per message
// and the walk of shape.Validate cost ~30% of a 1000-event call's CPU). It
// fills in, a fresh input, from body in one pass exactly as Decode would,
// and reports whether it could. It declines, rather than reproduces, what
// the SDKs do not send: unknown or repeated keys, keys with escapes, nulls,
// entity, a timestamp that is not a plain integer of at most 18 digits, an
// empty body, and any syntax error or value of another JSON type. On false
// in holds garbage; the caller decodes generically into a fresh value, so
// every error is Decode's own. Strings are not checked for valid UTF-8:
// Decode passes their bytes through as they are too.
//
// Allocations are per request, not per event: the events slice, sized
// from the first event; one slab holding every event's timestamp and
// message header; and one buffer holding every message's bytes,
// unescaped straight into it. The messages point into that buffer, which
// is never written again once a message is in it and never recycled, so
// they stay valid for as long as anything refers to them, like any Go
// string; but any one of them keeps the whole buffer (about the size of
// the body) alive, so a consumer that keeps a message, or a piece of one,
// beyond the call should copy it, as the log store does. Names and the
// sequence token, which the catalog and Live Tail may keep, are strings of
// their own.
func DecodePutLogEvents(body []byte, in *logsapi.PutLogEventsRequest) bool {
	d := putLogEventsDecoder{data: body}
	d.ws()
	if d.peek() != '{' {
		return false
	}
	d.pos++
	d.ws()
	if d.peek() == '}' {
		d.pos++
	} else if !d.members(in) {
		return false
	}
	d.ws()
	return d.pos == len(d.data)
}

type putLogEventsDecoder struct {
	data []byte
	pos  int
	msgs []byte // the messages' bytes: see DecodePutLogEvents
}

// eventSlot holds what one event's pointers point to.
type eventSlot struct {
	timestamp int64
	message   string
}

// Members present in an object, as bits.
const (
	bitGroup = 1 << iota
	bitStream
	bitEvents
	bitToken
)

const (
	bitTimestamp = 1 << iota
	bitMessage
)

// members reads the top-level object's members, after its '{', up to and
// including its '}'.
func (d *putLogEventsDecoder) members(in *logsapi.PutLogEventsRequest) bool {
	var seen uint8
	for {
		key, ok := d.key()
		if !ok {
			return false
		}
		var bit uint8
		switch string(key) {
		case "logGroupName":
			bit = bitGroup
			in.LogGroupName, ok = d.ownString()
		case "logStreamName":
			bit = bitStream
			in.LogStreamName, ok = d.ownString()
		case "logEvents":
			bit = bitEvents
			in.LogEvents, ok = d.events()
		case "sequenceToken":
			bit = bitToken
			in.SequenceToken, ok = d.ownString()
		default: // entity and unknown members: Decode's business
			return false
		}
		if !ok || seen&bit != 0 {
			return false
		}
		seen |= bit
		if done, ok := d.next('}'); !ok || done {
			return ok
		}
	}
}

// next reads the ',' between two items of an object or array, or its end
// (which it reports as done).
func (d *putLogEventsDecoder) next(end byte) (done, ok bool) {
	d.ws()
	switch d.peek() {
	case ',':
		d.pos++
		return false, true
	case end:
		d.pos++
		return true, true
	}
	return false, false
}

// key reads an object key without escapes and the ':' after it, leaving
// the input on the value.
func (d *putLogEventsDecoder) key() ([]byte, bool) {
	d.ws()
	if d.peek() != '"' {
		return nil, false
	}
	start := d.pos + 1
	end := jsonwire.PlainRun(d.data, start)
	if end >= len(d.data) || d.data[end] != '"' {
		return nil, false
	}
	d.pos = end + 1
	d.ws()
	if d.peek() != ':' {
		return nil, false
	}
	d.pos++
	d.ws()
	return d.data[start:end], true
}

// ownString reads a string into a string of its own.
func (d *putLogEventsDecoder) ownString() (*string, bool) {
	if d.peek() != '"' {
		return nil, false
	}
	start := d.pos + 1
	var s string
	if end := jsonwire.PlainRun(d.data, start); end < len(d.data) && d.data[end] == '"' {
		s = string(d.data[start:end])
		d.pos = end + 1
	} else {
		b, ok := d.appendString(nil)
		if !ok {
			return nil, false
		}
		s = string(b)
	}
	return &s, true
}

// events reads the logEvents array.
func (d *putLogEventsDecoder) events() ([]logsapi.InputLogEvent, bool) {
	if d.peek() != '[' {
		return nil, false
	}
	d.pos++
	d.ws()
	if d.peek() == ']' {
		d.pos++
		return []logsapi.InputLogEvent{}, true
	}
	// Every message lies in the rest of the body and unescaping never
	// lengthens a string, so the buffer never grows: its strings never
	// move. (Were it to grow, they would still be right, in the old array.)
	d.msgs = make([]byte, 0, len(d.data)-d.pos)
	var evs []logsapi.InputLogEvent
	var slab []eventSlot
	for {
		d.ws()
		start := d.pos
		var slot eventSlot
		has, ok := d.event(&slot)
		if !ok {
			return nil, false
		}
		if evs == nil {
			// The SDKs' events are alike: the first one's size tells how
			// many there are, give or take; append grows the rare rest.
			n := estimateEvents(d.pos-start+1, len(d.data)-d.pos)
			evs = make([]logsapi.InputLogEvent, 0, n)
			slab = make([]eventSlot, n)
		}
		if len(slab) == 0 {
			// A new slab: pointers into the old one stay valid.
			slab = make([]eventSlot, max(16, len(evs)/2))
		}
		s := &slab[0]
		slab = slab[1:]
		*s = slot
		var ev logsapi.InputLogEvent
		if has&bitTimestamp != 0 {
			ev.Timestamp = &s.timestamp
		}
		if has&bitMessage != 0 {
			ev.Message = &s.message
		}
		evs = append(evs, ev)
		if done, ok := d.next(']'); !ok || done {
			return evs, ok
		}
	}
}

// estimateEvents guesses how many events an array holds from the size of
// its first one (with the separator) and the bytes after it, with 1/8 to
// spare; at most 10,001, one past the model's maximum.
func estimateEvents(first, rest int) int {
	n := rest / max(first, 1)
	return min(1+n+n/8, 10_001)
}

// event reads one InputLogEvent object into slot and reports which members
// it had.
func (d *putLogEventsDecoder) event(slot *eventSlot) (has uint8, ok bool) {
	if d.peek() != '{' {
		return 0, false
	}
	d.pos++
	d.ws()
	if d.peek() == '}' {
		d.pos++
		return 0, true
	}
	for {
		var bit uint8
		var ok bool
		switch d.eventKey() {
		case bitTimestamp:
			bit = bitTimestamp
			slot.timestamp, ok = d.int64()
		case bitMessage:
			bit = bitMessage
			slot.message, ok = d.message()
		default:
			return 0, false
		}
		if !ok || has&bit != 0 {
			return 0, false
		}
		has |= bit
		if done, ok := d.next('}'); !ok || done {
			return has, ok
		}
	}
}

// eventKey reads an InputLogEvent's key and the ':' after it, and tells
// which member it names (0: none, or no key). The SDKs write `"message":`
// and `"timestamp":` just so; anything else takes key's longer way.
func (d *putLogEventsDecoder) eventKey() uint8 {
	d.ws()
	rest := d.data[d.pos:]
	for _, k := range [...]struct {
		lit string
		bit uint8
	}{{`"message":`, bitMessage}, {`"timestamp":`, bitTimestamp}} {
		if len(rest) >= len(k.lit) && string(rest[:len(k.lit)]) == k.lit {
			d.pos += len(k.lit)
			d.ws()
			return k.bit
		}
	}
	key, ok := d.key()
	switch {
	case !ok:
		return 0
	case string(key) == "message":
		return bitMessage
	case string(key) == "timestamp":
		return bitTimestamp
	}
	return 0
}

// message reads a string into the messages' buffer.
func (d *putLogEventsDecoder) message() (string, bool) {
	if d.peek() != '"' {
		return "", false
	}
	start := len(d.msgs)
	var ok bool
	if d.msgs, ok = d.appendString(d.msgs); !ok {
		return "", false
	}
	if len(d.msgs) == start {
		return "", true
	}
	return unsafe.String(&d.msgs[start], len(d.msgs)-start), true
}

// int64 reads an integer written as Decode reads a Long, declining forms
// the SDKs do not send (fractions, exponents, more than 18 digits).
func (d *putLogEventsDecoder) int64() (int64, bool) {
	data, p := d.data, d.pos
	neg := p < len(data) && data[p] == '-'
	if neg {
		p++
	}
	start := p
	var n int64
	// Eight digits at a time while eight more fit in 18 (a millisecond
	// timestamp has 13).
	for p+8 <= len(data) && p-start <= 10 {
		x := binary.LittleEndian.Uint64(data[p:])
		if x&0xf0f0f0f0f0f0f0f0 != 0x3030303030303030 || (x+0x0606060606060606)&0xf0f0f0f0f0f0f0f0 != 0x3030303030303030 {
			break // not eight digits
		}
		n = n*1e8 + int64(eightDigits(x))
		p += 8
	}
	for p < len(data) && p-start < 18 && data[p] >= '0' && data[p] <= '9' {
		n = n*10 + int64(data[p]-'0')
		p++
	}
	switch {
	case p == start,
		data[start] == '0' && p-start > 1: // a leading zero is a syntax error
		return 0, false
	case p < len(data):
		if c := data[p]; c >= '0' && c <= '9' || c == '.' || c == 'e' || c == 'E' {
			return 0, false
		}
	}
	d.pos = p
	if neg {
		n = -n
	}
	return n, true
}

// eightDigits is the value of the eight decimal digits x holds, the
// first in its lowest byte: pairs, then fours, then all eight, each step
// one multiply.
func eightDigits(x uint64) uint64 {
	x &= 0x0f0f0f0f0f0f0f0f
	x = (x*10 + x>>8) & 0x00ff00ff00ff00ff
	x = (x*100 + x>>16) & 0x0000ffff0000ffff
	return (x*10000 + x>>32) & 0xffffffff
}

// appendString appends the contents of the string at d.pos, unescaped as
// Decode unescapes them (a lone or ill-paired surrogate escape becomes
// U+FFFD), to dst, and moves past it.
//
// It finds the end of each run of plain bytes with jsonwire.PlainRun's
// test of eight bytes at a time, but copies the bytes in the same go,
// eight at a time while dst has room (writing past its length is
// harmless: those bytes are no string's yet), and takes the special byte's
// place from the test's mask instead of a second loop: the mask's lowest
// flagged byte is always a special one (false flags come only from a
// borrow, above a true one). Messages full of \" escapes are runs of a few
// bytes, so this matters; for the same reason the one-byte escapes (the
// SDK's JSON log lines hold one \" every ten bytes or so) are unescaped
// without leaving that loop. Control characters, \u and invalid escapes,
// and the last bytes of the input or of dst's room take the loop below it,
// a byte or an escape at a time.
func (d *putLogEventsDecoder) appendString(dst []byte) ([]byte, bool) {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	data := d.data
	p := d.pos + 1 // opening quote
	for {
		for p+8 <= len(data) && len(dst)+8 <= cap(dst) {
			n := len(dst)
			x := binary.LittleEndian.Uint64(data[p:])
			binary.LittleEndian.PutUint64(dst[n:n+8], x)
			m := ((x - ones*0x20) | ((x ^ ones*'"') - ones) | ((x ^ ones*'\\') - ones)) &^ x & highs
			if m == 0 {
				dst = dst[:n+8]
				p += 8
				continue
			}
			k := bits.TrailingZeros64(m) >> 3
			p += k
			dst = dst[:n+k]
			if data[p] != '\\' || p+1 >= len(data) {
				break
			}
			u := simpleEscapes[data[p+1]]
			if u == 0 {
				break
			}
			dst = dst[:n+k+1]
			dst[n+k] = u
			p += 2
		}
		if p >= len(data) {
			return dst, false
		}
		c := data[p]
		switch {
		case c == '"':
			d.pos = p + 1
			return dst, true
		case c < 0x20:
			return dst, false
		case c != '\\':
			dst = append(dst, c)
			p++
			continue
		}
		q := p
		// A backslash.
		if q+1 >= len(data) {
			return dst, false
		}
		p = q + 2
		if u := simpleEscapes[data[q+1]]; u != 0 {
			dst = append(dst, u)
			continue
		}
		if data[q+1] != 'u' {
			return dst, false
		}
		r, ok := jsonwire.Hex4(data, p)
		if !ok {
			return dst, false
		}
		p += 4
		if utf16.IsSurrogate(r) {
			// Decode pairs it with an escape right after, if that makes
			// a valid pair; otherwise it is U+FFFD and the next escape
			// stands alone.
			r2, ok := rune(0), false
			if p+1 < len(data) && data[p] == '\\' && data[p+1] == 'u' {
				r2, ok = jsonwire.Hex4(data, p+2)
			}
			r1 := r
			r = utf8.RuneError
			if ok {
				if rr := utf16.DecodeRune(r1, r2); rr != utf8.RuneError {
					r = rr
					p += 6
				}
			}
		}
		dst = utf8.AppendRune(dst, r)
	}
}

// simpleEscapes maps the byte after a backslash to the byte the escape
// stands for, for the escapes of one byte (all but \u); 0 marks the rest.
var simpleEscapes = [256]byte{'"': '"', '\\': '\\', '/': '/', 'b': '\b', 'f': '\f', 'n': '\n', 'r': '\r', 't': '\t'}

func (d *putLogEventsDecoder) ws() {
	// The SDKs write no white space: one test for the usual case.
	for d.pos < len(d.data) && d.data[d.pos] <= ' ' {
		switch d.data[d.pos] {
		case ' ', '\t', '\n', '\r':
			d.pos++
		default:
			return
		}
	}
}

func (d *putLogEventsDecoder) peek() byte {
	if d.pos < len(d.data) {
		return d.data[d.pos]
	}
	return 0
}
