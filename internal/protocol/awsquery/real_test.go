package awsquery

import (
	"encoding/base64"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/cockroachdb/datadriven"

	"github.com/vigilhq/vigil/internal/api/cloudwatch"
	"github.com/vigilhq/vigil/internal/api/shape"
	"github.com/vigilhq/vigil/internal/api/sns"
	"github.com/vigilhq/vigil/internal/api/sqs"
	"github.com/vigilhq/vigil/internal/api/sts"
)

// The generated models of the services that speak (or spoke) awsQuery; the
// golden file real.txt holds forms made by botocore's serializer from the
// same models (testdata/botocore/gen.py).
func init() {
	for _, m := range []*shape.Service{cloudwatch.Model, sns.Model, sqs.Model, sts.Model} {
		realServices[m.ID] = m
	}
}

// splitExpect separates a decode case's trailing "expect <json>" line.
func splitExpect(input string) (form, expect string) {
	lines := strings.Split(strings.TrimSpace(input), "\n")
	if n := len(lines); n > 0 && strings.HasPrefix(lines[n-1], "expect ") {
		return strings.Join(lines[:n-1], "\n"), strings.TrimPrefix(lines[n-1], "expect ")
	}
	return input, ""
}

// checkExpect compares a decoded value with the parameters botocore
// serialized, both as JSON-like trees keyed by member name.
func checkExpect(t *testing.T, v reflect.Value, sh *shape.Shape, expect string) {
	t.Helper()
	var want any
	if err := json.Unmarshal([]byte(expect), &want); err != nil {
		t.Fatalf("bad expect JSON: %v", err)
	}
	got := generic(v, sh)
	if !reflect.DeepEqual(got, want) {
		g, _ := json.Marshal(got)
		t.Errorf("decoded value differs from botocore's parameters:\n got %s\nwant %s", g, expect)
	}
}

// generic turns a Go value of shape sh into JSON-like data: structures as
// maps by member name, timestamps as RFC 3339, blobs as base64.
func generic(v reflect.Value, sh *shape.Shape) any {
	if v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return nil
		}
		v = v.Elem()
	}
	switch sh.Type {
	case shape.Structure:
		out := map[string]any{}
		for i, m := range sh.Members {
			f := v.Field(i)
			if (f.Kind() == reflect.Pointer || f.Kind() == reflect.Slice || f.Kind() == reflect.Map) && f.IsNil() {
				continue
			}
			out[m.Name] = generic(f, m.Shape)
		}
		return out
	case shape.List:
		out := make([]any, v.Len())
		for i := range out {
			out[i] = generic(v.Index(i), sh.Member.Shape)
		}
		return out
	case shape.Map:
		out := map[string]any{}
		for _, k := range v.MapKeys() {
			out[k.String()] = generic(v.MapIndex(k), sh.Value.Shape)
		}
		return out
	case shape.Timestamp:
		return v.Interface().(time.Time).UTC().Format(time.RFC3339)
	case shape.Blob:
		return base64.StdEncoding.EncodeToString(v.Bytes())
	case shape.Integer, shape.Long:
		return float64(v.Int())
	case shape.Float, shape.Double:
		return v.Float()
	case shape.Boolean:
		return v.Bool()
	default:
		return v.String()
	}
}

// realError builds a generated exception of op by shape name, its message
// member set to msg.
func realError(t *testing.T, d *datadriven.TestData, op *shape.Operation, msg string) error {
	var name string
	d.ScanArgs(t, "shape", &name)
	for _, sh := range op.Errors {
		if sh.Name != name {
			continue
		}
		v := reflect.New(sh.GoType)
		for i, m := range sh.Members {
			if isMessage(m) {
				v.Elem().Field(i).Set(reflect.ValueOf(&msg))
			}
		}
		err, ok := v.Interface().(error)
		if !ok {
			t.Fatalf("%s does not implement error", name)
		}
		return err
	}
	t.Fatalf("%s is not an error of %s", name, op.Name)
	return nil
}
