package interop

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"strings"

	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

func show(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// breakBody appends a raw parameter to the serialized form, to send what
// the SDK itself never would.
func breakBody(extra string) func(*middleware.Stack) error {
	return func(s *middleware.Stack) error {
		return s.Build.Add(middleware.BuildMiddlewareFunc("breakBody", func(ctx context.Context, in middleware.BuildInput, next middleware.BuildHandler) (middleware.BuildOutput, middleware.Metadata, error) {
			req := in.Request.(*smithyhttp.Request)
			var body []byte
			if r := req.GetStream(); r != nil {
				body, _ = io.ReadAll(r)
			}
			nb := strings.TrimSuffix(string(body), "&") + "&" + extra
			req, err := req.SetStream(bytes.NewReader([]byte(nb)))
			if err != nil {
				return middleware.BuildOutput{}, middleware.Metadata{}, err
			}
			req.ContentLength = int64(len(nb))
			in.Request = req
			return next.HandleBuild(ctx, in)
		}), middleware.After)
	}
}
