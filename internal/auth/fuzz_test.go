package auth

import (
	"context"
	"net/http"
	"testing"
)

func FuzzParseAuthorization(f *testing.F) {
	for _, s := range []string{
		"",
		"AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20261125/us-east-1/monitoring/aws4_request, SignedHeaders=host;x-amz-date, Signature=fe5f80f77d5fa3beca038a248ff027d0445342fe2855ddc963176630326f1024",
		"AWS4-HMAC-SHA256 Credential=a/b/c/d/e,SignedHeaders=,Signature=",
		"AWS4-HMAC-SHA256 Credential=/20261125//x/aws4_request, SignedHeaders=host, Signature=0",
		"AWS4-HMAC-SHA256 ,,,=,==,Credential==",
		"AWS AKID:sig",
		"AWS4-HMAC-SHA256 Credential=k/20261125/r/s/aws4_request, SignedHeaders=host;;;content-length;x;, Signature=00",
	} {
		f.Add(s)
	}
	v := &Verifier{Keys: testKeys(), Clock: clockAt(t0)}
	dev := &Verifier{Keys: testKeys(), Clock: clockAt(t0), Dev: true}
	f.Fuzz(func(t *testing.T, h string) {
		a, msg := parseAuthorization(h)
		if msg == "" {
			if a.credential == "" || a.signedHeaders == "" || a.signature == "" {
				t.Fatalf("accepted %q with an empty part: %+v", h, a)
			}
			if c, msg := parseCredential(a.credential); msg == "" && (c.region == "" || c.service == "" || len(c.date) != 8) {
				t.Fatalf("credential %q parsed to %+v", a.credential, c)
			}
		}
		// The whole verifier, with the value as header and as query.
		r, err := http.NewRequest("POST", "http://localhost:4566/p", nil)
		if err != nil {
			t.Fatal(err)
		}
		r.Header.Set("Authorization", h)
		r.Header.Set("X-Amz-Date", "20261125T120000Z")
		r.Header.Set(h, h) // names signed headers may point at
		for _, vv := range []*Verifier{v, dev} {
			vv.Verify(context.Background(), r, []byte(h))
		}
		r.Header.Del("Authorization")
		r.URL.RawQuery = "X-Amz-Signature=" + h + "&" + h
		for _, vv := range []*Verifier{v, dev} {
			vv.Verify(context.Background(), r, nil)
		}
		appendCanonicalQuery(nil, h, queryEncode, true, nil, nil)
		appendCanonicalQuery(nil, h, queryRaw, false, nil, nil)
		normalizePath(h)
	})
}
