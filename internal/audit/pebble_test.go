package audit

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/cockroachdb/pebble/v2"
)

func TestPebbleLookupAttributes(t *testing.T) {
	ctx := context.Background()
	s := NewPebbleStore(memPebble(t))
	a := mkEvent("111111111111", "us-east-1", 1, "a")
	b := mkEvent("111111111111", "us-east-1", 2, "b")
	b.EventName, b.ReadOnly, b.EventSource = "DescribeLogGroups", true, "logs.amazonaws.com"
	b.Username, b.UserIdentity.AccessKeyID = "root", "AKROOT"
	b.LookupResources = []ResourceRef{{Type: "AWS::Logs::LogGroup", Name: "/g/1"}, {Type: "AWS::Logs::LogStream", Name: "s"}}
	c := mkEvent("111111111111", "us-east-1", 3, "c")
	c.EventSource, c.EventName, c.LookupResources = "monitoring.amazonaws.com", "PutMetricAlarm", nil
	mustAppend(t, s, a, b, c)

	for _, tc := range []struct {
		attr Attribute
		want []string
	}{
		{Attribute{}, []string{"c", "b", "a"}},
		{Attribute{AttrEventID, "b"}, []string{"b"}},
		{Attribute{AttrEventID, "B"}, nil},
		{Attribute{AttrEventName, "CreateLogGroup"}, []string{"a"}},
		{Attribute{AttrReadOnly, "true"}, []string{"b"}},
		{Attribute{AttrReadOnly, "false"}, []string{"c", "a"}},
		{Attribute{AttrUsername, "root"}, []string{"b"}},
		{Attribute{AttrUsername, "alice"}, []string{"c", "a"}},
		{Attribute{AttrResourceType, "AWS::Logs::LogGroup"}, []string{"b", "a"}},
		{Attribute{AttrResourceType, "AWS::Logs::LogStream"}, []string{"b"}},
		{Attribute{AttrResourceName, "/g/1"}, []string{"b", "a"}},
		{Attribute{AttrEventSource, "monitoring.amazonaws.com"}, []string{"c"}},
		{Attribute{AttrEventSource, "logs.amazonaws.com"}, []string{"b", "a"}},
		{Attribute{AttrAccessKeyID, "AKROOT"}, []string{"b"}},
		{Attribute{AttrAccessKeyID, "AKID111111111111"}, []string{"c", "a"}},
	} {
		p, err := s.Lookup(ctx, Query{Account: "111111111111", Region: "us-east-1", Attribute: tc.attr})
		if err != nil {
			t.Fatal(err)
		}
		if got := ids(p); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%+v: got %v want %v", tc.attr, got, tc.want)
		}
	}
	if _, err := s.Lookup(ctx, Query{Account: "1", Region: "r", Attribute: Attribute{"Nope", "x"}}); !errors.Is(err, ErrBadQuery) {
		t.Fatalf("unknown key: %v", err)
	}
	p, _ := s.Lookup(ctx, Query{Account: "111111111111", Region: "us-east-1", Attribute: Attribute{AttrEventID, "b"}})
	e := p.Events[0]
	if e.EventName != "DescribeLogGroups" || !e.ReadOnly || e.Username != "root" || !e.EventTime.Equal(t0.Add(2*time.Second)) ||
		len(e.Resources) != 2 || len(e.Record) == 0 {
		t.Fatalf("stored event: %+v", e)
	}
}

func TestPebbleIsolation(t *testing.T) {
	ctx := context.Background()
	s := NewPebbleStore(memPebble(t))
	// Account/region pairs whose naive concatenations collide.
	pairs := [][2]string{{"a", "bc"}, {"ab", "c"}, {"a", "b"}, {"a", "b\x00"}, {"", "x"}}
	for i, p := range pairs[:4] {
		mustAppend(t, s, mkEvent(p[0], p[1], i, fmt.Sprintf("e%d", i)))
	}
	for i, p := range pairs[:4] {
		for _, attr := range []Attribute{{}, {AttrEventName, "CreateLogGroup"}} {
			pg, err := s.Lookup(ctx, Query{Account: p[0], Region: p[1], Attribute: attr})
			if err != nil {
				t.Fatal(err)
			}
			if got := ids(pg); len(got) != 1 || got[0] != fmt.Sprintf("e%d", i) {
				t.Errorf("%q/%q %v: got %v", p[0], p[1], attr, got)
			}
		}
	}
	if _, err := s.Lookup(ctx, Query{Account: "", Region: "x"}); !errors.Is(err, ErrBadQuery) {
		t.Fatalf("empty account: %v", err)
	}
	// Index values must not prefix-match either.
	x := mkEvent("a", "bc", 10, "x")
	x.EventName = "CreateLogGroupX"
	mustAppend(t, s, x)
	pg, _ := s.Lookup(ctx, Query{Account: "a", Region: "bc", Attribute: Attribute{AttrEventName, "CreateLogGroup"}})
	if got := ids(pg); !reflect.DeepEqual(got, []string{"e0"}) {
		t.Fatalf("value prefix leaked: %v", got)
	}
}

func TestPebbleTimeRangeAndPaging(t *testing.T) {
	ctx := context.Background()
	s := NewPebbleStore(memPebble(t))
	var all []*Event
	for i := 0; i < 40; i++ {
		// Two events per second; ties are ordered by id.
		all = append(all, mkEvent("1", "r", i/2, fmt.Sprintf("id%02d", i)))
	}
	mustAppend(t, s, all...)
	want := func(from, to int) []string { // ids with from <= sec <= to, newest first
		var out []string
		for sec := to; sec >= from; sec-- {
			out = append(out, fmt.Sprintf("id%02d", 2*sec), fmt.Sprintf("id%02d", 2*sec+1))
		}
		return out
	}
	sec := func(n int) time.Time { return t0.Add(time.Duration(n) * time.Second) }
	for _, tc := range []struct {
		name       string
		start, end time.Time
		attr       Attribute
		from, to   int
	}{
		{"all", time.Time{}, time.Time{}, Attribute{}, 0, 19},
		{"inclusive bounds", sec(3), sec(7), Attribute{}, 3, 7},
		{"start only", sec(15), time.Time{}, Attribute{}, 15, 19},
		{"end only", time.Time{}, sec(2), Attribute{}, 0, 2},
		{"indexed range", sec(3), sec(7), Attribute{AttrUsername, "alice"}, 3, 7},
		{"empty range", sec(7), sec(3), Attribute{}, 1, 0},
	} {
		for _, limit := range []int{1, 3, 7, 50} {
			var got []string
			var after *Cursor
			pages := 0
			for {
				p, err := s.Lookup(ctx, Query{Account: "1", Region: "r", Start: tc.start, End: tc.end, Attribute: tc.attr, Limit: limit, After: after})
				if err != nil {
					t.Fatal(err)
				}
				if len(p.Events) > limit {
					t.Fatalf("page of %d > limit %d", len(p.Events), limit)
				}
				got = append(got, ids(p)...)
				pages++
				if p.Next == nil {
					break
				}
				if len(p.Events) == 0 {
					t.Fatalf("%s: empty page with a next cursor", tc.name)
				}
				after = p.Next
			}
			w := want(tc.from, tc.to)
			if !reflect.DeepEqual(got, w) {
				t.Errorf("%s limit %d: got %v want %v", tc.name, limit, got, w)
			}
		}
	}
}

func TestPebbleSweep(t *testing.T) {
	ctx := context.Background()
	db := memPebble(t)
	s := NewPebbleStore(db)
	// Something else lives in the same DB.
	if err := db.Set([]byte("metrics/x"), []byte("1"), pebble.Sync); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 10; i++ {
		mustAppend(t, s, mkEvent("1", "r", i, fmt.Sprintf("a%d", i)), mkEvent("2", "q", i, fmt.Sprintf("b%d", i)))
	}
	n, err := s.Sweep(ctx, t0.Add(4*time.Second))
	if err != nil || n != 8 {
		t.Fatalf("sweep: %d %v", n, err)
	}
	for _, acct := range [][2]string{{"1", "r"}, {"2", "q"}} {
		p, _ := s.Lookup(ctx, Query{Account: acct[0], Region: acct[1]})
		if len(p.Events) != 6 || p.Events[5].EventTime != t0.Add(4*time.Second) {
			t.Fatalf("%v after sweep: %v", acct, ids(p))
		}
		p, _ = s.Lookup(ctx, Query{Account: acct[0], Region: acct[1], Attribute: Attribute{AttrReadOnly, "false"}})
		if len(p.Events) != 6 {
			t.Fatalf("index after sweep: %v", ids(p))
		}
	}
	// No index key of a swept event is left behind.
	it, _ := db.NewIter(&pebble.IterOptions{LowerBound: []byte(prefixIndex), UpperBound: successor([]byte(prefixIndex))})
	keys := 0
	for ok := it.First(); ok; ok = it.Next() {
		keys++
	}
	it.Close()
	perEvent := 0
	mkEvent("1", "r", 0, "x").mustStored(t).attributes(func(string, string) { perEvent++ })
	if keys != 12*perEvent {
		t.Fatalf("index keys: %d, want %d", keys, 12*perEvent)
	}
	if v, c, err := db.Get([]byte("metrics/x")); err != nil || string(v) != "1" {
		t.Fatalf("foreign key touched: %v", err)
	} else {
		c.Close()
	}
	if n, err := s.Sweep(ctx, t0.Add(-time.Hour)); n != 0 || err != nil {
		t.Fatalf("second sweep: %d %v", n, err)
	}
}

func (e *Event) mustStored(t *testing.T) *StoredEvent {
	se, err := e.Stored()
	if err != nil {
		t.Fatal(err)
	}
	return se
}

// TestPebbleDurability appends, closes the DB without any flush call and
// reopens it from disk.
func TestPebbleDurability(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db := openPebble(t, dir)
	mustAppend(t, NewPebbleStore(db), mkEvent("1", "r", 1, "a"), mkEvent("1", "r", 2, "b"))
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	db = openPebble(t, dir)
	defer db.Close()
	p, err := NewPebbleStore(db).Lookup(ctx, Query{Account: "1", Region: "r", Attribute: Attribute{AttrUsername, "alice"}})
	if err != nil || !reflect.DeepEqual(ids(p), []string{"b", "a"}) {
		t.Fatalf("after reopen: %v %v", ids(p), err)
	}
}

func TestPebbleAppendRejectsIncompleteEvents(t *testing.T) {
	s := NewPebbleStore(memPebble(t))
	e := mkEvent("1", "r", 0, "")
	if err := s.Append(context.Background(), []*Event{e}); err == nil {
		t.Fatal("event without id accepted")
	}
}
