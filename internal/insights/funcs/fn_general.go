package funcs

// generalFuncs are AWS's "General functions".
var generalFuncs = []*Func{
	fn("ispresent", 1, 1, callIsPresent),
	fn("coalesce", 1, -1, callCoalesce),
	fn("case", 2, 2*maxCaseBranches+1, callCase),
	fn("if", 3, 3, callIf),
	fn("isNumeric", 1, 1, callIsNumeric),
	fn("messageSize", 1, 1, callMessageSize),
	fn("queryStartTime", 0, 0, func(env *Env, _ []Value) Value {
		if env == nil || env.Start.IsZero() {
			return Null
		}
		return Num(float64(env.Start.UnixMilli()))
	}),
	fn("queryEndTime", 0, 0, func(env *Env, _ []Value) Value {
		if env == nil || env.End.IsZero() {
			return Null
		}
		return Num(float64(env.End.UnixMilli()))
	}),
	fn("queryTimeRange", 0, 0, func(env *Env, _ []Value) Value {
		if env == nil || env.Start.IsZero() || env.End.IsZero() {
			return Null
		}
		return Num(float64(env.End.UnixMilli() - env.Start.UnixMilli()))
	}),
}

// maxCaseBranches is AWS's limit: case "Supports up to 10 branches".
const maxCaseBranches = 10

// callIsPresent is ispresent(field): true when the field exists, whatever
// its value (an empty string is present).
func callIsPresent(_ *Env, args []Value) Value { return Bool(args[0].kind != KindNull) }

// callCoalesce is coalesce(a, b, ...): the first argument that is not null.
func callCoalesce(_ *Env, args []Value) Value {
	for _, a := range args {
		if a.kind != KindNull {
			return a
		}
	}
	return Null
}

// callCase is case(cond1, val1, cond2, val2, ..., [default]): the value
// after the first condition that is Truthy; else the default, if the
// argument count is odd; else null.
func callCase(_ *Env, args []Value) Value {
	i := 0
	for ; i+1 < len(args); i += 2 {
		if Truthy(args[i]) {
			return args[i+1]
		}
	}
	if i < len(args) {
		return args[i]
	}
	return Null
}

// callIf is if(cond, then, else); a null condition counts as false.
func callIf(_ *Env, args []Value) Value {
	if Truthy(args[0]) {
		return args[1]
	}
	return args[2]
}

// callIsNumeric is isNumeric(x): whether the printed form of x parses as a
// number (so numbers, numeric strings and booleans, not timestamps). A
// missing field is not numeric.
func callIsNumeric(_ *Env, args []Value) Value {
	v := args[0]
	switch v.kind {
	case KindNumber, KindBool:
		return trueValue
	case KindString:
		_, ok := ParseNumber(v.str)
		return Bool(ok)
	}
	return falseValue
}

// callMessageSize is messageSize(field): the length of its text in UTF-8
// bytes.
func callMessageSize(_ *Env, args []Value) Value {
	s, ok := textArg(args[0])
	if !ok {
		return Null
	}
	return Num(float64(len(s)))
}
