package alarms

import (
	"math"
	"strconv"
	"strings"
	"time"
)

// javaDouble formats v as Java's Double.toString does, which is how
// CloudWatch writes values in StateReason and StateReasonData ("10.0",
// "8.891518474692088", "1.0E7").
func javaDouble(v float64) string {
	switch {
	case math.IsNaN(v):
		return "NaN"
	case math.IsInf(v, 1):
		return "Infinity"
	case math.IsInf(v, -1):
		return "-Infinity"
	case v == 0:
		if math.Signbit(v) {
			return "-0.0"
		}
		return "0.0"
	}
	if a := math.Abs(v); a >= 1e-3 && a < 1e7 {
		s := strconv.FormatFloat(v, 'f', -1, 64)
		if !strings.Contains(s, ".") {
			s += ".0"
		}
		return s
	}
	mant, exp, _ := strings.Cut(strconv.FormatFloat(v, 'E', -1, 64), "E") // 1.234E+07
	if !strings.Contains(mant, ".") {
		mant += ".0"
	}
	e, _ := strconv.Atoi(exp)
	return mant + "E" + strconv.Itoa(e)
}

// reasonTime is how StateReason dates a datapoint: (dd/MM/yy HH:mm:ss).
func reasonTime(t time.Time) string { return t.UTC().Format("02/01/06 15:04:05") }

// dataTime is StateReasonData's and notifications' timestamp form.
func dataTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000-0700") }

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// thresholdReason is StateReason for a decision: AWS's "Threshold Crossed:
// 2 out of the last 3 datapoints [5.0 (25/11/26 10:02:00), …] were greater
// than the threshold (1.0) (minimum 2 datapoints for OK -> ALARM
// transition)." for ALARM and OK (listing the datapoints that decided, newest
// first), "Insufficient Data: 3 datapoints were unknown." otherwise.
func thresholdReason(p *plan, d *Decision) string {
	var b strings.Builder
	switch d.State {
	case StateInsufficientData:
		unknown := 0
		for _, dp := range d.Evaluated {
			if dp.Missing && !dp.Filled {
				unknown++
			}
		}
		if unknown == 0 {
			unknown = p.n
		}
		b.WriteString("Insufficient Data: " + strconv.Itoa(unknown) + " " + plural(unknown, "datapoint was", "datapoints were") + " unknown.")
		return b.String()
	}
	alarm := d.State == StateAlarm
	count := 0
	var listed []string
	for i := len(d.Evaluated) - 1; i >= 0; i-- {
		if d.Breaching[i] != alarm {
			continue
		}
		count++
		if dp := d.Evaluated[i]; !dp.Missing {
			listed = append(listed, javaDouble(dp.Value)+" ("+reasonTime(dp.T)+")")
		}
	}
	b.WriteString("Threshold Crossed: " + strconv.Itoa(count) + " out of the last " + strconv.Itoa(len(d.Evaluated)) + " datapoints [")
	b.WriteString(strings.Join(listed, ", "))
	b.WriteString("] " + plural(count, "was ", "were "))
	if !alarm {
		b.WriteString("not ")
	}
	b.WriteString(comparisonWords[p.op] + " the threshold (" + javaDouble(p.threshold) + ") (minimum ")
	if alarm {
		b.WriteString(strconv.Itoa(p.m) + " " + plural(p.m, "datapoint", "datapoints") + " for OK -> ALARM transition).")
	} else {
		k := p.n - p.m + 1
		b.WriteString(strconv.Itoa(k) + " " + plural(k, "datapoint", "datapoints") + " for ALARM -> OK transition).")
	}
	return b.String()
}

// reasonData is StateReasonData for a decision over the range starting at
// start, queried at now: {"version":"1.0","queryDate":…,"startDate":…,
// "statistic":…,"period":…,"recentDatapoints":[…],"threshold":…,
// "evaluatedDatapoints":[{"timestamp":…,"sampleCount":…,"value":…},…]} as
// AWS writes it (recent datapoints oldest first, evaluated ones newest
// first; numbers as Java doubles).
func reasonData(p *plan, d *Decision, rng []Datapoint, start, now time.Time) string {
	var b strings.Builder
	b.WriteString(`{"version":"1.0","queryDate":"` + dataTime(now) + `","startDate":"` + dataTime(start) + `"`)
	if p.statistic != "" {
		b.WriteString(`,"statistic":` + strconv.Quote(p.statistic))
	}
	b.WriteString(`,"period":` + strconv.FormatInt(int64(p.period/time.Second), 10) + `,"recentDatapoints":[`)
	first := true
	for _, dp := range rng {
		if dp.Missing {
			continue
		}
		if !first {
			b.WriteByte(',')
		}
		first = false
		b.WriteString(javaDouble(dp.Value))
	}
	b.WriteString(`],"threshold":` + javaDouble(p.threshold) + `,"evaluatedDatapoints":[`)
	for i := len(d.Evaluated) - 1; i >= 0; i-- {
		dp := d.Evaluated[i]
		if i != len(d.Evaluated)-1 {
			b.WriteByte(',')
		}
		b.WriteString(`{"timestamp":"` + dataTime(dp.T) + `"`)
		if !dp.Missing {
			if dp.SampleCount > 0 {
				b.WriteString(`,"sampleCount":` + javaDouble(dp.SampleCount))
			}
			b.WriteString(`,"value":` + javaDouble(dp.Value))
		}
		b.WriteByte('}')
	}
	b.WriteString("]}")
	return b.String()
}
