package sdkhttp

import (
	"io"
	"net/http"
	"strings"
	"testing"
)

// The caller's request is left as it was (its body and length), while
// the one sent carries its headers and the copied body.
func TestClientLeavesCallersRequest(t *testing.T) {
	var sent *http.Request
	next := doerFunc(func(r *http.Request) (*http.Response, error) {
		sent = r
		io.Copy(io.Discard, r.Body)
		return &http.Response{StatusCode: 200, Body: http.NoBody}, nil
	})
	orig := io.NopCloser(strings.NewReader("payload"))
	req, _ := http.NewRequest("POST", "http://127.0.0.1/", orig)
	req.ContentLength = -1
	req.Header.Set("X-Amz-Target", "AWSEvents.PutEvents")
	if _, err := (Client{Next: next}).Do(req); err != nil {
		t.Fatal(err)
	}
	if sent == req || req.Body != orig || req.ContentLength != -1 {
		t.Fatalf("the caller's request was changed: %p %p %v", sent, req, req.ContentLength)
	}
	if sent.ContentLength != 7 || sent.Header.Get("X-Amz-Target") != "AWSEvents.PutEvents" || sent.URL.String() != "http://127.0.0.1/" {
		t.Fatalf("sent %d %v %v", sent.ContentLength, sent.Header, sent.URL)
	}
}

type doerFunc func(*http.Request) (*http.Response, error)

func (f doerFunc) Do(r *http.Request) (*http.Response, error) { return f(r) }
