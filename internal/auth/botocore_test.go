package auth

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"os/exec"
	"strings"
	"testing"
)

// TestBotocoreSignedRequests verifies requests signed by botocore itself
// (testdata/botocore_sign.py), the signer behind the aws CLI and boto3.
func TestBotocoreSignedRequests(t *testing.T) {
	py, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 not found")
	}
	if exec.Command(py, "-c", "import botocore").Run() != nil {
		t.Skip("botocore not installed")
	}
	out, err := exec.Command(py, "testdata/botocore_sign.py", testAKID, testSecret).Output()
	if err != nil {
		t.Fatalf("botocore_sign.py: %v", err)
	}
	var reqs []struct {
		Name    string
		Method  string
		URL     string
		Headers [][2]string
		Body    string
	}
	if err := json.Unmarshal(out, &reqs); err != nil {
		t.Fatal(err)
	}
	if len(reqs) < 10 {
		t.Fatalf("only %d requests", len(reqs))
	}
	for _, br := range reqs {
		t.Run(br.Name, func(t *testing.T) {
			body, err := base64.StdEncoding.DecodeString(br.Body)
			if err != nil {
				t.Fatal(err)
			}
			var rd *bytes.Reader
			if len(body) > 0 {
				rd = bytes.NewReader(body)
			}
			var req *http.Request
			if rd != nil {
				req, err = http.NewRequest(br.Method, br.URL, rd)
			} else {
				req, err = http.NewRequest(br.Method, br.URL, nil)
			}
			if err != nil {
				t.Fatal(err)
			}
			for _, h := range br.Headers {
				req.Header.Add(h[0], h[1])
			}
			sr, got := wire(t, req)
			if len(body) > 0 {
				if sr.Header.Get("Content-Length") == "" {
					t.Fatal("no Content-Length on the wire")
				}
				if strings.Contains(sr.Header.Get("Authorization"), "content-length") {
					t.Fatal("botocore signed content-length")
				}
			}
			v, _ := newVerifier(t0)
			id := mustVerify(t, v, sr, got)
			if id.AccountID != testAcct || id.Region != "us-east-1" {
				t.Errorf("%+v", id)
			}
			// And a flipped byte of the body or the signature fails.
			if len(got) > 0 && !id.Presigned {
				bad := bytes.Clone(got)
				bad[0] ^= 1
				mustFail(t, v, sr, bad, BadSignature)
			}
		})
	}
}
