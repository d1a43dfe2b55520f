// Package sns is Vigil's Amazon SNS: standard and FIFO topics (topics.go)
// with AWS's attribute rules, tags (tags.go), subscriptions of the sqs
// protocol (subscriptions.go), confirmed at once as AWS confirms a queue,
// and Publish/PublishBatch (publish.go, batch.go) with filter policies
// (filter.go, on internal/eventpattern) and signed notifications
// (signing.go).
//
// It owns the sns_topics and sns_subscriptions tables in SQLite; every
// change is written there before it is acknowledged, and the catalog is
// also held in memory (topics and subscriptions, never messages). It owns
// the signing key file it is given. Messages are not stored here: a
// publish is delivered into the subscribed queues through the Queues
// interface (internal/sqs) and answers once every delivery is durable.
//
// Protocols other than sqs are refused with InvalidParameter; operations
// not implemented answer the generated NotImplemented. It must not touch
// other services' tables or keys.
package sns
