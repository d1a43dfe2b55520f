package alarms

import (
	"errors"
	"fmt"
	"strings"
	"time"

	cwapi "github.com/vigilhq/vigil/internal/api/cloudwatch"
	"github.com/vigilhq/vigil/internal/api/shape"
	"github.com/vigilhq/vigil/internal/cloudwatch"
	"github.com/vigilhq/vigil/internal/metricstore"
	"github.com/vigilhq/vigil/internal/metricstore/stats"
)

// plan is a validated metric alarm, ready to evaluate.
type plan struct {
	// single is set for a one-metric alarm, read straight from the series
	// (the bulk of alarms: GetMetricData's parsing would double their
	// cost); a math or Metrics Insights alarm runs queries.
	single    *singleMetric
	queries   []cwapi.MetricDataQuery // what GetMetricData is asked; returnID answers
	returnID  string
	minSample float64 // EvaluateLowSampleCountPercentile=ignore: fewer samples keep the state
	period    time.Duration
	n, m      int
	treat     TreatMissing
	op        string
	threshold float64
	statistic string // Statistic or ExtendedStatistic, for StateReasonData
}

type singleMetric struct {
	key  metricstore.SeriesKey
	stat stats.Statistic
	unit *string
}

// Limits from PutMetricAlarm's reference.
const (
	maxAlarmMetrics       = 10 // "A math expression used for an alarm can include as many as 10 metrics"
	maxEvaluationSpan     = 7 * 24 * time.Hour
	maxShortPeriodSpan    = 24 * time.Hour // periods under an hour
	maxActionsPerState    = 5
	evaluationRangeMargin = 2
)

var comparisons = map[string]func(v, t float64) bool{
	"GreaterThanOrEqualToThreshold": func(v, t float64) bool { return v >= t },
	"GreaterThanThreshold":          func(v, t float64) bool { return v > t },
	"LessThanThreshold":             func(v, t float64) bool { return v < t },
	"LessThanOrEqualToThreshold":    func(v, t float64) bool { return v <= t },
}

// comparisonWords are how StateReason says each operator.
var comparisonWords = map[string]string{
	"GreaterThanOrEqualToThreshold": "greater than or equal to",
	"GreaterThanThreshold":          "greater than",
	"LessThanThreshold":             "less than",
	"LessThanOrEqualToThreshold":    "less than or equal to",
}

var anomalyComparisons = map[string]bool{
	"LessThanLowerOrGreaterThanUpperThreshold": true, "LessThanLowerThreshold": true, "GreaterThanUpperThreshold": true,
}

func (p *plan) breaching(v float64) bool { return comparisons[p.op](v, p.threshold) }

// rangeLen is how many periods the evaluation range holds. AWS retrieves
// "a higher number of data points than specified by Evaluation Periods",
// depending on the period and resolution, without saying how many; its
// example retrieves 5 for 3. Our decision: EvaluationPeriods + 2.
func (p *plan) rangeLen() int { return p.n + evaluationRangeMargin }

// checkPeriod: 10, 20, 30 or a multiple of 60 seconds.
func checkPeriod(period int32, param string) error {
	if period == 10 || period == 20 || period == 30 || period > 0 && period%60 == 0 {
		return nil
	}
	return invalidValue("The value %d for parameter %s is invalid. Valid values are 10, 20, 30, or any multiple of 60.", period, param)
}

// compilePlan validates a PutMetricAlarm input as CloudWatch does and
// returns how to evaluate it.
func compilePlan(in *cwapi.PutMetricAlarmInput) (*plan, error) {
	if in.EvaluationCriteria != nil || in.EvaluationInterval != nil {
		return nil, invalidValue("PromQL alarms (EvaluationCriteria, EvaluationInterval) are not supported by Vigil.")
	}
	p := &plan{op: shape.Value(in.ComparisonOperator), treat: TreatMissingMissing}
	if p.op == "" {
		return nil, missingParameter("The parameter ComparisonOperator is required.")
	}
	if anomalyComparisons[p.op] || in.ThresholdMetricId != nil {
		return nil, invalidValue("Anomaly detection alarms (ComparisonOperator %s, ThresholdMetricId) are not supported by Vigil yet: it has no anomaly detection models.", p.op)
	}
	if comparisons[p.op] == nil {
		return nil, invalidValue("The value %s for parameter ComparisonOperator is invalid.", p.op)
	}
	if in.Threshold == nil {
		return nil, missingParameter("The parameter Threshold is required.")
	}
	p.threshold = *in.Threshold
	if in.EvaluationPeriods == nil {
		return nil, missingParameter("The parameter EvaluationPeriods is required.")
	}
	p.n = int(*in.EvaluationPeriods)
	p.m = p.n
	if in.DatapointsToAlarm != nil {
		p.m = int(*in.DatapointsToAlarm)
		if p.m < 1 || p.m > p.n {
			return nil, invalidValue("DatapointsToAlarm (%d) must be between 1 and EvaluationPeriods (%d).", p.m, p.n)
		}
	}
	if t := shape.Value(in.TreatMissingData); t != "" {
		switch TreatMissing(t) {
		case TreatMissingMissing, TreatIgnore, TreatBreaching, TreatNotBreaching:
			p.treat = TreatMissing(t)
		default:
			return nil, invalidValue("The value %s for parameter TreatMissingData is invalid. Valid values are breaching, notBreaching, ignore and missing.", t)
		}
	}
	if shape.Value(in.Namespace) == "AWS/DynamoDB" {
		// "Alarms that evaluate metrics in the AWS/DynamoDB namespace always
		// ignore missing data even if you choose a different option."
		p.treat = TreatIgnore
	}
	if err := checkAllActions(in.AlarmActions, in.OKActions, in.InsufficientDataActions); err != nil {
		return nil, err
	}
	var err error
	if len(in.Metrics) > 0 {
		err = p.compileMath(in)
	} else {
		err = p.compileSingle(in)
	}
	if err != nil {
		return nil, err
	}
	span := time.Duration(p.n) * p.period
	if span > maxEvaluationSpan || p.period < time.Hour && span > maxShortPeriodSpan {
		return nil, invalidValue("The evaluation period (Period × EvaluationPeriods = %d seconds) must not exceed 604800 seconds (7 days), or 86400 seconds (1 day) for periods under an hour.", int64(span/time.Second))
	}
	return p, nil
}

func (p *plan) compileSingle(in *cwapi.PutMetricAlarmInput) error {
	if in.MetricName == nil || in.Namespace == nil {
		return missingParameter("The parameters MetricName and Namespace are required unless Metrics is specified.")
	}
	switch {
	case in.Statistic != nil && in.ExtendedStatistic != nil:
		return invalidCombination("The parameters Statistic and ExtendedStatistic are mutually exclusive and you have specified both.")
	case in.Statistic == nil && in.ExtendedStatistic == nil:
		return missingParameter("One of the parameters Statistic or ExtendedStatistic is required.")
	}
	p.statistic = shape.Value(in.Statistic)
	st, err := stats.ParseStatistic(p.statistic)
	if in.ExtendedStatistic != nil {
		st, err = stats.ParseStatistic(*in.ExtendedStatistic)
		var pe *stats.ParseError
		if errors.As(err, &pe) {
			return invalidValue("%s", pe.Message("ExtendedStatistic"))
		}
		if err != nil || !st.Extended() {
			return invalidValue("The value %s for parameter ExtendedStatistic is not a valid extended statistic.", *in.ExtendedStatistic)
		}
		p.statistic = st.String()
		if shape.Value(in.EvaluateLowSampleCountPercentile) == "ignore" && st.Kind == stats.Percentile {
			p.minSample = minSamples(st.P)
		}
	}
	if in.Period == nil {
		return missingParameter("The parameter Period is required.")
	}
	if err := checkPeriod(*in.Period, "Period"); err != nil {
		return err
	}
	switch v := shape.Value(in.EvaluateLowSampleCountPercentile); v {
	case "", "evaluate", "ignore":
	default:
		return invalidValue("The value %s for parameter EvaluateLowSampleCountPercentile is invalid. Valid values are evaluate and ignore.", v)
	}
	if err != nil {
		return invalidValue("The value %s for parameter Statistic is not a valid statistic.", p.statistic)
	}
	p.period = time.Duration(*in.Period) * time.Second
	metric := &cwapi.Metric{Namespace: in.Namespace, MetricName: in.MetricName, Dimensions: in.Dimensions}
	p.single = &singleMetric{key: cloudwatch.MetricKey(metric), stat: st, unit: in.Unit}
	return nil
}

// minSamples is the sample count below which percentile pct is "not
// enough data for a good statistical assessment": 10/(1-p) for p in
// [0.5, 1), 10/p below 0.5 (AWS's rule for EvaluateLowSampleCountPercentile),
// computed on the percentage so that p90 needs exactly 100.
func minSamples(pct float64) float64 {
	switch {
	case pct >= 100 || pct <= 0:
		return 0
	case pct >= 50:
		return 1000 / (100 - pct)
	}
	return 1000 / pct
}

func (p *plan) compileMath(in *cwapi.PutMetricAlarmInput) error {
	for _, set := range []struct {
		name string
		set  bool
	}{{"MetricName", in.MetricName != nil}, {"Namespace", in.Namespace != nil}, {"Statistic", in.Statistic != nil},
		{"ExtendedStatistic", in.ExtendedStatistic != nil}, {"Dimensions", len(in.Dimensions) > 0}, {"Period", in.Period != nil},
		{"Unit", in.Unit != nil}} {
		if set.set {
			return invalidCombination("The parameters Metrics and %s are mutually exclusive.", set.name)
		}
	}
	metrics := 0
	for i := range in.Metrics {
		q := &in.Metrics[i]
		if q.MetricStat != nil {
			metrics++
			if q.MetricStat.Period != nil {
				if err := checkPeriod(*q.MetricStat.Period, fmt.Sprintf("Metrics.member.%d.MetricStat.Period", i+1)); err != nil {
					return err
				}
			}
		}
		if q.ReturnData == nil || *q.ReturnData {
			if p.returnID != "" {
				return invalidValue("Exactly one element of the Metrics list must have ReturnData set to true.")
			}
			p.returnID = shape.Value(q.Id)
			switch {
			case q.Period != nil:
				p.period = time.Duration(*q.Period) * time.Second
			case q.MetricStat != nil && q.MetricStat.Period != nil:
				p.period = time.Duration(*q.MetricStat.Period) * time.Second
			}
			if q.MetricStat != nil {
				p.statistic = shape.Value(q.MetricStat.Stat)
			}
		}
	}
	if p.returnID == "" {
		return invalidValue("Exactly one element of the Metrics list must have ReturnData set to true.")
	}
	if metrics > maxAlarmMetrics {
		return invalidValue("An alarm can include at most %d metrics; %d were specified.", maxAlarmMetrics, metrics)
	}
	if p.period == 0 {
		// The expression's period is that of the metrics it reads, which
		// all share one period.
		for i := range in.Metrics {
			if ms := in.Metrics[i].MetricStat; ms != nil && ms.Period != nil {
				p.period = time.Duration(*ms.Period) * time.Second
				break
			}
		}
	}
	if p.period == 0 {
		return missingParameter("The Period of the returned element of Metrics is required for an alarm.")
	}
	if err := checkPeriod(int32(p.period/time.Second), "Period"); err != nil {
		return err
	}
	// "Each metric must be using the same period."
	for i := range in.Metrics {
		if ms := in.Metrics[i].MetricStat; ms != nil && ms.Period != nil && time.Duration(*ms.Period)*time.Second != p.period {
			return invalidValue("All metrics of an alarm must use the same period: Metrics.member.%d.MetricStat.Period is %d, the alarm's is %d.",
				i+1, *ms.Period, int64(p.period/time.Second))
		}
	}
	p.queries = in.Metrics
	return nil
}

func checkAllActions(alarm, ok, insufficient []string) error {
	for _, list := range []struct {
		name    string
		actions []string
	}{{"AlarmActions", alarm}, {"OKActions", ok}, {"InsufficientDataActions", insufficient}} {
		if err := checkActions(list.name, list.actions); err != nil {
			return err
		}
	}
	return nil
}

// checkActions accepts SNS topics; other action types Vigil cannot run are
// refused by name rather than stored and never run.
func checkActions(param string, actions []string) error {
	if len(actions) > maxActionsPerState {
		return invalidValue("The collection %s must not have a size greater than %d.", param, maxActionsPerState)
	}
	for _, a := range actions {
		parts := strings.SplitN(a, ":", 6)
		if len(parts) < 6 || parts[0] != "arn" {
			return invalidValue("Invalid arn syntax: %s", a)
		}
		switch parts[2] {
		case "sns":
			continue
		case "lambda":
			return invalidValue("Invalid alarm action %s: Lambda functions do not exist in Vigil yet.", a)
		default:
			return invalidValue("Invalid alarm action %s: Vigil runs only Amazon SNS topic actions; %s actions are not supported.", a, parts[2])
		}
	}
	return nil
}
