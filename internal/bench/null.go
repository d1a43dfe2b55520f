package bench

import (
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// NullHandler answers the load goals' calls at once with canned bodies the
// Go SDK accepts, and does nothing else: no signature check, no decoding,
// no storage. Driven by a goal's workload, it measures the ceiling of that
// goal on the machine at hand — the client's own work and HTTP on both
// sides — which no server's work can pass. It knows the calls of the
// workloads and their set-ups: PutMetricData (RPC v2 CBOR), PutLogEvents
// and the log group calls, PutEvents and the rule calls, the SQS calls of
// the send/receive/delete round (ReceiveMessage answers the ten messages
// SQSRoundBodies sends, their MD5s right), and the SNS topic, subscription
// and publish calls; anything else gets an empty answer of its protocol.
func NullHandler() http.Handler {
	var sent, received, deleted, events []string
	for i, body := range SQSRoundBodies() {
		sum := md5.Sum([]byte(body))
		sent = append(sent, fmt.Sprintf(`{"Id":"m%d","MessageId":"id-%d","MD5OfMessageBody":"%s"}`, i, i, hex.EncodeToString(sum[:])))
		received = append(received, fmt.Sprintf(`{"MessageId":"id-%d","ReceiptHandle":"handle-%d","MD5OfBody":"%s","Body":%q}`, i, i, hex.EncodeToString(sum[:]), body))
		deleted = append(deleted, fmt.Sprintf(`{"Id":"d%d"}`, i))
		events = append(events, fmt.Sprintf(`{"EventId":"6a7e8feb-b491-4cf7-a9f1-bf37034677%02d"}`, i))
	}
	json := map[string]string{
		"AmazonSQS.CreateQueue":        `{"QueueUrl":"http://127.0.0.1/000000000000/null"}`,
		"AmazonSQS.GetQueueAttributes": `{"Attributes":{"QueueArn":"arn:aws:sqs:us-east-1:000000000000:null"}}`,
		"AmazonSQS.SendMessageBatch":   `{"Successful":[` + strings.Join(sent, ",") + `],"Failed":[]}`,
		"AmazonSQS.ReceiveMessage":     `{"Messages":[` + strings.Join(received, ",") + `]}`,
		"AmazonSQS.DeleteMessageBatch": `{"Successful":[` + strings.Join(deleted, ",") + `],"Failed":[]}`,
		"AWSEvents.PutEvents":          `{"FailedEntryCount":0,"Entries":[` + strings.Join(events, ",") + `]}`,
		"AWSEvents.PutRule":            `{"RuleArn":"arn:aws:events:us-east-1:000000000000:rule/null"}`,
		"AWSEvents.PutTargets":         `{"FailedEntryCount":0,"FailedEntries":[]}`,
	}
	const snsNS = `xmlns="http://sns.amazonaws.com/doc/2010-03-31/"`
	const meta = `<ResponseMetadata><RequestId>f187a3c1-376f-11df-8963-01868b7c937a</RequestId></ResponseMetadata>`
	query := map[string]string{
		"CreateTopic": `<CreateTopicResponse ` + snsNS + `><CreateTopicResult><TopicArn>arn:aws:sns:us-east-1:000000000000:null</TopicArn></CreateTopicResult>` + meta + `</CreateTopicResponse>`,
		"Subscribe":   `<SubscribeResponse ` + snsNS + `><SubscribeResult><SubscriptionArn>arn:aws:sns:us-east-1:000000000000:null:94f20ce6-13c5-43a0-9a9e-ca52d816e90b</SubscriptionArn></SubscribeResult>` + meta + `</SubscribeResponse>`,
		"Publish":     `<PublishResponse ` + snsNS + `><PublishResult><MessageId>94f20ce6-13c5-43a0-9a9e-ca52d816e90b</MessageId></PublishResult>` + meta + `</PublishResponse>`,
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		switch {
		case r.Header.Get("Smithy-Protocol") == "rpc-v2-cbor":
			w.Header().Set("Smithy-Protocol", "rpc-v2-cbor")
			w.Header().Set("Content-Type", "application/cbor")
			w.Write([]byte{0xa0}) // an empty map
		case r.Header.Get("X-Amz-Target") != "":
			ct := "application/x-amz-json-1.1"
			if strings.HasPrefix(r.Header.Get("X-Amz-Target"), "AmazonSQS.") {
				ct = "application/x-amz-json-1.0"
			}
			w.Header().Set("Content-Type", ct)
			if a, ok := json[r.Header.Get("X-Amz-Target")]; ok {
				io.WriteString(w, a)
				return
			}
			io.WriteString(w, `{}`)
		default: // awsQuery (SNS)
			form, _ := url.ParseQuery(string(body))
			w.Header().Set("Content-Type", "text/xml")
			action := form.Get("Action")
			if action == "PublishBatch" {
				io.WriteString(w, `<PublishBatchResponse `+snsNS+`><PublishBatchResult><Successful>`)
				for i := 1; form.Has(fmt.Sprintf("PublishBatchRequestEntries.member.%d.Id", i)); i++ {
					fmt.Fprintf(w, `<member><Id>%s</Id><MessageId>94f20ce6-13c5-43a0-9a9e-ca52d816e9%02d</MessageId></member>`,
						form.Get(fmt.Sprintf("PublishBatchRequestEntries.member.%d.Id", i)), i)
				}
				io.WriteString(w, `</Successful><Failed/></PublishBatchResult>`+meta+`</PublishBatchResponse>`)
				return
			}
			if a, ok := query[action]; ok {
				io.WriteString(w, a)
				return
			}
			fmt.Fprintf(w, `<%sResponse %s>%s</%sResponse>`, action, snsNS, meta, action)
		}
	})
}

// SQSRoundBodies are the ten message bodies of the SQS goal's round.
func SQSRoundBodies() []string {
	out := make([]string, 10)
	for i := range out {
		out[i] = fmt.Sprintf(`{"order":%d,"item":"widget","quantity":3,"note":"a typical small JSON message body"}`, i)
	}
	return out
}
