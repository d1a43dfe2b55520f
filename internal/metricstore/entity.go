package metricstore

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/cockroachdb/pebble/v2"
)

// Entity is what CloudWatch calls an entity: the service or resource the
// datums of a series are about ("related telemetry"). KeyAttributes
// identify it: two entities with the same KeyAttributes are the same
// entity. Attributes describe it; the latest ones sent win. The store keeps
// no reference to either map.
type Entity struct {
	KeyAttributes map[string]string
	Attributes    map[string]string
}

// SeriesEntity is one entity a series has been sent with.
type SeriesEntity struct {
	Entity
	// LastSeen is when the store last received datums of the series with
	// the entity (by its clock), to the minute.
	LastSeen time.Time
}

// prefixEntity keys the series–entity links:
//
//	metrics/e/<lp(series key)><entity key> → last seen minute (8 B) + attributes
//
// The series key is length-prefixed so that a scan of one series never
// reaches a series with more dimensions; the entity key is the sorted
// KeyAttributes as ord(name) ord(value) pairs; attributes are uvarint n and
// n × (lp name, lp value), sorted by name.
const prefixEntity = "metrics/e/"

// entityLinks caches what the Pebble links hold, so that a call repeating
// an entity already linked (the CloudWatch agent sends the same one every
// minute) writes nothing. The zero value is ready; Reset empties it.
type entityLinks struct {
	mu   sync.Mutex
	seen map[string]entityLink // by Pebble key
	// writeMu serialises the writers, so that the cache never claims what
	// a concurrent writer's commit has overwritten.
	writeMu sync.Mutex
}

// entityLink is the persisted state of one link.
type entityLink struct {
	minute int64  // last seen, Unix ms of the minute
	attrs  string // encoded Attributes
}

func (l *entityLinks) get(k string) (entityLink, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	v, ok := l.seen[k]
	return v, ok
}

func (l *entityLinks) put(k string, v entityLink) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.seen == nil {
		l.seen = make(map[string]entityLink)
	}
	l.seen[k] = v
}

// current reports whether every key is linked with attrs in this minute.
func (l *entityLinks) current(keys []string, minute int64, attrs string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, k := range keys {
		if v, ok := l.seen[k]; !ok || v.minute < minute || v.attrs != attrs {
			return false
		}
	}
	return true
}

func (l *entityLinks) reset() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.seen = nil
}

// LinkEntity records that datums of the series keys arrived with e, now by
// the store's clock. A link that is new, or whose Attributes changed, is
// durable when LinkEntity returns nil (written with an fsync); a link only
// seen again in a later minute is rewritten without one, so a crash may
// take its LastSeen back by a few minutes. keys and e are not retained.
// Callers link after the datums' Append succeeded.
func (s *Store) LinkEntity(ctx context.Context, p Partition, e Entity, keys []SeriesKey) error {
	if len(keys) == 0 {
		return nil
	}
	s.appendMu.RLock()
	defer s.appendMu.RUnlock()
	if s.closed {
		return ErrClosed
	}
	now := floorDiv(s.clock.Now().UnixMilli(), minute)
	ek := appendEntityKey(nil, e.KeyAttributes)
	attrs := string(appendAttrs(nil, e.Attributes))
	links := make([]string, 0, len(keys))
	dup := make(map[string]struct{}, len(keys))
	var sk []byte
	for i := range keys {
		sk = s.encodeKey(sk[:0], p, &keys[i])
		k := string(entityLinkKey(sk, ek))
		if _, ok := dup[k]; !ok {
			dup[k] = struct{}{}
			links = append(links, k)
		}
	}
	if s.links.current(links, now, attrs) {
		return nil
	}
	s.links.writeMu.Lock()
	defer s.links.writeMu.Unlock()
	b := s.db.NewBatch()
	defer b.Close()
	durable := false
	written := map[string]entityLink{}
	for _, k := range links {
		old, ok := s.links.get(k)
		if !ok {
			var err error
			if old, ok, err = s.loadEntityLink(k); err != nil {
				return err
			}
			if ok {
				s.links.put(k, old)
			}
		}
		seen := now
		switch {
		case !ok:
			durable = true
		case old.attrs != attrs:
			durable, seen = true, max(now, old.minute)
		case old.minute >= now:
			continue
		}
		v := binary.BigEndian.AppendUint64(nil, uint64(seen))
		if err := b.Set([]byte(k), append(v, attrs...), nil); err != nil {
			return fmt.Errorf("metricstore: link entity: %w", err)
		}
		written[k] = entityLink{minute: seen, attrs: attrs}
	}
	if len(written) == 0 {
		return nil
	}
	opts := pebble.NoSync
	if durable {
		opts = pebble.Sync
	}
	if err := b.Commit(opts); err != nil {
		return fmt.Errorf("metricstore: link entity: %w", err)
	}
	for k, l := range written {
		s.links.put(k, l)
	}
	return nil
}

func (s *Store) loadEntityLink(k string) (entityLink, bool, error) {
	v, c, err := s.db.Get([]byte(k))
	if errors.Is(err, pebble.ErrNotFound) {
		return entityLink{}, false, nil
	}
	if err != nil {
		return entityLink{}, false, fmt.Errorf("metricstore: read entity link: %w", err)
	}
	defer c.Close()
	if len(v) < 8 {
		return entityLink{}, false, errCorruptEntity
	}
	return entityLink{minute: int64(binary.BigEndian.Uint64(v)), attrs: string(v[8:])}, true, nil
}

// Entities returns the entities series k has been sent with, the most
// recently seen first (then by KeyAttributes), whether or not the series
// still has data.
func (s *Store) Entities(ctx context.Context, p Partition, k SeriesKey) ([]SeriesEntity, error) {
	lo := entityLinkKey(s.encodeKey(nil, p, &k), nil)
	it, err := s.db.NewIter(&pebble.IterOptions{LowerBound: lo, UpperBound: prefixEnd(lo)})
	if err != nil {
		return nil, fmt.Errorf("metricstore: list entities: %w", err)
	}
	defer it.Close()
	var out []SeriesEntity
	for ok := it.First(); ok; ok = it.Next() {
		e, err := decodeEntityLink(it.Key()[len(lo):], it.Value())
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	if err := it.Error(); err != nil {
		return nil, fmt.Errorf("metricstore: list entities: %w", err)
	}
	// The scan is in KeyAttributes order; stable keeps it among equals.
	slices.SortStableFunc(out, func(a, b SeriesEntity) int { return b.LastSeen.Compare(a.LastSeen) })
	return out, nil
}

var errCorruptEntity = errors.New("metricstore: corrupt entity link")

func entityLinkKey(seriesKey, entityKey []byte) []byte {
	b := make([]byte, 0, len(prefixEntity)+binary.MaxVarintLen64+len(seriesKey)+len(entityKey))
	b = append(b, prefixEntity...)
	b = binary.AppendUvarint(b, uint64(len(seriesKey)))
	b = append(b, seriesKey...)
	return append(b, entityKey...)
}

func sortedNames(m map[string]string) []string {
	names := make([]string, 0, len(m))
	for k := range m {
		names = append(names, k)
	}
	slices.Sort(names)
	return names
}

func appendEntityKey(b []byte, keyAttrs map[string]string) []byte {
	for _, n := range sortedNames(keyAttrs) {
		b = appendOrd(appendOrd(b, n), keyAttrs[n])
	}
	return b
}

func appendAttrs(b []byte, attrs map[string]string) []byte {
	b = binary.AppendUvarint(b, uint64(len(attrs)))
	for _, n := range sortedNames(attrs) {
		b = appendLP(appendLP(b, n), attrs[n])
	}
	return b
}

// decodeEntityLink parses a link's entity key and value.
func decodeEntityLink(key, val []byte) (SeriesEntity, error) {
	e := SeriesEntity{Entity: Entity{KeyAttributes: map[string]string{}, Attributes: map[string]string{}}}
	for len(key) > 0 {
		var n, v string
		var err error
		if n, key, err = readOrd(key); err != nil {
			return e, errCorruptEntity
		}
		if v, key, err = readOrd(key); err != nil {
			return e, errCorruptEntity
		}
		e.KeyAttributes[n] = v
	}
	if len(val) < 8 {
		return e, errCorruptEntity
	}
	e.LastSeen = time.UnixMilli(int64(binary.BigEndian.Uint64(val))).UTC()
	r := reader{b: val[8:]}
	for n := r.uvarint(); n > 0 && r.err == nil; n-- {
		name, v := r.lp(), r.lp()
		e.Attributes[string(name)] = string(v)
	}
	if r.err != nil || len(r.b) != 0 {
		return e, errCorruptEntity
	}
	return e, nil
}
