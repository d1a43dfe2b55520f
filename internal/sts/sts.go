// Package sts implements the part of AWS STS that tools need against Vigil:
// GetCallerIdentity, which tells a client the account and principal its
// credentials belong to. Vigil issues no temporary credentials yet; every
// other operation answers NotImplemented.
package sts

import (
	"context"

	"github.com/vigilhq/vigil/internal/api/shape"
	stsapi "github.com/vigilhq/vigil/internal/api/sts"
	"github.com/vigilhq/vigil/internal/reqctx"
)

// Service is the STS handler.
type Service struct {
	stsapi.Unimplemented
}

// GetCallerIdentity answers with the caller's account, ARN and user id.
func (Service) GetCallerIdentity(ctx context.Context, _ *stsapi.GetCallerIdentityRequest) (*stsapi.GetCallerIdentityResponse, error) {
	c := reqctx.From(ctx).Caller
	return &stsapi.GetCallerIdentityResponse{
		Account: shape.Ptr(c.AccountID),
		Arn:     shape.Ptr(c.ARN),
		UserId:  shape.Ptr(c.PrincipalID),
	}, nil
}
