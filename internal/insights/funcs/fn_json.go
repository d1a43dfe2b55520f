package funcs

// jsonFuncs are AWS's "JSON functions" and the structure types they make.
var jsonFuncs = []*Func{
	fn("jsonParse", 1, 1, callJSONParse),
	fn("jsonStringify", 1, 1, callJSONStringify),
	fn("jsonArraySize", 1, 1, callJSONArraySize),
	fn("jsonArrayContains", 2, 2, callJSONArrayContains),
}

// structureOf is the map or list a value holds or spells as JSON text.
func structureOf(v Value) (Value, bool) {
	switch v.kind {
	case KindMap, KindList:
		return v, true
	case KindString:
		// Only text that can be an object or array is worth parsing.
		i := 0
		for i < len(v.str) && (v.str[i] == ' ' || v.str[i] == '\t' || v.str[i] == '\n' || v.str[i] == '\r') {
			i++
		}
		if i < len(v.str) && (v.str[i] == '{' || v.str[i] == '[') {
			s, ok := ParseJSON(v.str)
			return s, ok && (s.kind == KindMap || s.kind == KindList)
		}
	}
	return Null, false
}

// callJSONParse is jsonParse(s): the map or list that s spells; null (AWS:
// "an empty value") when s is not a JSON object or array. A map or list
// argument is returned as it is.
func callJSONParse(_ *Env, args []Value) Value {
	s, ok := structureOf(args[0])
	if !ok {
		return Null
	}
	return s
}

// callJSONStringify is jsonStringify(x): compact JSON for a map or list
// (members in their order); null for anything else.
func callJSONStringify(_ *Env, args []Value) Value {
	v := args[0]
	if v.kind != KindMap && v.kind != KindList {
		return Null
	}
	return Str(string(appendJSON(nil, v)))
}

// callJSONArraySize is jsonArraySize(field): the number of elements of the
// JSON array the field holds; null when it holds no array.
func callJSONArraySize(_ *Env, args []Value) Value {
	s, ok := structureOf(args[0])
	if !ok || s.kind != KindList {
		return Null
	}
	return Num(float64(len(s.ref.elems)))
}

// callJSONArrayContains is jsonArrayContains(field, value): true when the
// JSON array in the field has an element whose text equals value exactly
// (case-sensitive). Elements compare by their JSON spelling, strings
// without quotes, so [1, "a", true] contains "1", "a" and "true". Invalid
// JSON, a non-array or an empty array give false (AWS); a missing field or
// value gives null.
func callJSONArrayContains(_ *Env, args []Value) Value {
	if args[0].kind == KindNull {
		return Null
	}
	want, ok := textArg(args[1])
	if !ok {
		return Null
	}
	s, ok := structureOf(args[0])
	if !ok || s.kind != KindList {
		return falseValue
	}
	var buf []byte
	for _, e := range s.ref.elems {
		if e.kind == KindString {
			if e.str == want {
				return trueValue
			}
			continue
		}
		buf = appendJSON(buf[:0], e)
		if string(buf) == want {
			return trueValue
		}
	}
	return falseValue
}
