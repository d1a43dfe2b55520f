// Package events is Vigil's Amazon EventBridge: event buses (the default
// bus of every account and region, and custom buses), rules with event
// patterns or schedule expressions, targets, PutEvents, and the durable
// delivery of matched events to targets.
//
// It owns the events_buses and events_rules tables in SQLite (a rule's
// targets are part of its row) and the outbox kind KindTarget; archives
// and replays (archives.go, replays.go) own events_archives, events_replays
// and the Pebble keys under "events/archive/". Every bus
// and rule is also held in memory; a change is written to SQLite before it
// is acknowledged. Patterns are compiled and matched by internal/eventpattern
// (one Matcher per bus holding its enabled pattern rules); schedule
// expressions are parsed by internal/events/schedule; target inputs (Input,
// InputPath, InputTransformer) by internal/events/transform. One goroutine
// (Start/Close) fires scheduled rules on the injected clock. It must not
// touch other services' tables: it reaches SQS, SNS and CloudWatch Logs only
// through the small interfaces in service.go.
//
// # Durability
//
// PutEvents (and PutServiceEvent, Vigil's own events) matches each accepted
// event against its bus's rules at put time and enqueues one outbox entry
// per (event, matched target) before answering; the outbox's fsynced log is
// the event's durability, so a restart loses nothing accepted. An event
// that matches no rule is accepted and dropped, as on AWS. Delivery is
// at-least-once: an SQS FIFO target gets the event id as the
// MessageDeduplicationId, so a repeat after a crash is deduplicated there.
//
// # Accounts
//
// Accounts stay isolated except where a bus policy opens one bus to
// another account. PutPermission and RemovePermission (or a whole Policy)
// maintain the bus policy (DescribeEventBus's Policy). A rule's target may
// be another account's bus: the forward is made only when that bus's
// policy allows the rule's account to put events on it (buspolicy.go);
// otherwise, and when the bus does not exist, the event goes to the
// target's DLQ as CROSS_ACCOUNT_INGESTION_FAILED, with a message that
// tells the sender nothing of the other account. PutEvents may name
// another account's bus of its region by ARN: each entry is put there when
// the policy allows the caller, else (and for a missing bus) answered
// AccessDeniedException; the event's account is the caller's. No other
// resource of another account is a target, and other API calls never reach
// another account's buses: named by ARN in PutRule, PutTargets or any
// other call, such a bus does not exist for the caller. A bus in another
// region of the caller's own account is a valid target.
//
// # Delivery
//
// A target attempt that fails because the target does not exist or refuses
// the message is not retried (AWS: "a target resource that no longer
// exists ... EventBridge sends these events directly to the DLQ"); other
// failures are retried with exponential backoff until the target's
// RetryPolicy is exhausted. Then the event goes to the target's dead-letter
// queue with AWS's message attributes (RULE_ARN, TARGET_ARN, ERROR_CODE,
// ERROR_MESSAGE, EXHAUSTED_RETRY_CONDITION, RETRY_ATTEMPTS), or is dropped
// with a log line when there is none. An event delivered to another bus
// is matched there again and may not be routed to a third bus (AWS:
// "EventBridge can't route events received from a sender event bus to a
// third event bus").
//
// # API destinations and metrics
//
// Connections and API destinations (connections.go, apidestinations.go)
// own events_connections and events_api_destinations, under their own lock
// (apiState.mu, never held with mu). An API destination target is invoked
// over HTTP by apiinvoke.go on the outbox path, within the destination's
// rate limit. AWS/Events metrics are aggregated by Metrics (metrics.go),
// whose owner (the server) starts and closes its flushing goroutine.
package events
