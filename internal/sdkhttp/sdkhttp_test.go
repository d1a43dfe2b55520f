package sdkhttp

import (
	"io"
	"net/http"
	"strings"
	"testing"
)

type recorder struct{ body string }

func (r *recorder) Do(req *http.Request) (*http.Response, error) {
	if req.Body == nil {
		r.body = ""
		return &http.Response{StatusCode: 200, Body: http.NoBody}, nil
	}
	b, err := io.ReadAll(req.Body)
	r.body = string(b)
	if req.ContentLength != int64(len(b)) {
		return nil, io.ErrUnexpectedEOF
	}
	return &http.Response{StatusCode: 200, Body: http.NoBody}, err
}

// The transport gets the body as an in-memory copy: closing the caller's
// body (as the SDK does when Do returns) cannot reach it.
func TestClientCopiesBody(t *testing.T) {
	rec := &recorder{}
	orig := io.NopCloser(strings.NewReader("payload"))
	req, _ := http.NewRequest("POST", "http://127.0.0.1/", orig)
	if _, err := (Client{Next: rec}).Do(req); err != nil {
		t.Fatal(err)
	}
	if rec.body != "payload" {
		t.Fatalf("body %q", rec.body)
	}
	empty, _ := http.NewRequest("GET", "http://127.0.0.1/", nil)
	if _, err := (Client{Next: rec}).Do(empty); err != nil || rec.body != "" {
		t.Fatalf("no body: %v %q", err, rec.body)
	}
}

// A body is copied whole whether its length is announced right, too low
// or not at all; one shorter than announced is an error.
func TestClientCopiesBodyOfAnyAnnouncedLength(t *testing.T) {
	for _, announced := range []int64{7, 3, -1} {
		rec := &recorder{}
		req, _ := http.NewRequest("POST", "http://127.0.0.1/", io.NopCloser(strings.NewReader("payload")))
		req.ContentLength = announced
		if _, err := (Client{Next: rec}).Do(req); err != nil || rec.body != "payload" {
			t.Fatalf("announced %d: %v %q", announced, err, rec.body)
		}
	}
	req, _ := http.NewRequest("POST", "http://127.0.0.1/", io.NopCloser(strings.NewReader("pay")))
	req.ContentLength = 7
	if _, err := (Client{Next: &recorder{}}).Do(req); err == nil {
		t.Fatal("a body shorter than announced was sent")
	}
}
