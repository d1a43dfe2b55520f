// Package logstore is Vigil's log event store (CloudWatch Logs events; the
// engine under GetLogEvents, FilterLogEvents, GetLogRecord and Logs
// Insights). Data is partitioned by (account, region) and, inside a
// partition, by log group; events belong to log streams.
//
// Data flows through three layers:
//
//   - a write-ahead log (internal/wal) in <dir>/wal: one framed record per
//     Append, one fsync per group commit, replayed on Open. Append returns
//     once its record is on disk;
//   - an in-memory head per log group (columns: timestamps, ingestion
//     times, sequence numbers, stream ids, message bytes) that reads see
//     directly;
//   - immutable segment files in <dir>/seg, written when the head is
//     flushed: per log group, time-ordered blocks of up to 1 MiB of messages,
//     each a compressed column set (zstd; a column-wise block's columns
//     zstd, S2 or Huffman-coded, colcodec.go) preceded by a trigram summary (which
//     3-byte substrings its messages contain, ASCII case folded), and a
//     footer indexing every block (group, min/max time, min/max sequence,
//     streams, offsets). Segments index themselves: Open reads their footers
//     into an in-memory index (see docs/architecture.md for why not Pebble).
//
// Reads and scans may name substrings that every wanted message contains
// (Query.RequiredSubstrings, ScanQuery.RequiredSubstrings; FilterLogEvents
// passes its filter pattern's terms). A segment block whose summary lacks
// a trigram of one of them holds no such message and is skipped unread;
// the caller's matcher decides the rest. The head has no summary.
//
// Every event gets a store-wide sequence number at Append. Events are
// ordered by (timestamp, sequence) everywhere: pagination cursors and
// record pointers (@ptr) are built from that pair, so they survive flushes
// and restarts. Deletions (DeleteLogGroup, DeleteLogStream, DeleteBefore)
// are records in <dir>/deletes.log that hide every matching event with a
// sequence number up to the one current at the time of the call; a segment
// file is removed once none of its blocks can be seen.
//
// The package owns the files of the directory it is given and nothing else.
// It does no AWS validation: the Logs handlers check AWS's rules (batch
// size, time spans, existence of groups and streams) before they call it.
package logstore

// Why segment files and not Pebble for events (DESIGN.md asks to measure;
// go test -bench . ./internal/logstore, 2-core shared machine, 2026-11-25,
// the same generated JSON application logs): Pebble with zstd in every
// level, one synced batch per 1,000 events, accepted 40–47 MB/s and scanned
// 270–320 MB/s with a term test, at 0.15–0.16× raw on disk after a full
// compaction (no block summaries); segments accept 100–150 MB/s, scan
// 400–640 MB/s for a common term and 14–18 GB/s for a rare one (63 of 65
// blocks skipped by their trigram summaries), at 0.20× raw including the
// summaries. The block index is small (one entry per ~1 MiB of messages)
// and lives in the segment footers, so Open needs no other index store.
//
// Why trigram summaries and not bloom filters of tokens (the first
// version): filter pattern terms and like match substrings (ERROR matches
// "ERRORCODE"), which a token summary cannot rule out, and tokenizing,
// hashing and deduplicating every token cost ~18% of the server's CPU at
// PutLogEvents ingest. A trigram bitmap is sound for substrings and is
// built in one pass per message with no set: 2–3× cheaper than the token
// bloom (BenchmarkSummary, same runs; ~14% of ingest CPU instead of ~21%),
// and smaller on disk: 1 MiB blocks of these logs hold ~7,000 distinct
// trigrams and fold to 4 KiB at ~20% fill (0.20× raw overall instead of
// 0.225×), where zstd would shrink the unfolded 16 KiB bitmap only to
// ~6 KiB and cost ~90 µs of decompression per block read (the folded
// bitmap is read as is: ~1 µs). Segments written with
// token blooms (footer version 1) are still read, as blocks without a
// summary.
