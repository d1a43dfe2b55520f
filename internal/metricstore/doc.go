// Package metricstore is Vigil's CloudWatch metrics engine: it stores
// datapoints of series identified by (account, region, namespace, metric
// name, dimension set), keeps each datapoint's unit, answers period
// aggregates (stats.Agg per bucket and unit) and lists series.
//
// Data flows through three layers:
//
//   - a write-ahead log in its own directory (internal/wal: append-only
//     segment files of length+CRC32C framed records, here columnar batches;
//     one fsync covers every Append queued meanwhile), replayed on Open
//     from the segment after the last one persisted to Pebble;
//   - an in-memory head per series (columnar raw samples) that queries read
//     directly;
//   - the shared Pebble DB under the "metrics/" prefix: the series index and
//     per-series chunks in four tiers (1 s raw, 60 s raw, 5 min and 1 h
//     aggregate cells), written when the head is persisted; and the
//     series' links to the CloudWatch entities they were sent with
//     (LinkEntity, written at once).
//
// Maintain (called by the server's scheduler) persists the head, compacts
// chunks, rolls data up from one tier to the next as it ages (3 h, 15 d,
// 63 d) and drops data older than 455 days, all on the injected clock.
//
// The package owns the "metrics/" key prefix of the Pebble DB and the files
// of the directory it is given; it must not touch anything else. It does no
// AWS validation: the CloudWatch handler validates requests first.
package metricstore
