package auth

import (
	"bytes"
	"regexp"
	"strings"
	"testing"
)

func TestDevMode(t *testing.T) {
	body := []byte("{}")
	sign := func(o signOpts) (*Verifier, func() (*Identity, *Failure)) {
		req := mustRequest(t, "POST", "http://localhost:4566/", body)
		sdkSign(t, req, body, o)
		sr, got := wire(t, req)
		v, _ := newVerifier(t0)
		v.Dev = true
		return v, func() (*Identity, *Failure) { return v.Verify(t.Context(), sr, got) }
	}

	t.Run("unknown key, any signature", func(t *testing.T) {
		_, verify := sign(signOpts{akid: "anything", secret: "whatever"})
		id, f := verify()
		if f != nil {
			t.Fatalf("%+v", f)
		}
		if id.AccountID != DefaultDevAccount || id.Principal != "arn:aws:iam::000000000000:root" || id.Type != TypeRoot ||
			id.PrincipalID != DefaultDevAccount || id.Verified || id.AccessKeyID != "anything" || id.Region != "us-east-1" {
			t.Errorf("%+v", id)
		}
	})
	t.Run("dev account", func(t *testing.T) {
		v, verify := sign(signOpts{akid: "anything", secret: "whatever"})
		v.DevAccount = "111122223333"
		if id, f := verify(); f != nil || id.AccountID != "111122223333" {
			t.Fatalf("%+v %+v", id, f)
		}
	})
	t.Run("12-digit key selects the account", func(t *testing.T) {
		v, verify := sign(signOpts{akid: "444455556666", secret: "x"})
		v.DevAccount = "111122223333"
		if id, f := verify(); f != nil || id.AccountID != "444455556666" || id.Principal != "arn:aws:iam::444455556666:root" {
			t.Fatalf("%+v %+v", id, f)
		}
		for _, notAcct := range []string{"44445555666", "4444555566667", "44445555666a"} {
			v, verify := sign(signOpts{akid: notAcct, secret: "x"})
			v.DevAccount = "111122223333"
			if id, f := verify(); f != nil || id.AccountID != "111122223333" {
				t.Fatalf("%s: %+v %+v", notAcct, id, f)
			}
		}
	})
	t.Run("known key is verified", func(t *testing.T) {
		_, verify := sign(signOpts{akid: "test", secret: "test"})
		id, f := verify()
		if f != nil || !id.Verified || id.AccountID != DefaultDevAccount {
			t.Fatalf("%+v %+v", id, f)
		}
		_, verify = sign(signOpts{akid: "test", secret: "wrong"})
		if _, f := verify(); f == nil || f.Kind != BadSignature {
			t.Fatalf("known key with a wrong secret: %+v", f)
		}
		_, verify = sign(signOpts{akid: testAKID, secret: "wrong"})
		if _, f := verify(); f == nil || f.Kind != BadSignature {
			t.Fatalf("known key with a wrong secret: %+v", f)
		}
	})
	t.Run("still well formed", func(t *testing.T) {
		v, _ := newVerifier(t0)
		v.Dev = true
		r := mustRequest(t, "POST", "http://localhost:4566/", body)
		mustFail(t, v, r, body, Missing)
		r.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=dev/20261125/us-east-1/monitoring/aws4_request, SignedHeaders=host")
		r.Header.Set("X-Amz-Date", "20261125T120000Z")
		mustFail(t, v, r, body, Incomplete)
		r.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=dev/20261125/us-east-1/aws4_request, SignedHeaders=host, Signature=ab")
		mustFail(t, v, r, body, Incomplete)
		r.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=dev/20261125/us-east-1/monitoring/aws4_request, SignedHeaders=host, Signature=ab")
		mustVerify(t, v, r, body)
		r.Header.Del("X-Amz-Date")
		mustFail(t, v, r, body, Incomplete)
		r.Header.Set("X-Amz-Date", "20261125T130000Z")
		mustFail(t, v, r, body, Expired)
		r.Header.Set("X-Amz-Date", "20261126T000000Z")
		mustFail(t, v, r, body, BadSignature) // scope date
		r.Header.Set("X-Amz-Date", "20261125T120000Z")
		r.Header.Set("X-Amz-Content-Sha256", sha256Hex([]byte("other")))
		mustFail(t, v, r, body, BadSignature)
	})
	t.Run("unknown presigned", func(t *testing.T) {
		v, _ := newVerifier(t0)
		v.Dev = true
		req := mustRequest(t, "GET", "http://localhost:4566/?Action=GetCallerIdentity&Version=2011-06-15", nil)
		sr, got := wire(t, sdkPresign(t, req, nil, signOpts{akid: "nobody", secret: "x", service: "sts"}))
		id := mustVerify(t, v, sr, got)
		if !id.Presigned || id.Verified || id.Service != "sts" {
			t.Errorf("%+v", id)
		}
	})
}

func TestNewAccessKey(t *testing.T) {
	seed := bytes.Repeat([]byte{0x5a, 0xff, 0x00, 0x13}, 10)
	k := NewAccessKey(bytes.NewReader(seed), "123456789012")
	if !regexp.MustCompile(`^AKIA[A-Z2-7]{16}$`).MatchString(k.AccessKeyID) {
		t.Errorf("id %q", k.AccessKeyID)
	}
	if !regexp.MustCompile(`^[A-Za-z0-9+/]{40}$`).MatchString(k.Secret) {
		t.Errorf("secret %q", k.Secret)
	}
	if k.AccountID != "123456789012" || k.UserName != "" {
		t.Errorf("%+v", k)
	}
	if k2 := NewAccessKey(bytes.NewReader(seed), "123456789012"); k2 != k {
		t.Error("not deterministic for the same randomness")
	}
	defer func() {
		if recover() == nil {
			t.Error("short randomness did not panic")
		}
	}()
	NewAccessKey(strings.NewReader("short"), "1")
}

func TestMemKeys(t *testing.T) {
	var m MemKeys
	if _, ok, err := m.LookupAccessKey(t.Context(), "x"); ok || err != nil {
		t.Fatal("zero MemKeys found a key")
	}
	m.Add(Key{AccessKeyID: "x", Secret: "s"})
	if k, ok, _ := m.LookupAccessKey(t.Context(), "x"); !ok || k.Secret != "s" {
		t.Fatal("added key not found")
	}
	m.Remove("x")
	if _, ok, _ := m.LookupAccessKey(t.Context(), "x"); ok {
		t.Fatal("removed key found")
	}
}

func TestKeyRotationInvalidatesCache(t *testing.T) {
	body := []byte("{}")
	req := mustRequest(t, "POST", "http://localhost:4566/", body)
	sdkSign(t, req, body, signOpts{})
	sr, got := wire(t, req)
	keys := testKeys()
	v := &Verifier{Keys: keys, Clock: clockAt(t0)}
	mustVerify(t, v, sr, got)
	keys.Add(Key{AccessKeyID: testAKID, Secret: "rotated", AccountID: testAcct})
	mustFail(t, v, sr, got, BadSignature)
	keys.Add(Key{AccessKeyID: testAKID, Secret: testSecret, AccountID: "999999999999"})
	if id := mustVerify(t, v, sr, got); id.AccountID != "999999999999" {
		t.Errorf("cached account after key moved: %+v", id)
	}
}
