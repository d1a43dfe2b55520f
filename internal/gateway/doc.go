// Package gateway is Vigil's HTTP front door. For every request it finds the
// service, operation and wire protocol (X-Amz-Target, the RPC v2 CBOR path,
// Action+Version, or a REST path), checks them against the SigV4 credential
// scope, verifies the signature, decodes and validates the input, calls the
// service's handler with a reqctx.Request, encodes the reply in the request's
// protocol and hands the call to the audit recorder. It also serves the
// health and dev-reset endpoints. It owns no behaviour of any service.
package gateway
