package server

import (
	"net"
	"net/http"
	"os"
	"testing"

	"github.com/vigilhq/vigil/internal/bench"
)

// benchEndpoint is the server a goal's benchmark drives, from
// VIGIL_BENCH_ENDPOINT: a URL (a `vigil server` in its own process, whose
// CPU time can then be read apart from the client's in /proc/<pid>/stat),
// or "null": bench.NullHandler in this process, which answers at once and
// does nothing. Against it the benchmark measures its goal's ceiling on
// this machine, the SDK's work and HTTP on both sides, which a server's
// work only adds to. Empty (the default): the benchmark starts a server.
//
//	VIGIL_BENCH_ENDPOINT=null go test -run '^$' -bench 'SQSSendReceiveDelete10|SNSPublishFanout10|BenchmarkPutEvents$' ./internal/server
func benchEndpoint(b *testing.B) string {
	ep := os.Getenv("VIGIL_BENCH_ENDPOINT")
	if ep != "null" {
		return ep
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	srv := &http.Server{Handler: bench.NullHandler()}
	go srv.Serve(ln)
	b.Cleanup(func() { srv.Close() })
	return "http://" + ln.Addr().String()
}
