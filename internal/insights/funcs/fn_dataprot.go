package funcs

// dataProtFuncs are the data protection functions: unmask(field), "display
// all the content of a log event that has some content masked because of a
// data protection policy" (CWL_QuerySyntax-Unmask).
var dataProtFuncs = []*Func{
	fn("unmask", 1, 1, callUnmask),
}

// callUnmask is unmask(field): the field's value as it is. Vigil has no data
// protection policies, so nothing it stores is masked.
func callUnmask(_ *Env, args []Value) Value { return args[0] }
