// Package sqs is Vigil's Amazon SQS: standard and FIFO queues (fifo.go)
// with AWS's attribute rules and errors, durable at-least-once messages,
// visibility timeouts, delays, retention, long polling and dead-letter
// queues (redrive.go).
//
// It owns the sqs_queues table in SQLite (queue metadata: attributes and
// tags, written before a change is acknowledged) and the "sqs/" keys in
// Pebble (messages and their receive state, see store.go). Every queue's
// messages are also indexed in memory (index.go) by the time they next
// become visible, so a receive never scans the store; the index is rebuilt
// from Pebble at start.
//
// Durability: a SendMessage is acknowledged only after its message is
// fsynced; receives, deletes and visibility changes are fsynced too before
// they are acknowledged. Writes are applied to Pebble in the order the
// queue's lock orders them and then wait for the WAL fsync outside the
// lock, so concurrent calls share one fsync (group commit).
//
// AddPermission and RemovePermission (permissions.go, on
// internal/policydoc) edit the queue's Policy attribute, one statement per
// label, with SQS's policy quotas; the policy is stored with the queue's
// other attributes. Our decision: Vigil stores and returns queue policies
// but does not enforce them yet. Accounts stay isolated: a statement
// granting another account access does not let that account see the queue,
// and the owner's own calls are not restricted by a Deny.
//
// Message move tasks (movetask.go) run in goroutines the Service owns and
// Close stops; the task list is kept in memory only. AWS/SQS metrics
// (metrics.go): queues count what happens to them, and Metrics, with its
// own goroutine, samples every queue once a minute into the metrics
// store. It must not touch other services' tables or keys.
package sqs
