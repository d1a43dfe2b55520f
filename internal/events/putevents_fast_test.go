package events

import (
	"testing"
	"time"
)

func TestAppendTimeSecond(t *testing.T) {
	for _, tm := range []time.Time{
		time.Date(2026, 11, 26, 7, 5, 9, 999999999, time.UTC),
		time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC),
		time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(-1, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(2024, 2, 29, 23, 30, 0, 0, time.FixedZone("x", -5*3600)),
		time.Unix(0, 0),
		{},
	} {
		want := tm.UTC().AppendFormat([]byte("x"), "2006-01-02T15:04:05Z")
		if got := appendTimeSecond([]byte("x"), tm); string(got) != string(want) {
			t.Errorf("%v: got %s, want %s", tm, got, want)
		}
	}
}

// FuzzCompactDetail (putevents_test.go) checks the whole of compactDetail,
// this fast path included, against encoding/json.
func TestAppendCompactFast(t *testing.T) {
	for _, v := range []string{
		`{}`, `{"a":1}`, `{"a": 1}`, "{\"a\":\t[1,\n2]\r}", `{"a b":"c d"}`, `{"a":"x\" y"}`, `{"a":"tab\there"}`,
	} {
		if got, want := appendCompactFast([]byte("x"), v), appendCompact([]byte("x"), v); string(got) != string(want) {
			t.Errorf("%s: got %s, want %s", v, got, want)
		}
	}
}

func FuzzAppendTimeSecond(f *testing.F) {
	f.Add(int64(0), int64(0))
	f.Add(int64(1764140000), int64(5))
	f.Fuzz(func(t *testing.T, sec, nsec int64) {
		tm := time.Unix(sec, nsec)
		want := tm.UTC().AppendFormat(nil, "2006-01-02T15:04:05Z")
		if got := appendTimeSecond(nil, tm); string(got) != string(want) {
			t.Fatalf("%d.%d: got %s, want %s", sec, nsec, got, want)
		}
	})
}
