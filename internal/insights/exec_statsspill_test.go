package insights

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/vigilhq/vigil/internal/insights/query"
	"github.com/vigilhq/vigil/internal/logstore"
)

// spillLines are events with many distinct ids, a few levels and hosts,
// numbers that sum exactly (multiples of 0.25, sometimes as numeric
// strings) and missing fields.
func spillLines(seed uint64, n int) []string {
	r := rand.New(rand.NewPCG(seed, 11))
	out := make([]string, n)
	for i := range out {
		var parts []string
		if r.IntN(20) != 0 {
			parts = append(parts, fmt.Sprintf(`"id":"req-%04d"`, r.IntN(n/2)))
		}
		parts = append(parts, fmt.Sprintf(`"level":%q`, []string{"INFO", "WARN", "ERROR"}[r.IntN(3)]))
		if r.IntN(4) != 0 {
			parts = append(parts, fmt.Sprintf(`"host":"h%d"`, r.IntN(7)))
		}
		switch r.IntN(6) {
		case 0: // no v
		case 1:
			parts = append(parts, fmt.Sprintf(`"v":"%d"`, r.IntN(50)))
		default:
			parts = append(parts, fmt.Sprintf(`"v":%g`, float64(r.IntN(400)-100)/4))
		}
		if r.IntN(3) != 0 {
			parts = append(parts, fmt.Sprintf(`"user":"u%d"`, r.IntN(40)))
		}
		out[i] = "{" + strings.Join(parts, ",") + "}"
	}
	return out
}

// spillQuery is a random stats query: 1 to 4 aggregations of every kind,
// 1 to 3 by fields, and sometimes commands after it (a top-k sort, a
// limit, a filter, which reads every row).
func spillQuery(r *rand.Rand) string {
	aggs := []string{
		"count(*)", "count(v)", "count_distinct(user)", "sum(v)", "avg(v)", "min(v)", "max(v)",
		"pct(v, 50)", "pct(v, 90)", "stddev(v)", "earliest(user)", "latest(v)", "sortsFirst(user)", "sortsLast(v)",
	}
	bys := []string{"id", "level", "host", "user", "bin(1m)"}
	var items []string
	for i := range 1 + r.IntN(4) {
		items = append(items, fmt.Sprintf("%s as a%d", aggs[r.IntN(len(aggs))], i))
	}
	r.Shuffle(len(bys), func(i, j int) { bys[i], bys[j] = bys[j], bys[i] })
	by := bys[:1+r.IntN(3)]
	if !strings.Contains(strings.Join(by, ","), "id") && r.IntN(2) == 0 {
		by[0] = "id" // most queries have many groups
	}
	q := "stats " + strings.Join(items, ", ") + " by " + strings.Join(by, ", ")
	switch r.IntN(5) {
	case 1:
		q += " | sort a0 desc | limit 25"
	case 2:
		q += fmt.Sprintf(" | limit %d", 1+r.IntN(40))
	case 3:
		q += " | filter ispresent(a0) | sort a0 asc"
	case 4:
		q += " | sort a0 asc | fields a0 * 2 as twice"
	}
	return q
}

// TestStatsSpillMatchesMemory runs random stats queries with a budget so
// small that every query spills many times (and merges recursively), and
// requires the answers of the unbounded engine.
func TestStatsSpillMatchesMemory(t *testing.T) {
	ctx := context.Background()
	s := openStore(t)
	const t0 = int64(1700000000000)
	lines := spillLines(1, 4000)
	for part := range 4 { // three flushes (column-wise blocks) and the head
		var evs []logstore.Event
		for i := part * 1000; i < (part+1)*1000; i++ {
			evs = append(evs, logstore.Event{Timestamp: t0 + int64(i)*100, IngestionTime: t0, Message: []byte(lines[i])})
		}
		if err := s.Append(ctx, testPart, "g", fmt.Sprint("s", part%2), evs); err != nil {
			t.Fatal(err)
		}
		if part < 3 {
			if err := s.Flush(ctx); err != nil {
				t.Fatal(err)
			}
		}
	}
	var spillCount atomic.Int64
	testOnSpill = func() { spillCount.Add(1) }
	defer func() { testOnSpill = nil }()
	memory := NewEngine(s, nil)
	r := rand.New(rand.NewPCG(2, 3))
	for range 60 {
		qs := spillQuery(r)
		dir := t.TempDir()
		bounded := NewEngine(s, nil)
		bounded.spillGroups, bounded.spillDir = 16+r.IntN(64), dir
		limit := []int{0, 0, 5, 300}[r.IntN(4)]
		spec := Spec{Partition: testPart, Query: query.MustParse(qs), Groups: []string{"g"}, Start: t0, End: t0 + 4000*100, Limit: limit}
		before := spillCount.Load()
		want, wantSt, err := memory.Run(ctx, spec, nil)
		if err != nil {
			t.Fatalf("%s: %v", qs, err)
		}
		if spillCount.Load() != before {
			t.Fatalf("%s: the default budget spilled", qs)
		}
		got, gotSt, err := bounded.Run(ctx, spec, nil)
		if err != nil {
			t.Fatalf("%s (budget %d): %v", qs, bounded.spillGroups, err)
		}
		if len(want) == 0 {
			t.Fatalf("%s: no rows: the case proves nothing", qs)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s (budget %d, limit %d):\nspilled: %s\nmemory:  %s", qs, bounded.spillGroups, limit, brief(got), brief(want))
		}
		if gotSt != wantSt {
			t.Errorf("%s: statistics %+v, want %+v", qs, gotSt, wantSt)
		}
		if n := spillCount.Load() - before; len(want) > 2*bounded.spillGroups && n < 2 {
			t.Errorf("%s: %d rows, budget %d: %d spills", qs, len(want), bounded.spillGroups, n)
		}
		assertEmptyDir(t, dir)
	}
	if n := spillCount.Load(); n < 100 {
		t.Fatalf("%d spills in all: the test proves less than it should", n)
	}
}

func assertEmptyDir(t *testing.T, dir string) {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(ents) != 0 {
		t.Fatalf("%s: %d entries left (%s ...)", dir, len(ents), ents[0].Name())
	}
}

// TestStatsSpillCancelRemovesFiles: a query cancelled after it spilled
// fails with the cancellation and leaves no file behind.
func TestStatsSpillCancelRemovesFiles(t *testing.T) {
	s := openStore(t)
	const t0 = int64(1700000000000)
	var evs []logstore.Event
	for i, l := range spillLines(4, 2000) {
		evs = append(evs, logstore.Event{Timestamp: t0 + int64(i), Message: []byte(l)})
	}
	if err := s.Append(context.Background(), testPart, "g", "s", evs); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var spilled atomic.Bool
	testOnSpill = func() { spilled.Store(true); cancel() }
	defer func() { testOnSpill = nil }()
	dir := t.TempDir()
	e := NewEngine(s, nil)
	e.spillGroups, e.spillDir = 8, dir
	spec := Spec{Partition: testPart, Query: query.MustParse("stats count(*) by id"), Groups: []string{"g"}, Start: t0, End: t0 + 2000}
	_, _, err := e.Run(ctx, spec, nil)
	if !spilled.Load() {
		t.Fatal("no spill: the test proves nothing")
	}
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	assertEmptyDir(t, dir)
}
