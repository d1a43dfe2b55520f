package audit

import (
	"encoding/binary"
	"errors"
	"time"
)

// The stored value of an event is a small binary envelope, so that the
// record JSON is written once and never re-encoded:
//
//	version byte (1)
//	uvarint-prefixed: eventID, eventName, eventSource, username, accessKeyID
//	varint eventTime (Unix nanoseconds)
//	byte readOnly (0/1)
//	uvarint count, then per resource: uvarint-prefixed type and name
//	the CloudTrail record JSON (the rest)
const storedVersion = 1

var errCorrupt = errors.New("audit: corrupt stored event")

func encodeStored(b []byte, s *StoredEvent) []byte {
	b = append(b, storedVersion)
	for _, f := range [...]string{s.EventID, s.EventName, s.EventSource, s.Username, s.AccessKeyID} {
		b = appendLP(b, f)
	}
	b = binary.AppendVarint(b, s.EventTime.UnixNano())
	if s.ReadOnly {
		b = append(b, 1)
	} else {
		b = append(b, 0)
	}
	b = binary.AppendUvarint(b, uint64(len(s.Resources)))
	for _, r := range s.Resources {
		b = appendLP(b, r.Type)
		b = appendLP(b, r.Name)
	}
	return append(b, s.Record...)
}

// decodeStored decodes v; the result does not alias v.
func decodeStored(v []byte) (*StoredEvent, error) {
	if len(v) == 0 || v[0] != storedVersion {
		return nil, errCorrupt
	}
	v = v[1:]
	ok := true
	str := func() string {
		n, w := binary.Uvarint(v)
		if w <= 0 || uint64(len(v)-w) < n {
			ok = false
			return ""
		}
		s := string(v[w : w+int(n)])
		v = v[w+int(n):]
		return s
	}
	s := &StoredEvent{EventID: str(), EventName: str(), EventSource: str(), Username: str(), AccessKeyID: str()}
	ns, w := binary.Varint(v)
	if !ok || w <= 0 || len(v) < w+1 {
		return nil, errCorrupt
	}
	s.EventTime = time.Unix(0, ns).UTC()
	s.ReadOnly = v[w] == 1
	v = v[w+1:]
	n, w := binary.Uvarint(v)
	if w <= 0 || n > uint64(len(v)) {
		return nil, errCorrupt
	}
	v = v[w:]
	if n > 0 {
		s.Resources = make([]ResourceRef, n)
		for i := range s.Resources {
			s.Resources[i] = ResourceRef{Type: str(), Name: str()}
		}
	}
	if !ok {
		return nil, errCorrupt
	}
	s.Record = append([]byte(nil), v...)
	return s, nil
}
