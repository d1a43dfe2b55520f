package alarms

import (
	"bufio"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	cwapi "github.com/vigilhq/vigil/internal/api/cloudwatch"
	"github.com/vigilhq/vigil/internal/api/shape"
)

const traceTopic = "arn:aws:sns:us-east-1:123456789012:alarms"

// TestTraces runs the scripts in testdata/traces: metric datapoints over
// time in, alarm states, reasons and notifications out, on the fake clock.
//
//	alarm Key=Value …     PutMetricAlarm "a" on App/Load{Host=a} (actions to one topic)
//	put M V…              datapoints at minute M (+1 s)
//	at M:SS STATE [sent=N] move the clock, evaluate, expect the state (and N notifications in all)
//	reason TEXT           the exact StateReason now
//	set STATE             SetAlarmState
func TestTraces(t *testing.T) {
	files, _ := filepath.Glob("testdata/traces/*.txt")
	if len(files) == 0 {
		t.Fatal("no traces")
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) { runTrace(t, f) })
	}
}

func runTrace(t *testing.T, path string) {
	e := newEnv(t)
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	line := 0
	for sc.Scan() {
		line++
		text := strings.TrimSpace(sc.Text())
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		cmd, rest, _ := strings.Cut(text, " ")
		fail := func(format string, args ...any) {
			t.Helper()
			t.Fatalf("%s:%d: "+format, append([]any{path, line}, args...)...)
		}
		switch cmd {
		case "alarm":
			in := &cwapi.PutMetricAlarmInput{AlarmName: shape.Ptr("a"), Namespace: shape.Ptr("App"), MetricName: shape.Ptr("Load"),
				Dimensions:   []cwapi.Dimension{{Name: shape.Ptr("Host"), Value: shape.Ptr("a")}},
				AlarmActions: []string{traceTopic}, OKActions: []string{traceTopic}, InsufficientDataActions: []string{traceTopic}}
			for _, kv := range strings.Fields(rest) {
				k, v, _ := strings.Cut(kv, "=")
				n, _ := strconv.ParseFloat(v, 64)
				switch k {
				case "Period":
					in.Period = shape.Ptr(int32(n))
				case "EvaluationPeriods":
					in.EvaluationPeriods = shape.Ptr(int32(n))
				case "DatapointsToAlarm":
					in.DatapointsToAlarm = shape.Ptr(int32(n))
				case "Threshold":
					in.Threshold = shape.Ptr(n)
				case "ComparisonOperator":
					in.ComparisonOperator = shape.Ptr(v)
				case "Statistic":
					in.Statistic = shape.Ptr(v)
				case "ExtendedStatistic":
					in.ExtendedStatistic = shape.Ptr(v)
				case "TreatMissingData":
					in.TreatMissingData = shape.Ptr(v)
				case "EvaluateLowSampleCountPercentile":
					in.EvaluateLowSampleCountPercentile = shape.Ptr(v)
				case "ActionsEnabled":
					in.ActionsEnabled = shape.Ptr(v == "true")
				default:
					fail("unknown alarm field %s", k)
				}
			}
			if err := e.s.PutMetricAlarm(e.ctx(), in); err != nil {
				fail("PutMetricAlarm: %v", err)
			}
		case "put":
			fs := strings.Fields(rest)
			m, _ := strconv.Atoi(fs[0])
			var vs []float64
			for _, s := range fs[1:] {
				v, err := strconv.ParseFloat(s, 64)
				if err != nil {
					fail("bad value %q", s)
				}
				vs = append(vs, v)
			}
			e.put("Load", t0.Add(time.Duration(m)*time.Minute+time.Second), vs...)
		case "at":
			fs := strings.Fields(rest)
			mm, ss, _ := strings.Cut(fs[0], ":")
			m, _ := strconv.Atoi(mm)
			sec, _ := strconv.Atoi(ss)
			e.clk.Set(t0.Add(time.Duration(m)*time.Minute + time.Duration(sec)*time.Second))
			e.evaluate()
			if got := shape.Value(e.alarm("a").StateValue); got != fs[1] {
				fail("state %s, want %s (reason %q)", got, fs[1], shape.Value(e.alarm("a").StateReason))
			}
			for _, extra := range fs[2:] {
				want, ok := strings.CutPrefix(extra, "sent=")
				if !ok {
					fail("unknown expectation %s", extra)
				}
				if n, _ := strconv.Atoi(want); len(e.notify.all()) != n {
					fail("%d notifications sent, want %s: %+v", len(e.notify.all()), want, e.notify.all())
				}
			}
		case "reason":
			if got := shape.Value(e.alarm("a").StateReason); got != rest {
				fail("reason\n got %s\nwant %s", got, rest)
			}
		case "set":
			if err := e.s.SetAlarmState(e.ctx(), &cwapi.SetAlarmStateInput{AlarmName: shape.Ptr("a"), StateValue: shape.Ptr(rest), StateReason: shape.Ptr("test")}); err != nil {
				fail("SetAlarmState: %v", err)
			}
			if err := e.s.DispatchActions(e.ctx()); err != nil {
				fail("actions: %v", err)
			}
		default:
			fail("unknown command %s", cmd)
		}
	}
}
