package metricstore

import (
	"bytes"
	"context"
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/cockroachdb/pebble/v2"

	"github.com/vigilhq/vigil/internal/clock"
)

// The table finds exactly what a map would, through growth, and with
// every key sharing one hash (a 64-bit collision, which probe reports and
// get resolves by comparing keys).
func TestSeriesTableMatchesMap(t *testing.T) {
	for _, collide := range []bool{false, true} {
		t.Run(fmt.Sprintf("collide=%v", collide), func(t *testing.T) {
			tab := newSeriesTable()
			want := map[string]*series{}
			hash := func(k []byte) uint64 {
				if collide {
					return 42
				}
				return tab.hash(k)
			}
			n := 3000
			if collide {
				n = 300 // every lookup walks the whole cluster
			}
			for i := 0; i < n; i++ {
				k := []byte("key-" + strconv.Itoa(i))
				if got := tab.get(k, hash(k)); got != nil {
					t.Fatalf("%s: found %q before put", k, got.key)
				}
				ser := &series{key: string(k)}
				tab.put(ser, hash(k))
				want[ser.key] = ser
			}
			if tab.len() != n || 2*tab.len() > len(tab.slots) {
				t.Fatalf("len %d in %d slots", tab.len(), len(tab.slots))
			}
			for k, ser := range want {
				if got := tab.get([]byte(k), hash([]byte(k))); got != ser {
					t.Fatalf("%s: got %v", k, got)
				}
				if !collide {
					if got := tab.getString(k); got != ser {
						t.Fatalf("getString %s: got %v", k, got)
					}
					if got := tab.probe(tab.hash([]byte(k))); got != ser {
						t.Fatalf("probe %s: got %v", k, got)
					}
				}
			}
			for _, k := range []string{"key-", "key-x", "key-" + strconv.Itoa(n), ""} {
				if got := tab.get([]byte(k), hash([]byte(k))); got != nil {
					t.Fatalf("%q: got %q", k, got.key)
				}
			}
			if collide {
				// probe stops at the first slot of the hash, whichever key
				// it holds.
				if got := tab.probe(42); got == nil {
					t.Fatal("probe of a present hash found nothing")
				}
			}
		})
	}
}

// resolve finds the right series when the table's first slot for a key's
// hash holds another series (a hash collision): the candidate's key is
// compared, and the lookup falls back to comparing keys along the probe.
func TestResolveHashCollision(t *testing.T) {
	s := testStore(t, t.TempDir(), clock.NewFake(base))
	p := Partition{"1", "r"}
	ctx := context.Background()
	key := SeriesKey{Namespace: "NS", MetricName: "m", Dims: []Dim{{"Host", "a"}}}
	enc := s.encodeKey(nil, p, &key)
	// A decoy with the key's hash, in the slot a lookup tries first.
	decoy := &series{id: 1 << 40, key: "decoy"}
	s.mapMu.Lock()
	s.series.put(decoy, s.series.hash(enc))
	s.mapMu.Unlock()
	for i := 0; i < 3; i++ { // create, then find twice
		if err := s.Append(ctx, p, []Datum{{Key: key, T: base.UnixMilli(), Value: 1, Count: 1}}); err != nil {
			t.Fatal(err)
		}
	}
	if n := countAll(t, s, p, key, base, base.Add(time.Hour)); n != 3 {
		t.Fatalf("count %v, want 3", n)
	}
	s.mapMu.RLock()
	ser := s.series.get(enc, s.series.hash(enc))
	s.mapMu.RUnlock()
	if ser == nil || ser == decoy || ser.head.len() != 3 || decoy.head.len() != 0 {
		t.Fatalf("series %+v, decoy head %d", ser, decoy.head.len())
	}
}

// A flush's batch is in key order (so that Pebble's sort of a large batch
// is a linear pass), across tiers, windows, new and known series.
func TestFlushBatchInKeyOrder(t *testing.T) {
	clk := clock.NewFake(base.Add(30 * time.Minute))
	s := testStore(t, t.TempDir(), clk)
	p := Partition{"1", "r"}
	ctx := context.Background()
	var ds []Datum
	for i := 0; i < 500; i++ {
		// Keys created in an order unrelated to their sort order.
		k := SeriesKey{Namespace: "NS", MetricName: "m" + strconv.Itoa((i*7919)%500), Dims: []Dim{{"D", strconv.Itoa(i % 13)}}}
		// Two windows of the 1-second tier and one of the 1-minute tier.
		ds = append(ds, Datum{Key: k, T: base.Add(time.Duration(i%3) * 40 * time.Minute).UnixMilli(), Value: 1, HighRes: i%2 == 0})
		ds = append(ds, Datum{Key: k, T: base.Add(-2 * time.Hour).UnixMilli(), Value: 2, HighRes: i%5 == 0})
	}
	for round := 0; round < 2; round++ { // new series, then known ones
		if err := s.Append(ctx, p, ds); err != nil {
			t.Fatal(err)
		}
		s.maintMu.Lock()
		s.appendMu.Lock()
		s.dirtyMu.Lock()
		dirty := s.dirty
		s.dirtyMu.Unlock()
		for _, ser := range dirty {
			h := ser.head
			ser.frozen = &h
		}
		var unindexed []*series
		for ser := range s.unindexed {
			unindexed = append(unindexed, ser)
		}
		s.appendMu.Unlock()
		b := s.db.NewBatch()
		if _, err := s.persistChunks(b, dirty); err != nil {
			t.Fatal(err)
		}
		if err := putUint(b, keyGen, 1); err != nil {
			t.Fatal(err)
		}
		if err := s.persistIndex(b, dirty, unindexed); err != nil {
			t.Fatal(err)
		}
		keys := batchKeys(t, b)
		b.Close()
		for _, ser := range dirty {
			ser.frozen = nil
		}
		s.maintMu.Unlock()
		if len(keys) < 500 {
			t.Fatalf("round %d: %d keys", round, len(keys))
		}
		for i := 1; i < len(keys); i++ {
			if bytes.Compare(keys[i-1], keys[i]) >= 0 {
				t.Fatalf("round %d: key %d %q after %q", round, i, keys[i], keys[i-1])
			}
		}
		// The real flush persists what the check above only encoded.
		if err := s.Flush(ctx); err != nil {
			t.Fatal(err)
		}
		clk.Advance(10 * time.Minute) // the index's last write times are due again
	}
}

func batchKeys(t *testing.T, b *pebble.Batch) [][]byte {
	t.Helper()
	var keys [][]byte
	r := b.Reader()
	for {
		_, k, _, ok, err := r.Next()
		if err != nil {
			t.Fatal(err)
		}
		if !ok {
			return keys
		}
		keys = append(keys, bytes.Clone(k))
	}
}

// appendSeriesRest's fast path encodes exactly as escaping part by part.
func FuzzAppendSeriesRest(f *testing.F) {
	f.Add("m", "Host", "host-1", "Shard", "s1", []byte("x"))
	f.Add("m\x00", "", "\x00\x00", "a\x00b", "", []byte{})
	f.Add("", "0123456789abcdef\x00", "x", "y", "0123456789abcdefgh", []byte("\x00\x01"))
	f.Fuzz(func(t *testing.T, name, d1, v1, d2, v2 string, prefix []byte) {
		k := SeriesKey{MetricName: name, Dims: []Dim{{d1, v1}, {d2, v2}}}
		for n := 0; n <= 2; n++ {
			k.Dims = k.Dims[:n]
			got := appendSeriesRest(bytes.Clone(prefix), &k)
			want := appendSeriesRestOrd(bytes.Clone(prefix), &k)
			if !bytes.Equal(got, want) {
				t.Fatalf("%+v: got %q, want %q", k, got, want)
			}
		}
	})
}

func TestZeroBytes(t *testing.T) {
	for n := 0; n < 40; n++ {
		b := bytes.Repeat([]byte{0x80}, n)
		for i := range b {
			if i%3 == 0 {
				b[i] = 0
			} else if i%3 == 1 {
				b[i] = byte(i)
			}
		}
		want := bytes.Count(b, []byte{0})
		if got := zeroBytes(b); got != want {
			t.Fatalf("%x: %d zero bytes, want %d", b, got, want)
		}
	}
}
