package events

import (
	"context"
	"fmt"
	"testing"

	eventsapi "github.com/vigilhq/vigil/internal/api/events"
	"github.com/vigilhq/vigil/internal/api/shape"
	"github.com/vigilhq/vigil/internal/cputime"
	"github.com/vigilhq/vigil/internal/metricstore"
)

type nopSink struct{}

func (nopSink) Append(context.Context, metricstore.Partition, []metricstore.Datum) error { return nil }

// BenchmarkPutEventsHandlerMetrics is BenchmarkPutEventsHandler with the
// AWS/Events metrics recorded, as the server records them, and entries as
// internal/server's BenchmarkPutEvents sends them (its customer and amount
// spread: each event matches a dozen of the 100 rules).
//
//	go test -run '^$' -bench PutEventsHandlerMetrics -benchmem ./internal/events
func BenchmarkPutEventsHandlerMetrics(b *testing.B) {
	e := newEnv(b)
	m := NewMetrics(nopSink{}, MetricsOptions{Every: -1})
	e.s.SetMetrics(m)
	addBenchRules(b, e)
	reqs := make([]*eventsapi.PutEventsRequest, 100)
	for n := range reqs {
		source := "app.other"
		if n%10 == 0 {
			source = "app.orders"
		}
		in := &eventsapi.PutEventsRequest{Entries: make([]eventsapi.PutEventsRequestEntry, 10)}
		for i := range in.Entries {
			seq := 1000 + n*37
			in.Entries[i] = eventsapi.PutEventsRequestEntry{Source: shape.Ptr(source), DetailType: shape.Ptr("OrderPlaced"),
				Detail: shape.Ptr(fmt.Sprintf(`{"sent":1764150000000000000,"customer":"c-%d","amount":%d,"region":"us-east-1","tier":"gold","ip":"10.1.2.3","items":[{"sku":"w-1","qty":2}]}`,
					seq, 1000+seq%200))}
		}
		reqs[n] = in
	}
	ctx := e.ctx()
	b.ReportAllocs()
	b.ResetTimer()
	cpu, _ := cputime.Process() // steadier than the wall clock on a shared machine
	for i := 0; b.Loop(); i++ {
		if _, err := e.s.PutEvents(ctx, reqs[i%len(reqs)]); err != nil {
			b.Fatal(err)
		}
		if i%1000 == 999 {
			e.k.take()
			m.Flush(context.Background())
		}
	}
	end, _ := cputime.Process()
	b.ReportMetric(float64((end-cpu).Nanoseconds())/float64(b.N)/1000, "cpu-µs/op")
}
