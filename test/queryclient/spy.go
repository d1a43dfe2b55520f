package main

import (
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

func awsHTTPClient() *awshttp.BuildableClient { return awshttp.NewBuildableClient() }
