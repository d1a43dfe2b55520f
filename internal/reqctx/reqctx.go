// Package reqctx carries what a handler may know about the call it serves:
// the caller, the account and region, the request id, the source address and
// the time the request arrived. The gateway fills it in; handlers read it and
// never see HTTP.
package reqctx

import (
	"context"
	"time"
)

// Caller is the authenticated identity behind a request.
type Caller struct {
	AccountID   string
	AccessKeyID string
	// ARN is the principal's ARN: arn:aws:iam::<account>:root or :user/<name>.
	ARN string
	// PrincipalID is AWS's principal id (the account id for the root user).
	PrincipalID string
	// Type is the CloudTrail userIdentity type: "Root" or "IAMUser".
	Type     string
	UserName string
}

// Request describes one API call.
type Request struct {
	Caller    Caller
	Region    string
	Service   string // Vigil's service id, e.g. "cloudwatch"
	Operation string
	RequestID string
	SourceIP  string
	UserAgent string
	// Host is the host (and port) the client addressed, as in the HTTP
	// Host header, for services whose answers carry URLs (SQS queue URLs).
	Host string
	Time time.Time // when the request arrived, from the injected clock
	// BodySize is the request body's size in bytes as sent (compressed
	// when the client compressed it), for operations with a size limit.
	BodySize int
	// Stream, set by the handler of an operation whose output is an event
	// stream (StartLiveTail), makes the gateway answer with the stream:
	// after the handler returns without error, the gateway writes the
	// initial response and calls Stream, which sends events until it
	// returns. Each event is a pointer to the operation's event-stream
	// union with exactly one member set; an exception member ends the
	// stream. ctx ends when the client goes away.
	Stream func(ctx context.Context, send func(event any) error) error
	// FailureMessage, set by a handler whose call succeeded with part of
	// its input dropped (PutMetricData's invalid entity under
	// StrictEntityValidation false), is what AWS then reports in the
	// X-Amzn-Failure-Message response header.
	FailureMessage string
}

type key struct{}

// With returns ctx carrying r.
func With(ctx context.Context, r *Request) context.Context {
	return context.WithValue(ctx, key{}, r)
}

// From returns the request carried by ctx. Handlers are only ever called
// with one, so a missing request is a programming error and panics.
func From(ctx context.Context) *Request {
	r, ok := ctx.Value(key{}).(*Request)
	if !ok {
		panic("reqctx: context carries no request")
	}
	return r
}
