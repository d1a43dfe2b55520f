package alarms

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	cwapi "github.com/vigilhq/vigil/internal/api/cloudwatch"
	"github.com/vigilhq/vigil/internal/api/shape"
	"github.com/vigilhq/vigil/internal/metricstore/stats"
)

// evaluationTick is the finest cycle: high-resolution alarms (periods of
// 10, 20 and 30 seconds) are evaluated at their period, every other alarm
// every minute.
const evaluationTick = 10 * time.Second

// cycleOf is the cycle an alarm evaluated at now belongs to.
func cycleOf(a *alarm, now time.Time) time.Time {
	if a.plan != nil && a.plan.period < time.Minute {
		return now.Truncate(a.plan.period)
	}
	return now.Truncate(time.Minute)
}

// outcome is what one evaluation decided for an alarm.
type outcome struct {
	a          *alarm
	cycle      time.Time
	keep       bool // stay in the current state (TreatMissingData ignore, low sample count)
	value      State
	reason     string
	reasonData string
	// explain, when set, renders reason and reasonData; evaluations call
	// for it only on a transition (most find the state unchanged).
	explain func() (reason, reasonData string)
	// triggering names, for a composite's notification, the children whose
	// states made the rule true or false.
	triggering []*alarm
}

func (s *Service) evaluateLoop() {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		<-s.closing
		cancel()
	}()
	for {
		if err := s.EvaluateDue(ctx); err != nil && ctx.Err() == nil {
			s.log.Error("alarm evaluation failed", "err", err)
		}
		now := s.clock.Now()
		t := time.NewTimer(now.Truncate(evaluationTick).Add(evaluationTick).Sub(now))
		select {
		case <-s.closing:
			t.Stop()
			return
		case <-t.C:
		}
	}
}

// due reports whether a has a cycle to evaluate at now. Callers hold mu.
func (s *Service) due(a *alarm, now time.Time) bool {
	if a.state.LastCycle.IsZero() {
		return true // new or reconfigured: evaluated at once
	}
	last := a.state.LastCycle
	if s.cursor.After(last) {
		last = s.cursor
	}
	return cycleOf(a, now).After(last)
}

// EvaluateDue evaluates every alarm whose cycle has come, metric alarms
// first and then composites (which read their children's new states), and
// makes the transitions durable with the actions they call for before
// acting. Tests call it after moving the clock.
func (s *Service) EvaluateDue(ctx context.Context) error {
	s.evalMu.Lock()
	defer s.evalMu.Unlock()
	now := s.clock.Now()
	s.mu.RLock()
	var metrics []*alarm
	for _, m := range s.alarms {
		for _, a := range m {
			if a.kind == kindMetric && s.due(a, now) {
				metrics = append(metrics, a)
			}
		}
	}
	s.mu.RUnlock()
	outs := s.evaluateMetrics(ctx, metrics, now)
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if err := s.apply(ctx, outs, time.Time{}); err != nil {
		return err
	}
	s.mu.RLock()
	comps := s.compositesDue(now)
	compOuts := s.evaluateComposites(comps, now)
	s.mu.RUnlock()
	var cursor time.Time
	if len(metrics)+len(comps) > 0 {
		cursor = now
	}
	return s.apply(ctx, compOuts, cursor)
}

// evaluateMetrics evaluates alarms on s.workers goroutines.
func (s *Service) evaluateMetrics(ctx context.Context, list []*alarm, now time.Time) []outcome {
	outs := make([]outcome, len(list))
	var next sync.Mutex
	i := 0
	var wg sync.WaitGroup
	for range min(s.workers, len(list)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				next.Lock()
				j := i
				i++
				next.Unlock()
				if j >= len(list) {
					return
				}
				outs[j] = s.evaluateMetric(ctx, list[j], now)
			}
		}()
	}
	wg.Wait()
	return outs
}

// evaluateMetric reads the evaluation range of a metric alarm and decides.
func (s *Service) evaluateMetric(ctx context.Context, a *alarm, now time.Time) outcome {
	p := a.plan
	cycle := cycleOf(a, now)
	o := outcome{a: a, cycle: cycle}
	k := p.rangeLen()
	start := cycle.Add(-time.Duration(k) * p.period)
	rng := make([]Datapoint, k)
	for i := range rng {
		rng[i] = Datapoint{T: start.Add(time.Duration(i) * p.period), Missing: true}
	}
	if err := s.read(ctxFor(ctx, a.p, now), p, rng, start, cycle); err != nil {
		o.value = StateInsufficientData
		o.reason = "Unchecked: the alarm's metric data could not be read: " + errorMessage(err)
		return o
	}
	d := Decide(rng, p.n, p.m, p.treat, p.breaching)
	if p.minSample > 0 && slices.ContainsFunc(d.Evaluated, func(dp Datapoint) bool { return !dp.Missing && dp.SampleCount < p.minSample }) {
		// EvaluateLowSampleCountPercentile ignore: "the alarm state does
		// not change during periods with too few data points".
		o.keep = true
		return o
	}
	if d.Keep {
		o.keep = true
		return o
	}
	o.value = d.State
	o.explain = func() (string, string) { return thresholdReason(p, &d), reasonData(p, &d, rng, start, now) }
	return o
}

// read fills the evaluation range rng, which starts at start and ends at
// end, with the alarm's values.
func (s *Service) read(ctx context.Context, p *plan, rng []Datapoint, start, end time.Time) error {
	slot := func(t time.Time) *Datapoint {
		off := t.Sub(start)
		if off < 0 || off%p.period != 0 || int(off/p.period) >= len(rng) {
			return nil
		}
		return &rng[off/p.period]
	}
	if m := p.single; m != nil {
		return s.data.PeriodAggregates(ctx, m.key, p.period, m.unit, start, end, func(t time.Time, a *stats.Agg) {
			dp := slot(t)
			if dp == nil {
				return
			}
			if v, ok := stats.Compute(a, m.stat); ok {
				dp.Value, dp.SampleCount, dp.Missing = v, a.Count, false
			}
		})
	}
	out, err := s.data.GetMetricData(ctx, &cwapi.GetMetricDataInput{
		MetricDataQueries: p.queries, StartTime: &start, EndTime: &end, ScanBy: shape.Ptr(cwapi.ScanByTimestampAscending),
	})
	if err != nil {
		return err
	}
	for _, r := range out.MetricDataResults {
		if shape.Value(r.Id) != p.returnID {
			continue
		}
		for j, ts := range r.Timestamps {
			if dp := slot(ts); dp != nil && j < len(r.Values) {
				dp.Value, dp.Missing = r.Values[j], false
			}
		}
	}
	return nil
}

func errorMessage(err error) string {
	type messager interface{ ErrorMessage() string }
	if m, ok := err.(messager); ok {
		return m.ErrorMessage()
	}
	return err.Error()
}

// apply makes outcomes durable and current: each transition's state,
// history item and queued actions in one transaction (with the evaluation
// cursor when cursor is set), then the catalog. Outcomes of alarms
// replaced or deleted since their evaluation are dropped.
func (s *Service) apply(ctx context.Context, outs []outcome, cursor time.Time) error {
	s.commitMu.Lock()
	defer s.commitMu.Unlock()
	s.mu.RLock()
	changes, queued, err := s.commit(ctx, outs, cursor)
	s.mu.RUnlock()
	if err != nil {
		return err
	}
	s.mu.Lock()
	for _, c := range changes {
		c.a.state = c.st
	}
	if !cursor.IsZero() {
		s.cursor = cursor
	}
	s.mu.Unlock()
	if queued {
		s.kick()
	}
	return nil
}

// change is an alarm's state as committed, to install in the catalog.
type change struct {
	a  *alarm
	st alarmState
}

// commit writes the outcomes' transitions, history items and actions in
// one transaction. Callers hold commitMu (nothing else changes an alarm)
// and mu for reading.
func (s *Service) commit(ctx context.Context, outs []outcome, cursor time.Time) ([]change, bool, error) {
	now := s.clock.Now()
	var changes []change
	queued := false
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, false, fmt.Errorf("alarm transitions: %w", err)
	}
	defer tx.Rollback()
	ex := &stmtCache{tx: tx}
	for _, o := range outs {
		a := o.a
		if o.a == nil || s.get(a.p, a.name) != a {
			continue
		}
		st := a.state
		st.LastCycle = o.cycle
		if !o.keep && o.value != st.Value {
			old := st
			if o.explain != nil {
				o.reason, o.reasonData = o.explain()
			}
			st.Value, st.Reason, st.ReasonData = o.value, o.reason, o.reasonData
			st.Updated, st.Transitioned = now, now
			if old.Value == StateAlarm {
				st.LeftAlarm = now
			}
			if a.kind == kindComposite {
				s.updateSuppression(a, &st, now)
			}
			if err := saveState(ctx, ex, a, &st); err != nil {
				return nil, false, err
			}
			if err := addHistory(ctx, ex, a, now, historyStateUpdate, stateSummary(old.Value, st.Value), stateHistoryData(&old, &st)); err != nil {
				return nil, false, err
			}
			n, err := s.queueActions(ctx, ex, a, &old, &st, o.triggering)
			if err != nil {
				return nil, false, err
			}
			queued = queued || n > 0
		}
		changes = append(changes, change{a, st})
	}
	if !cursor.IsZero() {
		if _, err := tx.ExecContext(ctx, `INSERT OR REPLACE INTO cw_alarm_engine (id, cycle) VALUES (1, ?)`, cursor.UnixNano()); err != nil {
			return nil, false, fmt.Errorf("alarm cursor: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return nil, false, fmt.Errorf("alarm transitions: %w", err)
	}
	return changes, queued, nil
}

func (s *Service) kick() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}
