package events

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	eventsapi "github.com/vigilhq/vigil/internal/api/events"
	"github.com/vigilhq/vigil/internal/api/shape"
	"github.com/vigilhq/vigil/internal/outbox"
)

// apiTimeout bounds one invocation and one OAuth token request (user guide,
// API destinations: the endpoint must answer within five seconds, "If the
// target endpoint takes longer than five seconds to respond, EventBridge
// times out the request" and retries it).
const apiTimeout = 5 * time.Second

// apiUserAgent is the User-Agent EventBridge sends to API destinations.
const apiUserAgent = "Amazon/EventBridge/ApiDestinations"

func (a *apiState) httpClient() *http.Client {
	if a.client != nil {
		return a.client
	}
	return defaultAPIClient
}

// defaultAPIClient does not follow redirects: a 3xx is the endpoint's
// answer, and AWS does not retry it.
var defaultAPIClient = &http.Client{Timeout: apiTimeout, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// oauthToken is a cached access token; a zero expires means "until the
// endpoint refuses it" (the token response had no expires_in).
type oauthToken struct {
	value   string
	expires time.Time
}

// tokenBucket limits one API destination's invocations to its
// InvocationRateLimitPerSecond on the injected clock. Our decision: the
// bucket holds one second's worth, so a burst after a quiet second is
// allowed up to the limit.
type tokenBucket struct {
	rate   float64
	tokens float64
	last   time.Time
}

// take spends one token, or tells how long until one is available.
func (b *tokenBucket) take(now time.Time) (time.Duration, bool) {
	if el := now.Sub(b.last); el > 0 {
		b.tokens = min(b.rate, b.tokens+el.Seconds()*b.rate)
		b.last = now
	}
	if b.tokens >= 1 {
		b.tokens--
		return 0, true
	}
	wait := time.Duration((1 - b.tokens) / b.rate * float64(time.Second))
	return max(wait, time.Millisecond), false
}

// admitAPI applies t's invocation rate limit. When the destination is over
// its limit the delivery is deferred without counting an attempt (AWS:
// throttled invocations are retried and are not failures) and
// ThrottledRules is recorded.
func (s *Service) admitAPI(p partition, r *rule, t *target, j *job, now time.Time) (outbox.Outcome, bool) {
	if t.kind != targetAPI {
		return outbox.Outcome{}, true
	}
	arn := shape.Value(t.spec.Arn)
	s.api.mu.Lock()
	d := s.apiDestByARN(t.destP, arn)
	if d == nil {
		s.api.mu.Unlock()
		return outbox.Outcome{}, true // the attempt reports NO_RESOURCE
	}
	b := s.api.buckets[arn]
	if b == nil {
		b = &tokenBucket{rate: float64(d.RateLimit), tokens: float64(d.RateLimit), last: now}
		s.api.buckets[arn] = b
	}
	wait, ok := b.take(now)
	s.api.mu.Unlock()
	if ok {
		return outbox.Outcome{}, true
	}
	s.met.throttled(p, j.Bus, r.name, now)
	return outbox.Outcome{RetryAt: now.Add(wait), NotAttempted: true}, false
}

// apiDestByARN finds the API destination with that exact ARN. Callers hold
// api.mu.
func (s *Service) apiDestByARN(p partition, arn string) *apiDestDoc {
	dp, res, ok := parseEventsARN(arn)
	if !ok || dp != p || !strings.HasPrefix(res, "api-destination/") {
		return nil
	}
	name, _, _ := strings.Cut(strings.TrimPrefix(res, "api-destination/"), "/")
	if d := s.api.destsOf(p)[name]; d != nil && d.ARN == arn {
		return d
	}
	return nil
}

func apiError(permanent bool, format string, args ...any) *deliveryError {
	// SDK_CLIENT_ERROR and the "Unable to invoke ApiDestination endpoint:"
	// prefix are what AWS writes on DLQ messages of API destinations.
	return &deliveryError{code: "SDK_CLIENT_ERROR", msg: "Unable to invoke ApiDestination endpoint: " + fmt.Sprintf(format, args...), permanent: permanent}
}

// retryableStatus: AWS retries an API destination's 401, 407, 409, 429
// and 5xx answers; any other status (1xx, 2xx other than success, 3xx,
// other 4xx) is final and the event goes to the DLQ (user guide, API
// destinations, "API destination error codes"; older versions of that page
// list only 429 and 5xx).
func retryableStatus(code int) bool {
	return code == 401 || code == 407 || code == 409 || code == 429 || code >= 500
}

// invokeAPI sends payload to t's API destination once.
func (s *Service) invokeAPI(ctx context.Context, t *target, payload []byte) error {
	arn := shape.Value(t.spec.Arn)
	s.api.mu.Lock()
	d := s.apiDestByARN(t.destP, arn)
	var conn *connDoc
	if d != nil {
		conn = s.connectionByARN(t.destP, d.ConnARN)
	}
	var dest apiDestDoc
	var c connDoc
	if d != nil && conn != nil {
		dest, c = *d, *conn
	}
	s.api.mu.Unlock()
	switch {
	case d == nil:
		return &deliveryError{code: "NO_RESOURCE", msg: "API destination " + arn + " does not exist.", permanent: true}
	case conn == nil:
		return &deliveryError{code: "NO_RESOURCE", msg: "Connection " + d.ConnARN + " of API destination " + arn + " does not exist.", permanent: true}
	case c.Auth == auth{Invocation: c.Auth.Invocation}: // DeauthorizeConnection removed its credentials
		// Retried: UpdateConnection may authorize it again within the
		// retry policy (our decision).
		return apiError(false, "The connection %s is deauthorized.", c.ARN)
	}
	req, err := buildAPIRequest(ctx, &dest, &c, t.spec.HttpParameters, payload)
	if err != nil {
		return err
	}
	var tok *oauthToken
	switch c.AuthType {
	case "API_KEY":
		req.Header.Set(c.Auth.APIKeyName, c.Auth.APIKeyValue)
	case "BASIC":
		req.SetBasicAuth(c.Auth.Username, c.Auth.Password)
	case "OAUTH_CLIENT_CREDENTIALS":
		if tok, err = s.oauthTokenFor(ctx, &c); err != nil {
			return err
		}
		req.Header.Set("Authorization", "Bearer "+tok.value)
	}
	cctx, cancel := context.WithTimeout(ctx, apiTimeout)
	defer cancel()
	resp, err := s.api.httpClient().Do(req.WithContext(cctx))
	if err != nil {
		if errors.Is(err, context.DeadlineExceeded) || isTimeout(err) {
			return apiError(false, "Timeout calling endpoint for API Destination.")
		}
		return apiError(false, "API destination endpoint cannot be reached.")
	}
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		return nil
	}
	if tok != nil && (resp.StatusCode == 401 || resp.StatusCode == 407) {
		// AWS refreshes the OAuth token when the endpoint refuses it; the
		// retry fetches a new one.
		s.api.mu.Lock()
		if s.api.tokens[c.ARN] == tok {
			delete(s.api.tokens, c.ARN)
		}
		s.api.mu.Unlock()
	}
	de := apiError(!retryableStatus(resp.StatusCode), "The endpoint answered %s.", resp.Status)
	if !de.permanent {
		// "EventBridge chooses the more conservative value between the
		// defined retry policy and the Retry-After header. If Retry-After
		// value is negative, EventBridge stops retrying delivery for that
		// event" (user guide, API destination error codes).
		if ra, ok := retryAfter(resp.Header.Get("Retry-After"), s.clock.Now()); ok {
			if ra < 0 {
				de.permanent = true
			} else {
				de.retryAfter = ra
			}
		}
	}
	return de
}

// retryAfter reads a Retry-After header: delay seconds (possibly
// negative, which AWS reads as "stop retrying") or an HTTP date.
func retryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		if n > 86400 {
			n = 86400 // beyond any RetryPolicy's MaximumEventAgeInSeconds
		}
		return time.Duration(n) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(now), 0), true
	}
	return 0, false
}

func isTimeout(err error) bool {
	var te interface{ Timeout() bool }
	return errors.As(err, &te) && te.Timeout()
}

// buildAPIRequest builds the invocation: the destination's endpoint with
// its "*" wildcards replaced by the target's PathParameterValues in order;
// the target's header and query string parameters, then the connection's
// invocation parameters, which win over the target's (our reading of the
// user guide: a connection's parameters are added to every call it makes);
// the (transformed) event as the body, with the connection's body
// parameters added when it is a JSON object.
func buildAPIRequest(ctx context.Context, d *apiDestDoc, c *connDoc, hp *eventsapi.HttpParameters, payload []byte) (*http.Request, error) {
	endpoint := d.Endpoint
	var pathVals []string
	if hp != nil {
		pathVals = hp.PathParameterValues
	}
	if n := strings.Count(endpoint, "*"); n > 0 {
		if len(pathVals) < n {
			return nil, &deliveryError{code: "INVALID_PARAMETER", permanent: true,
				msg: fmt.Sprintf("The endpoint %s has %d path wildcards but the target gives %d PathParameterValues.", endpoint, n, len(pathVals))}
		}
		for _, v := range pathVals[:n] {
			endpoint = strings.Replace(endpoint, "*", url.PathEscape(v), 1)
		}
	}
	u, err := url.Parse(endpoint)
	if err != nil {
		return nil, &deliveryError{code: "INVALID_PARAMETER", msg: "InvocationEndpoint " + endpoint + " is not a URL.", permanent: true}
	}
	q := u.Query()
	h := http.Header{}
	if hp != nil {
		for k, v := range hp.QueryStringParameters {
			q.Set(k, v)
		}
		for k, v := range hp.HeaderParameters {
			h.Set(k, v)
		}
	}
	var bodyParams map[string]string
	if ip := c.Auth.Invocation; ip != nil {
		for _, p := range ip.QueryStringParameters {
			q.Set(shape.Value(p.Key), shape.Value(p.Value))
		}
		for _, p := range ip.HeaderParameters {
			h.Set(shape.Value(p.Key), shape.Value(p.Value))
		}
		for _, p := range ip.BodyParameters {
			if bodyParams == nil {
				bodyParams = map[string]string{}
			}
			bodyParams[shape.Value(p.Key)] = shape.Value(p.Value)
		}
	}
	u.RawQuery = q.Encode()
	var body io.Reader
	// Our decision: GET and HEAD carry no body; the event is for the
	// methods that take one.
	if d.Method != http.MethodGet && d.Method != http.MethodHead {
		if len(bodyParams) > 0 {
			payload = mergeBody(payload, bodyParams)
		}
		body = bytes.NewReader(payload)
	}
	req, err := http.NewRequestWithContext(ctx, d.Method, u.String(), body)
	if err != nil {
		return nil, &deliveryError{code: "INVALID_PARAMETER", msg: err.Error(), permanent: true}
	}
	req.Header = h
	// The headers EventBridge adds to every request (user guide, "Headers
	// included in requests to API destinations"); User-Agent and Range are
	// not the user's to change. Our decision: a Content-Type given by the
	// target or connection is kept.
	if req.Header.Get("Content-Type") == "" {
		req.Header.Set("Content-Type", "application/json; charset=utf-8")
	}
	req.Header.Set("User-Agent", apiUserAgent)
	req.Header.Set("Range", "bytes=0-1048575")
	req.Header.Set("Accept-Encoding", "gzip,deflate")
	req.Close = true // Connection: close
	return req, nil
}

// mergeBody adds params to a JSON object body; any other body is sent as
// it is (body parameters are keys of a JSON object; our decision).
func mergeBody(payload []byte, params map[string]string) []byte {
	var obj map[string]json.RawMessage
	if json.Unmarshal(payload, &obj) != nil || obj == nil {
		return payload
	}
	for k, v := range params {
		b, _ := json.Marshal(v)
		obj[k] = b
	}
	out, err := json.Marshal(obj)
	if err != nil {
		return payload
	}
	return out
}

// oauthTokenFor returns c's cached token, fetching one when there is none
// or it has expired.
func (s *Service) oauthTokenFor(ctx context.Context, c *connDoc) (*oauthToken, error) {
	cached := func() *oauthToken {
		s.api.mu.Lock()
		defer s.api.mu.Unlock()
		tok := s.api.tokens[c.ARN]
		if tok != nil && (tok.expires.IsZero() || s.clock.Now().Before(tok.expires)) {
			return tok
		}
		return nil
	}
	if tok := cached(); tok != nil {
		return tok, nil
	}
	// One fetch per connection at a time: concurrent deliveries wait for
	// it and reuse its token rather than each asking for one.
	s.api.mu.Lock()
	fm := s.api.fetching[c.ARN]
	if fm == nil {
		fm = &sync.Mutex{}
		s.api.fetching[c.ARN] = fm
	}
	s.api.mu.Unlock()
	fm.Lock()
	defer fm.Unlock()
	if tok := cached(); tok != nil {
		return tok, nil
	}
	now := s.clock.Now()
	tok, err := s.fetchToken(ctx, c)
	if err != nil {
		var de *deliveryError
		if errors.As(err, &de) {
			return nil, de
		}
		return nil, apiError(false, "%s", err.Error())
	}
	s.api.mu.Lock()
	if cur := s.connectionByARN(partitionOfARN(c.ARN), c.ARN); cur != nil {
		s.api.tokens[c.ARN] = tok
		if cur.State != "AUTHORIZED" {
			// Authorized again; recorded in memory, and written with the
			// connection's next change (our decision: no write on the
			// delivery path).
			cp := *cur
			cp.State, cp.StateReason, cp.Authorized = "AUTHORIZED", "", now.UnixMilli()
			s.api.connsOf(partitionOfARN(c.ARN))[cp.Name] = &cp
		}
	}
	s.api.mu.Unlock()
	return tok, nil
}

func partitionOfARN(arn string) partition {
	p, _, _ := parseEventsARN(arn)
	return p
}

// fetchToken asks c's authorization endpoint for a client-credentials
// token. The client id and secret go in an HTTP Basic Authorization header
// (RFC 6749 section 2.3.1); the OAuthHttpParameters are added as headers,
// query string parameters, and form-encoded body parameters (query
// parameters for GET), with grant_type=client_credentials unless the user
// gave a grant_type (our decision on what AWS leaves unsaid). The answer
// must be JSON with access_token and, optionally, expires_in seconds.
func (s *Service) fetchToken(ctx context.Context, c *connDoc) (*oauthToken, error) {
	u, err := url.Parse(c.Auth.Endpoint)
	if err != nil {
		return nil, fmt.Errorf("the AuthorizationEndpoint is not a URL")
	}
	q := u.Query()
	form := url.Values{}
	h := http.Header{}
	if op := c.Auth.OAuthParams; op != nil {
		for _, p := range op.QueryStringParameters {
			q.Set(shape.Value(p.Key), shape.Value(p.Value))
		}
		for _, p := range op.HeaderParameters {
			h.Set(shape.Value(p.Key), shape.Value(p.Value))
		}
		for _, p := range op.BodyParameters {
			form.Set(shape.Value(p.Key), shape.Value(p.Value))
		}
	}
	if form.Get("grant_type") == "" && q.Get("grant_type") == "" {
		form.Set("grant_type", "client_credentials")
	}
	var body io.Reader
	if c.Auth.Method == http.MethodGet {
		for k, vs := range form {
			q[k] = vs
		}
	} else {
		body = strings.NewReader(form.Encode())
		h.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	u.RawQuery = q.Encode()
	cctx, cancel := context.WithTimeout(ctx, apiTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(cctx, c.Auth.Method, u.String(), body)
	if err != nil {
		return nil, fmt.Errorf("OAuth token request: %w", err)
	}
	req.Header = h
	req.Header.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(c.Auth.ClientID+":"+c.Auth.ClientSecret)))
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", apiUserAgent)
	resp, err := s.api.httpClient().Do(req)
	if err != nil {
		return nil, fmt.Errorf("the OAuth authorization endpoint cannot be reached")
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode < 200 || resp.StatusCode >= 300 {
		return nil, fmt.Errorf("the OAuth authorization endpoint answered %s", resp.Status)
	}
	var tr struct {
		AccessToken string          `json:"access_token"`
		ExpiresIn   json.RawMessage `json:"expires_in"`
	}
	if err := json.Unmarshal(raw, &tr); err != nil || tr.AccessToken == "" {
		return nil, fmt.Errorf("the OAuth authorization endpoint's answer has no access_token")
	}
	tok := &oauthToken{value: tr.AccessToken}
	var secs float64
	if len(tr.ExpiresIn) > 0 {
		var str string
		if json.Unmarshal(tr.ExpiresIn, &secs) != nil && json.Unmarshal(tr.ExpiresIn, &str) == nil {
			fmt.Sscan(str, &secs)
		}
	}
	if secs > 0 {
		tok.expires = s.clock.Now().Add(time.Duration(secs * float64(time.Second)))
	}
	return tok, nil
}
