// Package sns is Vigil's Amazon SNS: standard and FIFO topics (topics.go)
// with AWS's attribute rules, tags (tags.go), subscriptions
// (subscriptions.go: sqs ones are confirmed at once as AWS confirms a
// queue), and Publish/PublishBatch (publish.go, batch.go) with filter policies
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
// AddPermission and RemovePermission (permissions.go, on
// internal/policydoc) edit the topic's Policy attribute (AWS's default
// policy until one is set), one statement per label, with SNS's policy
// quotas; the policy is stored with the topic's other attributes. Our
// decision: Vigil stores and returns topic policies but does not enforce
// them yet. Accounts stay isolated: a statement granting another account
// Publish or Subscribe does not let that account see the topic, and the
// owner's own calls are not restricted by a Deny.
//
// http, https, email and email-json subscriptions (confirm.go) start
// pending: a signed SubscriptionConfirmation (or a confirmation mail
// through the SMTP relay) carries a token, valid three days, that
// ConfirmSubscription or an unsigned GET of the SubscribeURL
// (PublicHandler, public.go) accepts; AuthenticateOnUnsubscribe makes the
// UnsubscribeURL refuse unsigned requests; unsubscribing an http/https
// endpoint sends an UnsubscribeConfirmation whose token restores it.
// Deliveries to these endpoints (delivery.go) go through a durable outbox
// (internal/outbox, the Enqueuer given with SetOutbox): Publish answers
// once they are enqueued, and the outbox calls Deliver until an attempt
// succeeds (HTTP 2xx within 15 s; the relay's acceptance) or the effective
// delivery policy (deliverypolicy.go: AWS's phases, the topic's http
// defaults, the subscription's overrides) is exhausted, when a
// notification goes to the subscription's RedrivePolicy queue or is
// dropped with a log line. It owns the state column of sns_subscriptions
// and the sns_unsubscribed table.
//
// AWS/SNS metrics (metrics.go) are recorded into Metrics, which the server
// connects with SetMetrics and which flushes them into the metrics store.
//
// lambda subscriptions are refused (Vigil has no functions), as are sms,
// application and firehose; operations not implemented answer the
// generated NotImplemented. It must not touch other services' tables or
// keys.
package sns
