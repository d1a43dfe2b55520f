package awsquery

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/url"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cockroachdb/datadriven"

	"github.com/vigilhq/vigil/internal/api/shape"
	"github.com/vigilhq/vigil/internal/protocol"
)

// TestGolden runs the data-driven cases of testdata/*.txt:
//
//	decode [op=NAME] [get]   form (lines joined with &) → decoded Go value
//	encode [op=NAME] [raw]   output value as JSON → status, headers, XML
//	roundtrip                form → decoded input → copied into the output → XML
//	error kind=modeled|plain|other [code=C status=N receiver]   message → error XML
func TestGolden(t *testing.T) {
	datadriven.Walk(t, "testdata", func(t *testing.T, path string) {
		if !strings.HasSuffix(path, ".txt") || strings.Contains(path, "fuzz") {
			t.Skip()
		}
		datadriven.RunTest(t, path, func(t *testing.T, d *datadriven.TestData) string {
			return runCase(t, d)
		})
	})
}

func runCase(t *testing.T, d *datadriven.TestData) string {
	svc, opName := testService, "Kitchen"
	if d.HasArg("op") {
		d.ScanArgs(t, "op", &opName)
	}
	if d.HasArg("service") {
		var id string
		d.ScanArgs(t, "service", &id)
		svc = realServices[id]
		if svc == nil {
			d.Fatalf(t, "unknown service %q", id)
		}
	}
	op := svc.Operation(opName)
	if op == nil {
		d.Fatalf(t, "unknown operation %q", opName)
	}
	req := &protocol.Request{Service: svc, Op: op, RequestID: "req-1", URL: &url.URL{Path: "/"}}
	c := New()
	var resp protocol.Response
	switch d.Cmd {
	case "decode":
		input, expect := splitExpect(d.Input)
		form := strings.Join(strings.Split(strings.TrimSpace(input), "\n"), "&")
		if d.HasArg("get") {
			req.URL.RawQuery = form
		} else {
			req.Body = []byte(form)
		}
		in := reflect.New(op.Input.GoType)
		if err := c.Decode(req, in.Interface()); err != nil {
			return printErr(err)
		}
		if expect != "" {
			checkExpect(t, in.Elem(), op.Input, expect)
		}
		return dump(in.Elem())
	case "encode":
		if s := strings.TrimSpace(d.Input); s != "" && s != "nil" {
			out := reflect.New(op.Output.GoType)
			if err := json.Unmarshal([]byte(s), out.Interface()); err != nil {
				d.Fatalf(t, "bad JSON: %v", err)
			}
			c.EncodeOutput(req, out.Interface(), &resp)
		} else {
			c.EncodeOutput(req, nil, &resp)
		}
		return printResp(t, &resp, d.HasArg("raw"))
	case "roundtrip":
		req.Body = []byte(strings.Join(strings.Split(strings.TrimSpace(d.Input), "\n"), "&"))
		in := reflect.New(op.Input.GoType)
		if err := c.Decode(req, in.Interface()); err != nil {
			return printErr(err)
		}
		out := reflect.New(op.Output.GoType)
		for i := 0; i < in.Elem().NumField(); i++ {
			out.Elem().Field(i).Set(in.Elem().Field(i))
		}
		c.EncodeOutput(req, out.Interface(), &resp)
		return printResp(t, &resp, d.HasArg("raw"))
	case "error":
		var kind string
		d.ScanArgs(t, "kind", &kind)
		msg := strings.TrimSpace(d.Input)
		var err error
		switch kind {
		case "modeled":
			if d.HasArg("shape") {
				err = realError(t, d, op, msg)
				break
			}
			e := &notFound{Message: shape.Ptr(msg)}
			if d.HasArg("resource") {
				var r string
				d.ScanArgs(t, "resource", &r)
				e.ResourceName = &r
			}
			err = fmt.Errorf("wrapped: %w", e)
		case "plain":
			var code string
			status := 0
			d.ScanArgs(t, "code", &code)
			if d.HasArg("status") {
				d.ScanArgs(t, "status", &status)
			}
			err = &shape.Error{Code: code, Message: msg, Status: status, Sender: !d.HasArg("receiver")}
		default:
			err = errors.New(msg)
		}
		c.EncodeError(req, err, &resp)
		return printResp(t, &resp, true)
	}
	d.Fatalf(t, "unknown command %q", d.Cmd)
	return ""
}

func printErr(err error) string {
	var e *shape.Error
	if errors.As(err, &e) {
		fault := "Receiver"
		if e.Sender {
			fault = "Sender"
		}
		return fmt.Sprintf("error %d %s %s: %s\n", e.Status, fault, e.Code, e.Message)
	}
	return "error (not a *shape.Error): " + err.Error() + "\n"
}

// printResp prints the status, headers and body; the body is checked to be
// well-formed XML and, unless raw, shown indented.
func printResp(t *testing.T, r *protocol.Response, raw bool) string {
	var sb strings.Builder
	fmt.Fprintf(&sb, "%d\n", r.Status)
	keys := make([]string, 0, len(r.Header))
	for k := range r.Header {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		fmt.Fprintf(&sb, "%s: %s\n", k, strings.Join(r.Header[k], ","))
	}
	body := r.Body.String()
	pretty, err := indentXML(body)
	if err != nil {
		t.Errorf("malformed XML %v: %s", err, body)
	}
	if raw {
		sb.WriteString(body)
		sb.WriteByte('\n')
	} else {
		sb.WriteString(pretty)
	}
	return sb.String()
}

func indentXML(s string) (string, error) {
	dec := xml.NewDecoder(strings.NewReader(s))
	var buf bytes.Buffer
	enc := xml.NewEncoder(&buf)
	enc.Indent("", "  ")
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return "", err
		}
		// Show names as written: drop the namespace encoding/xml would
		// repeat on every element, keeping the root's xmlns attribute.
		switch x := xml.CopyToken(tok).(type) {
		case xml.StartElement:
			x.Name.Space = ""
			for i := range x.Attr {
				if x.Attr[i].Name.Space == "" && x.Attr[i].Name.Local == "xmlns" {
					x.Attr[i].Name.Local = "ns"
				}
			}
			tok = x
		case xml.EndElement:
			x.Name.Space = ""
			tok = x
		}
		if err := enc.EncodeToken(tok); err != nil {
			return "", err
		}
	}
	if err := enc.Flush(); err != nil {
		return "", err
	}
	buf.WriteByte('\n')
	return buf.String(), nil
}

// dump prints a decoded value one field per line, nil members omitted.
func dump(v reflect.Value) string {
	var sb strings.Builder
	dumpValue(&sb, v, 0)
	if sb.Len() == 0 {
		return "{}\n"
	}
	return sb.String()
}

func dumpValue(sb *strings.Builder, v reflect.Value, depth int) {
	ind := strings.Repeat("  ", depth)
	t := v.Type()
	for i := 0; i < v.NumField(); i++ {
		f := v.Field(i)
		if (f.Kind() == reflect.Pointer || f.Kind() == reflect.Slice || f.Kind() == reflect.Map) && f.IsNil() {
			continue
		}
		fmt.Fprintf(sb, "%s%s:", ind, t.Field(i).Name)
		dumpAny(sb, f, depth)
	}
}

// dumpAny prints v after a "name:" prefix.
func dumpAny(sb *strings.Builder, v reflect.Value, depth int) {
	ind := strings.Repeat("  ", depth)
	if v.Kind() == reflect.Pointer {
		if v.IsNil() {
			sb.WriteString(" nil\n")
			return
		}
		v = v.Elem()
	}
	switch {
	case v.Type() == timeType:
		tm := v.Interface().(time.Time)
		fmt.Fprintf(sb, " %s\n", tm.Format(time.RFC3339Nano))
	case v.Kind() == reflect.Struct:
		sb.WriteString("\n")
		dumpValue(sb, v, depth+1)
	case v.Kind() == reflect.Slice && v.Type().Elem().Kind() == reflect.Uint8:
		fmt.Fprintf(sb, " bytes %q\n", v.Bytes())
	case v.Kind() == reflect.Slice:
		if v.Len() == 0 {
			sb.WriteString(" []\n")
			return
		}
		sb.WriteString("\n")
		for i := 0; i < v.Len(); i++ {
			fmt.Fprintf(sb, "%s  - [%d]", ind, i)
			dumpAny(sb, v.Index(i), depth+2)
		}
	case v.Kind() == reflect.Map:
		if v.Len() == 0 {
			sb.WriteString(" {}\n")
			return
		}
		sb.WriteString("\n")
		keys := v.MapKeys()
		slices.SortFunc(keys, func(a, b reflect.Value) int { return strings.Compare(a.String(), b.String()) })
		for _, k := range keys {
			fmt.Fprintf(sb, "%s  %q:", ind, k.String())
			dumpAny(sb, v.MapIndex(k), depth+2)
		}
	case v.Kind() == reflect.String:
		fmt.Fprintf(sb, " %q\n", v.String())
	case v.Kind() == reflect.Float32:
		fmt.Fprintf(sb, " %s\n", strconv.FormatFloat(v.Float(), 'g', -1, 32))
	case v.Kind() == reflect.Float64:
		fmt.Fprintf(sb, " %s\n", strconv.FormatFloat(v.Float(), 'g', -1, 64))
	default:
		fmt.Fprintf(sb, " %v\n", v.Interface())
	}
}

// realServices holds the generated service models used by golden cases
// (service=ID); see real_test.go.
var realServices = map[string]*shape.Service{}
