// Package sdkhttp is the HTTP client Vigil's own AWS SDK callers (the
// bench workloads, the end-to-end tests) give aws-sdk-go-v2: it works
// around a client-side race in smithy-go (v1.28.9, the newest here) with
// Go's HTTP/1.1 transport that fails larger responses at random with "read
// tcp ...: use of closed network connection".
//
// The race: smithy-go hands the transport the request body wrapped in
// safeWriteToReadCloser, which is not one of the in-memory readers
// net/http knows, so the transport flushes the headers first and
// bufio.Writer.ReadFrom then writes the body straight to the socket. A
// server on loopback can answer before the transport's writeLoop has
// finished writeBody (its io.Copy(io.Discard, body) probe for extra
// bytes). smithy-go closes the request body as soon as Do returns
// (transport/http/client.go), and a closed safeWriteToReadCloser's WriteTo
// returns io.EOF (against the io.WriterTo contract, which says nil at EOF):
// io.Copy passes it on, the transport takes it for a request body read
// error and closes the connection while the response body is being read.
// Responses that fit the 4 KB read buffer survive; larger ones (a
// GetLogEvents page, GetQueryResults, a Live Tail stream) fail. Raw
// net/http requests never do; a body whose WriteTo returns nil once closed
// never does either.
package sdkhttp

import (
	"bytes"
	"io"
	"net/http"
)

// Doer is what the SDK calls (aws.HTTPClient).
type Doer interface {
	Do(*http.Request) (*http.Response, error)
}

// Client gives Next a copy of each request body in a bytes.Reader, which
// net/http writes with the headers in one flush and which the SDK's Close
// cannot reach.
type Client struct{ Next Doer }

func (c Client) Do(req *http.Request) (*http.Response, error) {
	if req.Body == nil || req.Body == http.NoBody {
		return c.Next.Do(req)
	}
	body, err := readBody(req)
	if err != nil {
		return nil, err
	}
	// A shallow copy, as Request.WithContext makes: only Body and
	// ContentLength differ, and neither Do nor the transport modifies a
	// request's headers or URL (Clone copied them: ~1 KB in several
	// allocations per call, on top of the SDK's own).
	r := *req
	r.Body = io.NopCloser(bytes.NewReader(body))
	r.ContentLength = int64(len(body))
	return c.Next.Do(&r)
}

// readBody reads req's body into one allocation of its announced length
// (io.ReadAll would grow and copy a 100 KB body eight times: the load
// generator's client should cost what the SDK costs).
func readBody(req *http.Request) ([]byte, error) {
	if req.ContentLength <= 0 {
		return io.ReadAll(req.Body)
	}
	body := make([]byte, req.ContentLength)
	if _, err := io.ReadFull(req.Body, body); err != nil {
		return nil, err
	}
	// A body longer than announced is read whole, as before.
	var more [1]byte
	if n, err := io.ReadFull(req.Body, more[:]); n == 0 {
		if err != io.EOF {
			return nil, err
		}
		return body, nil
	}
	rest, err := io.ReadAll(req.Body)
	return append(append(body, more[0]), rest...), err
}
