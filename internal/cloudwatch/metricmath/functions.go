package metricmath

import (
	"fmt"
	"strings"
)

// funcSpec is the arity of a function; argument types are checked by Eval.
type funcSpec struct {
	min, max int
	// kw[i] lists the keywords allowed as argument i (nil: none).
	kw map[int][]string
}

func (s funcSpec) arity() string {
	switch {
	case s.min == s.max && s.min == 0:
		return "no arguments"
	case s.min == s.max && s.min == 1:
		return "1 argument"
	case s.min == s.max:
		return fmt.Sprintf("%d arguments", s.min)
	}
	return fmt.Sprintf("%d to %d arguments", s.min, s.max)
}

// functions is every function of the "Using metric math" table that Vigil
// implements. The per-function files (fn_*.go) hold the behaviour.
var functions = map[string]funcSpec{
	"ABS":             {min: 1, max: 1},
	"AVG":             {min: 1, max: 1},
	"CEIL":            {min: 1, max: 1},
	"DATAPOINT_COUNT": {min: 1, max: 1},
	"DIFF":            {min: 1, max: 1},
	"DIFF_TIME":       {min: 1, max: 1},
	"FILL":            {min: 2, max: 2, kw: map[int][]string{1: {"REPEAT", "LINEAR"}}},
	"FIRST":           {min: 1, max: 1},
	"LAST":            {min: 1, max: 1},
	"FLOOR":           {min: 1, max: 1},
	"IF":              {min: 2, max: 3},
	"LOG":             {min: 1, max: 1},
	"LOG10":           {min: 1, max: 1},
	"MAX":             {min: 1, max: 1},
	"METRIC_COUNT":    {min: 1, max: 1},
	"METRICS":         {min: 0, max: 1},
	"MIN":             {min: 1, max: 1},
	"MINUTE":          {min: 1, max: 1},
	"HOUR":            {min: 1, max: 1},
	"DAY":             {min: 1, max: 1},
	"DATE":            {min: 1, max: 1},
	"MONTH":           {min: 1, max: 1},
	"YEAR":            {min: 1, max: 1},
	"EPOCH":           {min: 1, max: 1},
	"PERIOD":          {min: 1, max: 1},
	"RATE":            {min: 1, max: 1},
	"REMOVE_EMPTY":    {min: 1, max: 1},
	"RUNNING_SUM":     {min: 1, max: 1},
	"SEARCH":          {min: 1, max: 3},
	"SLICE":           {min: 2, max: 3},
	"SORT":            {min: 3, max: 4, kw: map[int][]string{1: {"AVG", "MIN", "MAX", "SUM"}, 2: {"ASC", "DESC"}}},
	"STDDEV":          {min: 1, max: 1},
	"SUM":             {min: 1, max: 1},
	"TIME_SERIES":     {min: 1, max: 1},
}

// unsupported lists the documented functions Vigil does not implement yet,
// with a hint appended to the error message.
var unsupported = map[string]string{
	"ANOMALY_DETECTION_BAND": " (anomaly detection is not available)",
	"DB_PERF_INSIGHTS":       " (Performance Insights metrics are not available)",
	"INSIGHT_RULE_METRIC":    " (Contributor Insights rules are not available)",
	"LAMBDA":                 " (calling Lambda functions from metric math is not available)",
	"SERVICE_QUOTA":          " (service quotas are not available)",
}

// keywords are the bare upper-case words that may appear as arguments.
var keywords = map[string]struct{}{
	"REPEAT": {}, "LINEAR": {}, "ASC": {}, "DESC": {},
	"AVG": {}, "MIN": {}, "MAX": {}, "SUM": {},
}

// check validates what the grammar alone cannot: keywords only where a
// function accepts them, strings only as METRICS/SEARCH arguments.
func check(n Node, top bool) *Error {
	switch n := n.(type) {
	case *Keyword:
		return errorf(n.P, "Unexpected keyword %s", n.Name)
	case *StringLit:
		return errorf(n.P, "Unexpected string %q: strings are only valid as arguments of METRICS and SEARCH", n.Value)
	case *Unary:
		return check(n.X, false)
	case *Binary:
		if err := check(n.L, false); err != nil {
			return err
		}
		return check(n.R, false)
	case *Array:
		for _, e := range n.Elems {
			if err := check(e, false); err != nil {
				return err
			}
		}
	case *Call:
		spec := functions[n.Name]
		for i, a := range n.Args {
			if kw, ok := a.(*Keyword); ok {
				allowed := spec.kw[i]
				if !contains(allowed, kw.Name) {
					if len(allowed) > 0 {
						return errorf(kw.P, "Invalid argument %s for %s: expected one of %s", kw.Name, n.Name, strings.Join(allowed, ", "))
					}
					return errorf(kw.P, "Unexpected keyword %s", kw.Name)
				}
				continue
			}
			if s, ok := a.(*StringLit); ok {
				if n.Name == "SEARCH" || n.Name == "METRICS" && i == 0 {
					continue
				}
				return errorf(s.P, "Unexpected string %q: strings are only valid as arguments of METRICS and SEARCH", s.Value)
			}
			if n.Name == "SORT" && (i == 1 || i == 2) {
				return errorf(a.Pos(), "Invalid argument for SORT: expected %s", strings.Join(spec.kw[i], ", "))
			}
			if n.Name == "METRICS" {
				return errorf(a.Pos(), "The argument of METRICS must be a string in double quotes")
			}
			if err := check(a, false); err != nil {
				return err
			}
		}
	}
	return nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
