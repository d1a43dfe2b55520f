package cloudwatch

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// labelSeries is what a dynamic label reads from one result series.
type labelSeries struct {
	Label      string // the default label, for ${LABEL}
	Timestamps []time.Time
	Values     []float64         // NaN marks no value
	Props      map[string]string // AccountId, Region, Namespace, MetricName, Period, Stat, Dim.<name>
}

// renderLabel expands CloudWatch's dynamic label values in tmpl
// (graph-dynamic-labels): ${LABEL}, ${PROP('…')}, and the live values
// computed from the series' datapoints. tz is LabelOptions.Timezone's offset
// for the time-valued ones. An unknown ${…} is left as written, as the
// console shows it.
func renderLabel(tmpl string, s labelSeries, now time.Time, tz *time.Location) string {
	if !strings.Contains(tmpl, "${") {
		return tmpl
	}
	var b strings.Builder
	for {
		i := strings.Index(tmpl, "${")
		if i < 0 {
			b.WriteString(tmpl)
			return b.String()
		}
		j := strings.IndexByte(tmpl[i:], '}')
		if j < 0 {
			b.WriteString(tmpl)
			return b.String()
		}
		b.WriteString(tmpl[:i])
		name := tmpl[i+2 : i+j]
		if v, ok := labelValue(name, s, now, tz); ok {
			b.WriteString(v)
		} else {
			b.WriteString(tmpl[i : i+j+1])
		}
		tmpl = tmpl[i+j+1:]
	}
}

func labelValue(name string, s labelSeries, now time.Time, tz *time.Location) (string, bool) {
	if name == "LABEL" {
		return s.Label, true
	}
	if p, ok := strings.CutPrefix(name, "PROP("); ok {
		p, ok = strings.CutSuffix(p, ")")
		if !ok || len(p) < 2 || p[0] != '\'' || p[len(p)-1] != '\'' {
			return "", false
		}
		v, ok := s.Props[p[1:len(p)-1]]
		return v, ok
	}
	st := summarize(s)
	if st.n == 0 {
		switch name {
		case "DATAPOINT_COUNT":
			return "0", true
		case "AVG", "FIRST", "LAST", "MAX", "MIN", "SUM", "FIRST_LAST_RANGE", "MIN_MAX_RANGE",
			"FIRST_TIME", "LAST_TIME", "MAX_TIME", "MIN_TIME", "FIRST_TIME_RELATIVE", "LAST_TIME_RELATIVE",
			"MAX_TIME_RELATIVE", "MIN_TIME_RELATIVE", "FIRST_LAST_TIME_RANGE", "MIN_MAX_TIME_RANGE":
			return "", true
		}
		return "", false
	}
	switch name {
	case "AVG":
		return labelNumber(st.sum / float64(st.n)), true
	case "SUM":
		return labelNumber(st.sum), true
	case "DATAPOINT_COUNT":
		return strconv.Itoa(st.n), true
	case "FIRST":
		return labelNumber(s.Values[st.first]), true
	case "LAST":
		return labelNumber(s.Values[st.last]), true
	case "MAX":
		return labelNumber(s.Values[st.max]), true
	case "MIN":
		return labelNumber(s.Values[st.min]), true
	case "FIRST_LAST_RANGE":
		return labelNumber(s.Values[st.last] - s.Values[st.first]), true
	case "MIN_MAX_RANGE":
		return labelNumber(s.Values[st.max] - s.Values[st.min]), true
	case "FIRST_TIME":
		return labelTime(s.Timestamps[st.first], tz), true
	case "LAST_TIME":
		return labelTime(s.Timestamps[st.last], tz), true
	case "MAX_TIME":
		return labelTime(s.Timestamps[st.max], tz), true
	case "MIN_TIME":
		return labelTime(s.Timestamps[st.min], tz), true
	case "FIRST_TIME_RELATIVE":
		return labelDuration(now.Sub(s.Timestamps[st.first])), true
	case "LAST_TIME_RELATIVE":
		return labelDuration(now.Sub(s.Timestamps[st.last])), true
	case "MAX_TIME_RELATIVE":
		return labelDuration(now.Sub(s.Timestamps[st.max])), true
	case "MIN_TIME_RELATIVE":
		return labelDuration(now.Sub(s.Timestamps[st.min])), true
	case "FIRST_LAST_TIME_RANGE":
		return labelDuration(s.Timestamps[st.last].Sub(s.Timestamps[st.first])), true
	case "MIN_MAX_TIME_RANGE":
		return labelDuration(s.Timestamps[st.max].Sub(s.Timestamps[st.min])), true
	}
	return "", false
}

// seriesSummary indexes the first, last, minimum and maximum datapoints of a
// series (in time order) and sums its values.
type seriesSummary struct {
	n                     int
	sum                   float64
	first, last, min, max int
}

func summarize(s labelSeries) seriesSummary {
	st := seriesSummary{first: -1}
	for i, v := range s.Values {
		if math.IsNaN(v) {
			continue
		}
		if st.n == 0 {
			st.first, st.last, st.min, st.max = i, i, i, i
		}
		st.n++
		st.sum += v
		if s.Timestamps[i].Before(s.Timestamps[st.first]) {
			st.first = i
		}
		if s.Timestamps[i].After(s.Timestamps[st.last]) {
			st.last = i
		}
		if v < s.Values[st.min] {
			st.min = i
		}
		if v > s.Values[st.max] {
			st.max = i
		}
	}
	return st
}

func labelNumber(v float64) string {
	return strconv.FormatFloat(v, 'f', -1, 64)
}

func labelTime(t time.Time, tz *time.Location) string {
	return t.In(tz).Format("2006-01-02 15:04:05 -0700")
}

// labelDuration prints a duration as days, hours, minutes and seconds,
// leaving out zero parts ("1d 2h 5m", "45s").
func labelDuration(d time.Duration) string {
	if d < 0 {
		d = -d
	}
	secs := int64(d / time.Second)
	parts := []struct {
		n    int64
		unit string
	}{{secs / 86400, "d"}, {secs % 86400 / 3600, "h"}, {secs % 3600 / 60, "m"}, {secs % 60, "s"}}
	var out []string
	for _, p := range parts {
		if p.n > 0 {
			out = append(out, fmt.Sprintf("%d%s", p.n, p.unit))
		}
	}
	if len(out) == 0 {
		return "0s"
	}
	return strings.Join(out, " ")
}

// parseTimezone reads LabelOptions.Timezone: "+hhmm" or "-hhmm", UTC when
// absent.
func parseTimezone(tz *string) (*time.Location, error) {
	if tz == nil || *tz == "" {
		return time.UTC, nil
	}
	s := *tz
	if len(s) != 5 || (s[0] != '+' && s[0] != '-') {
		return nil, invalidValue("The value %s for parameter LabelOptions.Timezone is invalid. Use the format +hhmm or -hhmm.", s)
	}
	h, err1 := strconv.Atoi(s[1:3])
	m, err2 := strconv.Atoi(s[3:5])
	if err1 != nil || err2 != nil || h > 23 || m > 59 {
		return nil, invalidValue("The value %s for parameter LabelOptions.Timezone is invalid. Use the format +hhmm or -hhmm.", s)
	}
	off := h*3600 + m*60
	if s[0] == '-' {
		off = -off
	}
	return time.FixedZone(s, off), nil
}
