package metricstore

import (
	"context"
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/vigilhq/vigil/internal/clock"
)

// Keys that fingerprint alike (same length and outer bytes, or differing
// only in dimension names) share a set, more of them than it has ways; they
// are told apart by comparing them whole.
func TestKeyCacheConfirmsHits(t *testing.T) {
	c := newKeyCache()
	p := Partition{Account: "1", Region: "r"}
	var keys []SeriesKey
	for _, mid := range "0123456" { // same first and last 8 bytes
		keys = append(keys, SeriesKey{Namespace: "NS", MetricName: "latency-" + string(mid) + "123456789-a"})
	}
	keys = append(keys,
		SeriesKey{Namespace: "NS", MetricName: "m", Dims: []Dim{{Name: "A", Value: "1"}}},
		SeriesKey{Namespace: "NS", MetricName: "m", Dims: []Dim{{Name: "B", Value: "1"}}},
		SeriesKey{Namespace: "NS2", MetricName: "m", Dims: []Dim{{Name: "B", Value: "1"}}})
	sers := make([]*series, len(keys))
	for i := range keys {
		sers[i] = &series{id: uint64(i)}
	}
	if keyHash(&keys[0]) != keyHash(&keys[6]) || keyHash(&keys[7]) != keyHash(&keys[9]) {
		t.Fatal("the test's keys were meant to hash alike")
	}
	for i := range keys {
		c.put(p, &keys[i], sers[i])
		// The latest put is always found; others of its set may be
		// evicted but are never mistaken for it.
		if got := c.get(p, &keys[i]); got != sers[i] {
			t.Fatalf("key %d: got %v right after put", i, got)
		}
		for j := range keys {
			if got := c.get(p, &keys[j]); got != nil && got != sers[j] {
				t.Fatalf("key %d resolved to key %d's series", j, got.id)
			}
		}
	}
	if got := c.get(Partition{Account: "2", Region: "r"}, &keys[9]); got != nil {
		t.Fatal("a key was found in another account")
	}
	// The cache keeps its own copies: changing the caller's key after put
	// does not change what it matches.
	k := SeriesKey{Namespace: "NS", MetricName: "m", Dims: []Dim{{Name: "A", Value: "1"}}}
	c.put(p, &k, sers[0])
	k.Dims[0].Value = "2"
	if c.get(p, &k) != nil {
		t.Fatal("the cache matched a key through the caller's memory")
	}
}

func TestFingerprintReadsShortAndLongStrings(t *testing.T) {
	seen := map[uint64]string{}
	for _, s := range []string{"", "a", "ab", "abcdefg", "abcdefgh", "abcdefghi", "host-1", "host-2", "host-0000000001", "host-0000000002"} {
		f := fingerprint(s)
		if prev, dup := seen[f]; dup {
			t.Errorf("%q and %q fingerprint alike", prev, s)
		}
		seen[f] = s
	}
}

// Appends resolve through the cache to the same series as through the
// encoded keys, across many series (so slots collide), unsorted dimensions,
// reopening (series reloaded from the WAL) and Reset.
func TestAppendThroughKeyCache(t *testing.T) {
	dir := t.TempDir()
	clk := clock.NewFake(base)
	p := Partition{Account: "1", Region: "r"}
	const n = 3000
	keys := make([]SeriesKey, n)
	for i := range keys {
		keys[i] = SeriesKey{Namespace: "NS", MetricName: fmt.Sprintf("m%d", i%7), Dims: []Dim{{Name: "Host", Value: fmt.Sprintf("h%d", i)}, {Name: "Zone", Value: "z"}}}
	}
	unsorted := SeriesKey{Namespace: "NS", MetricName: "m0", Dims: []Dim{{Name: "Zone", Value: "z"}, {Name: "Host", Value: "h0"}}}
	put := func(s *Store) {
		ds := make([]Datum, 0, n+1)
		for _, k := range keys {
			ds = append(ds, Datum{Key: k, T: base.UnixMilli(), Value: 1, Count: 1})
		}
		ds = append(ds, Datum{Key: unsorted, T: base.UnixMilli(), Value: 1, Count: 1})
		for off := 0; off < len(ds); off += 1000 {
			if err := s.Append(context.Background(), p, ds[off:min(off+1000, len(ds))]); err != nil {
				t.Fatal(err)
			}
		}
	}
	check := func(s *Store, rounds float64) {
		t.Helper()
		for i := 0; i < n; i += 97 {
			want := rounds
			if i == 0 {
				want *= 2
			}
			if got := countAll(t, s, p, keys[i], base, base.Add(time.Hour)); got != want {
				t.Fatalf("series %d: %v datums, want %v", i, got, want)
			}
		}
		s.mapMu.RLock()
		defer s.mapMu.RUnlock()
		if len(s.series) != n {
			t.Fatalf("%d series, want %d", len(s.series), n)
		}
	}
	grown := func(s *Store) {
		t.Helper()
		if got := len(s.keys.tab.Load().slots); got < 2*n {
			t.Fatalf("the key cache has %d slots for %d series", got, n)
		}
	}
	func() {
		db := openPebble(t, dir)
		defer db.Close()
		s, err := Open(db, dir+"/metrics", Options{Clock: clk, Logger: quiet})
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		put(s)
		put(s)
		check(s, 2)
		grown(s)
	}()
	s := testStore(t, dir, clk) // series come back from the WAL, not cached
	check(s, 2)
	put(s)
	check(s, 3)
	grown(s)
	if err := s.Reset(context.Background()); err != nil {
		t.Fatal(err)
	}
	put(s) // must not write into the series Reset dropped
	check(s, 1)
}

// Names that differ in a digit or two spread over the sets as random ones
// would (a weaker mix once put 100,000 such keys in a fifth of the sets).
func TestKeyCacheSpread(t *testing.T) {
	c := newKeyCache()
	used := map[*keySlot]bool{}
	const n = 100_000
	c.fit(n)
	tab := c.tab.Load()
	for id := range n {
		k := SeriesKey{Namespace: "Bench", MetricName: fmt.Sprintf("m%d", id%10), Dims: []Dim{{Name: "Host", Value: fmt.Sprintf("host-%d", id/10)}, {Name: "Shard", Value: fmt.Sprintf("s%d", id%7)}}}
		used[&tab.set(keyHash(&k))[0]] = true
	}
	sets := len(tab.slots) / keyCacheWays
	// Random placement leaves e^(-n/sets) of the sets empty.
	if want := float64(sets) * (1 - math.Exp(-float64(n)/float64(sets))) * 0.95; float64(len(used)) < want {
		t.Fatalf("%d keys used %d of %d sets, want ≥ %.0f", n, len(used), sets, want)
	}
}
