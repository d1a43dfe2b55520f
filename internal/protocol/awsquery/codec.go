package awsquery

import (
	"net/http"

	"github.com/vigilhq/vigil/internal/protocol"
)

// New returns the awsQuery codec. It is stateless and safe for concurrent
// use.
func New() protocol.Codec { return codec{} }

type codec struct{}

func (codec) Name() string { return "awsQuery" }

const contentType = "text/xml"

func setHeaders(req *protocol.Request, resp *protocol.Response, status int) {
	resp.Status = status
	if resp.Header == nil {
		resp.Header = make(http.Header, 2)
	}
	resp.Header["Content-Type"] = []string{contentType}
	if req.RequestID != "" {
		resp.Header["X-Amzn-Requestid"] = []string{req.RequestID}
	}
}
