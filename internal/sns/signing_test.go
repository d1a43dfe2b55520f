package sns

import (
	"crypto"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"net/http/httptest"
	"path/filepath"
	"testing"

	"github.com/vigilhq/vigil/internal/api/shape"
	snsapi "github.com/vigilhq/vigil/internal/api/sns"
)

// verify checks a notification's signature the way a subscriber does: with
// the certificate served at SigningCertURL and the string to sign AWS
// documents, built here independently of the server's code.
func verify(t *testing.T, f *fixture, n *notification) {
	t.Helper()
	rec := httptest.NewRecorder()
	f.svc.CertHandler().ServeHTTP(rec, httptest.NewRequest("GET", CertPath, nil))
	blk, _ := pem.Decode(rec.Body.Bytes())
	if blk == nil {
		t.Fatalf("certificate %q", rec.Body.String())
	}
	cert, err := x509.ParseCertificate(blk.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	msg := "Message\n" + n.Message + "\nMessageId\n" + n.MessageID + "\n"
	if n.Subject != "" {
		msg += "Subject\n" + n.Subject + "\n"
	}
	msg += "Timestamp\n" + n.Timestamp + "\nTopicArn\n" + n.TopicArn + "\nType\n" + n.Type + "\n"
	sig, err := base64.StdEncoding.DecodeString(n.Signature)
	if err != nil {
		t.Fatal(err)
	}
	pub := cert.PublicKey.(*rsa.PublicKey)
	if n.SignatureVersion == "2" {
		sum := sha256.Sum256([]byte(msg))
		err = rsa.VerifyPKCS1v15(pub, crypto.SHA256, sum[:], sig)
	} else {
		sum := sha1.Sum([]byte(msg))
		err = rsa.VerifyPKCS1v15(pub, crypto.SHA1, sum[:], sig)
	}
	if err != nil {
		t.Fatalf("signature (version %s) does not verify: %v", n.SignatureVersion, err)
	}
}

func TestSignatureVersions(t *testing.T) {
	f := newFixture(t)
	topic := f.topic("orders", nil)
	f.subscribe(topic, queueARN, nil)
	for _, version := range []string{"1", "2"} {
		err := f.svc.SetTopicAttributes(f.ctx(), &snsapi.SetTopicAttributesInput{TopicArn: &topic, AttributeName: shape.Ptr("SignatureVersion"), AttributeValue: &version})
		if err != nil {
			t.Fatal(err)
		}
		f.publish(&snsapi.PublishInput{TopicArn: &topic, Message: shape.Ptr("m\nwith newline")}) // no subject
		var n notification
		if err := json.Unmarshal([]byte(f.q.take()[0].d.Body), &n); err != nil {
			t.Fatal(err)
		}
		if n.SignatureVersion != version {
			t.Fatalf("SignatureVersion %s, want %s", n.SignatureVersion, version)
		}
		verify(t, f, &n)
	}
}

// TestSigningKeyPersists: the key is created once in the data directory and
// reused, so certificates fetched before a restart still verify.
func TestSigningKeyPersists(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sns-signing.pem")
	a, err := loadSigner(path, t0)
	if err != nil {
		t.Fatal(err)
	}
	b, err := loadSigner(path, t0)
	if err != nil {
		t.Fatal(err)
	}
	if string(a.certPEM) != string(b.certPEM) || !a.key.Equal(b.key) {
		t.Fatal("a second start made a new key")
	}
}
