// Package audit records one CloudTrail event per API call and keeps the
// management events for LookupEvents (CloudTrail Event history).
//
// It owns: the CloudTrail record (Event) and its rendering of request
// parameters and response elements (Params); the table saying which calls
// are management or data events and which are read-only (Classify); the
// audit store contract (Store) and its Pebble implementation, under the key
// prefix "audit/" of a Pebble database shared with other services; and the
// Recorder, the hot-path entry that batches events off the request path and
// commits them durably.
//
// It must not touch HTTP, the protocol codecs, or keys outside "audit/".
// Trail delivery to S3 and the EventBridge/Config fan-out are consumers of
// events, not part of this package: the Recorder hands data events to an
// optional Sink and nothing else.
package audit
