// Package auth authenticates callers: it verifies AWS Signature Version 4
// (Authorization header and presigned query string), resolves the access key
// to an account and principal, and generates access keys. Later it will hold
// accounts and IAM policy evaluation.
//
// Verification is written here rather than by re-signing a copy of the
// request with the SDK signer: BenchmarkVerify against
// BenchmarkVerifySDKResign measured about half the time and 1 allocation
// against 57 per request (the front door's budget is < 50 allocations in
// all), and the SDK's signer adds content-length to the signed headers by
// itself, the trap this package must avoid.
//
// It owns the canonical-request rules and the mapping of authentication
// failures to AWS error codes (Failure.Error). It does not route, decode
// bodies, decompress, store keys (a KeyStore is injected; MemKeys is for
// tests and bootstrapping) or write audit records; the gateway does that with
// the Identity or Failure returned here.
//
// Rules worth knowing (each has a test in this package):
//
//   - SignedHeaders must name host. Only headers named there enter the
//     canonical request.
//     botocore does not sign content-length; the Go SDK does. Both verify.
//   - The canonical URI is the request path as received, URI-encoded once
//     more (double encoding) for every service except s3, which uses the
//     path as received. If that fails, the path with empty and dot segments
//     removed (botocore's normalisation) is tried as well.
//   - The canonical query string is built from the raw query: each name and
//     value percent-decoded ('+' kept literal), re-encoded with the SigV4
//     set (A-Z a-z 0-9 - _ . ~) and sorted after encoding. On a mismatch,
//     '+' read as a space, and the raw pairs sorted as sent, are tried too.
//   - Header values: leading/trailing white space removed, inner runs of
//     white space folded to one space (botocore); if a value holds a tab or
//     other non-space white space, the Go SDK's folding (spaces only) is
//     tried too. Several values of one header are joined with ','. host is
//     r.Host; content-length falls back to r.ContentLength.
//   - The payload hash is X-Amz-Content-Sha256 when present (and that header,
//     unless UNSIGNED-PAYLOAD or STREAMING-*, must equal the SHA-256 of the
//     payload), else the SHA-256 of the payload as received on the wire
//     (before any Content-Encoding is undone). Presigned requests without
//     the header may have signed either the payload hash or UNSIGNED-PAYLOAD;
//     both are accepted.
//   - Time: X-Amz-Date, else the Date header (HTTP date, or RFC 1123 with a
//     numeric zone as botocore writes it); the credential scope date must
//     equal its YYYYMMDD; ±15 minutes of the injected
//     clock. Presigned: valid from X-Amz-Date - 15 min to X-Amz-Date +
//     X-Amz-Expires (at most 7 days; 15 minutes when absent).
//   - X-Amz-Security-Token is accepted and ignored: Vigil issues no session
//     tokens yet. When the client signed it (it always does), it is covered by
//     the signature like any other header or query parameter, but its value
//     is not looked up anywhere. Temporary keys (ASIA…) are unknown to the
//     KeyStore and fail as UnknownKey outside dev mode.
//   - Dev mode (Verifier.Dev): a key the KeyStore knows is verified exactly
//     as in normal mode (so the bootstrap test/test key still proves its
//     secret). Any other key is accepted without checking the signature
//     (there is no secret to check it with), but the request must still be
//     well formed: a parseable Authorization header or presign parameters, a
//     credential scope date/region/service/aws4_request matching the request
//     date, a date within the allowed window, and a matching
//     X-Amz-Content-Sha256. Its account is the access key id when that is
//     exactly 12 digits, else DevAccount ("000000000000" when empty); the
//     principal is that account's root.
package auth
