package funcs

import "testing"

func benchCall(b *testing.B, name string, args ...Value) {
	f, ok := Lookup(name)
	if !ok {
		b.Fatal(name)
	}
	b.ReportAllocs()
	for b.Loop() {
		sinkValue = f.Call(nil, args)
	}
}

// BenchmarkToUpper allocates the new string once; text that is already
// upper case is returned without allocating.
func BenchmarkToUpper(b *testing.B) { benchCall(b, "toupper", Str("GET /api/v1/users?id=42")) }

func BenchmarkToUpperUnchanged(b *testing.B) { benchCall(b, "toupper", Str("GET /API/V1/USERS")) }

func BenchmarkStrlen(b *testing.B) { benchCall(b, "strlen", Str(benchMessage)) }

func BenchmarkSubstr(b *testing.B) { benchCall(b, "substr", Str(benchMessage), Num(25), Num(36)) }

func BenchmarkStrcontainsFold(b *testing.B) {
	benchCall(b, "strcontains", Str(benchMessage), Str("illegalstate"), Bool(true))
}

func BenchmarkBin(b *testing.B) { benchCall(b, "bin", Timestamp(1704164645678), Str("5m")) }

func BenchmarkDatefloorMonth(b *testing.B) {
	benchCall(b, "datefloor", Timestamp(1704164645678), Str("1mo"))
}

func BenchmarkIsIpInSubnet(b *testing.B) {
	benchCall(b, "isIpInSubnet", Str("192.0.2.77"), Str("192.0.2.0/24"))
}

func BenchmarkJSONParse(b *testing.B) {
	benchCall(b, "jsonParse", Str(`{"errorType":"IllegalStateException","errorMessage":"boom","stack":["at handler (index.js:12:7)"],"n":12.5}`))
}
