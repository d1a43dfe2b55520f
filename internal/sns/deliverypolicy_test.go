package sns

import (
	"fmt"
	"strings"
	"testing"

	"github.com/cockroachdb/datadriven"
)

// TestDeliveryPolicySchedules runs testdata/deliverypolicy: each case is a
// subscription DeliveryPolicy (optionally under a topic's) and prints the
// error AWS's rules give, or the resolved policy and its retry schedule in
// seconds.
//
//	schedule [topic=<json>]
//	<subscription DeliveryPolicy json, or empty>
func TestDeliveryPolicySchedules(t *testing.T) {
	datadriven.Walk(t, "testdata/deliverypolicy", func(t *testing.T, path string) {
		datadriven.RunTest(t, path, func(t *testing.T, d *datadriven.TestData) string {
			topicAttrs, subAttrs := map[string]string{}, map[string]string{}
			for _, a := range d.CmdArgs {
				if a.Key == "topic" {
					v := strings.Join(a.Vals, ",")
					if err := checkTopicDeliveryPolicy(v); err != nil {
						return "topic: " + err.Error() + "\n"
					}
					topicAttrs["DeliveryPolicy"] = v
				}
			}
			if in := strings.TrimSpace(d.Input); in != "" {
				if err := checkSubscriptionDeliveryPolicy(in); err != nil {
					return err.Error() + "\n"
				}
				subAttrs["DeliveryPolicy"] = in
			}
			p := effectivePolicy(topicAttrs, subAttrs)
			var b strings.Builder
			fmt.Fprintf(&b, "%s\n", effectiveDeliveryPolicyJSON(p))
			total := 0
			var delays []string
			for r := 1; r <= p.NumRetries; r++ {
				total += p.delay(r)
				delays = append(delays, fmt.Sprint(p.delay(r)))
			}
			fmt.Fprintf(&b, "delays: [%s] total %ds\n", strings.Join(delays, " "), total)
			return b.String()
		})
	})
}

// FuzzDeliveryPolicy: no policy text panics the checks, and a policy they
// accept resolves to a schedule within AWS's limits.
func FuzzDeliveryPolicy(f *testing.F) {
	for _, s := range []string{``, `{}`, `{"healthyRetryPolicy":{"numRetries":5}}`, `{"healthyRetryPolicy":{"numRetries":100,"minDelayTarget":1,"maxDelayTarget":60,"backoffFunction":"exponential"}}`,
		`{"throttlePolicy":{"maxReceivesPerSecond":2},"requestPolicy":{"headerContentType":"application/json"}}`, `{"http":{"disableSubscriptionOverrides":true}}`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if checkSubscriptionDeliveryPolicy(s) == nil {
			p := effectivePolicy(nil, map[string]string{"DeliveryPolicy": s})
			total := 0
			for r := 1; r <= p.NumRetries; r++ {
				d := p.delay(r)
				if d < 0 || d > p.MaxDelay {
					t.Fatalf("%s: delay %d of retry %d", s, d, r)
				}
				total += d
			}
			if total > maxRetryTime {
				t.Fatalf("%s: accepted with total %d", s, total)
			}
		}
		checkTopicDeliveryPolicy(s)
	})
}
