package awsjson

import (
	"time"
	"unsafe"

	eventsapi "github.com/vigilhq/vigil/internal/api/events"
	"github.com/vigilhq/vigil/internal/protocol/internal/jsonwire"
)

// DecodePutEvents is the hand-tuned decoder of EventBridge's PutEvents, the
// call of the event-ingest goal (DESIGN.md allows one for hot operations:
// for 10 entries the generic decoder's reflection and its pointer per
// optional member were 15% of the server's CPU for the call). It fills in,
// a fresh input, from body in one pass exactly as Decode would, and
// reports whether it could. It declines, rather than reproduces, what the
// SDKs do not send: unknown or repeated keys, keys with escapes, nulls, a
// Time that is not a JSON number, an empty body, and any syntax error or
// value of another JSON type. On false in holds garbage; the caller
// decodes generically into a fresh value, so every error is Decode's own.
// Strings are not checked for valid UTF-8: Decode passes their bytes
// through as they are too.
//
// The strings are unescaped straight into one buffer per request, as
// DecodePutLogEvents' messages are (never the body, which the gateway
// recycles; never written again once a string is in it; but any one string
// kept keeps the buffer, about the size of the body, alive: the events
// service copies what it keeps), except that a member equal to the same
// member of the entry before shares its string (an SDK's batch repeats its
// Source, DetailType and EventBusName); the pointers to them and to the
// times come from one slab per request instead of one allocation each.
func DecodePutEvents(body []byte, in *eventsapi.PutEventsRequest) bool {
	d := putEventsDecoder{putLogEventsDecoder: putLogEventsDecoder{data: body}}
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

// putEventsDecoder reuses the PutLogEvents decoder's scanning: the same
// JSON, the same refusals.
type putEventsDecoder struct {
	putLogEventsDecoder
	strs  []string                // slab the *string members point into
	times []time.Time             // slab the Time members point into
	last  [stringsPerEntry]string // each member's value in the entry before
}

// Members present in an object, as bits.
const (
	bitEntries = 1 << iota
	bitEndpoint
)

const (
	bitTime = 1 << iota
	bitSource
	bitResources
	bitDetailType
	bitDetail
	bitBus
	bitTrace
)

// An entry's *string members, numbered for putEventsDecoder.last.
const (
	lastSource = iota
	lastDetailType
	lastDetail
	lastBus
	lastTrace
	stringsPerEntry
)

func (d *putEventsDecoder) members(in *eventsapi.PutEventsRequest) bool {
	var seen uint8
	for {
		key, ok := d.key()
		if !ok {
			return false
		}
		var bit uint8
		switch string(key) {
		case "Entries":
			bit = bitEntries
			in.Entries, ok = d.entries()
		case "EndpointId":
			bit = bitEndpoint
			in.EndpointId, ok = d.stringPtr("")
		default:
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

// entries reads the Entries array.
func (d *putEventsDecoder) entries() ([]eventsapi.PutEventsRequestEntry, bool) {
	if d.peek() != '[' {
		return nil, false
	}
	d.pos++
	d.ws()
	if d.peek() == ']' {
		d.pos++
		return []eventsapi.PutEventsRequestEntry{}, true
	}
	var es []eventsapi.PutEventsRequestEntry
	for {
		d.ws()
		start := d.pos
		var e eventsapi.PutEventsRequestEntry
		if !d.entry(&e) {
			return nil, false
		}
		if es == nil {
			// Entries are alike: the first one's size tells how many there
			// are, give or take (a call has at most 10 that are valid).
			es = make([]eventsapi.PutEventsRequestEntry, 0, min(estimateEvents(d.pos-start+1, len(d.data)-d.pos), 11))
		}
		es = append(es, e)
		if done, ok := d.next(']'); !ok || done {
			return es, ok
		}
	}
}

// entry reads one PutEventsRequestEntry object.
func (d *putEventsDecoder) entry(e *eventsapi.PutEventsRequestEntry) bool {
	if d.peek() != '{' {
		return false
	}
	d.pos++
	d.ws()
	if d.peek() == '}' {
		d.pos++
		return true
	}
	var has uint8
	for {
		key, ok := d.key()
		if !ok {
			return false
		}
		var bit uint8
		switch string(key) {
		case "Time":
			bit = bitTime
			e.Time, ok = d.time()
		case "Source":
			bit = bitSource
			e.Source, ok = d.memberPtr(lastSource)
		case "Resources":
			bit = bitResources
			e.Resources, ok = d.stringList()
		case "DetailType":
			bit = bitDetailType
			e.DetailType, ok = d.memberPtr(lastDetailType)
		case "Detail":
			bit = bitDetail
			e.Detail, ok = d.memberPtr(lastDetail)
		case "EventBusName":
			bit = bitBus
			e.EventBusName, ok = d.memberPtr(lastBus)
		case "TraceHeader":
			bit = bitTrace
			e.TraceHeader, ok = d.memberPtr(lastTrace)
		default:
			return false
		}
		if !ok || has&bit != 0 {
			return false
		}
		has |= bit
		if done, ok := d.next('}'); !ok || done {
			return ok
		}
	}
}

// string reads a string into the strings' buffer (d.msgs), or into prev
// when they are equal.
func (d *putEventsDecoder) string(prev string) (string, bool) {
	if d.peek() != '"' {
		return "", false
	}
	if cap(d.msgs)-len(d.msgs) < minStringRoom {
		// A string never unescapes longer than it is written, and the
		// strings are most of the rest of the body: three quarters of it
		// holds a call's (its Details' quotes are escaped, its repeated
		// members are shared). A string that does not fit moves on to a
		// bigger buffer as append grows it; those before stay where
		// they are.
		d.msgs = make([]byte, 0, (len(d.data)-d.pos)*3/4+minStringRoom)
	}
	start := len(d.msgs)
	var ok bool
	if d.msgs, ok = d.appendString(d.msgs); !ok {
		return "", false
	}
	b := d.msgs[start:]
	if string(b) == prev {
		d.msgs = d.msgs[:start] // never handed out: reused
		return prev, true
	}
	if len(b) == 0 {
		return "", true
	}
	return unsafe.String(&b[0], len(b)), true
}

// minStringRoom is the room below which the strings' buffer is replaced
// rather than filled: appendString copies 8 bytes at a time only while
// they fit.
const minStringRoom = 64

// memberPtr reads the string of an entry's member (numbered as in
// putEventsDecoder.last) into a slot of the slab.
func (d *putEventsDecoder) memberPtr(i int) (*string, bool) {
	p, ok := d.stringPtr(d.last[i])
	if ok {
		d.last[i] = *p
	}
	return p, ok
}

// stringPtr reads a string into a slot of the slab.
func (d *putEventsDecoder) stringPtr(prev string) (*string, bool) {
	s, ok := d.string(prev)
	if !ok {
		return nil, false
	}
	if len(d.strs) == cap(d.strs) {
		// A new slab: pointers into the old one stay valid. The first is
		// sized for a call's 10 entries.
		d.strs = make([]string, 0, 10*stringsPerEntry+1)
	}
	d.strs = append(d.strs, s)
	return &d.strs[len(d.strs)-1], true
}

// stringList reads an array of strings (Resources).
func (d *putEventsDecoder) stringList() ([]string, bool) {
	if d.peek() != '[' {
		return nil, false
	}
	d.pos++
	d.ws()
	if d.peek() == ']' {
		d.pos++
		return []string{}, true
	}
	var out []string
	for {
		d.ws()
		s, ok := d.string("")
		if !ok {
			return nil, false
		}
		out = append(out, s)
		if done, ok := d.next(']'); !ok || done {
			return out, ok
		}
	}
}

// time reads a Time as Decode reads a timestamp sent as a JSON number:
// epoch seconds. The string forms are Decode's business.
func (d *putEventsDecoder) time() (*time.Time, bool) {
	num, ok := d.number()
	if !ok {
		return nil, false
	}
	t, ok := jsonwire.ParseEpoch(num)
	if !ok {
		return nil, false
	}
	if len(d.times) == cap(d.times) {
		d.times = make([]time.Time, 0, 10)
	}
	d.times = append(d.times, t)
	return &d.times[len(d.times)-1], true
}

// number scans a JSON number (RFC 8259's grammar, as Decode's scanner
// accepts it) and returns its literal.
func (d *putEventsDecoder) number() ([]byte, bool) {
	data, p := d.data, d.pos
	start := p
	if p < len(data) && data[p] == '-' {
		p++
	}
	digits := func() bool {
		s := p
		for p < len(data) && data[p] >= '0' && data[p] <= '9' {
			p++
		}
		return p > s
	}
	switch {
	case p < len(data) && data[p] == '0':
		p++
	case p < len(data) && data[p] >= '1' && data[p] <= '9':
		digits()
	default:
		return nil, false
	}
	if p < len(data) && data[p] == '.' {
		p++
		if !digits() {
			return nil, false
		}
	}
	if p < len(data) && (data[p] == 'e' || data[p] == 'E') {
		p++
		if p < len(data) && (data[p] == '+' || data[p] == '-') {
			p++
		}
		if !digits() {
			return nil, false
		}
	}
	d.pos = p
	return data[start:p], true
}
