package audit

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/cockroachdb/pebble/v2"
)

// Key layout (all under "audit/", the DB being shared):
//
//	audit/p/<lp account><lp region><inv time><event id>      → StoredEvent JSON
//	audit/i/<lp account><lp region><attr><lp value><inv time><event id> → empty
//
// lp is a uvarint length followed by the bytes, so no account, region or
// attribute value can be a prefix of another's keys. inv time is the
// bit-inverted, sign-flipped big-endian nanoseconds of eventTime, so keys
// sort newest first; the event id (last, unprefixed) breaks ties in
// ascending order. An index key names its primary key: same account,
// region, time and id.
const (
	prefixPrimary = "audit/p/"
	prefixIndex   = "audit/i/"
)

var attrCode = map[string]byte{
	AttrEventID: 1, AttrEventName: 2, AttrReadOnly: 3, AttrUsername: 4,
	AttrResourceType: 5, AttrResourceName: 6, AttrEventSource: 7, AttrAccessKeyID: 8,
}

type pebbleStore struct{ db *pebble.DB }

// NewPebbleStore returns a Store keeping events in db under "audit/". The
// caller owns db and closes it after the last use of the store.
func NewPebbleStore(db *pebble.DB) Store { return &pebbleStore{db: db} }

func appendLP(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

func invTime(t time.Time) uint64 {
	return ^(uint64(t.UnixNano()) ^ (1 << 63))
}

func timeOfInv(v uint64) time.Time {
	return time.Unix(0, int64(^v^(1<<63))).UTC()
}

func partition(prefix, account, region string) []byte {
	b := make([]byte, 0, len(prefix)+len(account)+len(region)+4)
	b = append(b, prefix...)
	b = appendLP(b, account)
	return appendLP(b, region)
}

func primaryKey(account, region string, t time.Time, id string) []byte {
	b := partition(prefixPrimary, account, region)
	b = binary.BigEndian.AppendUint64(b, invTime(t))
	return append(b, id...)
}

func indexPrefix(account, region string, attr byte, value string) []byte {
	b := partition(prefixIndex, account, region)
	b = append(b, attr)
	return appendLP(b, value)
}

func (s *pebbleStore) Append(ctx context.Context, events []*Event) error {
	if len(events) == 0 {
		return nil
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	b := s.db.NewBatch()
	defer b.Close()
	for _, e := range events {
		if err := addEvent(b, e); err != nil {
			return err
		}
	}
	return b.Commit(pebble.Sync)
}

func addEvent(b *pebble.Batch, e *Event) error {
	account, region := e.RecipientAccountID, e.AWSRegion
	if account == "" || region == "" || e.EventID == "" {
		return fmt.Errorf("audit: event %q lacks account, region or id", e.EventID)
	}
	se, err := e.Stored()
	if err != nil {
		return fmt.Errorf("audit: encode event %s: %w", e.EventID, err)
	}
	val := encodeStored(make([]byte, 0, 64+len(se.Record)), se)
	if err := b.Set(primaryKey(account, region, se.EventTime, se.EventID), val, nil); err != nil {
		return err
	}
	var ierr error
	se.attributes(func(key, value string) {
		if ierr == nil {
			ierr = b.Set(indexKey(account, region, key, value, se.EventTime, se.EventID), nil, nil)
		}
	})
	return ierr
}

func indexKey(account, region, key, value string, t time.Time, id string) []byte {
	k := indexPrefix(account, region, attrCode[key], value)
	k = binary.BigEndian.AppendUint64(k, invTime(t))
	return append(k, id...)
}

func (s *pebbleStore) Lookup(ctx context.Context, q Query) (Page, error) {
	if q.Account == "" || q.Region == "" {
		return Page{}, fmt.Errorf("%w: account and region are required", ErrBadQuery)
	}
	limit := q.Limit
	if limit <= 0 {
		limit = 50
	}
	var prefix []byte
	if q.Attribute != (Attribute{}) {
		code, ok := attrCode[q.Attribute.Key]
		if !ok {
			return Page{}, fmt.Errorf("%w: unknown attribute key %q", ErrBadQuery, q.Attribute.Key)
		}
		prefix = indexPrefix(q.Account, q.Region, code, q.Attribute.Value)
	} else {
		prefix = partition(prefixPrimary, q.Account, q.Region)
	}
	// Newest first: End bounds the lower key, Start the upper.
	lower := append([]byte(nil), prefix...)
	if !q.End.IsZero() {
		lower = binary.BigEndian.AppendUint64(lower, invTime(q.End))
	}
	if q.After != nil {
		after := binary.BigEndian.AppendUint64(append([]byte(nil), prefix...), invTime(q.After.Time))
		after = append(append(after, q.After.EventID...), 0)
		if bytes.Compare(after, lower) > 0 {
			lower = after
		}
	}
	var upper []byte
	if !q.Start.IsZero() && invTime(q.Start) != math.MaxUint64 {
		upper = binary.BigEndian.AppendUint64(append([]byte(nil), prefix...), invTime(q.Start)+1)
	} else {
		upper = successor(prefix)
	}
	if bytes.Compare(lower, upper) >= 0 {
		return Page{}, nil
	}
	it, err := s.db.NewIterWithContext(ctx, &pebble.IterOptions{LowerBound: lower, UpperBound: upper})
	if err != nil {
		return Page{}, err
	}
	defer it.Close()
	var page Page
	primary := q.Attribute == (Attribute{})
	for ok := it.First(); ok; ok = it.Next() {
		if len(page.Events) == limit {
			last := page.Events[limit-1]
			page.Next = &Cursor{Time: last.EventTime, EventID: last.EventID}
			break
		}
		var se *StoredEvent
		if primary {
			if se, err = decodeStored(it.Value()); err != nil {
				return Page{}, err
			}
		} else {
			k := it.Key()[len(prefix):]
			if len(k) < 8 {
				return Page{}, fmt.Errorf("audit: malformed index key %q", it.Key())
			}
			pk := primaryKey(q.Account, q.Region, timeOfInv(binary.BigEndian.Uint64(k)), string(k[8:]))
			v, closer, gerr := s.db.Get(pk)
			if errors.Is(gerr, pebble.ErrNotFound) {
				continue // swept between the index and the primary read
			}
			if gerr != nil {
				return Page{}, gerr
			}
			se, err = decodeStored(v) // copies out of v
			closer.Close()
			if err != nil {
				return Page{}, err
			}
		}
		page.Events = append(page.Events, se)
	}
	if err := it.Error(); err != nil {
		return Page{}, err
	}
	return page, nil
}

// successor returns the smallest key greater than every key with prefix p.
func successor(p []byte) []byte {
	s := append([]byte(nil), p...)
	for i := len(s) - 1; i >= 0; i-- {
		if s[i] != 0xff {
			s[i]++
			return s[:i+1]
		}
	}
	return nil // unreachable for our prefixes
}

// sweepBatch bounds the size of one Sweep commit.
const sweepBatch = 1024

func (s *pebbleStore) Sweep(ctx context.Context, olderThan time.Time) (int, error) {
	// Events older than the cutoff sort after it within each partition.
	cut := invTime(olderThan)
	it, err := s.db.NewIterWithContext(ctx, &pebble.IterOptions{
		LowerBound: []byte(prefixPrimary), UpperBound: successor([]byte(prefixPrimary)),
	})
	if err != nil {
		return 0, err
	}
	defer it.Close()
	deleted := 0
	b := s.db.NewBatch()
	defer func() { b.Close() }()
	flush := func() error {
		if b.Empty() {
			return nil
		}
		if err := b.Commit(pebble.Sync); err != nil {
			return err
		}
		b.Close()
		b = s.db.NewBatch()
		return nil
	}
	for ok := it.First(); ok; {
		if err := ctx.Err(); err != nil {
			return deleted, err
		}
		key := it.Key()
		account, region, rest, perr := parsePartition(key[len(prefixPrimary):])
		if perr != nil || len(rest) < 8 {
			return deleted, fmt.Errorf("audit: malformed primary key %q", key)
		}
		part := partition(prefixPrimary, account, region)
		if binary.BigEndian.Uint64(rest) <= cut {
			// Newer than the cutoff: jump to the partition's old tail.
			ok = it.SeekGE(binary.BigEndian.AppendUint64(part, cut+1))
			if cut == math.MaxUint64 {
				ok = it.SeekGE(successor(part))
			}
			continue
		}
		se, err := decodeStored(it.Value())
		if err != nil {
			return deleted, err
		}
		if err := b.Delete(key, nil); err != nil {
			return deleted, err
		}
		se.attributes(func(k, v string) {
			if err == nil {
				err = b.Delete(indexKey(account, region, k, v, se.EventTime, se.EventID), nil)
			}
		})
		if err != nil {
			return deleted, err
		}
		deleted++
		if deleted%sweepBatch == 0 {
			if err := flush(); err != nil {
				return deleted, err
			}
		}
		ok = it.Next()
	}
	if err := it.Error(); err != nil {
		return deleted, err
	}
	return deleted, flush()
}

func parsePartition(b []byte) (account, region string, rest []byte, err error) {
	read := func() (string, bool) {
		n, w := binary.Uvarint(b)
		if w <= 0 || uint64(len(b)-w) < n {
			return "", false
		}
		s := string(b[w : w+int(n)])
		b = b[w+int(n):]
		return s, true
	}
	var ok1, ok2 bool
	account, ok1 = read()
	region, ok2 = read()
	if !ok1 || !ok2 {
		return "", "", nil, errors.New("bad partition")
	}
	return account, region, b, nil
}
