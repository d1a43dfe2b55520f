package metricmath

import "math"

// fnPointwise implements ABS, CEIL, FLOOR, LOG and LOG10: the function of
// each data point of a series or of every series of an array. Scalars are
// accepted too (the result is a scalar). LOG and LOG10 of a value <= 0 are
// not finite and the point is dropped.
func fnPointwise(c *Call, x val) (val, *Error) {
	var f func(float64) float64
	switch c.Name {
	case "ABS":
		f = math.Abs
	case "CEIL":
		f = math.Ceil
	case "FLOOR":
		f = math.Floor
	case "LOG":
		f = math.Log
	case "LOG10":
		f = math.Log10
	}
	v := mapValue(x, f)
	if v.kind == KindScalar && !finite(v.scalar) {
		v.scalar = math.NaN()
	}
	return v, nil
}
