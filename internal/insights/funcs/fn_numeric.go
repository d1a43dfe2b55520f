package funcs

import (
	"math"
	"strconv"
)

// numericFuncs are AWS's "Numeric operators": they take the numeric view of
// their arguments (numbers, numeric strings, booleans as 1/0, timestamps as
// milliseconds) and return a number, or null for a missing or non-numeric
// argument or a non-finite result.
var numericFuncs = []*Func{
	fn("abs", 1, 1, unaryMath(math.Abs)),
	fn("ceil", 1, 1, unaryMath(math.Ceil)),
	fn("floor", 1, 1, unaryMath(math.Floor)),
	fn("greatest", 1, -1, extreme(1)),
	fn("least", 1, -1, extreme(-1)),
	fn("log", 1, 1, unaryMath(math.Log)), // natural log; log(0) and log(-1) are null
	fn("round", 1, 2, callRound),
	fn("sqrt", 1, 1, unaryMath(math.Sqrt)), // sqrt(-1) is null
	fn("haversine", 4, 4, callHaversine),
	fn("toNumber", 1, 1, unaryMath(func(x float64) float64 { return x })),
	fn("toInt", 1, 1, toInteger(math.MinInt32, math.MaxInt32+1)),
	fn("toLong", 1, 1, toInteger(math.MinInt64, -math.MinInt64)),
	fn("toDouble", 1, 1, unaryMath(func(x float64) float64 { return x })),
}

func unaryMath(f func(float64) float64) func(*Env, []Value) Value {
	return func(_ *Env, args []Value) Value {
		x, ok := numArg(args[0])
		if !ok {
			return Null
		}
		return Num(f(x))
	}
}

// extreme implements greatest (sign 1) and least (sign -1). Like SQL
// engines that ignore nulls, arguments without a numeric view are skipped;
// the result is null only when none has one.
func extreme(sign float64) func(*Env, []Value) Value {
	return func(_ *Env, args []Value) Value {
		best, found := 0.0, false
		for _, a := range args {
			x, ok := numArg(a)
			if !ok {
				continue
			}
			if !found || (x-best)*sign > 0 {
				best, found = x, true
			}
		}
		if !found {
			return Null
		}
		return Num(best)
	}
}

// toInteger converts to an integer in [lo, hi): the fraction is dropped
// (toward zero) and values outside the range are null.
func toInteger(lo, hi float64) func(*Env, []Value) Value {
	return func(_ *Env, args []Value) Value {
		x, ok := numArg(args[0])
		if !ok {
			return Null
		}
		x = math.Trunc(x)
		if x < lo || x >= hi {
			return Null
		}
		return Num(x)
	}
}

// callRound is round(a) and round(a, d): half away from zero, to d decimal
// places (d may be negative: round(1234, -2) is 1200). Rounding works on the
// shortest decimal form of a, the digits a user sees, so round(2.675, 2) is
// 2.68 although the binary double is slightly below 2.675 (the behaviour of
// Java's BigDecimal.valueOf(a).setScale(d, HALF_UP)). A fractional d is
// truncated.
func callRound(_ *Env, args []Value) Value {
	x, ok := numArg(args[0])
	if !ok {
		return Null
	}
	d := 0.0
	if len(args) > 1 {
		if d, ok = numArg(args[1]); !ok {
			return Null
		}
		d = math.Trunc(d)
	}
	if d > 400 {
		return Num(x)
	}
	if d < -400 {
		return Num(0)
	}
	return Num(roundDecimal(x, int(d)))
}

func roundDecimal(x float64, d int) float64 {
	if x == 0 {
		return 0
	}
	var buf [32]byte
	s := strconv.AppendFloat(buf[:0], math.Abs(x), 'e', -1, 64) // d.ddddde±XX
	epos := 0
	for epos < len(s) && s[epos] != 'e' {
		epos++
	}
	exp, _ := strconv.Atoi(string(s[epos+1:]))
	digits := make([]byte, 0, 20)
	for _, c := range s[:epos] {
		if c != '.' {
			digits = append(digits, c)
		}
	}
	// x = 0.digits × 10^(exp+1); keep the first exp+1+d digits.
	keep := exp + 1 + d
	if keep >= len(digits) {
		return x
	}
	if keep < 0 {
		return 0
	}
	kept := digits[:keep]
	if digits[keep] >= '5' {
		i := len(kept) - 1
		for i >= 0 && kept[i] == '9' {
			kept[i] = '0'
			i--
		}
		if i < 0 {
			kept = append([]byte{'1'}, kept...)
		} else {
			kept[i]++
		}
	}
	if len(kept) == 0 {
		return 0
	}
	mant := string(kept) + "e" + strconv.Itoa(exp+1-keep)
	r, err := strconv.ParseFloat(mant, 64)
	if err != nil && !math.IsInf(r, 0) {
		return x
	}
	if x < 0 {
		r = -r
	}
	return r
}

// earthRadiusKm is the mean Earth radius haversine uses (IUGG mean radius,
// rounded to the kilometre as most haversine implementations do).
const earthRadiusKm = 6371.0

// callHaversine is haversine(lat1, lon1, lat2, lon2): the great-circle
// distance in kilometres between two points given in degrees.
func callHaversine(_ *Env, args []Value) Value {
	var c [4]float64
	for i := range c {
		x, ok := numArg(args[i])
		if !ok {
			return Null
		}
		c[i] = x * math.Pi / 180
	}
	dLat, dLon := c[2]-c[0], c[3]-c[1]
	a := math.Sin(dLat/2)*math.Sin(dLat/2) + math.Cos(c[0])*math.Cos(c[2])*math.Sin(dLon/2)*math.Sin(dLon/2)
	a = math.Min(1, math.Max(0, a))
	return Num(2 * earthRadiusKm * math.Atan2(math.Sqrt(a), math.Sqrt(1-a)))
}
