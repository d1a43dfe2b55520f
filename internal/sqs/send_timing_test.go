package sqs

import (
	"fmt"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/vigilhq/vigil/internal/api/shape"
	sqsapi "github.com/vigilhq/vigil/internal/api/sqs"
	"github.com/vigilhq/vigil/internal/clock"
)

// BenchmarkSendMessageGroupCommit: SendMessage answers only after an fsync,
// so one sender is bound by the disk's fsync latency; concurrent senders
// share fsyncs (Pebble's WAL writer syncs everything queued during the
// previous fsync), so sends/s grows with the number of senders while each
// send still waits for its own data to be on disk. Count the fsyncs with
//
//	strace -f -c -e trace=fdatasync,fsync go test -run '^$' -bench GroupCommit ./internal/sqs
func BenchmarkSendMessageGroupCommit(b *testing.B) {
	for _, senders := range []int{1, 4, 16, 64} {
		b.Run(fmt.Sprintf("senders=%d", senders), func(b *testing.B) {
			f := newFixtureOn(b, clock.System{})
			url := f.create("bench", nil)
			body := shape.Ptr(`{"order":17,"item":"widget","quantity":3}`)
			ctx := f.ctx()
			var next atomic.Int64
			var wg sync.WaitGroup
			b.ResetTimer()
			for range senders {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for next.Add(1) <= int64(b.N) {
						if _, err := f.svc.SendMessage(ctx, &sqsapi.SendMessageRequest{QueueUrl: &url, MessageBody: body}); err != nil {
							b.Error(err)
							return
						}
					}
				}()
			}
			wg.Wait()
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "sends/s")
		})
	}
}
