package awsmetrics

import (
	"context"
	"log/slog"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/vigilhq/vigil/internal/clock"
	"github.com/vigilhq/vigil/internal/metricstore"
)

// Sink receives datapoints; *metricstore.Store implements it.
type Sink interface {
	Append(ctx context.Context, p metricstore.Partition, ds []metricstore.Datum) error
}

// DefaultEvery is the flush interval when Options.Every is zero.
const DefaultEvery = 5 * time.Second

// Options configure an Aggregator.
type Options struct {
	Namespace string // AWS/Events, AWS/SQS, ...
	Clock     clock.Clock
	Logger    *slog.Logger
	// Every is the flush interval (DefaultEvery when zero); a negative
	// Every starts no goroutine, and the owner calls Flush (tests).
	Every time.Duration
	// HighRes writes datapoints at 1-second resolution (StorageResolution
	// 1) instead of the minute.
	HighRes bool
	// Collect, when set, is called at the start of every Flush with the
	// clock's time: the owner adds what it samples rather than records as
	// it happens (gauges, counters read and reset).
	Collect func(at time.Time)
}

// Aggregator keeps one statistic set per series and second in memory and
// writes them to the sink in one Append per account and region at every
// flush. Adding never blocks on the sink nor fails: a failed write is
// logged and its datapoints dropped (AWS: "CloudWatch metrics are delivered
// on a best-effort basis").
//
// Its methods are safe for concurrent use. New starts the flushing
// goroutine; Close stops it after a last flush.
type Aggregator struct {
	ns      string
	sink    Sink
	clock   clock.Clock
	log     *slog.Logger
	highRes bool
	collect func(time.Time)

	mu  sync.Mutex
	agg map[key]*set

	flushMu sync.Mutex // one Flush at a time, so Collect's samples keep their order

	stop    chan struct{}
	stopped chan struct{}
}

type key struct {
	p      metricstore.Partition
	metric string
	dims   string // "Name=Value" joined by "\x00", sorted by name
	unit   string
	sec    int64
}

type set struct{ n, sum, min, max float64 }

// New returns an aggregator writing to sink.
func New(sink Sink, o Options) *Aggregator {
	if o.Clock == nil {
		o.Clock = clock.System{}
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.Every == 0 {
		o.Every = DefaultEvery
	}
	a := &Aggregator{ns: o.Namespace, sink: sink, clock: o.Clock, log: o.Logger, highRes: o.HighRes, collect: o.Collect, agg: map[key]*set{}}
	if o.Every > 0 {
		a.stop, a.stopped = make(chan struct{}), make(chan struct{})
		go a.loop(o.Every)
	}
	return a
}

// loop flushes shortly before each multiple of every on the clock, so that
// one flush lands in each interval (a sampled gauge: one datapoint per
// minute) and an alarm evaluating at the interval's end already sees it.
func (a *Aggregator) loop(every time.Duration) {
	defer close(a.stopped)
	lead := every / 20
	for {
		now := a.clock.Now()
		next := now.Truncate(every).Add(every - lead)
		if !next.After(now) {
			next = next.Add(every)
		}
		t := time.NewTimer(next.Sub(now))
		select {
		case <-a.stop:
			t.Stop()
			return
		case <-t.C:
		}
		a.Flush(context.Background())
	}
}

// Close stops the flushing goroutine and flushes what is left. A nil
// Aggregator does nothing.
func (a *Aggregator) Close() {
	if a == nil {
		return
	}
	if a.stop != nil {
		close(a.stop)
		<-a.stopped
		a.stop = nil
	}
	a.Flush(context.Background())
}

// Dim is one dimension as Add takes it.
func Dim(name, value string) string { return name + "=" + value }

// Add records value once in each of the dimension sets given, in the
// second of at. A set is a sorted "Name=Value\x00..." string (see Dim);
// "" is the metric without dimensions, and no set records nothing.
func (a *Aggregator) Add(p metricstore.Partition, metric, unit string, value float64, at time.Time, dimSets ...string) {
	sec := at.Unix()
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, d := range dimSets {
		a.merge(key{p: p, metric: metric, dims: d, unit: unit, sec: sec}, set{n: 1, sum: value, min: value, max: value})
	}
}

// Recorder records datapoints: the Aggregator itself, or a Batch of it.
type Recorder interface {
	Add(p metricstore.Partition, metric, unit string, value float64, at time.Time, dimSets ...string)
}

// Batch gathers the datapoints of one call, merging repeated series
// locally, and adds them to its aggregator under one lock (Commit): a call
// that records many (PutEvents: each entry's matches and deliveries) then
// does not take the aggregator's lock, and hash its key, for each one. A
// Batch is for one goroutine; a nil Batch records nothing.
type Batch struct {
	a  *Aggregator
	ks []key
	vs []set
}

// maxBatch bounds the series a Batch searches; more are committed early.
const maxBatch = 64

// NewBatch returns an empty batch of a (nil for a nil Aggregator).
func (a *Aggregator) NewBatch() *Batch {
	if a == nil {
		return nil
	}
	return &Batch{a: a, ks: make([]key, 0, 16), vs: make([]set, 0, 16)}
}

// Add is Aggregator.Add, kept in the batch until Commit.
func (b *Batch) Add(p metricstore.Partition, metric, unit string, value float64, at time.Time, dimSets ...string) {
	if b == nil {
		return
	}
	sec := at.Unix()
	for _, d := range dimSets {
		b.merge(key{p: p, metric: metric, dims: d, unit: unit, sec: sec}, set{n: 1, sum: value, min: value, max: value})
	}
}

// AddSet is Aggregator.AddSet, kept in the batch until Commit: a caller
// that counts repeats itself (PutEvents: a rule matched by several of a
// call's events) records them as one set.
func (b *Batch) AddSet(p metricstore.Partition, metric, unit string, n, sum, min, max float64, at time.Time, dims string) {
	if b == nil || n <= 0 {
		return
	}
	b.merge(key{p: p, metric: metric, dims: dims, unit: unit, sec: at.Unix()}, set{n: n, sum: sum, min: min, max: max})
}

func (b *Batch) merge(k key, s set) {
	// A call records a few series over and over: a linear search beats
	// hashing.
	if i := b.index(&k); i >= 0 {
		v := &b.vs[i]
		v.n += s.n
		v.sum += s.sum
		v.min, v.max = min(v.min, s.min), max(v.max, s.max)
		return
	}
	if len(b.ks) == maxBatch {
		b.Commit() // the search stays short
	}
	b.ks = append(b.ks, k)
	b.vs = append(b.vs, s)
}

// index finds k in the batch, comparing the fields that differ most
// often first (the strings are mostly the caller's constants: equal
// pointers compare at once).
func (b *Batch) index(k *key) int {
	for i := range b.ks {
		x := &b.ks[i]
		if x.sec == k.sec && x.metric == k.metric && x.dims == k.dims && x.unit == k.unit && x.p == k.p {
			return i
		}
	}
	return -1
}

// Commit adds the batch's datapoints to its aggregator and empties it.
func (b *Batch) Commit() {
	if b == nil || len(b.ks) == 0 {
		return
	}
	b.a.mu.Lock()
	for i, k := range b.ks {
		b.a.merge(k, b.vs[i])
	}
	b.a.mu.Unlock()
	b.ks, b.vs = b.ks[:0], b.vs[:0]
}

// AddSet records a statistic set of n > 0 values, already aggregated by
// the caller.
func (a *Aggregator) AddSet(p metricstore.Partition, metric, unit string, n, sum, min, max float64, at time.Time, dims string) {
	if n <= 0 {
		return
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	a.merge(key{p: p, metric: metric, dims: dims, unit: unit, sec: at.Unix()}, set{n: n, sum: sum, min: min, max: max})
}

// merge adds s to k's set. Callers hold mu.
func (a *Aggregator) merge(k key, s set) {
	v := a.agg[k]
	if v == nil {
		n := s // only a new series' set goes to the heap (&s would move s there on every call)
		a.agg[k] = &n
		return
	}
	v.n += s.n
	v.sum += s.sum
	v.min, v.max = min(v.min, s.min), max(v.max, s.max)
}

// Flush collects (Options.Collect) and writes every aggregated datapoint,
// one Append per partition. A nil Aggregator does nothing.
func (a *Aggregator) Flush(ctx context.Context) {
	if a == nil {
		return
	}
	a.flushMu.Lock()
	defer a.flushMu.Unlock()
	if a.collect != nil {
		a.collect(a.clock.Now())
	}
	a.mu.Lock()
	agg := a.agg
	a.agg = map[key]*set{}
	a.mu.Unlock()
	if len(agg) == 0 {
		return
	}
	byP := map[metricstore.Partition][]metricstore.Datum{}
	for k, v := range agg {
		byP[k.p] = append(byP[k.p], metricstore.Datum{
			Key:     metricstore.SeriesKey{Namespace: a.ns, MetricName: k.metric, Dims: splitDims(k.dims)},
			T:       k.sec * 1000,
			Unit:    k.unit,
			HighRes: a.highRes,
			IsSet:   true, SetCount: v.n, Sum: v.sum, Min: v.min, Max: v.max,
		})
	}
	for p, ds := range byP {
		sort.Slice(ds, func(i, j int) bool { return ds[i].T < ds[j].T })
		if err := a.sink.Append(ctx, p, ds); err != nil {
			a.log.Warn("metrics dropped", "namespace", a.ns, "account", p.Account, "region", p.Region, "datapoints", len(ds), "err", err)
		}
	}
}

func splitDims(s string) []metricstore.Dim {
	if s == "" {
		return nil
	}
	var out []metricstore.Dim
	for _, kv := range strings.Split(s, "\x00") {
		n, v, _ := strings.Cut(kv, "=")
		out = append(out, metricstore.Dim{Name: n, Value: v})
	}
	return out
}

// String is for tests: the pending aggregate, one line per series and
// second ("Metric{Name=Value,...} sum unit"), sorted.
func (a *Aggregator) String() string {
	a.mu.Lock()
	defer a.mu.Unlock()
	var lines []string
	for k, v := range a.agg {
		lines = append(lines, k.metric+"{"+strings.ReplaceAll(k.dims, "\x00", ",")+"} "+strconv.FormatFloat(v.sum, 'f', -1, 64)+" "+k.unit)
	}
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}
