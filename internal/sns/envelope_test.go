package sns

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/vigilhq/vigil/internal/api/shape"
	snsapi "github.com/vigilhq/vigil/internal/api/sns"
)

// An envelope spliced from its parts is byte for byte the whole
// notification encoded at once, whatever the body, subject, attributes,
// host and subscription ARN hold.
func TestEnvelopePartsMatchWholeEncoding(t *testing.T) {
	f := newFixture(t)
	bodies := []string{"plain", `a <b> & "c" \ d`, "tab\tnew\nline\x01 é  \u2028", `{"json":["x",1]}`}
	hosts := []string{"127.0.0.1:4566", `we"ird\host`, "höst:1"}
	subs := []string{"arn:aws:sns:us-east-1:000000000000:t:1111", "arn:aws:sns:us-east-1:000000000000:t:<&>", "arn:\"x\\y\u2029"}
	attrSets := []map[string]snsapi.MessageAttributeValue{nil, {
		"kind": str("<order> & \"more\""), "n": num("12.5"), "bin": {DataType: shape.Ptr("Binary"), BinaryValue: []byte{0, 1, 255}},
	}}
	for _, version := range []string{"1", "2"} {
		tp := &topic{arn: "arn:aws:sns:us-east-1:000000000000:t", attrs: map[string]string{"SignatureVersion": version}}
		for _, body := range bodies {
			for _, attrs := range attrSets {
				for _, subject := range []string{"", "Hi <there>"} {
					m := &message{id: "id-1", subject: subject, body: body, attrs: attrs, seq: ""}
					if subject != "" {
						m.seq = "00000000000000000042"
					}
					for _, host := range hosts {
						c := call{host: host, now: t0}
						m.envs = nil // the parts depend on the host: a message is rendered for one call
						for _, arn := range subs {
							got, err := f.svc.envelope(c, tp, &subscription{arn: arn}, m, body, attrs)
							if err != nil {
								t.Fatal(err)
							}
							var n notification
							if err := json.Unmarshal([]byte(got), &n); err != nil {
								t.Fatalf("%s: %v", got, err)
							}
							verify(t, f, &n)
							if want := wholeEnvelope(t, &n); got != want {
								t.Fatalf("spliced envelope\n got %s\nwant %s", got, want)
							}
							if n.UnsubscribeURL != "http://"+host+"/?Action=Unsubscribe&SubscriptionArn="+arn || n.Message != body {
								t.Fatalf("fields %+v", n)
							}
						}
					}
				}
			}
		}
	}
}

// wholeEnvelope encodes n in one go, as the envelope was rendered before
// it was split into parts.
func wholeEnvelope(t *testing.T, n *notification) string {
	t.Helper()
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(n); err != nil {
		t.Fatal(err)
	}
	return strings.TrimSuffix(b.String(), "\n")
}

// With MessageStructure=json each protocol's body is signed on its own: a
// signature covers the Message it travels with.
func TestEnvelopeSignedPerBody(t *testing.T) {
	f := newFixture(t)
	tp := &topic{arn: "arn:aws:sns:us-east-1:000000000000:t", attrs: map[string]string{}}
	m := &message{id: "id-1", body: `{"default":"d","sqs":"for sqs"}`, perProtocol: map[string]string{"default": "d", "sqs": "for sqs"}}
	c := call{host: "127.0.0.1:4566", now: t0}
	for _, proto := range []string{"sqs", "http", "sqs", "email-json"} {
		got, err := f.svc.envelope(c, tp, &subscription{arn: tp.arn + ":" + proto}, m, m.bodyFor(proto), nil)
		if err != nil {
			t.Fatal(err)
		}
		var n notification
		if err := json.Unmarshal([]byte(got), &n); err != nil {
			t.Fatal(err)
		}
		if n.Message != m.bodyFor(proto) {
			t.Fatalf("%s: message %q", proto, n.Message)
		}
		verify(t, f, &n)
	}
	if len(m.envs) != 2 {
		t.Fatalf("%d renderings, want one per distinct body", len(m.envs))
	}
}
