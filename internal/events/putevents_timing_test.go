package events

import (
	"fmt"
	"testing"

	eventsapi "github.com/vigilhq/vigil/internal/api/events"
	"github.com/vigilhq/vigil/internal/api/shape"
	"github.com/vigilhq/vigil/internal/bench"
)

// BenchmarkPutEventsHandler is PutEvents' own work, without HTTP or the
// wire codec: 10 entries a call against 100 rules of mixed operators, the
// first routing to an SQS queue (the fake sink); 1 call in 10 matches it.
//
//	go test -run '^$' -bench PutEventsHandler -benchmem ./internal/events
func BenchmarkPutEventsHandler(b *testing.B) {
	e := newEnv(b)
	addBenchRules(b, e)
	reqs := make([]*eventsapi.PutEventsRequest, 10)
	for n := range reqs {
		source := "app.other"
		if n == 0 {
			source = "app.orders"
		}
		in := &eventsapi.PutEventsRequest{Entries: make([]eventsapi.PutEventsRequestEntry, 10)}
		for i := range in.Entries {
			in.Entries[i] = eventsapi.PutEventsRequestEntry{Source: shape.Ptr(source), DetailType: shape.Ptr("OrderPlaced"),
				Detail: shape.Ptr(fmt.Sprintf(`{"sent":1764150000000000000,"customer":"c-%d","amount":%d,"region":"us-east-1","tier":"gold","ip":"10.1.2.3","items":[{"sku":"w-1","qty":2}]}`,
					n*10+i, 1000+n*10+i))}
		}
		reqs[n] = in
	}
	ctx := e.ctx()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		if _, err := e.s.PutEvents(ctx, reqs[i%len(reqs)]); err != nil {
			b.Fatal(err)
		}
		if i%1000 == 999 {
			e.k.take()
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*10)/1000, "µs/entry")
}

// addBenchRules puts the benchmarks' 100 rules of mixed operators, the
// first routing to an SQS queue (the fake sink).
func addBenchRules(b *testing.B, e *env) {
	b.Helper()
	for i, pattern := range bench.EventRulePatterns(100) {
		name := fmt.Sprint("rule-", i)
		if _, err := e.s.PutRule(e.ctx(), &eventsapi.PutRuleRequest{Name: shape.Ptr(name), EventPattern: shape.Ptr(pattern)}); err != nil {
			b.Fatal(err)
		}
	}
	if _, err := e.s.PutTargets(e.ctx(), &eventsapi.PutTargetsRequest{Rule: shape.Ptr("rule-0"),
		Targets: []eventsapi.Target{{Id: shape.Ptr("q"), Arn: shape.Ptr("arn:aws:sqs:us-east-1:123456789012:q")}}}); err != nil {
		b.Fatal(err)
	}
}
