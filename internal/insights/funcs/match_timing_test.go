package funcs

import "testing"

const benchMessage = `2024-01-02T03:04:05.678Z 7c1d8f3e-1b2a-4c5d-9e8f-0a1b2c3d4e5f ERROR Invoke Error {"errorType":"IllegalStateException","errorMessage":"boom","stack":["at handler (index.js:12:7)"]}`

func BenchmarkLikeSubstring(b *testing.B) {
	v := Str(benchMessage)
	b.ReportAllocs()
	for b.Loop() {
		sinkValue = Like(v, "Exception")
	}
}

func BenchmarkRegexLiteral(b *testing.B) {
	v, re := Str(benchMessage), MustCompileRegex("Exception")
	b.ReportAllocs()
	for b.Loop() {
		sinkValue = re.Match(v)
	}
}

func BenchmarkRegexCaseInsensitive(b *testing.B) {
	v, re := Str(benchMessage), MustCompileRegex("(?i)(error|failure)")
	b.ReportAllocs()
	for b.Loop() {
		sinkValue = re.Match(v)
	}
}
