package query

import "testing"

// BenchmarkParse parses a typical four-command query.
func BenchmarkParse(b *testing.B) {
	const src = `fields @timestamp, @message, @logStream
| filter @message like /ERROR/ and status >= 500 and ispresent(requestId)
| stats count(*) as errors, avg(latency) as avgLatency by bin(5m), service
| sort errors desc`
	b.SetBytes(int64(len(src)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(src); err != nil {
			b.Fatal(err)
		}
	}
}
