package sts

import (
	"context"
	"testing"

	"github.com/vigilhq/vigil/internal/reqctx"
)

func TestGetCallerIdentityReportsTheCaller(t *testing.T) {
	ctx := reqctx.With(context.Background(), &reqctx.Request{Caller: reqctx.Caller{
		AccountID: "123456789012", ARN: "arn:aws:iam::123456789012:root", PrincipalID: "123456789012", Type: "Root",
	}})
	out, err := Service{}.GetCallerIdentity(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if *out.Account != "123456789012" || *out.Arn != "arn:aws:iam::123456789012:root" || *out.UserId != "123456789012" {
		t.Fatalf("got %+v", out)
	}
}
