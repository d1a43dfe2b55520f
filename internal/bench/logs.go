package bench

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
)

// CloudWatch Logs limits the workload keeps to or warns about.
const (
	maxLogBatchEvents  = 10000   // events per PutLogEvents call
	maxLogBatchBytes   = 1 << 20 // per call: messages plus logEventOverhead each
	logEventOverhead   = 26      // bytes AWS counts per event on top of its message
	maxLogMessageBytes = maxLogBatchBytes - logEventOverhead
	logStampSpread     = 2000 // ms: a batch's events span the last 2s
)

// PutLogEventsConfig describes a log ingest workload. Zero values take the
// documented defaults.
type PutLogEventsConfig struct {
	Endpoint    string
	Workers     int           // concurrent clients (default 4)
	Streams     int           // distinct log streams, ≥ Workers (default Workers)
	BatchSize   int           // events per call, ≤ 10,000 (default 1000)
	EventBytes  int           // message size in bytes, ≥ ~290 to be exact (default 300)
	Duration    time.Duration // stop after this long (default 10s)…
	MaxRequests int           // …or after this many calls (0: no limit)
	Group       string        // log group (default "/vigil/bench")
	Seed        uint64        // seeds the generated log lines
}

// LogsResult is what the log ingest workload measured. Events and Bytes
// count what the server accepted: events in RejectedLogEventsInfo are
// counted in Rejected instead, and calls that failed in Errors.
type LogsResult struct {
	Requests int64 // calls answered without an error
	Events   int64 // events accepted
	Bytes    int64 // UTF-8 bytes of the accepted events' messages
	Rejected int64 // events the server reported as rejected
	Errors   int64 // calls that failed
	Elapsed  time.Duration
}

func (r LogsResult) String() string {
	s := r.Elapsed.Seconds()
	return fmt.Sprintf("%d requests, %d events, %.1f MB in %.2fs: %.0f events/s, %.2f MB/s, %.1f requests/s, %d rejected events, %d errors",
		r.Requests, r.Events, float64(r.Bytes)/1e6, s, float64(r.Events)/s, float64(r.Bytes)/1e6/s, float64(r.Requests)/s, r.Rejected, r.Errors)
}

// PutLogEvents runs the log ingest workload. It first creates the log group
// and the streams bench-0 … bench-<Streams-1> (existing ones are fine) and
// generates a pool of JSON log lines; only then does timing start. Worker w
// owns streams w, w+Workers, w+2·Workers, … and writes them round-robin, so
// no stream has two writers and each stream's events are chronological
// across calls as well as within them.
func PutLogEvents(ctx context.Context, c PutLogEventsConfig, log io.Writer) (LogsResult, error) {
	if c.Workers == 0 {
		c.Workers = 4
	}
	if c.Streams == 0 {
		c.Streams = c.Workers
	}
	if c.BatchSize == 0 {
		c.BatchSize = 1000
	}
	if c.EventBytes == 0 {
		c.EventBytes = 300
	}
	if c.Group == "" {
		c.Group = "/vigil/bench"
	}
	switch {
	case c.Workers < 0:
		return LogsResult{}, fmt.Errorf("bench: workers must be positive")
	case c.Streams < c.Workers:
		return LogsResult{}, fmt.Errorf("bench: %d streams for %d workers: each worker needs a stream of its own", c.Streams, c.Workers)
	case c.BatchSize < 0 || c.BatchSize > maxLogBatchEvents:
		return LogsResult{}, fmt.Errorf("bench: a batch size of 1..%d is required", maxLogBatchEvents)
	case c.EventBytes < 0 || c.EventBytes > maxLogMessageBytes:
		return LogsResult{}, fmt.Errorf("bench: an event size of 1..%d bytes is required", maxLogMessageBytes)
	}
	if n := c.BatchSize * (c.EventBytes + logEventOverhead); n > maxLogBatchBytes {
		fmt.Fprintf(log, "note: batches of %d events of %d bytes come to %d bytes, over PutLogEvents' %d; AWS would refuse them\n",
			c.BatchSize, c.EventBytes, n, maxLogBatchBytes)
	}
	client := cloudwatchlogs.NewFromConfig(sdkConfig(c.Endpoint, c.Workers))
	streams := make([]*string, c.Streams)
	for i := range streams {
		streams[i] = aws.String("bench-" + strconv.Itoa(i))
	}
	if err := createLogStreams(ctx, client, c.Group, streams); err != nil {
		return LogsResult{}, err
	}
	// The lines are made before timing starts: the client shares the
	// machine with the server, and its own cost should be the SDK's, not
	// the generator's. The pool is large enough that a batch rarely
	// repeats a line, and bounded in memory for large events.
	pool := newLineGen(c.Seed, time.Now()).pool(logPoolSize(c.BatchSize, c.EventBytes), c.EventBytes)
	sizes := make([]int64, len(pool))
	var poolBytes int64
	for i, m := range pool {
		sizes[i] = int64(len(*m))
		poolBytes += sizes[i]
	}
	fmt.Fprintf(log, "log group %s, %d streams; %d pooled lines of %d bytes on average\n",
		c.Group, c.Streams, len(pool), poolBytes/int64(len(pool)))

	var res LogsResult
	errs, rejects := errorLog{keep: 5}, errorLog{keep: 5}
	res.Elapsed = drive(ctx, c.Workers, c.MaxRequests, c.Duration, func(ctx context.Context, w int, more func() bool) {
		// Events are written in place each call, pointing into the pool.
		batch := make([]types.InputLogEvent, c.BatchSize)
		stamps := make([]int64, c.BatchSize)
		for i := range batch {
			batch[i].Timestamp = &stamps[i]
		}
		var own []int // this worker's streams
		for s := w; s < c.Streams; s += c.Workers {
			own = append(own, s)
		}
		last := make([]int64, len(own)) // latest timestamp sent to each
		in := cloudwatchlogs.PutLogEventsInput{LogGroupName: aws.String(c.Group), LogEvents: batch}
		line := w * len(pool) / c.Workers // workers start apart in the pool
		for call := 0; more(); call++ {
			k := call % len(own)
			in.LogStreamName = streams[own[k]]
			// Chronological, within the last logStampSpread ms, and never
			// before what this stream was last sent.
			now := time.Now().UnixMilli()
			from := max(now-logStampSpread, last[k])
			span := max(now-from, 0)
			var bytes int64
			for i := range batch {
				batch[i].Message = pool[line]
				bytes += sizes[line]
				if line++; line == len(pool) {
					line = 0
				}
				stamps[i] = from + span*int64(i)/int64(len(batch))
			}
			last[k] = stamps[len(stamps)-1]
			out, err := client.PutLogEvents(ctx, &in)
			if err != nil {
				if ctx.Err() != nil {
					break
				}
				errs.add(err)
				continue
			}
			n := int64(len(batch))
			if info := out.RejectedLogEventsInfo; info != nil {
				lo, hi := acceptedRange(info, len(batch))
				if rej := n - int64(hi-lo); rej > 0 {
					atomic.AddInt64(&res.Rejected, rej)
					rejects.add(fmt.Errorf("%s: %d of %d events rejected (tooOldLogEventEndIndex %s, expiredLogEventEndIndex %s, tooNewLogEventStartIndex %s)",
						*in.LogStreamName, rej, n, index(info.TooOldLogEventEndIndex), index(info.ExpiredLogEventEndIndex), index(info.TooNewLogEventStartIndex)))
					n, bytes = int64(hi-lo), 0
					for i := lo; i < hi; i++ {
						bytes += int64(len(*batch[i].Message))
					}
				}
			}
			atomic.AddInt64(&res.Requests, 1)
			atomic.AddInt64(&res.Events, n)
			atomic.AddInt64(&res.Bytes, bytes)
		}
	})
	res.Errors = errs.count()
	report(log, "error", &errs)
	report(log, "rejected", &rejects)
	return res, nil
}

// createLogStreams creates the group and its streams; ones that exist
// already are fine.
func createLogStreams(ctx context.Context, client *cloudwatchlogs.Client, group string, streams []*string) error {
	exists := func(err error) bool {
		var e *types.ResourceAlreadyExistsException
		return err == nil || errors.As(err, &e)
	}
	_, err := client.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String(group)})
	if !exists(err) {
		return fmt.Errorf("bench: creating log group %s: %w", group, err)
	}
	for _, s := range streams {
		_, err := client.CreateLogStream(ctx, &cloudwatchlogs.CreateLogStreamInput{LogGroupName: aws.String(group), LogStreamName: s})
		if !exists(err) {
			return fmt.Errorf("bench: creating log stream %s: %w", *s, err)
		}
	}
	return nil
}

// acceptedRange is the part [lo, hi) of a batch of n events that the server
// accepted, given what it rejected: the too old and expired events lead the
// batch (their end indexes are exclusive) and the too new ones end it (the
// start index is inclusive).
func acceptedRange(info *types.RejectedLogEventsInfo, n int) (lo, hi int) {
	hi = n
	if i := info.TooOldLogEventEndIndex; i != nil {
		lo = max(lo, int(*i))
	}
	if i := info.ExpiredLogEventEndIndex; i != nil {
		lo = max(lo, int(*i))
	}
	if i := info.TooNewLogEventStartIndex; i != nil {
		hi = min(hi, int(*i))
	}
	lo = min(max(lo, 0), n)
	return lo, max(hi, lo)
}

func index(i *int32) string {
	if i == nil {
		return "-"
	}
	return strconv.Itoa(int(*i))
}

// report prints the first errors kept and how many more there were.
func report(log io.Writer, what string, e *errorLog) {
	first := e.first()
	for _, err := range first {
		fmt.Fprintf(log, "%s: %v\n", what, err)
	}
	if more := e.count() - int64(len(first)); more > 0 {
		fmt.Fprintf(log, "%s: … and %d more\n", what, more)
	}
}

// logPoolSize is how many distinct lines to generate: two batches' worth
// and at least 16,384, but no more than about 64 MiB of them.
func logPoolSize(batch, eventBytes int) int {
	return max(min(max(2*batch, 16384), (64<<20)/eventBytes), 64)
}

// lineGen produces realistic, varied JSON application log lines: ISO
// times, levels (mostly INFO, some WARN and ERROR), services, request ids,
// HTTP routes, statuses that go with the level, latencies, users, and a
// message from a vocabulary padded with key=value details. Lines are
// ASCII, so their length in bytes is their UTF-8 length.
type lineGen struct {
	r *rand.Rand
	t time.Time
}

var (
	lgServices = []string{"checkout", "payments", "inventory", "auth", "search", "catalog", "shipping", "notifications"}
	lgMethods  = []string{"GET", "GET", "GET", "GET", "POST", "POST", "PUT", "DELETE"}
	lgPaths    = []string{"/api/v1/orders", "/api/v1/orders/{id}", "/api/v1/users/{id}/cart", "/api/v2/search", "/api/v1/products/{id}", "/healthz", "/api/v1/payments/{id}/capture", "/api/v1/login"}
	lgInfo     = []string{"request completed", "order lookup completed", "cache miss for product", "user session refreshed", "payment authorized",
		"inventory reserved", "token validated", "search index query executed", "cart updated", "shipment label created", "email notification queued",
		"feature flag evaluated", "database transaction committed"}
	lgWarn  = []string{"slow query detected on orders table", "retrying upstream call", "rate limit applied to client", "circuit breaker half-open", "cache stampede suspected"}
	lgError = []string{"upstream returned 503", "failed to parse request body", "connection pool exhausted", "payment provider timeout", "deadlock detected, transaction rolled back"}
	lgKeys  = []string{"order_id", "cart_items", "region", "az", "host", "trace_id", "span_id", "retries", "db_ms", "cache", "version", "tenant", "bytes_out"}
	lgVals  = []string{"eu-west-1", "us-east-1", "ap-south-1", "a", "b", "c", "hit", "miss", "v2.14.3", "v2.15.0", "acme", "globex", "initech"}
)

func newLineGen(seed uint64, t time.Time) *lineGen {
	return &lineGen{r: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)), t: t.UTC()}
}

// pool returns n lines of size bytes each. Below about 290 bytes, the most
// that a line's fields and message come to, some lines are longer.
func (g *lineGen) pool(n, size int) []*string {
	lines := make([]*string, n)
	buf := make([]byte, 0, size+64)
	for i := range lines {
		buf = g.line(buf[:0], size)
		lines[i] = aws.String(string(buf))
	}
	return lines
}

func (g *lineGen) line(b []byte, size int) []byte {
	r := g.r
	g.t = g.t.Add(time.Duration(r.IntN(3)) * time.Millisecond)
	level, msgs, status := "INFO", lgInfo, []int{200, 200, 200, 201, 204, 304}
	switch p := r.IntN(100); {
	case p >= 95:
		level, msgs, status = "ERROR", lgError, []int{500, 502, 503, 504}
	case p >= 85:
		level, msgs, status = "WARN", lgWarn, []int{400, 404, 409, 429}
	}
	latency := r.ExpFloat64() * 25
	if level == "ERROR" {
		latency *= 20
	}
	b = append(b, `{"time":"`...)
	b = g.t.AppendFormat(b, "2006-01-02T15:04:05.000Z")
	b = append(b, `","level":"`...)
	b = append(b, level...)
	b = append(b, `","service":"`...)
	b = append(b, lgServices[r.IntN(len(lgServices))]...)
	b = append(b, `","request_id":"`...)
	b = fmt.Appendf(b, "%08x-%04x-4%03x-%04x-%012x", r.Uint32(), r.IntN(1<<16), r.IntN(1<<12), 0x8000|r.IntN(1<<14), r.Uint64()&(1<<48-1))
	b = append(b, `","method":"`...)
	b = append(b, lgMethods[r.IntN(len(lgMethods))]...)
	b = append(b, `","path":"`...)
	if head, tail, id := strings.Cut(lgPaths[r.IntN(len(lgPaths))], "{id}"); id {
		b = append(b, head...)
		b = strconv.AppendInt(b, int64(r.IntN(1000000)), 10)
		b = append(b, tail...)
	} else {
		b = append(b, head...)
	}
	b = append(b, `","status":`...)
	b = strconv.AppendInt(b, int64(status[r.IntN(len(status))]), 10)
	b = append(b, `,"latency_ms":`...)
	b = strconv.AppendFloat(b, latency, 'f', 1, 64)
	b = append(b, `,"user":"u-`...)
	b = strconv.AppendInt(b, int64(r.IntN(100000)), 10)
	b = append(b, `","msg":"`...)
	b = append(b, msgs[r.IntN(len(msgs))]...)
	// Pad the message with details to the size asked for, then cut it
	// there. A line whose fields alone are longer keeps its message whole.
	if end := size - len(`"}`); len(b) < end {
		for len(b) < end {
			b = append(b, ' ')
			b = append(b, lgKeys[r.IntN(len(lgKeys))]...)
			b = append(b, '=')
			if r.IntN(2) == 0 {
				b = append(b, lgVals[r.IntN(len(lgVals))]...)
			} else {
				b = strconv.AppendInt(b, int64(r.IntN(1000000)), 10)
			}
		}
		b = b[:end]
		if b[end-1] == ' ' {
			b[end-1] = '.'
		}
	}
	return append(b, `"}`...)
}

// LogLines returns n realistic JSON application log lines of about size
// bytes, the same as the put-log-events workload sends, for benchmarks that
// need its data without its client.
func LogLines(seed uint64, n, size int) []string {
	ptrs := newLineGen(seed, time.Now()).pool(n, size)
	lines := make([]string, n)
	for i, p := range ptrs {
		lines[i] = *p
	}
	return lines
}
