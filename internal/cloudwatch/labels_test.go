package cloudwatch

import (
	"math"
	"testing"
	"time"
)

func TestDynamicLabels(t *testing.T) {
	t0 := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	s := labelSeries{
		Label:      "CPUUtilization",
		Timestamps: []time.Time{t0, t0.Add(time.Minute), t0.Add(2 * time.Minute), t0.Add(3 * time.Minute)},
		Values:     []float64{4, math.NaN(), 10, 1},
		Props:      map[string]string{"Dim.InstanceId": "i-1", "Namespace": "AWS/EC2"},
	}
	now := t0.Add(time.Hour)
	tz, err := parseTimezone(ptr("+0130"))
	if err != nil {
		t.Fatal(err)
	}
	for tmpl, want := range map[string]string{
		"plain":                                 "plain",
		"${LABEL} of ${PROP('Dim.InstanceId')}": "CPUUtilization of i-1",
		"avg ${AVG} max ${MAX} min ${MIN} n ${DATAPOINT_COUNT} sum ${SUM}": "avg 5 max 10 min 1 n 3 sum 15",
		"${FIRST}→${LAST} (${FIRST_LAST_RANGE}) ${MIN_MAX_RANGE}":          "4→1 (-3) 9",
		"${MAX_TIME}":             "2026-11-25 11:32:00 +0130",
		"${FIRST_TIME_RELATIVE}":  "1h",
		"${LAST_TIME_RELATIVE}":   "57m",
		"${MIN_MAX_TIME_RANGE}":   "1m",
		"${PROP('Nope')} ${NOPE}": "${PROP('Nope')} ${NOPE}",
		"unterminated ${AVG":      "unterminated ${AVG",
	} {
		if got := renderLabel(tmpl, s, now, tz); got != want {
			t.Errorf("%q: got %q, want %q", tmpl, got, want)
		}
	}
	if _, err := parseTimezone(ptr("0130")); err == nil {
		t.Error("timezone without sign accepted")
	}
}

func ptr[T any](v T) *T { return &v }
