package logs

import (
	"context"
	"errors"
	"time"

	logsapi "github.com/vigilhq/vigil/internal/api/logs"
	"github.com/vigilhq/vigil/internal/api/shape"
	"github.com/vigilhq/vigil/internal/reqctx"
)

// PutTargetEvent writes one event EventBridge delivers to a log group
// target, as account in region: the stream is created if needed, then the
// message goes through PutLogEvents' rules and store, so it is durable when
// this returns nil. A missing log group answers ResourceNotFoundException;
// an event PutLogEvents would reject (too old, too new, past retention)
// answers InvalidParameterException rather than disappearing.
func (s *Service) PutTargetEvent(ctx context.Context, account, region, group, stream string, at time.Time, message string) error {
	ctx = reqctx.With(ctx, &reqctx.Request{
		Caller:    reqctx.Caller{AccountID: account, ARN: "arn:aws:iam::" + account + ":root", PrincipalID: account},
		Region:    region,
		Service:   "logs",
		Operation: "PutLogEvents",
		Time:      s.clock.Now(),
	})
	err := s.CreateLogStream(ctx, &logsapi.CreateLogStreamRequest{LogGroupName: &group, LogStreamName: &stream})
	var exists *logsapi.ResourceAlreadyExistsException
	if err != nil && !errors.As(err, &exists) {
		return err
	}
	out, err := s.PutLogEvents(ctx, &logsapi.PutLogEventsRequest{LogGroupName: &group, LogStreamName: &stream,
		LogEvents: []logsapi.InputLogEvent{{Timestamp: shape.Ptr(at.UnixMilli()), Message: &message}}})
	if err != nil {
		return err
	}
	if out.RejectedLogEventsInfo != nil {
		return invalidParameter("The log event was rejected: its timestamp is outside the range CloudWatch Logs accepts.")
	}
	return nil
}
