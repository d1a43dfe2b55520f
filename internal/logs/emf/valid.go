package emf

import (
	"math"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// The checks PutMetricData applies to a MetricDatum (internal/cloudwatch
// putmetricdata.go and the CloudWatch model), reimplemented: this package
// must not import the CloudWatch handler. EMFValidationErrors is documented
// as counting metric definitions that "do not adhere to the embedded metric
// format and MetricDatum specifications".

// Limits of the EMF specification and of MetricDatum.
const (
	maxMetrics     = 100  // MetricDefinitions in a MetricDirective (spec)
	maxSetDims     = 30   // dimension keys in a DimensionSet (spec; MetricDatum)
	maxValues      = 100  // members of a numeric array target (spec)
	maxNameLen     = 255  // Namespace, metric Name, dimension name (MetricDatum)
	maxDimValueLen = 1024 // dimension value (spec; Dimension)
)

// valueLimit is 2^360: CloudWatch rejects values outside ±2^360.
var valueLimit = math.Ldexp(1, 360)

// validValue: finite and within ±2^360.
func validValue(v float64) bool {
	return !math.IsNaN(v) && !math.IsInf(v, 0) && math.Abs(v) <= valueLimit
}

// validNamespace applies PutMetricData's namespace rules: 1 to 255 ASCII
// letters, digits, spaces and . - _ / # : with a non-space among them, not
// starting with ':' (the model's pattern [^:].*), and not in the AWS/
// namespaces, which only AWS services publish to.
func validNamespace(ns string) bool {
	if len(ns) > maxNameLen || strings.HasPrefix(ns, "AWS/") || strings.HasPrefix(ns, ":") || strings.TrimSpace(ns) == "" {
		return false
	}
	for i := 0; i < len(ns); i++ {
		c := ns[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("._-/#: ", c) >= 0) {
			return false
		}
	}
	return true
}

// validMetricName: 1 to 255 characters, counted as the API counts them (in
// UTF-16 code units); the MetricName shape has no pattern. Names must be
// valid UTF-8 (the log event's own encoding).
func validMetricName(name string) bool {
	if name == "" || len(name) > 4*maxNameLen || !utf8.ValidString(name) {
		return false
	}
	n := 0
	for _, r := range name {
		n += utf16.RuneLen(r)
	}
	return n <= maxNameLen
}

// validDimName: ASCII with a non-blank character, no control characters but
// tab, not starting with ':', at most 255 characters.
func validDimName(name string) bool {
	return len(name) <= maxNameLen && !strings.HasPrefix(name, ":") && asciiWithText(name)
}

// validDimValue: ASCII with a non-blank character, no control characters but
// tab, at most 1024 characters.
func validDimValue(v string) bool {
	return len(v) <= maxDimValueLen && asciiWithText(v)
}

// asciiWithText is PutMetricData's dimension check: ASCII, no control
// characters except tab, at least one character other than space and tab.
func asciiWithText(s string) bool {
	text := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x80 || c < 0x20 && c != '\t' {
			return false
		}
		if c != ' ' && c != '\t' {
			text = true
		}
	}
	return text
}

// units are CloudWatch's StandardUnit values, the only Unit values accepted
// (case-sensitive, as the specification's JSON schema and the API have them).
var units = func() map[string]string {
	m := make(map[string]string)
	for _, u := range [...]string{
		"None", "Seconds", "Microseconds", "Milliseconds", "Bytes", "Kilobytes", "Megabytes",
		"Gigabytes", "Terabytes", "Bits", "Kilobits", "Megabits", "Gigabits", "Terabits", "Percent",
		"Count", "Bytes/Second", "Kilobytes/Second", "Megabytes/Second", "Gigabytes/Second",
		"Terabytes/Second", "Bits/Second", "Kilobits/Second", "Megabits/Second", "Gigabits/Second",
		"Terabits/Second", "Count/Second",
	} {
		m[u] = u
	}
	return m
}()
