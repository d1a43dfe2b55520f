package funcs

import "strings"

// CmpOp is a comparison operator.
type CmpOp uint8

// The comparison operators of the filter command.
const (
	OpEq CmpOp = iota + 1 // =
	OpNe                  // !=
	OpLt                  // <
	OpLe                  // <=
	OpGt                  // >
	OpGe                  // >=
)

var cmpOpNames = [...]string{OpEq: "=", OpNe: "!=", OpLt: "<", OpLe: "<=", OpGt: ">", OpGe: ">="}

func (op CmpOp) String() string {
	if op >= OpEq && op <= OpGe {
		return cmpOpNames[op]
	}
	return "?"
}

// ParseCmpOp returns the operator spelled s ("=", "!=", "<", "<=", ">",
// ">=").
func ParseCmpOp(s string) (CmpOp, bool) {
	for op := OpEq; op <= OpGe; op++ {
		if cmpOpNames[op] == s {
			return op, true
		}
	}
	return 0, false
}

// Compare applies a comparison operator:
//
//   - If either side is null the result is null (unknown), which a filter
//     treats as false, and which not leaves null.
//   - If either side is a map or list the result is false (AWS: "Comparing
//     map and list to any other fields result in false").
//   - If both sides have a numeric view (numbers, booleans as 1/0,
//     timestamps as milliseconds, numeric strings) they compare as numbers,
//     so duration > 2000 works on a string field and "1.0" = 1.
//   - Otherwise two strings compare byte-wise (code-point order),
//     case-sensitively.
//   - A boolean against the string "true" or "false" (any case) compares as
//     1 or 0.
//   - A number, boolean or timestamp against another non-numeric string is
//     incomparable: = and the orderings are false, != is true.
func Compare(op CmpOp, a, b Value) Value {
	if a.kind == KindNumber && b.kind == KindNumber { // the common case
		return Bool(applyCmp(op, cmpFloat(a.num, b.num)))
	}
	if a.kind == KindNull || b.kind == KindNull {
		return Null
	}
	if a.kind >= KindMap || b.kind >= KindMap {
		return falseValue
	}
	c, ok := compare3(a, b)
	if !ok {
		return Bool(op == OpNe)
	}
	return Bool(applyCmp(op, c))
}

func applyCmp(op CmpOp, c int) bool {
	switch op {
	case OpEq:
		return c == 0
	case OpNe:
		return c != 0
	case OpLt:
		return c < 0
	case OpLe:
		return c <= 0
	case OpGt:
		return c > 0
	case OpGe:
		return c >= 0
	}
	return false
}

// compare3 orders two scalar, non-null values; ok is false when they are
// incomparable.
func compare3(a, b Value) (int, bool) {
	if a.kind == KindString && b.kind == KindString {
		if a.str == b.str {
			return 0, true
		}
		if x, ok := ParseNumber(a.str); ok {
			if y, ok := ParseNumber(b.str); ok {
				return cmpFloat(x, y), true
			}
		}
		return strings.Compare(a.str, b.str), true
	}
	x, aok := a.Number()
	y, bok := b.Number()
	if !aok && b.kind == KindBool {
		x, aok = a.boolWord()
	}
	if !bok && a.kind == KindBool {
		y, bok = b.boolWord()
	}
	if aok && bok {
		return cmpFloat(x, y), true
	}
	return 0, false
}

// boolWord reads the string "true" or "false" (any case) as 1 or 0, so a
// JSON boolean compares equal to the word.
func (v Value) boolWord() (float64, bool) {
	if v.kind == KindString {
		switch {
		case strings.EqualFold(v.str, "true"):
			return 1, true
		case strings.EqualFold(v.str, "false"):
			return 0, true
		}
	}
	return 0, false
}

func cmpFloat(x, y float64) int {
	switch {
	case x < y:
		return -1
	case x > y:
		return 1
	}
	return 0
}

// Truthy is how filter (and and, or, not, case and if) read a value as a
// condition: null is false; booleans are themselves; numbers and numeric
// strings are true unless zero; the empty string and "false" (any case) are
// false and every other string is true; timestamps, maps and lists are true.
// So "filter isRes" keeps events where ispresent gave 1.
func Truthy(v Value) bool {
	switch v.kind {
	case KindNull:
		return false
	case KindBool, KindNumber:
		return v.num != 0
	case KindString:
		if v.str == "" || strings.EqualFold(v.str, "false") {
			return false
		}
		if f, ok := ParseNumber(v.str); ok {
			return f != 0
		}
		return true
	}
	return true
}

// Not is the boolean operator not: null stays null (unknown), anything else
// is the negation of Truthy.
func Not(v Value) Value {
	if v.kind == KindNull {
		return Null
	}
	return Bool(!Truthy(v))
}

// And is the boolean operator and, with three-valued logic: false if either
// side is false (even when the other is null), else null if either side is
// null, else true.
func And(a, b Value) Value {
	if (a.kind != KindNull && !Truthy(a)) || (b.kind != KindNull && !Truthy(b)) {
		return falseValue
	}
	if a.kind == KindNull || b.kind == KindNull {
		return Null
	}
	return trueValue
}

// Or is the boolean operator or, with three-valued logic: true if either
// side is true (even when the other is null), else null if either side is
// null, else false.
func Or(a, b Value) Value {
	if Truthy(a) || Truthy(b) {
		return trueValue
	}
	if a.kind == KindNull || b.kind == KindNull {
		return Null
	}
	return falseValue
}

// In is set membership (v in [a, b, ...]): true if v = some element under
// Compare's rules, false otherwise, and null when v is null. Null elements
// never match.
func In(v Value, set []Value) Value {
	if v.kind == KindNull {
		return Null
	}
	for _, e := range set {
		if r := Compare(OpEq, v, e); r.kind == KindBool && r.num != 0 {
			return trueValue
		}
	}
	return falseValue
}
