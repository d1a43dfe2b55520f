package sns

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"

	"github.com/vigilhq/vigil/internal/api/shape"
	snsapi "github.com/vigilhq/vigil/internal/api/sns"
)

// notification is AWS's JSON envelope, its fields in AWS's order.
type notification struct {
	Type              string                   `json:"Type"`
	MessageID         string                   `json:"MessageId"`
	SequenceNumber    string                   `json:"SequenceNumber,omitempty"`
	TopicArn          string                   `json:"TopicArn"`
	Subject           string                   `json:"Subject,omitempty"`
	Message           string                   `json:"Message"`
	Timestamp         string                   `json:"Timestamp"`
	SignatureVersion  string                   `json:"SignatureVersion"`
	Signature         string                   `json:"Signature"`
	SigningCertURL    string                   `json:"SigningCertURL"`
	UnsubscribeURL    string                   `json:"UnsubscribeURL"`
	MessageAttributes map[string]envelopeValue `json:"MessageAttributes,omitempty"`
}

type envelopeValue struct {
	Type  string `json:"Type"`
	Value string `json:"Value"`
}

// envelopeParts is a message's envelope for one body, rendered and signed
// once per publish: of its fields only UnsubscribeURL names the
// subscription, and the string to sign holds none of it, so each
// subscription's envelope is prefix, its UnsubscribeURL as a JSON string,
// and suffix. RSA signing and the JSON encoding of the body are the
// costliest steps of a fan-out; both are done once however many
// subscriptions there are.
type envelopeParts struct {
	body           string // the Message it was rendered for (MessageStructure=json: one per protocol)
	prefix, suffix string
	err            error
}

// envelope renders the signed notification. The topic's SignatureVersion
// attribute picks SHA1withRSA (1, the default) or SHA256withRSA (2).
func (s *Service) envelope(c call, t *topic, sub *subscription, m *message, body string, attrs map[string]snsapi.MessageAttributeValue) (string, error) {
	e := s.envelopeParts(c, t, m, body, attrs)
	if e.err != nil {
		return "", e.err
	}
	url := s.unsubscribeURL(c, sub.arn)
	var b strings.Builder
	b.Grow(len(e.prefix) + len(url) + 2 + len(e.suffix))
	b.WriteString(e.prefix)
	writeJSONString(&b, url)
	b.WriteString(e.suffix)
	return b.String(), nil
}

// envelopeParts returns m's envelope parts for body, rendering them on
// first use. attrs are the same for every body of a message.
func (s *Service) envelopeParts(c call, t *topic, m *message, body string, attrs map[string]snsapi.MessageAttributeValue) *envelopeParts {
	m.envMu.Lock()
	defer m.envMu.Unlock()
	for _, e := range m.envs {
		if e.body == body {
			return e
		}
	}
	e := &envelopeParts{body: body}
	m.envs = append(m.envs, e)
	n := notification{
		Type: "Notification", MessageID: m.id, SequenceNumber: m.seq, TopicArn: t.arn, Subject: m.subject, Message: body,
		Timestamp:        c.now.UTC().Format("2006-01-02T15:04:05.000Z"),
		SignatureVersion: "1",
		SigningCertURL:   "http://" + c.host + CertPath,
	}
	if t.attrs["SignatureVersion"] == "2" {
		n.SignatureVersion = "2"
	}
	if e.err = s.signer.sign(&n); e.err != nil {
		return e
	}
	// Encoded without attributes and with an empty UnsubscribeURL, the
	// last field: the prefix is all but its value and the closing brace.
	head, err := encodeJSON(n)
	if err != nil {
		e.err = err
		return e
	}
	const tail = `"UnsubscribeURL":""}`
	if !strings.HasSuffix(head, tail) { // cannot happen: the struct above ends so
		e.err = errors.New("sns: envelope: UnsubscribeURL is not the last field")
		return e
	}
	e.prefix = strings.TrimSuffix(head, `""}`)
	e.suffix = "}"
	if len(attrs) > 0 {
		values := make(map[string]envelopeValue, len(attrs))
		for name, v := range attrs {
			values[name] = envelopeValue{Type: shape.Value(v.DataType), Value: attributeValue(v)}
		}
		enc, err := encodeJSON(values)
		if err != nil {
			e.err = err
			return e
		}
		e.suffix = `,"MessageAttributes":` + enc + "}"
	}
	return e
}

// encodeJSON is v in JSON as AWS writes it: <, > and & as they are.
func encodeJSON(v any) (string, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return "", err
	}
	return strings.TrimSuffix(b.String(), "\n"), nil
}

// writeJSONString writes s as encodeJSON would: as it is between quotes
// when it is printable ASCII without a quote or a backslash (a URL of
// ours), else through the encoder.
func writeJSONString(b *strings.Builder, s string) {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c > 0x7e || c == '"' || c == '\\' {
			enc, _ := encodeJSON(s) // a string always encodes
			b.WriteString(enc)
			return
		}
	}
	b.WriteByte('"')
	b.WriteString(s)
	b.WriteByte('"')
}
