package sns

import (
	"context"

	"github.com/vigilhq/vigil/internal/api/shape"
	snsapi "github.com/vigilhq/vigil/internal/api/sns"
	"github.com/vigilhq/vigil/internal/reqctx"
)

// SetServerHost records the host (and port) Vigil serves on: notifications
// other Vigil services publish name it in their URLs (SigningCertURL,
// UnsubscribeURL), as no request carries one for them.
func (s *Service) SetServerHost(host string) { s.serverHost.Store(host) }

// NotifyTopic publishes a notification from another Vigil service (an
// alarm's action) as account, with Publish's rules and durability.
func (s *Service) NotifyTopic(ctx context.Context, account, region, topicARN, subject, message string) error {
	host, _ := s.serverHost.Load().(string)
	r := &reqctx.Request{
		Caller:    reqctx.Caller{AccountID: account, ARN: "arn:aws:iam::" + account + ":root", PrincipalID: account},
		Region:    region,
		Service:   "sns",
		Operation: "Publish",
		Host:      host,
		Time:      s.clock.Now(),
	}
	in := &snsapi.PublishInput{TopicArn: shape.Ptr(topicARN), Message: shape.Ptr(message)}
	if subject != "" {
		in.Subject = shape.Ptr(subject)
	}
	_, err := s.Publish(reqctx.With(ctx, r), in)
	return err
}
