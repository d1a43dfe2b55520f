package awsmetrics

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/vigilhq/vigil/internal/clock"
	"github.com/vigilhq/vigil/internal/metricstore"
)

// A batch's statistic sets merge with its single values and land as the
// aggregator's own AddSet would put them, past maxBatch too; a set of no
// values records nothing.
func TestBatchAddSetMatchesDirect(t *testing.T) {
	p := metricstore.Partition{Account: "111111111111", Region: "us-east-1"}
	record := func(add func(metric string, n, sum, min, max float64, at time.Time, dims string)) {
		for i := range 3 * maxBatch {
			at := t0.Add(time.Duration(i%3) * time.Second)
			add(fmt.Sprint("m", i%(2*maxBatch)), float64(1+i%4), float64(i), float64(i%7), float64(i%7+3), at, Dim("Rule", fmt.Sprint(i%5)))
			add("empty", 0, 0, 0, 0, at, "")
		}
	}
	run := func(batched bool) string {
		s := &sink{}
		a := New(s, Options{Namespace: "AWS/Test", Clock: clock.NewFake(t0), Every: -1, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
		if batched {
			b := a.NewBatch()
			b.Add(p, "m1", "Count", 2, t0, Dim("Rule", "1"))
			record(func(metric string, n, sum, min, max float64, at time.Time, dims string) {
				b.AddSet(p, metric, "Count", n, sum, min, max, at, dims)
			})
			b.Commit()
		} else {
			a.Add(p, "m1", "Count", 2, t0, Dim("Rule", "1"))
			record(func(metric string, n, sum, min, max float64, at time.Time, dims string) {
				a.AddSet(p, metric, "Count", n, sum, min, max, at, dims)
			})
		}
		a.Flush(context.Background())
		return s.take()
	}
	direct, batched := run(false), run(true)
	if direct == "" || batched != direct {
		t.Fatalf("batched sets differ from direct ones:\n%s\n---\n%s", batched, direct)
	}
	var nilBatch *Batch
	nilBatch.AddSet(p, "m", "Count", 1, 1, 1, 1, t0, "")
}
