// Package outbox is Vigil's durable delivery queue: work that must reach
// something outside a request (an SNS notification to an HTTP endpoint, a
// mail through an SMTP relay, later EventBridge targets) is enqueued here,
// fsynced before Enqueue returns, and attempted by a bounded set of
// goroutines until its Deliverer says it is done. Delivery is at-least-once:
// an attempt that succeeded just before a crash is made again after restart.
//
// The package owns the directory it is given (a write-ahead log through
// internal/wal) and nothing else. What a payload means, and when to retry
// or give up, is the Deliverer's business.
//
// Concurrency: one dispatcher goroutine starts attempts, each on its own
// goroutine, at most Options.Workers at once and Options.PerKind of one
// kind; Close cancels and waits for all of them. Retry times are read from
// the injected clock, which the dispatcher polls (Options.Poll) so a test
// that moves a fake clock sees retries without real waiting.
//
// The log holds three records: an entry enqueued (with its attempt count
// and due time, so a compaction can rewrite it), an attempt made, and an
// entry done. Open replays them into the pending set; once the log has
// grown by Options.CompactBytes, the live entries are rewritten into a
// fresh segment and the older segments removed.
package outbox
