// Package cloudtrail is Vigil's CloudTrail service: the behaviour behind the
// generated handler interface of internal/api/cloudtrail. For now it serves
// LookupEvents (Event history) from the audit store; trails, event data
// stores and Lake queries come later.
//
// It reads the audit store through audit.Store and must not write to it; it
// never sees HTTP, and learns the caller's account and region from reqctx.
package cloudtrail
