package shapetest

import (
	"bytes"
	"encoding/json"
	"os/exec"
	"strings"
	"testing"

	"github.com/vigilhq/vigil/internal/protocol"
)

// BotocoreCase is one encoded reply for botocore's response parser.
type BotocoreCase struct {
	Service  string // botocore service name, e.g. "cloudwatch"
	Op       string
	Protocol string // botocore protocol: "json", "rest-json", "smithy-rpc-v2-cbor"
	Resp     *protocol.Response
}

const botocoreScript = `
import sys, json, base64, datetime, botocore.session
from botocore.parsers import create_parser
s = botocore.session.get_session()
out = []
for c in json.load(sys.stdin):
    op = s.get_service_model(c['service']).operation_model(c['op'])
    r = create_parser(c['protocol']).parse(
        {'status_code': c['status'], 'headers': c['headers'], 'body': base64.b64decode(c['body'])},
        op.output_shape)
    r.pop('ResponseMetadata', None)
    out.append(r)
def enc(o):
    if isinstance(o, datetime.datetime):
        return o.timestamp()
    if isinstance(o, (bytes, bytearray)):
        return o.decode('latin-1')
    return str(o)
print(json.dumps(out, default=enc))
`

// Botocore parses the replies with the installed botocore, as the aws CLI
// and boto3 would, and returns what botocore made of each (timestamps as
// epoch seconds, blobs as latin-1 strings). The test is skipped when
// python3 or botocore is missing.
func Botocore(t *testing.T, cases []BotocoreCase) []map[string]any {
	t.Helper()
	py, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 not installed")
	}
	if exec.Command(py, "-c", "import botocore").Run() != nil {
		t.Skip("botocore not installed")
	}
	type wire struct {
		Service  string            `json:"service"`
		Op       string            `json:"op"`
		Protocol string            `json:"protocol"`
		Status   int               `json:"status"`
		Headers  map[string]string `json:"headers"`
		Body     []byte            `json:"body"`
	}
	var in []wire
	for _, c := range cases {
		h := map[string]string{}
		for k, v := range c.Resp.Header {
			h[strings.ToLower(k)] = strings.Join(v, ",")
		}
		in = append(in, wire{c.Service, c.Op, c.Protocol, c.Resp.Status, h, c.Resp.Body.Bytes()})
	}
	data, _ := json.Marshal(in)
	cmd := exec.Command(py, "-c", botocoreScript)
	cmd.Stdin = bytes.NewReader(data)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	outb, err := cmd.Output()
	if err != nil {
		t.Fatalf("botocore: %v\n%s", err, stderr.String())
	}
	var out []map[string]any
	if err := json.Unmarshal(outb, &out); err != nil {
		t.Fatalf("botocore output: %v\n%s", err, outb)
	}
	return out
}
