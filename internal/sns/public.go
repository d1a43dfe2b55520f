package sns

import (
	"context"
	"net/http"

	"github.com/vigilhq/vigil/internal/api/shape"
	snsapi "github.com/vigilhq/vigil/internal/api/sns"
	"github.com/vigilhq/vigil/internal/protocol"
	"github.com/vigilhq/vigil/internal/protocol/awsquery"
)

// PublicRequest tells whether r is an unsigned GET of a SubscribeURL or an
// UnsubscribeURL, which AWS serves without authentication (the token, or
// the subscription ARN, is the credential). Signed requests go through the
// gateway like every other call.
func PublicRequest(r *http.Request) bool {
	if r.Method != http.MethodGet || r.URL.Path != "/" || r.Header.Get("Authorization") != "" {
		return false
	}
	q := r.URL.Query()
	if q.Has("X-Amz-Signature") || q.Has("X-Amz-Credential") || q.Has("Signature") {
		return false
	}
	switch q.Get("Action") {
	case "ConfirmSubscription", "Unsubscribe":
		return true
	}
	return false
}

// PublicHandler serves the requests PublicRequest picks, answering AWS's
// XML as the API would.
func (s *Service) PublicHandler() http.Handler {
	codec := awsquery.New()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		action := q.Get("Action")
		preq := &protocol.Request{Service: snsapi.Model, Op: snsapi.Model.Operation(action), Header: r.Header, URL: r.URL, RequestID: s.ids.UUID()}
		var out any
		err := s.public(r, action, q.Get("TopicArn"), q.Get("Token"), q.Get("SubscriptionArn"), &out)
		var resp protocol.Response
		resp.Header = http.Header{}
		if err != nil {
			codec.EncodeError(preq, err, &resp)
		} else {
			codec.EncodeOutput(preq, out, &resp)
		}
		for k, v := range resp.Header {
			w.Header()[k] = v
		}
		if resp.Status == 0 {
			resp.Status = http.StatusOK
		}
		w.WriteHeader(resp.Status)
		w.Write(resp.Body.Bytes())
	})
}

func (s *Service) public(r *http.Request, action, topicARN, token, subARN string, out *any) error {
	now := s.clock.Now()
	switch action {
	case "ConfirmSubscription":
		ctx, ok := publicContext(r.Host, topicARN, now)
		if !ok {
			if topicARN == "" {
				return missingParameter("TopicArn")
			}
			return invalidParameter("TopicArn", "")
		}
		arn, err := s.confirm(ctx, topicARN, token, false, false)
		if err != nil {
			return err
		}
		*out = &snsapi.ConfirmSubscriptionResponse{SubscriptionArn: &arn}
		return nil
	default: // Unsubscribe
		ctx, ok := publicContext(r.Host, subARN, now)
		if !ok {
			if subARN == "" {
				return missingParameter("SubscriptionArn")
			}
			return invalidParameter("SubscriptionArn", "")
		}
		if err := s.checkPublicUnsubscribe(ctx, subARN); err != nil {
			return err
		}
		return s.Unsubscribe(ctx, &snsapi.UnsubscribeInput{SubscriptionArn: &subARN})
	}
}

// checkPublicUnsubscribe refuses an unauthenticated unsubscribe of a
// subscription confirmed with AuthenticateOnUnsubscribe=true.
func (s *Service) checkPublicUnsubscribe(ctx context.Context, arn string) error {
	c := callOf(ctx)
	s.mu.Lock()
	defer s.mu.Unlock()
	sub, err := s.subscriptionByARN(c, arn)
	if err != nil {
		return nil // Unsubscribe answers for a missing or malformed one
	}
	if sub.state.AuthOnUnsub {
		return &snsapi.AuthorizationErrorException{Message: shape.Ptr("Unsubscribe for this subscription requires authentication")}
	}
	return nil
}
