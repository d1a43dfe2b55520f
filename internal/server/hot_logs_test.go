package server

import (
	"testing"

	"github.com/vigilhq/vigil/internal/gateway"
)

// TEMPORARY: the generic path, for the before/after ratio.
func BenchmarkPutLogEvents1000Generic(b *testing.B) {
	k := gateway.HotOp{Protocol: "awsJson1_1", Operation: "PutLogEvents"}
	h := logsHot[k]
	delete(logsHot, k)
	defer func() { logsHot[k] = h }()
	BenchmarkPutLogEvents1000(b)
}
