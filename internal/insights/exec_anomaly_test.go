package insights

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestAnomalyOrderIndependent: the anomalies depend on the events, not on
// the order the scan workers deliver them in.
func TestAnomalyOrderIndependent(t *testing.T) {
	w := &anomalyWindow{start: 0, end: 999}
	var rows []*row
	add := func(ts int64, msg string) {
		rows = append(rows, &row{hasEvent: true, ts: ts, msg: msg, seq: uint64(len(rows))})
	}
	for i := range 10 {
		add(int64(i*50), fmt.Sprintf("job done on host %s in %dms", []string{"alpha", "beta"}[i%2], 10+i%3))
		add(int64(i*50+1), "GET /api/orders 200")
	}
	for i := range 10 {
		add(int64(500+i*50), fmt.Sprintf("job done on host %s in %dms", []string{"alpha", "gamma"}[i%2], 10+i*40))
		add(int64(500+i*50+1), fmt.Sprintf("GET /api/orders %d", []int{200, 503}[i%2]))
		add(int64(500+i*50+2), "[ERROR] upstream gone")
	}
	run := func() []string {
		ps := &patternStage{src: messageSrc, anomaly: w}
		var out []string
		for _, r := range (anomalyStage{}).apply(ps.apply(rows)) {
			out = append(out, fmt.Sprint(r.vals))
		}
		return out
	}
	want := run()
	if len(want) != 3 {
		t.Fatalf("rows: %q", want)
	}
	rnd := rand.New(rand.NewPCG(3, 4))
	for range 30 {
		rnd.Shuffle(len(rows), func(i, j int) { rows[i], rows[j] = rows[j], rows[i] })
		if got := run(); !slices.Equal(got, want) {
			t.Fatalf("got  %q\nwant %q", got, want)
		}
	}
}
