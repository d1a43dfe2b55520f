package sns

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"math/big"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// CertPath is where the gateway serves the signing certificate, under the
// host a notification's SigningCertURL names.
const CertPath = "/SimpleNotificationService-vigil.pem"

// signer signs notifications as AWS documents (SignatureVersion 1:
// SHA1withRSA, 2: SHA256withRSA) with a key generated once and kept in the
// data directory, so signatures verify across restarts.
type signer struct {
	key     *rsa.PrivateKey
	certPEM []byte
}

// loadSigner reads the key and certificate from path, or creates them
// there. An empty path keeps them in memory (tests).
func loadSigner(path string, now time.Time) (*signer, error) {
	if path != "" {
		b, err := os.ReadFile(path)
		if err == nil {
			return parseSigner(b)
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("sns: signing key: %w", err)
		}
	}
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, fmt.Errorf("sns: signing key: %w", err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(now.UnixNano()),
		Subject:      pkix.Name{CommonName: "sns.vigil.local", Organization: []string{"Vigil"}},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.AddDate(20, 0, 0),
		KeyUsage:     x509.KeyUsageDigitalSignature,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, fmt.Errorf("sns: signing certificate: %w", err)
	}
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	keyPEM := pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)})
	if path != "" {
		if err := writeFileAtomic(path, append(keyPEM, certPEM...)); err != nil {
			return nil, fmt.Errorf("sns: save signing key: %w", err)
		}
	}
	return &signer{key: key, certPEM: certPEM}, nil
}

func parseSigner(b []byte) (*signer, error) {
	s := &signer{}
	for {
		var blk *pem.Block
		if blk, b = pem.Decode(b); blk == nil {
			break
		}
		switch blk.Type {
		case "RSA PRIVATE KEY":
			k, err := x509.ParsePKCS1PrivateKey(blk.Bytes)
			if err != nil {
				return nil, fmt.Errorf("sns: signing key: %w", err)
			}
			s.key = k
		case "CERTIFICATE":
			s.certPEM = pem.EncodeToMemory(blk)
		}
	}
	if s.key == nil || s.certPEM == nil {
		return nil, errors.New("sns: signing key file lacks a key or a certificate")
	}
	return s, nil
}

// writeFileAtomic writes a private file so that a crash leaves the old
// content or the new, never a part.
func writeFileAtomic(path string, b []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".sns-signing-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return err
	}
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// stringToSign is AWS's documented string for a Notification: each of
// Message, MessageId, Subject (when present), Timestamp, TopicArn and Type,
// as its name, a newline, its value and a newline.
func stringToSign(n *notification) string {
	var b strings.Builder
	add := func(k, v string) { b.WriteString(k + "\n" + v + "\n") }
	add("Message", n.Message)
	add("MessageId", n.MessageID)
	if n.Subject != "" {
		add("Subject", n.Subject)
	}
	add("Timestamp", n.Timestamp)
	add("TopicArn", n.TopicArn)
	add("Type", n.Type)
	return b.String()
}

// sign fills in the notification's Signature for its SignatureVersion.
func (s *signer) sign(n *notification) error {
	sig, err := s.signString(n.SignatureVersion, stringToSign(n))
	n.Signature = sig
	return err
}

// signString signs a message's string to sign for a SignatureVersion.
func (s *signer) signString(version, str string) (string, error) {
	h, sum := crypto.SHA1, sha1Sum(str)
	if version == "2" {
		h, sum = crypto.SHA256, sha256Sum(str)
	}
	sig, err := rsa.SignPKCS1v15(nil, s.key, h, sum)
	if err != nil {
		return "", fmt.Errorf("sns: sign notification: %w", err)
	}
	return base64.StdEncoding.EncodeToString(sig), nil
}

func sha1Sum(s string) []byte {
	x := sha1.Sum([]byte(s))
	return x[:]
}

func sha256Sum(s string) []byte {
	x := sha256.Sum256([]byte(s))
	return x[:]
}

// CertHandler serves the signing certificate (PEM) at CertPath.
func (s *Service) CertHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/x-pem-file")
		w.Write(s.signer.certPEM)
	})
}
