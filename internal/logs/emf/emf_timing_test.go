package emf

import (
	"testing"
)

// benchEMF is an EMF document with 3 metrics × 2 dimension sets, as the
// client libraries write it (6 datums).
var benchEMF = []byte(`{"_aws":{"Timestamp":1714564800123,"CloudWatchMetrics":[{"Namespace":"checkout-api","Dimensions":[["Service"],["Service","Operation"]],"Metrics":[{"Name":"Latency","Unit":"Milliseconds"},{"Name":"Errors","Unit":"Count"},{"Name":"PayloadSize","Unit":"Bytes","StorageResolution":60}]}]},"Service":"checkout-api","Operation":"PlaceOrder","Latency":42.7,"Errors":0,"PayloadSize":1834,"requestId":"4f1c2a9e-7b3d-4e21-9c55-000000007919","level":"INFO","msg":"request completed"}`)

// benchNonEMF is a ~300-byte JSON application log line without _aws.
var benchNonEMF = []byte(`{"timestamp":"2024-05-01T12:03:21.123Z","level":"INFO","service":"checkout-api","requestId":"4f1c2a9e-7b3d-4e21-9c55-000000007919","method":"POST","path":"/v1/orders/100001/items","status":200,"latency":33.1,"host":"ip-10-0-1-7","region":"eu-west-1","user":{"id":5001,"tier":"gold"},"msg":"request completed"}`)

func BenchmarkExtract(b *testing.B) {
	if ds, ok := Extract(benchEMF); !ok || len(ds) != 6 {
		b.Fatalf("Extract = %d datums, %v; want 6, true", len(ds), ok)
	}
	b.SetBytes(int64(len(benchEMF)))
	b.ReportAllocs()
	for b.Loop() {
		Extract(benchEMF)
	}
}

func BenchmarkExtractNonEMF(b *testing.B) {
	if _, ok := Extract(benchNonEMF); ok {
		b.Fatal("Extract accepted a message without _aws")
	}
	b.SetBytes(int64(len(benchNonEMF)))
	b.ReportAllocs()
	for b.Loop() {
		Extract(benchNonEMF)
	}
}

func TestExtractNonEMFAllocs(t *testing.T) {
	if n := testing.AllocsPerRun(100, func() { Extract(benchNonEMF) }); n != 0 {
		t.Errorf("Extract allocates %v times on a message without _aws; want 0", n)
	}
}
