package alarms

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"testing"
	"time"

	cwapi "github.com/vigilhq/vigil/internal/api/cloudwatch"
	"github.com/vigilhq/vigil/internal/api/shape"
)

// BenchmarkEvaluationPass measures one evaluation pass over
// VIGIL_BENCH_ALARMS single-metric alarms (default 10,000), each on its own
// series with a datapoint every minute: "steady" finds no transition (the
// every-minute case the performance goal is about), "transitions" moves
// every alarm (the first pass after they are created).
//
//	VIGIL_BENCH_ALARMS=100000 go test -run - -bench EvaluationPass -benchtime 5x ./internal/alarms
func BenchmarkEvaluationPass(b *testing.B) {
	n := 10000
	if v, err := strconv.Atoi(os.Getenv("VIGIL_BENCH_ALARMS")); err == nil && v > 0 {
		n = v
	}
	e := newEnvB(b)
	ctx := e.ctx()
	// Half an hour of data for every series: passes at minutes 6 to ~20
	// find a full evaluation range, so "steady" has no transition.
	for m := 0; m < 30; m++ {
		for lo := 0; lo < n; lo += 1000 {
			var data []cwapi.MetricDatum
			for i := lo; i < min(lo+1000, n); i++ {
				data = append(data, cwapi.MetricDatum{MetricName: shape.Ptr("Load"), Value: shape.Ptr(float64(i % 10)),
					Timestamp:  shape.Ptr(t0.Add(time.Duration(m)*time.Minute + time.Second)),
					Dimensions: []cwapi.Dimension{{Name: shape.Ptr("Host"), Value: shape.Ptr(fmt.Sprint("h", i))}}})
			}
			if err := e.cw.PutMetricData(ctx, &cwapi.PutMetricDataInput{Namespace: shape.Ptr("App"), MetricData: data}); err != nil {
				b.Fatal(err)
			}
		}
	}
	p := partition{"123456789012", "us-east-1"}
	e.s.mu.Lock()
	tx, err := e.s.db.Begin()
	if err != nil {
		b.Fatal(err)
	}
	for i := range n {
		in := &cwapi.PutMetricAlarmInput{AlarmName: shape.Ptr(fmt.Sprint("alarm-", i)), Namespace: shape.Ptr("App"), MetricName: shape.Ptr("Load"),
			Dimensions: []cwapi.Dimension{{Name: shape.Ptr("Host"), Value: shape.Ptr(fmt.Sprint("h", i))}}, Period: shape.Ptr(int32(60)),
			EvaluationPeriods: shape.Ptr(int32(3)), DatapointsToAlarm: shape.Ptr(int32(2)), Threshold: shape.Ptr(5.0),
			ComparisonOperator: shape.Ptr("GreaterThanThreshold"), Statistic: shape.Ptr("Average")}
		pl, err := compilePlan(in)
		if err != nil {
			b.Fatal(err)
		}
		a := &alarm{p: p, name: *in.AlarmName, kind: kindMetric, metric: in, plan: pl, arn: alarmARN(p, *in.AlarmName),
			state: alarmState{Value: StateInsufficientData, Reason: initialReason, ActionsEnabled: true}}
		if err := saveAlarm(context.Background(), tx, a); err != nil {
			b.Fatal(err)
		}
		e.s.put(a)
	}
	if err := tx.Commit(); err != nil {
		b.Fatal(err)
	}
	e.s.mu.Unlock()
	minute := 5
	pass := func() {
		minute++
		e.clk.Set(t0.Add(time.Duration(minute) * time.Minute))
		if err := e.s.EvaluateDue(context.Background()); err != nil {
			b.Fatal(err)
		}
	}
	b.Run("transitions", func(b *testing.B) {
		for b.Loop() {
			b.StopTimer()
			e.s.mu.Lock()
			for _, a := range e.s.alarms[p] {
				a.state.Value = StateInsufficientData
			}
			e.s.mu.Unlock()
			b.StartTimer()
			pass()
		}
		b.ReportMetric(float64(n), "alarms")
	})
	b.Run("steady", func(b *testing.B) {
		pass()
		for b.Loop() {
			pass()
		}
		b.ReportMetric(float64(n), "alarms")
	})
	// While every series receives a datapoint every 10 s (n/10 datums a
	// second, in batches of 1,000), as the agent would send them.
	b.Run("steady-with-ingest", func(b *testing.B) {
		stop, done := make(chan struct{}), make(chan struct{})
		go func() {
			defer close(done)
			tick := time.NewTicker(time.Second * 1000 / time.Duration(max(n/10, 1)))
			defer tick.Stop()
			for i := 0; ; i = (i + 1000) % n {
				select {
				case <-stop:
					return
				case <-tick.C:
				}
				var data []cwapi.MetricDatum
				at := e.clk.Now().Add(-time.Second)
				for j := i; j < min(i+1000, n); j++ {
					data = append(data, cwapi.MetricDatum{MetricName: shape.Ptr("Load"), Value: shape.Ptr(float64(j % 10)), Timestamp: shape.Ptr(at),
						Dimensions: []cwapi.Dimension{{Name: shape.Ptr("Host"), Value: shape.Ptr(fmt.Sprint("h", j))}}})
				}
				if err := e.cw.PutMetricData(e.ctx(), &cwapi.PutMetricDataInput{Namespace: shape.Ptr("App"), MetricData: data}); err != nil {
					panic(err)
				}
			}
		}()
		for b.Loop() {
			pass()
		}
		close(stop)
		<-done
		b.ReportMetric(float64(n), "alarms")
	})
}
