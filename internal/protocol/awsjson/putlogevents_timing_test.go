package awsjson

import (
	"testing"
	"time"

	smithyjson "github.com/aws/smithy-go/encoding/json"

	logsapi "github.com/vigilhq/vigil/internal/api/logs"
	"github.com/vigilhq/vigil/internal/bench"
	"github.com/vigilhq/vigil/internal/cputime"
)

// sdkLogLinesBody is the body the Go SDK sends for one PutLogEvents call of
// the load goal's 1,000 JSON lines of ~300 bytes: written by the SDK's own
// JSON encoder (smithy-go), members in the SDK serialiser's order, so every
// quote of a line is a \" escape.
func sdkLogLinesBody(n int) []byte {
	enc := smithyjson.NewEncoder()
	obj := enc.Object()
	evs := obj.Key("logEvents").Array()
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC).UnixMilli()
	for i, line := range bench.LogLines(1, n, 300) {
		ev := evs.Value().Object()
		ev.Key("message").String(line)
		ev.Key("timestamp").Long(now + int64(i))
		ev.Close()
	}
	evs.Close()
	obj.Key("logGroupName").String("/bench")
	obj.Key("logStreamName").String("s0")
	obj.Close()
	return enc.Bytes()
}

// TestDecodePutLogEventsSDKLogLines checks the benchmark's body against
// the generic decoder, and that the hot decoder takes it.
func TestDecodePutLogEventsSDKLogLines(t *testing.T) {
	if !checkPutLogEvents(t, sdkLogLinesBody(200)) {
		t.Fatal("declined")
	}
}

// BenchmarkDecodePutLogEventsSDK decodes the load goal's call as the SDK
// sends it (MB/s counts body bytes). cpu-ns/op, the process's CPU time
// (garbage collection included), is steadier than ns/op on a shared
// machine.
func BenchmarkDecodePutLogEventsSDK(b *testing.B) {
	body := sdkLogLinesBody(1000)
	b.ReportAllocs()
	b.SetBytes(int64(len(body)))
	cpu, _ := cputime.Process()
	for b.Loop() {
		if !DecodePutLogEvents(body, new(logsapi.PutLogEventsRequest)) {
			b.Fatal("declined")
		}
	}
	end, _ := cputime.Process()
	b.ReportMetric(float64((end-cpu).Nanoseconds())/float64(b.N), "cpu-ns/op")
}
