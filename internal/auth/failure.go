package auth

import (
	"net/http"

	"github.com/vigilhq/vigil/internal/api/shape"
)

// FailureKind classifies why a request was not authenticated.
type FailureKind uint8

const (
	// Missing: the request carries no authentication at all.
	Missing FailureKind = iota + 1
	// Incomplete: malformed Authorization header, credential or scope,
	// missing date, bad presign parameters.
	Incomplete
	// BadSignature: the signature (or the X-Amz-Content-Sha256 header, or
	// the scope date) does not match the request.
	BadSignature
	// UnknownKey: the access key id is not known.
	UnknownKey
	// Expired: the signing time is outside the allowed clock skew, or a
	// presigned URL has expired or is not yet valid.
	Expired
	// Internal: the KeyStore failed; the caller may retry.
	Internal
)

var kindNames = [...]string{"", "Missing", "Incomplete", "BadSignature", "UnknownKey", "Expired", "Internal"}

func (k FailureKind) String() string {
	if int(k) < len(kindNames) && k != 0 {
		return kindNames[k]
	}
	return "FailureKind(?)"
}

// Failure is why Verify rejected a request. Message is AWS's wording for the
// JSON and query protocols.
type Failure struct {
	Kind    FailureKind
	Message string
	// AccessKeyID is set once the access key id could be parsed, so that
	// audit can record failures against a key.
	AccessKeyID string
	// Presigned is true when the request used query-string authentication.
	Presigned bool
	// CanonicalRequest and StringToSign are what Vigil computed for a
	// BadSignature failure (first variant tried); empty otherwise. They
	// reveal nothing secret; awsQuery services add them to the message as
	// AWS does, and logs may show them.
	CanonicalRequest string
	StringToSign     string
}

// Messages AWS uses (JSON and query protocols).
const (
	msgMissing      = "Request is missing Authentication Token"
	msgBadSignature = "The request signature we calculated does not match the signature you provided. " +
		"Check your AWS Secret Access Key and signing method. Consult the service documentation for details."
	msgUnknownKey = "The security token included in the request is invalid."
	msgInternal   = "The request processing has failed because of an unknown error, exception or failure."
)

// Error maps the failure to the AWS error for protocol, a Smithy protocol
// name: "awsJson1_0", "awsJson1_1", "rpcv2Cbor", "restJson1", "awsQuery"
// (also "ec2Query"), "restXml" (S3). Unknown names get the JSON mapping.
//
//	kind          JSON / CBOR (400)                  restJson1             awsQuery                         restXml (S3)
//	Missing       MissingAuthenticationTokenException  same, 403          MissingAuthenticationToken 403   AccessDenied 403
//	Incomplete    IncompleteSignatureException        same, 400           IncompleteSignature 400          AuthorizationHeaderMalformed / AuthorizationQueryParametersError 400
//	BadSignature  InvalidSignatureException           same, 403           SignatureDoesNotMatch 403        SignatureDoesNotMatch 403
//	UnknownKey    UnrecognizedClientException         same, 403           InvalidClientTokenId 403         InvalidAccessKeyId 403
//	Expired       InvalidSignatureException           same, 403           SignatureDoesNotMatch 403        RequestTimeTooSkewed / AccessDenied 403
//	Internal      InternalFailure 500                 same                InternalFailure 500              InternalError 500
func (f *Failure) Error(protocol string) *shape.Error {
	switch protocol {
	case "awsQuery", "ec2Query":
		return f.queryError()
	case "restXml":
		return f.s3Error()
	}
	e := &shape.Error{Message: f.Message, Status: http.StatusBadRequest, Sender: true}
	rest := protocol == "restJson1"
	switch f.Kind {
	case Missing:
		e.Code = "MissingAuthenticationTokenException"
		if rest {
			e.Status = http.StatusForbidden
		}
	case Incomplete:
		e.Code = "IncompleteSignatureException"
	case BadSignature, Expired:
		e.Code = "InvalidSignatureException"
		if rest {
			e.Status = http.StatusForbidden
		}
	case UnknownKey:
		e.Code = "UnrecognizedClientException"
		if rest {
			e.Status = http.StatusForbidden
		}
	default:
		e.Code, e.Status, e.Sender = "InternalFailure", http.StatusInternalServerError, false
	}
	return e
}

func (f *Failure) queryError() *shape.Error {
	e := &shape.Error{Message: f.Message, Status: http.StatusForbidden, Sender: true}
	switch f.Kind {
	case Missing:
		e.Code = "MissingAuthenticationToken"
	case Incomplete:
		e.Code, e.Status = "IncompleteSignature", http.StatusBadRequest
	case BadSignature:
		e.Code = "SignatureDoesNotMatch"
		if f.CanonicalRequest != "" {
			e.Message += "\n\nThe Canonical String for this request should have been\n'" + f.CanonicalRequest +
				"'\n\nThe String-to-Sign should have been\n'" + f.StringToSign + "'\n"
		}
	case Expired:
		e.Code = "SignatureDoesNotMatch"
	case UnknownKey:
		e.Code = "InvalidClientTokenId"
	default:
		e.Code, e.Status, e.Sender = "InternalFailure", http.StatusInternalServerError, false
	}
	return e
}

func (f *Failure) s3Error() *shape.Error {
	e := &shape.Error{Message: f.Message, Status: http.StatusForbidden, Sender: true}
	switch f.Kind {
	case Missing:
		e.Code, e.Message = "AccessDenied", "Access Denied"
	case Incomplete:
		e.Code, e.Status = "AuthorizationHeaderMalformed", http.StatusBadRequest
		if f.Presigned {
			e.Code = "AuthorizationQueryParametersError"
		}
	case BadSignature:
		e.Code = "SignatureDoesNotMatch"
		e.Message = "The request signature we calculated does not match the signature you provided. Check your key and signing method."
	case UnknownKey:
		e.Code, e.Message = "InvalidAccessKeyId", "The AWS Access Key Id you provided does not exist in our records."
	case Expired:
		if f.Presigned {
			e.Code, e.Message = "AccessDenied", "Request has expired"
		} else {
			e.Code, e.Message = "RequestTimeTooSkewed", "The difference between the request time and the current time is too large."
		}
	default:
		e.Code, e.Status, e.Sender = "InternalError", http.StatusInternalServerError, false
		e.Message = "We encountered an internal error. Please try again."
	}
	return e
}
