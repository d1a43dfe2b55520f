"""Feeds every reply in ../real_encode.txt and ../real_sqs_encode.txt to
botocore's own query parser and checks it reads back the value the Go test
encoded (or the error's code and message). The SQS replies are parsed with
the query-protocol SQS model (gen.sqs_query_model), botocore's own being JSON
only. Run: python3 check_parse.py (exit status 1 on a mismatch)."""
import base64
import datetime
import json
import os
import sys

import botocore.session
from botocore.parsers import create_parser

from gen import sqs_query_model

HERE = os.path.dirname(os.path.abspath(__file__))


def norm(v):
    if isinstance(v, dict):
        return {k: norm(x) for k, x in v.items()}
    if isinstance(v, list):
        return [norm(x) for x in v]
    if isinstance(v, datetime.datetime):
        return v.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
    if isinstance(v, bytes):
        return base64.b64encode(v).decode()
    return v


def norm_json(v):
    """Timestamps in the JSON inputs are RFC 3339; botocore gives datetimes."""
    if isinstance(v, dict):
        return {k: norm_json(x) for k, x in v.items()}
    if isinstance(v, list):
        return [norm_json(x) for x in v]
    if isinstance(v, str) and len(v) >= 20 and v[4] == "-" and v[10] == "T" and v.endswith("Z"):
        d = datetime.datetime.fromisoformat(v.replace("Z", "+00:00"))
        return norm(d)
    if isinstance(v, int) and not isinstance(v, bool):
        return v
    return v


def cases(path):
    lines = open(path).read().split("\n")
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.startswith(("encode ", "error ")):
            args = dict(a.split("=", 1) for a in line.split()[1:] if "=" in a)
            j = lines.index("----", i)
            inp = "\n".join(lines[i + 1:j])
            out = lines[j + 1:]
            end = out.index("") if "" in out else len(out)
            yield line.split()[0], args, inp, out[:end]
            i = j + end
        i += 1


def main():
    session = botocore.session.get_session()
    parser = create_parser("query")
    bad = 0
    n = 0
    sqs = sqs_query_model()
    files = [("real_encode.txt", lambda name: session.get_service_model(name)),
             ("real_sqs_encode.txt", lambda name: sqs)]
    for path, model_of, (kind, args, inp, out) in (
            (p, m, c) for p, m in files for c in cases(os.path.join(HERE, "..", p))):
        model = model_of(args["service"])
        op = model.operation_model(args["op"])
        status = int(out[0])
        body = "\n".join(l for l in out[1:] if not l.startswith(("Content-Type:", "X-Amzn-Requestid:")))
        resp = {"body": body.encode(), "headers": {}, "status_code": status}
        n += 1
        if kind == "encode":
            got = parser.parse(resp, op.output_shape)
            got.pop("ResponseMetadata", None)
            got = norm(got)
            want = norm_json(json.loads(inp))
            # botocore parses doubles as floats; JSON ints in the input may be doubles in the model.
            if json.dumps(got, sort_keys=True) != json.dumps(want, sort_keys=True) and got != want:
                bad += 1
                print(f"MISMATCH {args['service']} {args['op']}\n got {json.dumps(got, sort_keys=True)}\nwant {json.dumps(want, sort_keys=True)}")
        else:
            got = parser.parse(resp, None)
            err = got.get("Error", {})
            code = args.get("code")
            if code is None:
                shape = model.shape_for(args["shape"])
                code = shape.metadata.get("error", {}).get("code", shape.name)
            if err.get("Code") != code or err.get("Message") != inp.strip() or got["ResponseMetadata"].get("RequestId") != "req-1":
                bad += 1
                print(f"MISMATCH error {args}: {got}")
    print(f"{n} replies checked with botocore {botocore.__version__}, {bad} mismatches")
    sys.exit(1 if bad else 0)


main()
