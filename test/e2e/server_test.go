// Package e2e drives a real `vigil server` process with real clients: the
// Go SDK (RPC v2 CBOR for CloudWatch, JSON and awsQuery for the rest), the
// aws CLI and boto3.
package e2e

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/vigilhq/vigil/test/vigilproc"
)

var vigilBin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "vigil-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if vigilBin, err = vigilproc.Build(dir); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

func startVigil(t *testing.T, dataDir string, extra ...string) *vigilproc.Proc {
	return vigilproc.Start(t, vigilBin, dataDir, extra...)
}

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	return ctx
}
