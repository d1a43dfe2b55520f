package stats

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Kind names a statistic.
type Kind uint8

// The statistics CloudWatch knows. The first five are the simple statistics
// (GetMetricStatistics' Statistics); the rest are extended statistics.
const (
	SampleCount Kind = iota + 1
	Average
	Sum
	Minimum
	Maximum
	Percentile     // pNN.NN
	TrimmedMean    // tmNN, TM(a:b)
	WinsorizedMean // wmNN, WM(a:b)
	TrimmedCount   // tcNN, TC(a:b)
	TrimmedSum     // tsNN, TS(a:b)
	PercentileRank // PR(a:b)
	IQM            // IQM = TM(25%:75%)
)

// Bound is one end of a statistic's range. A Bound that is not Set is open
// (the 0% / 100% end of the data). A Percent bound is a share of the data
// points (0–100); otherwise Value is an absolute metric value.
type Bound struct {
	Set     bool
	Percent bool
	Value   float64
}

// Statistic is a parsed statistic name. The zero value is invalid; get one
// from ParseStatistic.
//
// For Percentile, P is the percentile (0–100). For the range statistics
// (TrimmedMean, WinsorizedMean, TrimmedCount, TrimmedSum, PercentileRank,
// IQM), Lo and Hi are the bounds; the short forms tmNN, wmNN, tcNN and tsNN
// mean an open lower bound and an upper bound of NN%. Short records that the
// statistic was written in a short form, so that String gives it back so.
type Statistic struct {
	Kind   Kind
	P      float64
	Lo, Hi Bound
	Short  bool
}

// ErrInvalidStatistic is wrapped by every error ParseStatistic returns.
var ErrInvalidStatistic = errors.New("invalid statistic")

// ParseError reports a statistic name that is not valid. Reason says why in
// a sentence fragment ("the percentile must be between 0 and 100").
type ParseError struct {
	Input  string
	Reason string
}

func (e *ParseError) Error() string {
	return fmt.Sprintf("invalid statistic %q: %s", e.Input, e.Reason)
}

// Unwrap returns ErrInvalidStatistic.
func (e *ParseError) Unwrap() error { return ErrInvalidStatistic }

// Message is the text of the InvalidParameterValue error a CloudWatch
// handler returns for this input in parameter param (for example
// "ExtendedStatistics", "ExtendedStatistic", "Stat"):
//
//	The value p101 for parameter ExtendedStatistics is not a valid percentile statistic.
//
// The wording follows the GetMetricStatistics error for percentiles; the
// reason is appended after a dash so that the caller learns what to fix.
func (e *ParseError) Message(param string) string {
	what := "statistic"
	if len(e.Input) > 0 && (e.Input[0] == 'p' || e.Input[0] == 'P') && !strings.HasPrefix(strings.ToUpper(e.Input), "PR") {
		what = "percentile statistic"
	}
	return fmt.Sprintf("The value %s for parameter %s is not a valid %s - %s.", e.Input, param, what, e.Reason)
}

// maxDecimals is the number of decimal places a statistic's numbers may
// have (CloudWatch statistics definitions: "up to 10 decimal places").
const maxDecimals = 10

// ParseStatistic parses a statistic as CloudWatch accepts it in
// GetMetricStatistics (Statistics / ExtendedStatistics), GetMetricData
// (MetricStat.Stat) and PutMetricAlarm (Statistic / ExtendedStatistic):
//
//	SampleCount Average Sum Minimum Maximum     (exact spelling)
//	pNN.NN                                      0 ≤ NN.NN ≤ 100
//	tmNN wmNN tcNN tsNN                         0 < NN ≤ 100: the lowest NN% of the data
//	TM(a:b) WM(a:b) TC(a:b) TS(a:b)             a, b: NN% (0–100) or an absolute value; either may be omitted
//	PR(a:b)                                     a, b absolute values; either may be omitted
//	IQM                                         TM(25%:75%)
//
// The prefixes of the extended statistics are accepted in either case
// (p95 and P95, tm90 and TM90, tm(10%:90%) and TM(10%:90%)). Numbers are
// plain decimals with up to 10 decimal places; absolute bounds may be
// negative. When both bounds are given, the lower must be below the upper;
// a percentage bound and an absolute bound may be mixed.
func ParseStatistic(s string) (Statistic, error) {
	switch s {
	case "SampleCount":
		return Statistic{Kind: SampleCount}, nil
	case "Average":
		return Statistic{Kind: Average}, nil
	case "Sum":
		return Statistic{Kind: Sum}, nil
	case "Minimum":
		return Statistic{Kind: Minimum}, nil
	case "Maximum":
		return Statistic{Kind: Maximum}, nil
	}
	fail := func(format string, args ...any) (Statistic, error) {
		return Statistic{}, &ParseError{Input: s, Reason: fmt.Sprintf(format, args...)}
	}
	if s == "" {
		return fail("the statistic is empty")
	}
	if strings.EqualFold(s, "IQM") {
		return Statistic{Kind: IQM, Lo: Bound{true, true, 25}, Hi: Bound{true, true, 75}}, nil
	}
	var kind Kind
	var rest string
	up := strings.ToUpper(s)
	switch {
	case strings.HasPrefix(up, "TM"):
		kind, rest = TrimmedMean, s[2:]
	case strings.HasPrefix(up, "WM"):
		kind, rest = WinsorizedMean, s[2:]
	case strings.HasPrefix(up, "TC"):
		kind, rest = TrimmedCount, s[2:]
	case strings.HasPrefix(up, "TS"):
		kind, rest = TrimmedSum, s[2:]
	case strings.HasPrefix(up, "PR"):
		kind, rest = PercentileRank, s[2:]
	case strings.HasPrefix(up, "P"):
		kind, rest = Percentile, s[1:]
	default:
		return fail("it is not one of SampleCount, Average, Sum, Minimum, Maximum, or an extended statistic (pNN.NN, tmNN, wmNN, tcNN, tsNN, TM(a:b), WM(a:b), TC(a:b), TS(a:b), PR(a:b), IQM)")
	}
	name := strings.ToUpper(s[:len(s)-len(rest)])
	if kind == Percentile {
		v, err := parseNumber(rest, false)
		if err != "" {
			return fail("the percentile %s", err)
		}
		if v < 0 || v > 100 {
			return fail("the percentile must be between 0 and 100")
		}
		return Statistic{Kind: Percentile, P: v}, nil
	}
	if !strings.HasPrefix(rest, "(") {
		if kind == PercentileRank {
			return fail("PR needs a range: PR(a:b)")
		}
		v, err := parseNumber(rest, false)
		if err != "" {
			return fail("the percentage after %s %s", strings.ToLower(name), err)
		}
		if v <= 0 || v > 100 {
			return fail("the percentage after %s must be greater than 0 and at most 100", strings.ToLower(name))
		}
		return Statistic{Kind: kind, Hi: Bound{Set: true, Percent: true, Value: v}, Short: true}, nil
	}
	if !strings.HasSuffix(rest, ")") {
		return fail("the range must end with ')'")
	}
	inner := rest[1 : len(rest)-1]
	colon := strings.IndexByte(inner, ':')
	if colon < 0 {
		return fail("the range must have the form %s(a:b), with a or b optional", name)
	}
	lo, err := parseBound(inner[:colon], kind)
	if err != "" {
		return fail("the lower bound %s", err)
	}
	hi, err := parseBound(inner[colon+1:], kind)
	if err != "" {
		return fail("the upper bound %s", err)
	}
	if !lo.Set && !hi.Set {
		return fail("at least one bound is needed")
	}
	if lo.Set && hi.Set && lo.Percent == hi.Percent && lo.Value >= hi.Value {
		return fail("the lower bound must be less than the upper bound")
	}
	return Statistic{Kind: kind, Lo: lo, Hi: hi}, nil
}

func parseBound(s string, kind Kind) (Bound, string) {
	if s == "" {
		return Bound{}, ""
	}
	if strings.HasSuffix(s, "%") {
		if kind == PercentileRank {
			return Bound{}, "must be an absolute value, not a percentage"
		}
		v, err := parseNumber(s[:len(s)-1], false)
		if err != "" {
			return Bound{}, err
		}
		if v > 100 {
			return Bound{}, "must be a percentage between 0% and 100%"
		}
		return Bound{Set: true, Percent: true, Value: v}, ""
	}
	v, err := parseNumber(s, true)
	if err != "" {
		return Bound{}, err
	}
	return Bound{Set: true, Value: v}, ""
}

// parseNumber parses [-]digits[.digits] with at most maxDecimals decimals.
// It returns a non-empty reason fragment on failure.
func parseNumber(s string, signed bool) (float64, string) {
	t := s
	if signed && strings.HasPrefix(t, "-") {
		t = t[1:]
	}
	if t == "" {
		return 0, "is missing a number"
	}
	intPart, frac, hasDot := strings.Cut(t, ".")
	if intPart == "" || !allDigits(intPart) || (hasDot && (frac == "" || !allDigits(frac))) {
		return 0, fmt.Sprintf("must be a decimal number, not %q", s)
	}
	if len(frac) > maxDecimals {
		return 0, fmt.Sprintf("may have at most %d decimal places", maxDecimals)
	}
	if len(intPart) > 20 {
		return 0, "is too large"
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return 0, fmt.Sprintf("must be a decimal number, not %q", s)
	}
	return v, ""
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// String returns the statistic in CloudWatch's canonical spelling: the simple
// names as they are, IQM, short forms in lower case (p99, p99.9, tm90),
// range forms in upper case (TM(10%:90%), PR(:300)). Numbers are written
// without trailing zeros (p99.00 becomes p99); a handler that must echo the
// caller's exact spelling (ExtendedStatistics map keys) keeps the input.
func (s Statistic) String() string {
	switch s.Kind {
	case SampleCount:
		return "SampleCount"
	case Average:
		return "Average"
	case Sum:
		return "Sum"
	case Minimum:
		return "Minimum"
	case Maximum:
		return "Maximum"
	case IQM:
		return "IQM"
	case Percentile:
		return "p" + formatNumber(s.P)
	}
	var prefix string
	switch s.Kind {
	case TrimmedMean:
		prefix = "tm"
	case WinsorizedMean:
		prefix = "wm"
	case TrimmedCount:
		prefix = "tc"
	case TrimmedSum:
		prefix = "ts"
	case PercentileRank:
		prefix = "pr"
	default:
		return fmt.Sprintf("Statistic(%d)", s.Kind)
	}
	if s.Short {
		return prefix + formatNumber(s.Hi.Value)
	}
	return strings.ToUpper(prefix) + "(" + s.Lo.String() + ":" + s.Hi.String() + ")"
}

// String writes the bound as it appears inside a range: "" when open,
// "10%" or "150".
func (b Bound) String() string {
	if !b.Set {
		return ""
	}
	if b.Percent {
		return formatNumber(b.Value) + "%"
	}
	return formatNumber(b.Value)
}

func formatNumber(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

// Extended reports whether s is an extended statistic (anything but
// SampleCount, Average, Sum, Minimum and Maximum): GetMetricStatistics takes
// it in ExtendedStatistics, PutMetricAlarm in ExtendedStatistic.
func (s Statistic) Extended() bool { return s.Kind >= Percentile }

// NeedsDistribution reports whether computing s needs the distribution of
// values, not only SampleCount, Sum, Minimum and Maximum. Every extended
// statistic does.
func (s Statistic) NeedsDistribution() bool { return s.Extended() }
