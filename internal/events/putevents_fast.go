package events

import (
	"time"
)

// Small pieces of PutEvents' per-entry work written for the machine; each
// gives what the general routine it stands for gives (putevents_fast_test.go).

// appendTimeSecond appends t in UTC as "2006-01-02T15:04:05Z", as
// AppendFormat with that layout does; interpreting the layout was a
// twentieth of PutEvents' own work.
func appendTimeSecond(dst []byte, t time.Time) []byte {
	t = t.UTC()
	y, mo, d := t.Date()
	h, mi, s := t.Clock()
	if y < 0 || y > 9999 {
		return t.AppendFormat(dst, "2006-01-02T15:04:05Z")
	}
	return append(dst,
		byte('0'+y/1000), byte('0'+y/100%10), byte('0'+y/10%10), byte('0'+y%10), '-',
		byte('0'+mo/10), byte('0'+mo%10), '-', byte('0'+d/10), byte('0'+d%10), 'T',
		byte('0'+h/10), byte('0'+h%10), ':', byte('0'+mi/10), byte('0'+mi%10), ':',
		byte('0'+s/10), byte('0'+s%10), 'Z')
}

// appendCompactFast is appendCompact for a valid JSON value: a value
// without any white space byte (what JSON encoders write, and the SDKs
// send) is already compact and is copied whole, which is several times
// faster than walking its tokens.
func appendCompactFast(dst []byte, v string) []byte {
	if !hasSpace(v) {
		return append(dst, v...)
	}
	return appendCompact(dst, v)
}

// eventTimes formats a call's event times, each second once: the entries
// of a call without a Time of their own share the call's.
type eventTimes struct {
	sec int64
	n   int // bytes of b in use; 0: nothing formatted yet
	b   [24]byte
}

// text is appendTimeSecond(nil, t), valid until the next call.
func (c *eventTimes) text(t time.Time) []byte {
	if sec := t.Unix(); c.n == 0 || sec != c.sec {
		v := appendTimeSecond(c.b[:0], t)
		if len(v) > len(c.b) {
			// Far past the year 9999: not kept, and what b held is
			// overwritten.
			c.n = 0
			return v
		}
		// The length, not v: a slice of c.b kept in c would move c to
		// the heap.
		c.sec, c.n = sec, len(v)
	}
	return c.b[:c.n]
}
