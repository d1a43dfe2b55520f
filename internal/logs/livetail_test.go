package logs

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/vigilhq/vigil/internal/logs/filterpattern"
	"github.com/vigilhq/vigil/internal/logstore"
)

func newTestSession(pattern string) *tailSession {
	return &tailSession{groups: map[string]string{"g": "g"}, pattern: filterpattern.MustParse(pattern), rng: rand.New(rand.NewPCG(1, 2))}
}

func batchOf(n int, msg func(i int) string) []logstore.Event {
	evs := make([]logstore.Event, n)
	for i := range evs {
		evs[i] = logstore.Event{Timestamp: int64(i), IngestionTime: int64(i), Message: []byte(msg(i))}
	}
	return evs
}

// A second with more than 500 matches is sampled down to 500, marked
// sampled, every match having had the same chance; fewer are all kept.
func TestLiveTailSampling(t *testing.T) {
	s := newTestSession("ERROR")
	s.offer("g", "s", batchOf(2000, func(i int) string {
		if i%2 == 0 {
			return fmt.Sprintf("ERROR %d", i)
		}
		return "INFO"
	}))
	s.rotate()
	s.offer("g", "s", batchOf(3, func(i int) string { return "ERROR" }))
	s.rotate()
	q := s.takeQueue()
	if len(q) != 2 {
		t.Fatalf("%d updates", len(q))
	}
	if n := len(q[0].SessionResults); n != tailMaxPerUpdate || !*q[0].SessionMetadata.Sampled {
		t.Fatalf("first second: %d events, sampled %v", n, *q[0].SessionMetadata.Sampled)
	}
	late := 0
	for i, e := range q[0].SessionResults {
		if i > 0 && *e.IngestionTime < *q[0].SessionResults[i-1].IngestionTime {
			t.Fatal("sampled events out of order")
		}
		if *e.Timestamp >= 1000 {
			late++
		}
	}
	// Reservoir sampling keeps the second half as likely as the first.
	if late < 150 || late > 350 {
		t.Fatalf("%d of 500 sampled events from the second half of the matches", late)
	}
	if n := len(q[1].SessionResults); n != 3 || *q[1].SessionMetadata.Sampled {
		t.Fatalf("second second: %d events", n)
	}
}

// A client that does not read gets at most 10 updates or 5,000 events
// buffered, the oldest dropped first; an idle second is an empty update.
func TestLiveTailBuffering(t *testing.T) {
	s := newTestSession("")
	for sec := range 12 {
		s.offer("g", "s", batchOf(sec, func(i int) string { return "x" }))
		s.rotate()
	}
	q := s.takeQueue()
	if len(q) != tailMaxQueued || len(q[0].SessionResults) != 2 {
		t.Fatalf("%d updates, the oldest with %d events", len(q), len(q[0].SessionResults))
	}
	s.rotate()
	if q := s.takeQueue(); len(q) != 1 || q[0].SessionResults == nil || len(q[0].SessionResults) != 0 {
		t.Fatalf("idle second: %+v", q)
	}
	for range 12 {
		s.offer("g", "s", batchOf(500, func(i int) string { return "x" }))
		s.rotate()
	}
	total := 0
	for _, u := range s.takeQueue() {
		total += len(u.SessionResults)
	}
	if total > tailMaxQueuedEvent {
		t.Fatalf("%d events buffered", total)
	}
}
