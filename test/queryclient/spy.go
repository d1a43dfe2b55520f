package main

import (
	"bytes"
	"io"
	"net/http"

	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
)

// gzipSpy notes whether a request went out gzip-compressed.
type gzipSpy struct {
	next interface {
		Do(*http.Request) (*http.Response, error)
	}
	saw *bool
}

func (s gzipSpy) Do(r *http.Request) (*http.Response, error) {
	if r.Header.Get("Content-Encoding") == "gzip" {
		*s.saw = true
	}
	return s.next.Do(r)
}

// awsHTTPClient is the SDK's client behind bufferedBodyClient: the
// smithy-go request-body race internal/sdkhttp explains (this module cannot
// import it) fails larger responses here at random with "use of closed
// network connection".
func awsHTTPClient() bufferedBodyClient {
	return bufferedBodyClient{awshttp.NewBuildableClient()}
}

type bufferedBodyClient struct{ next *awshttp.BuildableClient }

func (b bufferedBodyClient) Do(req *http.Request) (*http.Response, error) {
	if req.Body == nil || req.Body == http.NoBody {
		return b.next.Do(req)
	}
	body, err := io.ReadAll(req.Body)
	if err != nil {
		return nil, err
	}
	req = req.Clone(req.Context())
	req.Body = io.NopCloser(bytes.NewReader(body))
	req.ContentLength = int64(len(body))
	return b.next.Do(req)
}
