package auth

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/vigilhq/vigil/internal/clock"
)

var t0 = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

const (
	testAKID   = "AKIAIOSFODNN7EXAMPLE"
	testSecret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
	testAcct   = "123456789012"
	userAKID   = "AKIAUSERUSERUSERUSER"
	userSecret = "user-secret-0123456789012345678901234567"
)

func testKeys() *MemKeys {
	return NewMemKeys(
		Key{AccessKeyID: testAKID, Secret: testSecret, AccountID: testAcct},
		Key{AccessKeyID: userAKID, Secret: userSecret, AccountID: testAcct, UserName: "alice"},
		Key{AccessKeyID: "test", Secret: "test", AccountID: DefaultDevAccount},
	)
}

func newVerifier(now time.Time) (*Verifier, *clock.Fake) {
	c := clock.NewFake(now)
	return &Verifier{Keys: testKeys(), Clock: c}, c
}

func sha256Hex(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

type signOpts struct {
	akid, secret, token string
	service, region     string
	at                  time.Time
	payloadHash         string // default: SHA-256 of the body
}

func (o *signOpts) defaults(body []byte) {
	if o.akid == "" {
		o.akid, o.secret = testAKID, testSecret
	}
	if o.service == "" {
		o.service = "monitoring"
	}
	if o.region == "" {
		o.region = "us-east-1"
	}
	if o.at.IsZero() {
		o.at = t0
	}
	if o.payloadHash == "" {
		o.payloadHash = sha256Hex(body)
	}
}

// sdkSign signs req with the aws-sdk-go-v2 signer (SignHTTP), the way the
// SDK's middleware does it (ContentLength set from the body).
func sdkSign(t testing.TB, req *http.Request, body []byte, o signOpts) {
	t.Helper()
	o.defaults(body)
	req.ContentLength = int64(len(body))
	if body != nil {
		req.Body = io.NopCloser(bytes.NewReader(body))
	}
	creds := aws.Credentials{AccessKeyID: o.akid, SecretAccessKey: o.secret, SessionToken: o.token}
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, o.payloadHash, o.service, o.region, o.at); err != nil {
		t.Fatal(err)
	}
}

// sdkPresign presigns req with PresignHTTP and returns the server-side
// request a client following the URL would send.
func sdkPresign(t testing.TB, req *http.Request, body []byte, o signOpts) *http.Request {
	t.Helper()
	o.defaults(body)
	creds := aws.Credentials{AccessKeyID: o.akid, SecretAccessKey: o.secret, SessionToken: o.token}
	u, hdr, err := v4.NewSigner().PresignHTTP(context.Background(), creds, req, o.payloadHash, o.service, o.region, o.at)
	if err != nil {
		t.Fatal(err)
	}
	out, err := http.NewRequest(req.Method, u, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, vs := range hdr {
		if strings.EqualFold(k, "host") {
			continue
		}
		for _, v := range vs {
			out.Header.Add(k, v)
		}
	}
	return out
}

// wire sends the client request through HTTP/1.1 serialisation and parses it
// back the way net/http's server does, returning the server-side request
// and the body bytes as received.
func wire(t testing.TB, req *http.Request) (*http.Request, []byte) {
	t.Helper()
	var buf bytes.Buffer
	if err := req.Write(&buf); err != nil {
		t.Fatal(err)
	}
	sr, err := http.ReadRequest(bufio.NewReader(&buf))
	if err != nil {
		t.Fatalf("parsing %q: %v", buf.String(), err)
	}
	body, err := io.ReadAll(sr.Body)
	if err != nil {
		t.Fatal(err)
	}
	return sr, body
}

func mustRequest(t testing.TB, method, url string, body []byte) *http.Request {
	t.Helper()
	var r io.Reader
	if body != nil {
		r = bytes.NewReader(body)
	}
	req, err := http.NewRequest(method, url, r)
	if err != nil {
		t.Fatal(err)
	}
	return req
}

func mustVerify(t testing.TB, v *Verifier, r *http.Request, body []byte) *Identity {
	t.Helper()
	id, f := v.Verify(context.Background(), r, body)
	if f != nil {
		t.Fatalf("Verify failed: %v %q\ncanonical request:\n%s\nstring to sign:\n%s", f.Kind, f.Message, f.CanonicalRequest, f.StringToSign)
	}
	return id
}

func mustFail(t testing.TB, v *Verifier, r *http.Request, body []byte, kind FailureKind) *Failure {
	t.Helper()
	id, f := v.Verify(context.Background(), r, body)
	if f == nil {
		t.Fatalf("Verify accepted the request (identity %+v), want %v", id, kind)
	}
	if f.Kind != kind {
		t.Fatalf("failure kind %v (%q), want %v", f.Kind, f.Message, kind)
	}
	return f
}

// sdkSign0 signs without telling the signer the content length, the way
// botocore leaves content-length unsigned.
func sdkSign0(t testing.TB, req *http.Request, body []byte) {
	t.Helper()
	o := signOpts{}
	o.defaults(body)
	creds := aws.Credentials{AccessKeyID: o.akid, SecretAccessKey: o.secret}
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, o.payloadHash, o.service, o.region, o.at); err != nil {
		t.Fatal(err)
	}
}

func s3Opts(o *v4.SignerOptions) { o.DisableURIPathEscaping = true }

// sdkSignS3 signs like the SDK's S3 client: no extra path escaping.
func sdkSignS3(t testing.TB, req *http.Request, o signOpts) {
	t.Helper()
	creds := aws.Credentials{AccessKeyID: o.akid, SecretAccessKey: o.secret}
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, o.payloadHash, o.service, o.region, o.at, s3Opts); err != nil {
		t.Fatal(err)
	}
}

func sdkPresignS3(t testing.TB, req *http.Request, o signOpts) *http.Request {
	t.Helper()
	o.defaults(nil)
	creds := aws.Credentials{AccessKeyID: o.akid, SecretAccessKey: o.secret}
	u, hdr, err := v4.NewSigner().PresignHTTP(context.Background(), creds, req, o.payloadHash, o.service, o.region, o.at, s3Opts)
	if err != nil {
		t.Fatal(err)
	}
	out := mustRequest(t, req.Method, u, nil)
	for k, vs := range hdr {
		if !strings.EqualFold(k, "host") {
			out.Header[k] = vs
		}
	}
	return out
}

func clockAt(at time.Time) *clock.Fake { return clock.NewFake(at) }
