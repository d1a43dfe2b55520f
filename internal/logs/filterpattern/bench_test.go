package filterpattern

import (
	"fmt"
	"testing"
)

// benchLines are ~300-byte JSON application log lines, one in eight an error.
var benchLines = func() []string {
	lines := make([]string, 64)
	for i := range lines {
		level, status := "INFO", 200
		if i%8 == 3 {
			level, status = "ERROR", 503
		}
		lines[i] = fmt.Sprintf(`{"timestamp":"2024-05-01T12:%02d:%02d.123Z","level":"%s","service":"checkout-api","requestId":"4f1c2a9e-7b3d-4e21-9c55-%012d","method":"POST","path":"/v1/orders/%d/items","status":%d,"latency":%d.%d,"user":{"id":%d,"tier":"gold"},"msg":"request completed"}`,
			i%60, (i*7)%60, level, i*7919, 100000+i, status, 20+i*13%400, i%10, 5000+i)
	}
	return lines
}()

// benchDelimited are Apache-style space-delimited lines of similar length.
var benchDelimited = func() []string {
	lines := make([]string, 64)
	for i := range lines {
		status := 200
		if i%8 == 3 {
			status = 404
		}
		lines[i] = fmt.Sprintf(`10.0.%d.%d - frank [10/Oct/2000:13:%02d:15 -0700] "GET /catalog/products/%d/reviews/index.html?page=%d&sort=recent HTTP/1.1" %d %d "https://shop.example.com/catalog" "Mozilla/5.0 (X11; Linux x86_64)"`,
			i%8, i, i%60, 1000+i, i%5, status, 500+i*37)
	}
	return lines
}()

func benchMatch(b *testing.B, pattern string, lines []string) {
	p := MustParse(pattern)
	var bytes int64
	for _, l := range lines {
		bytes += int64(len(l))
	}
	b.SetBytes(bytes / int64(len(lines)))
	b.ReportAllocs()
	b.ResetTimer()
	n := 0
	for i := 0; i < b.N; i++ {
		if p.Match(lines[i%len(lines)]) {
			n++
		}
	}
	if n == 0 && b.N >= len(lines) {
		b.Fatalf("%q matched nothing", pattern)
	}
}

func BenchmarkMatchTerm(b *testing.B)      { benchMatch(b, "ERROR", benchLines) }
func BenchmarkMatchMultiTerm(b *testing.B) { benchMatch(b, "ERROR checkout POST", benchLines) }
func BenchmarkMatchOr(b *testing.B)        { benchMatch(b, "?ERROR ?WARN ?FATAL", benchLines) }
func BenchmarkMatchExclusion(b *testing.B) { benchMatch(b, "request -ERROR", benchLines) }
func BenchmarkMatchPhrase(b *testing.B) {
	benchMatch(b, `"request completed" -"health check"`, benchLines)
}
func BenchmarkMatchRegex(b *testing.B) { benchMatch(b, `%status.:5\d\d,%`, benchLines) }
func BenchmarkMatchJSONEquality(b *testing.B) {
	benchMatch(b, `{ $.level = "ERROR" }`, benchLines)
}
func BenchmarkMatchJSONNumeric(b *testing.B) {
	benchMatch(b, `{ $.latency > 200 && $.status >= 500 }`, benchLines)
}
func BenchmarkMatchJSONNested(b *testing.B) {
	benchMatch(b, `{ $.user.tier = gold && ($.method = POST || $.path = "/v1/orders*") }`, benchLines)
}
func BenchmarkMatchSpaceDelimited(b *testing.B) {
	benchMatch(b, `[ip, id, user, timestamp, request = *html*, status_code = 4*, bytes > 100, ...]`, benchDelimited)
}

func BenchmarkValueJSON(b *testing.B) {
	p := MustParse(`{ $.latency = * }`)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, ok := p.Value(benchLines[i%len(benchLines)], "$.latency"); !ok {
			b.Fatal("no value")
		}
	}
}

func BenchmarkParse(b *testing.B) {
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		MustParse(`{ ($.user.id = 2 && $.users[0].email = "nonmatch") || $.actions[2] = "GET" }`)
	}
}
