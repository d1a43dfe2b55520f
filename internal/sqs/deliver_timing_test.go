package sqs

import (
	"fmt"
	"testing"
	"time"

	"github.com/vigilhq/vigil/internal/clock"
	"github.com/vigilhq/vigil/internal/cputime"
)

// BenchmarkDeliverAllFanout10 is the queue side of an SNS publish to a
// topic with 10 raw sqs subscriptions, without HTTP: one DeliverAll of
// one body to 10 queues, fsynced, 32 calls at a time so that they share
// fsyncs as concurrent publishes do. cpu-ns/op is the process's CPU time
// (Pebble's WAL writer included).
//
//	go test -run '^$' -bench DeliverAllFanout10 -benchtime 20000x ./internal/sqs
func BenchmarkDeliverAllFanout10(b *testing.B) {
	f := newFixtureOn(b, clock.System{})
	ms := make([]Message, 10)
	for i := range ms {
		f.create(fmt.Sprint("fanout-", i), nil)
		ms[i] = Message{Queue: fmt.Sprintf("arn:aws:sqs:us-east-1:%s:fanout-%d", testAccount, i),
			Delivery: Delivery{Body: `{"order":42,"item":"widget","quantity":3,"note":"a typical small JSON message body"}`, Sender: "AIDAIT2UOQQY3AUEKVGXU"}}
	}
	b.ReportAllocs()
	b.SetParallelism(16) // 32 callers on 2 cores
	b.ResetTimer()
	cpu0, _ := cputime.Process()
	b.RunParallel(func(pb *testing.PB) {
		mine := make([]Message, len(ms))
		for pb.Next() {
			copy(mine, ms)
			now := time.Now()
			for i := range mine {
				mine[i].Now = now
			}
			for _, err := range f.svc.DeliverAll(f.ctx(), mine) {
				if err != nil {
					b.Error(err)
					return
				}
			}
		}
	})
	cpu, _ := cputime.Process()
	b.ReportMetric(float64((cpu-cpu0).Nanoseconds())/float64(b.N), "cpu-ns/op")
}
