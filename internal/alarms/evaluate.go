package alarms

import "time"

// State is an alarm state value as the API spells it.
type State string

const (
	StateOK               State = "OK"
	StateAlarm            State = "ALARM"
	StateInsufficientData State = "INSUFFICIENT_DATA"
)

// TreatMissing is how an alarm treats missing datapoints (TreatMissingData).
type TreatMissing string

const (
	TreatMissingMissing TreatMissing = "missing"
	TreatIgnore         TreatMissing = "ignore"
	TreatBreaching      TreatMissing = "breaching"
	TreatNotBreaching   TreatMissing = "notBreaching"
)

// Datapoint is one period of the evaluation range.
type Datapoint struct {
	T           time.Time // the period's start
	Value       float64
	SampleCount float64
	Missing     bool
	// Filled marks a missing datapoint that the evaluation counted as
	// breaching or not breaching, as TreatMissingData says.
	Filled bool
}

// Decision is the outcome of evaluating one evaluation range.
type Decision struct {
	// State is the state the range calls for; Keep means the alarm stays in
	// whatever state it is in (TreatMissingData ignore).
	State State
	Keep  bool
	// Evaluated are the EvaluationPeriods datapoints the decision rests on,
	// oldest first; missing ones counted by TreatMissingData are Filled.
	Evaluated []Datapoint
	Breaching []bool // per Evaluated
}

// Decide applies CloudWatch's documented alarm evaluation to rng, the
// datapoints of the evaluation range, oldest first: with at least n real
// datapoints, the newest n decide (m or more breaching → ALARM, else OK) and
// TreatMissingData is not consulted; with fewer, every real datapoint takes
// part and missing periods are filled — as few as possible, the newest ones —
// per TreatMissingData. For missing and ignore, which fill nothing, the
// decision reproduces the two tables of "How alarm state is evaluated when
// data is missing": m real breaching datapoints still alarm; a real
// non-breaching one makes OK; otherwise only breaching datapoints exist, and
// when the oldest evaluated period is one of them the data has stopped after
// breaching (ALARM for missing), else it has barely started
// (INSUFFICIENT_DATA for missing, to avoid alarming early); ignore keeps the
// state in both cases. breaching reports whether a value breaches.
func Decide(rng []Datapoint, n, m int, treat TreatMissing, breaching func(float64) bool) Decision {
	var real []int
	for i := range rng {
		if !rng[i].Missing {
			real = append(real, i)
		}
	}
	if len(real) >= n {
		d := Decision{Evaluated: make([]Datapoint, 0, n), Breaching: make([]bool, 0, n)}
		b := 0
		for _, i := range real[len(real)-n:] {
			br := breaching(rng[i].Value)
			if br {
				b++
			}
			d.Evaluated = append(d.Evaluated, rng[i])
			d.Breaching = append(d.Breaching, br)
		}
		d.State = StateOK
		if b >= m {
			d.State = StateAlarm
		}
		return d
	}
	// Fewer real datapoints than n: all of them, and the newest missing
	// periods up to n.
	take := make([]bool, len(rng))
	for _, i := range real {
		take[i] = true
	}
	for i, need := len(rng)-1, n-len(real); i >= 0 && need > 0; i-- {
		if !take[i] {
			take[i] = true
			need--
		}
	}
	d := Decision{}
	b, nb := 0, 0
	for i, ok := range take {
		if !ok {
			continue
		}
		p := rng[i]
		var br bool
		switch {
		case !p.Missing:
			br = breaching(p.Value)
		case treat == TreatBreaching || treat == TreatNotBreaching:
			p.Filled, br = true, treat == TreatBreaching
		}
		if !p.Missing || p.Filled {
			if br {
				b++
			} else {
				nb++
			}
		}
		d.Evaluated = append(d.Evaluated, p)
		d.Breaching = append(d.Breaching, br)
	}
	switch {
	case treat == TreatBreaching || treat == TreatNotBreaching:
		d.State = StateOK
		if b >= m {
			d.State = StateAlarm
		}
	case b >= m:
		d.State = StateAlarm
	case nb > 0:
		d.State = StateOK
	case treat == TreatIgnore:
		d.Keep = true
	case len(real) > 0 && !d.Evaluated[0].Missing:
		d.State = StateAlarm
	default:
		d.State = StateInsufficientData
	}
	return d
}
