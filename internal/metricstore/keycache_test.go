package metricstore

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/vigilhq/vigil/internal/clock"
)

// Keys that fingerprint alike (same length and outer bytes, or filed in
// the same pair of slots) are told apart by comparing them whole.
func TestKeyCacheConfirmsHits(t *testing.T) {
	c := newKeyCache()
	p := Partition{Account: "1", Region: "r"}
	keys := []SeriesKey{
		{Namespace: "NS", MetricName: "latency-0123456789-a"},
		{Namespace: "NS", MetricName: "latency-0X23456789-a"}, // same first and last 8 bytes' positions differ only inside
		{Namespace: "NS", MetricName: "latency-0123456789-a", Dims: []Dim{{Name: "A", Value: "1"}}},
		{Namespace: "NS", MetricName: "latency-0123456789-a", Dims: []Dim{{Name: "B", Value: "1"}}},
		{Namespace: "NS2", MetricName: "latency-0123456789-a"},
	}
	sers := make([]*series, len(keys))
	for i := range keys {
		sers[i] = &series{id: uint64(i)}
	}
	if c.index(&keys[0]) != c.index(&keys[1]) || c.index(&keys[2]) != c.index(&keys[3]) {
		t.Fatal("the test's keys were meant to collide")
	}
	for i := range keys {
		c.put(p, &keys[i], sers[i])
		// The latest put is always found; colliding others may be evicted
		// but are never mistaken for it.
		if got := c.get(p, &keys[i]); got != sers[i] {
			t.Fatalf("key %d: got %v right after put", i, got)
		}
		for j := range keys {
			if got := c.get(p, &keys[j]); got != nil && got != sers[j] {
				t.Fatalf("key %d resolved to key %d's series", j, got.id)
			}
		}
	}
	if got := c.get(Partition{Account: "2", Region: "r"}, &keys[4]); got != nil {
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
	}()
	s := testStore(t, dir, clk)
	check(s, 2)
	put(s)
	check(s, 3)
	if err := s.Reset(context.Background()); err != nil {
		t.Fatal(err)
	}
	put(s) // must not write into the series Reset dropped
	check(s, 1)
}
