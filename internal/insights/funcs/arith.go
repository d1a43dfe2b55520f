package funcs

import "math"

// ArithOp is an arithmetic operator.
type ArithOp uint8

// The arithmetic operators (AWS, "Arithmetic operators").
const (
	OpAdd ArithOp = iota + 1 // a + b
	OpSub                    // a - b
	OpMul                    // a * b
	OpDiv                    // a / b
	OpMod                    // a % b, remainder with the sign of a (10 % 3 is 1)
	OpPow                    // a ^ b, exponentiation (2 ^ 3 is 8)
)

var arithOpNames = [...]string{OpAdd: "+", OpSub: "-", OpMul: "*", OpDiv: "/", OpMod: "%", OpPow: "^"}

func (op ArithOp) String() string {
	if op >= OpAdd && op <= OpPow {
		return arithOpNames[op]
	}
	return "?"
}

// ParseArithOp returns the operator spelled s ("+", "-", "*", "/", "%",
// "^").
func ParseArithOp(s string) (ArithOp, bool) {
	for op := OpAdd; op <= OpPow; op++ {
		if arithOpNames[op] == s {
			return op, true
		}
	}
	return 0, false
}

// Arith applies an arithmetic operator to the numeric views of a and b (see
// Value.Number: numeric strings count, "2" + 1 is 3; booleans are 1 or 0;
// timestamps are milliseconds). The result is a number, or null when either
// side has no numeric view or the result is not finite (division or
// remainder by zero, overflow).
func Arith(op ArithOp, a, b Value) Value {
	x, ok := a.Number()
	if !ok {
		return Null
	}
	y, ok := b.Number()
	if !ok {
		return Null
	}
	switch op {
	case OpAdd:
		return Num(x + y)
	case OpSub:
		return Num(x - y)
	case OpMul:
		return Num(x * y)
	case OpDiv:
		return Num(x / y)
	case OpMod:
		return Num(math.Mod(x, y))
	case OpPow:
		return Num(math.Pow(x, y))
	}
	return Null
}

// Neg is unary minus: the negated numeric view of v, or null.
func Neg(v Value) Value {
	x, ok := v.Number()
	if !ok {
		return Null
	}
	return Num(-x)
}
