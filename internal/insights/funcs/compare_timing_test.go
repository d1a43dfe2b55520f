package funcs

import "testing"

var sinkValue Value

func BenchmarkCompareNumbers(b *testing.B) {
	x, y := Num(1234.5), Num(2000)
	b.ReportAllocs()
	for b.Loop() {
		sinkValue = Compare(OpGt, x, y)
	}
}

func BenchmarkCompareStrings(b *testing.B) {
	x, y := Str("RequestSummary"), Str("RequestMapping")
	b.ReportAllocs()
	for b.Loop() {
		sinkValue = Compare(OpEq, x, y)
	}
}

// BenchmarkCompareNumericString is duration > 2000 on a string field.
func BenchmarkCompareNumericString(b *testing.B) {
	x, y := Str("2345.67"), Num(2000)
	b.ReportAllocs()
	for b.Loop() {
		sinkValue = Compare(OpGt, x, y)
	}
}

func BenchmarkArith(b *testing.B) {
	x, y := Str("1500"), Num(1000)
	b.ReportAllocs()
	for b.Loop() {
		sinkValue = Arith(OpDiv, x, y)
	}
}

func BenchmarkAnd(b *testing.B) {
	x, y := Compare(OpGt, Num(3), Num(2)), Str("x")
	b.ReportAllocs()
	for b.Loop() {
		sinkValue = And(x, y)
	}
}

// TestHotPathsDoNotAllocate pins the zero-allocation claims of the
// operators, the matchers and the per-row time functions.
func TestHotPathsDoNotAllocate(t *testing.T) {
	re := MustCompileRegex("Exception")
	re2 := MustCompileRegex(`2\d\d`)
	bin, _ := Lookup("bin")
	binArgs := []Value{Timestamp(1704164645678), Str("5m")}
	upper, _ := Lookup("toupper")
	upperArgs := []Value{Str("ALREADY UPPER")}
	strlen, _ := Lookup("strlen")
	strlenArgs := []Value{Str("héllo wörld")}
	substr, _ := Lookup("substr")
	substrArgs := []Value{Str("xyZfooxyZ"), Num(3), Num(3)}
	in, _ := Lookup("isIpv4InSubnet")
	inArgs := []Value{Str("192.0.2.77"), Str("192.0.2.0/24")}
	for name, f := range map[string]func(){
		"Compare numbers":        func() { sinkValue = Compare(OpLt, Num(1), Num(2)) },
		"Compare strings":        func() { sinkValue = Compare(OpEq, Str("abc"), Str("abd")) },
		"Compare numeric string": func() { sinkValue = Compare(OpGe, Str(" 2001.5"), Num(2000)) },
		"Arith":                  func() { sinkValue = Arith(OpAdd, Str("2"), Num(1)) },
		"And/Or/Not":             func() { sinkValue = Not(Or(And(Bool(true), Null), Str("x"))) },
		"In":                     func() { sinkValue = In(Str("b"), []Value{Str("a"), Str("b")}) },
		"Like":                   func() { sinkValue = Like(Str("java.lang.IllegalStateException"), "Exception") },
		"Regex literal":          func() { sinkValue = re.Match(Str("java.lang.IllegalStateException")) },
		"Regex":                  func() { sinkValue = re2.Match(Str("status 204")) },
		"ParseNumber":            func() { _, _ = ParseNumber("-12345.678e-2") },
		"bin":                    func() { sinkValue = bin.Call(nil, binArgs) },
		"toupper unchanged":      func() { sinkValue = upper.Call(nil, upperArgs) },
		"strlen":                 func() { sinkValue = strlen.Call(nil, strlenArgs) },
		"substr":                 func() { sinkValue = substr.Call(nil, substrArgs) },
		"isIpv4InSubnet":         func() { sinkValue = in.Call(nil, inArgs) },
		"AppendTo number":        func() { appendBuf = Num(1642195111000.5).AppendTo(appendBuf[:0]) },
		"AppendTo time":          func() { appendBuf = Timestamp(1642195111000).AppendTo(appendBuf[:0]) },
	} {
		if n := testing.AllocsPerRun(100, f); n != 0 {
			t.Errorf("%s: %v allocations", name, n)
		}
	}
}

var appendBuf = make([]byte, 0, 64)
