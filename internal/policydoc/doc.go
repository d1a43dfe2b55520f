// Package policydoc edits the resource policy documents that SQS's and
// SNS's AddPermission and RemovePermission maintain: a JSON policy whose
// statements each grant some accounts some actions on one resource, one
// statement per label (its Sid).
//
// An existing document may have been written by a user through
// SetQueueAttributes or SetTopicAttributes, so everything the edit does not
// touch is kept as it was: top-level members in their order and every other
// statement byte for byte (compacted). Only the Statement list changes.
//
// The package is pure: no I/O, no clock. It knows nothing of either
// service's action names or limits; the callers check those. It must not
// evaluate policies — Vigil does not enforce resource policies (see the
// sqs and sns package docs).
package policydoc
