package metricstore

import (
	"fmt"
	"testing"
)

// BenchmarkEncodeKeys encodes the series keys of one 1000-datum call as
// Append does (the server benchmark's series: ten metric names, Host and
// Shard dimensions).
func BenchmarkEncodeKeys(b *testing.B) {
	keys := make([]SeriesKey, 1000)
	for i := range keys {
		keys[i] = SeriesKey{Namespace: "Bench", MetricName: fmt.Sprintf("m%d", i%10),
			Dims: []Dim{{"Host", fmt.Sprintf("host-%d", i/10)}, {"Shard", fmt.Sprintf("s%d", i%7)}}}
	}
	p := Partition{"000000000000", "us-east-1"}
	var buf []byte
	for b.Loop() {
		ck := callKey{}
		buf = buf[:0]
		for i := range keys {
			buf = ck.encode(buf, p, &keys[i])
		}
	}
}
