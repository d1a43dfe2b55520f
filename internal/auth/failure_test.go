package auth

import (
	"strings"
	"testing"
)

func TestFailureError(t *testing.T) {
	type want struct {
		code   string
		status int
	}
	cases := []struct {
		kind      FailureKind
		presigned bool
		json      want // awsJson1_0, awsJson1_1, rpcv2Cbor
		restJSON  want
		query     want
		s3        want
	}{
		{Missing, false, want{"MissingAuthenticationTokenException", 400}, want{"MissingAuthenticationTokenException", 403},
			want{"MissingAuthenticationToken", 403}, want{"AccessDenied", 403}},
		{Incomplete, false, want{"IncompleteSignatureException", 400}, want{"IncompleteSignatureException", 400},
			want{"IncompleteSignature", 400}, want{"AuthorizationHeaderMalformed", 400}},
		{Incomplete, true, want{"IncompleteSignatureException", 400}, want{"IncompleteSignatureException", 400},
			want{"IncompleteSignature", 400}, want{"AuthorizationQueryParametersError", 400}},
		{BadSignature, false, want{"InvalidSignatureException", 400}, want{"InvalidSignatureException", 403},
			want{"SignatureDoesNotMatch", 403}, want{"SignatureDoesNotMatch", 403}},
		{UnknownKey, false, want{"UnrecognizedClientException", 400}, want{"UnrecognizedClientException", 403},
			want{"InvalidClientTokenId", 403}, want{"InvalidAccessKeyId", 403}},
		{Expired, false, want{"InvalidSignatureException", 400}, want{"InvalidSignatureException", 403},
			want{"SignatureDoesNotMatch", 403}, want{"RequestTimeTooSkewed", 403}},
		{Expired, true, want{"InvalidSignatureException", 400}, want{"InvalidSignatureException", 403},
			want{"SignatureDoesNotMatch", 403}, want{"AccessDenied", 403}},
		{Internal, false, want{"InternalFailure", 500}, want{"InternalFailure", 500},
			want{"InternalFailure", 500}, want{"InternalError", 500}},
	}
	for _, tc := range cases {
		f := &Failure{Kind: tc.kind, Message: "msg", Presigned: tc.presigned}
		for proto, w := range map[string]want{
			"awsJson1_0": tc.json, "awsJson1_1": tc.json, "rpcv2Cbor": tc.json, "": tc.json,
			"restJson1": tc.restJSON, "awsQuery": tc.query, "ec2Query": tc.query, "restXml": tc.s3,
		} {
			e := f.Error(proto)
			if e.Code != w.code || e.Status != w.status || e.Sender != (tc.kind != Internal) {
				t.Errorf("%v presigned=%v %q: got %s %d sender=%v, want %s %d", tc.kind, tc.presigned, proto, e.Code, e.Status, e.Sender, w.code, w.status)
			}
			if e.Message == "" {
				t.Errorf("%v %q: empty message", tc.kind, proto)
			}
		}
	}
}

func TestFailureQueryMessageShowsCanonicalRequest(t *testing.T) {
	f := &Failure{Kind: BadSignature, Message: msgBadSignature, CanonicalRequest: "POST\n/\n", StringToSign: "AWS4-HMAC-SHA256\n"}
	if e := f.Error("awsQuery"); !strings.HasPrefix(e.Message, msgBadSignature) || !strings.Contains(e.Message, "'POST\n/\n'") {
		t.Errorf("query message %q", e.Message)
	}
	if e := f.Error("awsJson1_0"); e.Message != msgBadSignature {
		t.Errorf("json message %q", e.Message)
	}
}

func TestFailureKindString(t *testing.T) {
	if Missing.String() != "Missing" || Internal.String() != "Internal" || FailureKind(0).String() == "" || FailureKind(99).String() == "" {
		t.Error("FailureKind.String")
	}
}
