package sns

import (
	"encoding/json"
	"math"
	"mime"
	"strings"
	"time"
)

// retryPolicy is a resolved delivery policy: AWS's four phases (immediate
// retries, retries minDelay apart, a backoff from minDelay to maxDelay,
// retries maxDelay apart), numRetries in all, and the request's content
// type and rate limit.
type retryPolicy struct {
	MinDelay    int    `json:"minDelayTarget"`
	MaxDelay    int    `json:"maxDelayTarget"`
	NumRetries  int    `json:"numRetries"`
	NoDelay     int    `json:"numNoDelayRetries"`
	MinRetries  int    `json:"numMinDelayRetries"`
	MaxRetries  int    `json:"numMaxDelayRetries"`
	Backoff     string `json:"backoffFunction"`
	ContentType string `json:"headerContentType,omitempty"`
	PerSecond   int    `json:"maxReceivesPerSecond,omitempty"`
}

// httpDefaultPolicy is AWS's default for HTTP/S: three retries 20 seconds
// apart.
var httpDefaultPolicy = retryPolicy{MinDelay: 20, MaxDelay: 20, NumRetries: 3, Backoff: "linear"}

// emailPolicy is AWS's fixed policy for SMTP (customer managed endpoints):
// 2 retries 10 s apart, 10 backing off from 10 s to 600 s exponentially,
// then 38 retries 600 s apart. AWS does not let users change it.
var emailPolicy = retryPolicy{MinDelay: 10, MaxDelay: 600, NumRetries: 50, MinRetries: 2, MaxRetries: 38, Backoff: "exponential"}

// maxRetryTime is AWS's hard limit on an HTTP/S policy's total retry time.
const maxRetryTime = 3600

// healthyRetryPolicy is the JSON form of a retry policy; nil fields are
// absent (and inherit).
type healthyRetryPolicy struct {
	MinDelayTarget     *int    `json:"minDelayTarget"`
	MaxDelayTarget     *int    `json:"maxDelayTarget"`
	NumRetries         *int    `json:"numRetries"`
	NumNoDelayRetries  *int    `json:"numNoDelayRetries"`
	NumMinDelayRetries *int    `json:"numMinDelayRetries"`
	NumMaxDelayRetries *int    `json:"numMaxDelayRetries"`
	BackoffFunction    *string `json:"backoffFunction"`
}

type throttlePolicy struct {
	MaxReceivesPerSecond *int `json:"maxReceivesPerSecond"`
}

type requestPolicy struct {
	HeaderContentType *string `json:"headerContentType"`
}

// subscriptionDeliveryPolicy is a subscription's DeliveryPolicy attribute.
type subscriptionDeliveryPolicy struct {
	HealthyRetryPolicy *healthyRetryPolicy `json:"healthyRetryPolicy"`
	ThrottlePolicy     *throttlePolicy     `json:"throttlePolicy"`
	RequestPolicy      *requestPolicy      `json:"requestPolicy"`
}

// topicDeliveryPolicy is a topic's DeliveryPolicy attribute; only its http
// part applies to deliveries Vigil makes.
type topicDeliveryPolicy struct {
	HTTP *struct {
		DefaultHealthyRetryPolicy    *healthyRetryPolicy `json:"defaultHealthyRetryPolicy"`
		DisableSubscriptionOverrides bool                `json:"disableSubscriptionOverrides"`
		DefaultThrottlePolicy        *throttlePolicy     `json:"defaultThrottlePolicy"`
		DefaultRequestPolicy         *requestPolicy      `json:"defaultRequestPolicy"`
	} `json:"http"`
}

func (p *retryPolicy) apply(h *healthyRetryPolicy, th *throttlePolicy, rq *requestPolicy) {
	set := func(dst *int, v *int) {
		if v != nil {
			*dst = *v
		}
	}
	if h != nil {
		set(&p.MinDelay, h.MinDelayTarget)
		set(&p.MaxDelay, h.MaxDelayTarget)
		set(&p.NumRetries, h.NumRetries)
		set(&p.NoDelay, h.NumNoDelayRetries)
		set(&p.MinRetries, h.NumMinDelayRetries)
		set(&p.MaxRetries, h.NumMaxDelayRetries)
		if h.BackoffFunction != nil {
			p.Backoff = strings.ToLower(*h.BackoffFunction)
		}
	}
	if th != nil {
		set(&p.PerSecond, th.MaxReceivesPerSecond)
	}
	if rq != nil && rq.HeaderContentType != nil {
		p.ContentType = *rq.HeaderContentType
	}
}

// check applies AWS's limits to a resolved policy.
func (p retryPolicy) check() string {
	switch {
	case p.MinDelay < 1 || p.MinDelay > maxRetryTime:
		return "minDelayTarget must be between 1 and 3600"
	case p.MaxDelay < p.MinDelay || p.MaxDelay > maxRetryTime:
		return "maxDelayTarget must be between minDelayTarget and 3600"
	case p.NumRetries < 0 || p.NumRetries > 100:
		return "numRetries must be between 0 and 100"
	case p.NoDelay < 0 || p.MinRetries < 0 || p.MaxRetries < 0:
		return "numNoDelayRetries, numMinDelayRetries and numMaxDelayRetries must not be negative"
	case p.NoDelay+p.MinRetries+p.MaxRetries > p.NumRetries:
		return "numRetries must be at least numNoDelayRetries + numMinDelayRetries + numMaxDelayRetries"
	case p.Backoff != "linear" && p.Backoff != "arithmetic" && p.Backoff != "geometric" && p.Backoff != "exponential":
		return "backoffFunction must be linear, arithmetic, geometric or exponential"
	case p.PerSecond < 0:
		return "maxReceivesPerSecond must be at least 1"
	}
	if p.ContentType != "" {
		if _, _, err := mime.ParseMediaType(p.ContentType); err != nil {
			return "headerContentType is not a valid content type"
		}
	}
	total := 0
	for r := 1; r <= p.NumRetries; r++ {
		total += p.delay(r)
	}
	if total > maxRetryTime {
		return "the policy's total retry time must not exceed 3600 seconds"
	}
	return ""
}

// delay is the wait in seconds before retry r (1-based). Our decision on
// the backoff curves, which AWS shows only as a graph: over the backoff
// phase the delay rises from minDelayTarget to maxDelayTarget as x, x², x³
// (linear, arithmetic, geometric) or 2^(10x) (exponential) of the phase's
// progress x; no jitter, so tests and users can predict the schedule.
func (p retryPolicy) delay(r int) int {
	backoff := p.NumRetries - p.NoDelay - p.MinRetries - p.MaxRetries
	switch {
	case r <= p.NoDelay:
		return 0
	case r <= p.NoDelay+p.MinRetries:
		return p.MinDelay
	case r <= p.NoDelay+p.MinRetries+backoff:
		x := float64(r-p.NoDelay-p.MinRetries) / float64(backoff)
		var f float64
		switch p.Backoff {
		case "arithmetic":
			f = x * x
		case "geometric":
			f = x * x * x
		case "exponential":
			f = (math.Pow(2, 10*x) - 1) / (math.Pow(2, 10) - 1)
		default:
			f = x
		}
		return p.MinDelay + int(math.Round(f*float64(p.MaxDelay-p.MinDelay)))
	default:
		return p.MaxDelay
	}
}

// retryAt is when the entry is next attempted after attempt number
// attempts (0-based) failed at now, or false when the policy is exhausted.
func (p retryPolicy) retryAt(attempts int, now time.Time) (time.Time, bool) {
	r := attempts + 1
	if r > p.NumRetries {
		return time.Time{}, false
	}
	return now.Add(time.Duration(p.delay(r)) * time.Second), true
}

// checkSubscriptionDeliveryPolicy validates a subscription's DeliveryPolicy
// as AWS does, on top of the HTTP/S default.
func checkSubscriptionDeliveryPolicy(value string) error {
	var sp subscriptionDeliveryPolicy
	if err := json.Unmarshal([]byte(value), &sp); err != nil {
		return invalidParameter("DeliveryPolicy", "DeliveryPolicy: failed to parse JSON")
	}
	p := httpDefaultPolicy
	p.apply(sp.HealthyRetryPolicy, sp.ThrottlePolicy, sp.RequestPolicy)
	if sp.ThrottlePolicy != nil && sp.ThrottlePolicy.MaxReceivesPerSecond != nil && *sp.ThrottlePolicy.MaxReceivesPerSecond < 1 {
		return invalidParameter("DeliveryPolicy", "maxReceivesPerSecond must be at least 1")
	}
	if msg := p.check(); msg != "" {
		return invalidParameter("DeliveryPolicy", msg)
	}
	return nil
}

// checkTopicDeliveryPolicy validates a topic's DeliveryPolicy (its http
// part; AWS keeps other protocols' parts but they configure nothing Vigil
// delivers).
func checkTopicDeliveryPolicy(value string) error {
	var tp topicDeliveryPolicy
	if err := json.Unmarshal([]byte(value), &tp); err != nil {
		return invalidParameter("DeliveryPolicy", "DeliveryPolicy: failed to parse JSON")
	}
	if tp.HTTP == nil {
		return nil
	}
	p := httpDefaultPolicy
	p.apply(tp.HTTP.DefaultHealthyRetryPolicy, tp.HTTP.DefaultThrottlePolicy, tp.HTTP.DefaultRequestPolicy)
	if th := tp.HTTP.DefaultThrottlePolicy; th != nil && th.MaxReceivesPerSecond != nil && *th.MaxReceivesPerSecond < 1 {
		return invalidParameter("DeliveryPolicy", "maxReceivesPerSecond must be at least 1")
	}
	if msg := p.check(); msg != "" {
		return invalidParameter("DeliveryPolicy", msg)
	}
	return nil
}

// effectivePolicy resolves an HTTP/S subscription's policy: AWS's default,
// then the topic's http defaults, then (unless the topic disables
// overrides) the subscription's own. Our decision: the subscription
// overrides field by field, so {"healthyRetryPolicy":{"numRetries":5}}
// keeps the topic's delays. Stored policies were checked when set, so a
// part that does not parse is ignored.
func effectivePolicy(topicAttrs, subAttrs map[string]string) retryPolicy {
	p := httpDefaultPolicy
	override := true
	var tp topicDeliveryPolicy
	if v := topicAttrs["DeliveryPolicy"]; v != "" && json.Unmarshal([]byte(v), &tp) == nil && tp.HTTP != nil {
		p.apply(tp.HTTP.DefaultHealthyRetryPolicy, tp.HTTP.DefaultThrottlePolicy, tp.HTTP.DefaultRequestPolicy)
		override = !tp.HTTP.DisableSubscriptionOverrides
	}
	var sp subscriptionDeliveryPolicy
	if v := subAttrs["DeliveryPolicy"]; override && v != "" && json.Unmarshal([]byte(v), &sp) == nil {
		p.apply(sp.HealthyRetryPolicy, sp.ThrottlePolicy, sp.RequestPolicy)
	}
	return p
}

// effectiveDeliveryPolicyJSON is a subscription's EffectiveDeliveryPolicy
// attribute.
func effectiveDeliveryPolicyJSON(p retryPolicy) string {
	type hp struct {
		MinDelayTarget     int    `json:"minDelayTarget"`
		MaxDelayTarget     int    `json:"maxDelayTarget"`
		NumRetries         int    `json:"numRetries"`
		NumMaxDelayRetries int    `json:"numMaxDelayRetries"`
		NumNoDelayRetries  int    `json:"numNoDelayRetries"`
		NumMinDelayRetries int    `json:"numMinDelayRetries"`
		BackoffFunction    string `json:"backoffFunction"`
	}
	out := struct {
		HealthyRetryPolicy hp                `json:"healthyRetryPolicy"`
		ThrottlePolicy     map[string]int    `json:"throttlePolicy,omitempty"`
		RequestPolicy      map[string]string `json:"requestPolicy,omitempty"`
	}{HealthyRetryPolicy: hp{p.MinDelay, p.MaxDelay, p.NumRetries, p.MaxRetries, p.NoDelay, p.MinRetries, p.Backoff}}
	if p.PerSecond > 0 {
		out.ThrottlePolicy = map[string]int{"maxReceivesPerSecond": p.PerSecond}
	}
	if p.ContentType != "" {
		out.RequestPolicy = map[string]string{"headerContentType": p.ContentType}
	}
	b, _ := json.Marshal(out)
	return string(b)
}
