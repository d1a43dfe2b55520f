package metricstore

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/vigilhq/vigil/internal/clock"
	"github.com/vigilhq/vigil/internal/crashtest"
	"github.com/vigilhq/vigil/internal/wal"
)

func testStore(t testing.TB, dir string, clk clock.Clock) *Store {
	t.Helper()
	db := openPebble(t, dir)
	s, err := Open(db, filepath.Join(dir, "metrics"), Options{Clock: clk, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close(); db.Close() })
	return s
}

func countAll(t testing.TB, s *Store, p Partition, key SeriesKey, start, end time.Time) float64 {
	t.Helper()
	bs, err := s.Query(context.Background(), p, Query{Key: key, Start: start, End: end, Period: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	var n float64
	for _, b := range bs {
		n += b.Agg.Count
	}
	return n
}

// TestAppendSurvivesKill9 appends in a child process, which kills itself
// with SIGKILL after its Appends returned (some mid-flush); the parent
// reopens the directory and finds every acknowledged datum.
func TestAppendSurvivesKill9(t *testing.T) {
	p := Partition{"111111111111", "us-east-1"}
	dir := crashtest.Run(t, func(dir string) {
		db := openPebble(t, dir)
		s, err := Open(db, filepath.Join(dir, "metrics"), Options{Clock: clock.NewFake(base), Logger: quiet, MaxHeadSamples: 5000})
		if err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		for w := 0; w < 4; w++ {
			wg.Add(1)
			go func(w int) {
				defer wg.Done()
				for i := 0; i < 50; i++ {
					ds := make([]Datum, 100)
					for j := range ds {
						ds[j] = Datum{Key: SeriesKey{Namespace: "NS", MetricName: "m", Dims: []Dim{{"w", strconv.Itoa(w)}, {"j", strconv.Itoa(j % 7)}}},
							T: base.UnixMilli() + int64(i)*1000, Value: float64(j), Count: 1, HighRes: j%2 == 0}
					}
					if err := s.Append(context.Background(), p, ds); err != nil {
						panic(err)
					}
				}
			}(w)
		}
		wg.Wait()
		// Every Append above has returned: the kill follows without closing anything.
	})
	s := testStore(t, dir, clock.NewFake(base))
	total := 0.0
	for w := 0; w < 4; w++ {
		for j := 0; j < 7; j++ {
			total += countAll(t, s, p, SeriesKey{Namespace: "NS", MetricName: "m", Dims: []Dim{{"j", strconv.Itoa(j)}, {"w", strconv.Itoa(w)}}}, base, base.Add(time.Hour))
		}
	}
	if total != 4*50*100 {
		t.Fatalf("after kill -9: %v datums, want %d", total, 4*50*100)
	}
	infos, err := s.Series(context.Background(), p, SeriesFilter{}, nil, 0)
	if err != nil || len(infos) != 28 {
		t.Fatalf("series after kill -9: %d %v", len(infos), err)
	}
}

// TestTornRecordIgnored cuts the last WAL record short: replay keeps the
// records before it.
func TestTornRecordIgnored(t *testing.T) {
	dir := t.TempDir()
	p := Partition{"1", "r"}
	key := SeriesKey{Namespace: "NS", MetricName: "m"}
	func() {
		db := openPebble(t, dir)
		defer db.Close()
		s, err := Open(db, filepath.Join(dir, "metrics"), Options{Clock: clock.NewFake(base), Logger: quiet})
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i < 3; i++ {
			if err := s.Append(context.Background(), p, []Datum{{Key: key, T: base.UnixMilli(), Value: 1, Count: 1}}); err != nil {
				t.Fatal(err)
			}
		}
		s.Close()
	}()
	segs, _ := wal.Segments(filepath.Join(dir, "metrics"))
	last := filepath.Join(dir, "metrics", wal.SegmentName(segs[len(segs)-1]))
	fi, err := os.Stat(last)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(last, fi.Size()-3); err != nil {
		t.Fatal(err)
	}
	s := testStore(t, dir, clock.NewFake(base))
	if n := countAll(t, s, p, key, base, base.Add(time.Hour)); n != 2 {
		t.Fatalf("after torn record: %v datums, want 2", n)
	}
	// The store keeps working and the torn tail does not come back.
	if err := s.Append(context.Background(), p, []Datum{{Key: key, T: base.UnixMilli(), Value: 1, Count: 1}}); err != nil {
		t.Fatal(err)
	}
	if err := s.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n := countAll(t, s, p, key, base, base.Add(time.Hour)); n != 3 {
		t.Fatalf("after append+flush: %v datums, want 3", n)
	}
}

// TestConcurrentAppendQueryFlush checks that every datum is counted exactly
// once while Appends, Queries and flushes race.
func TestConcurrentAppendQueryFlush(t *testing.T) {
	dir := t.TempDir()
	clk := clock.NewFake(base)
	db := openPebble(t, dir)
	defer db.Close()
	s, err := Open(db, filepath.Join(dir, "metrics"), Options{Clock: clk, Logger: quiet, MaxHeadSamples: 3000, NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	p := Partition{"1", "r"}
	key := func(i int) SeriesKey {
		return SeriesKey{Namespace: "NS", MetricName: "m", Dims: []Dim{{"i", strconv.Itoa(i % 10)}}}
	}
	ctx := context.Background()
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for w := 0; w < 3; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// ~50 flushes race the queries: a view taken across a
			// flush's freeze once counted the flushed samples twice.
			for i := 0; i < 1000; i++ {
				ds := make([]Datum, 50)
				for j := range ds {
					ds[j] = Datum{Key: key(j), T: base.UnixMilli() + int64(i*j), Value: 2, Count: 1}
				}
				if err := s.Append(ctx, p, ds); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	var qwg sync.WaitGroup
	for range 4 {
		qwg.Add(1)
		go queryMonotonic(t, &qwg, stop, func() float64 {
			n := 0.0
			for i := 0; i < 10; i++ {
				n += countAll(t, s, p, key(i), base, base.Add(time.Hour))
			}
			return n
		})
	}
	wg.Wait()
	close(stop)
	qwg.Wait()
	if err := s.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	n := 0.0
	for i := 0; i < 10; i++ {
		n += countAll(t, s, p, key(i), base, base.Add(time.Hour))
	}
	if n != 3*1000*50 {
		t.Fatalf("total %v, want %d", n, 3*1000*50)
	}
}

// queryMonotonic runs count until stop is closed and fails t if a count is
// ever lower than the one before.
func queryMonotonic(t *testing.T, wg *sync.WaitGroup, stop <-chan struct{}, count func() float64) {
	defer wg.Done()
	last := 0.0
	for {
		select {
		case <-stop:
			return
		default:
		}
		n := count()
		if n < last {
			t.Errorf("count went backwards: %v after %v", n, last)
			return
		}
		last = n
	}
}

func TestAppendRefusals(t *testing.T) {
	s := testStore(t, t.TempDir(), clock.NewFake(base))
	p := Partition{"1", "r"}
	k := SeriesKey{Namespace: "NS", MetricName: "m"}
	many := make([]Dim, 31)
	for i := range many {
		many[i] = Dim{fmt.Sprint("d", i), "v"}
	}
	cases := []struct {
		name string
		d    Datum
		want error
	}{
		{"unit", Datum{Key: k, Unit: "Furlongs", Value: 1}, ErrUnknownUnit},
		{"dims", Datum{Key: SeriesKey{Namespace: "NS", MetricName: "m", Dims: many}, Value: 1}, ErrTooManyDims},
		{"nan", Datum{Key: k, Value: nan()}, ErrInvalidValue},
		{"count", Datum{Key: k, Value: 1, Count: -1}, ErrInvalidValue},
		{"set", Datum{Key: k, IsSet: true, SetCount: 0, Sum: 1, Min: 1, Max: 1}, ErrInvalidValue},
	}
	for _, c := range cases {
		// A bad datum refuses the whole batch: the good one before it is not stored.
		err := s.Append(context.Background(), p, []Datum{{Key: k, T: base.UnixMilli(), Value: 5}, c.d})
		if !errors.Is(err, c.want) {
			t.Errorf("%s: err %v, want %v", c.name, err, c.want)
		}
	}
	if n := countAll(t, s, p, k, base.Add(-time.Hour), base.Add(time.Hour)); n != 0 {
		t.Fatalf("refused batches stored %v datums", n)
	}
	if infos, _ := s.Series(context.Background(), p, SeriesFilter{}, nil, 0); len(infos) != 0 {
		t.Fatalf("refused batches created series: %v", infos)
	}
	s.Close()
	if err := s.Append(context.Background(), p, []Datum{{Key: k, Value: 1}}); !errors.Is(err, ErrClosed) {
		t.Fatalf("append after close: %v", err)
	}
}

func TestQueryBadPeriod(t *testing.T) {
	s := testStore(t, t.TempDir(), clock.NewFake(base))
	for _, d := range []time.Duration{0, 500 * time.Millisecond, 1500 * time.Millisecond} {
		_, err := s.Query(context.Background(), Partition{}, Query{Start: base, End: base.Add(time.Hour), Period: d})
		if !errors.Is(err, ErrBadQuery) {
			t.Errorf("period %v: %v", d, err)
		}
	}
}
