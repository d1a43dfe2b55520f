package shape_test

import (
	"context"
	"errors"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/vigilhq/vigil/internal/api/cloudtrail"
	"github.com/vigilhq/vigil/internal/api/cloudtraildata"
	"github.com/vigilhq/vigil/internal/api/cloudwatch"
	"github.com/vigilhq/vigil/internal/api/configservice"
	"github.com/vigilhq/vigil/internal/api/events"
	"github.com/vigilhq/vigil/internal/api/logs"
	"github.com/vigilhq/vigil/internal/api/shape"
	"github.com/vigilhq/vigil/internal/api/sns"
	"github.com/vigilhq/vigil/internal/api/sqs"
	"github.com/vigilhq/vigil/internal/api/sts"
)

type generated struct {
	model  *shape.Service
	invoke func(ctx context.Context, op *shape.Operation, in any) (any, error)
}

var packages = []generated{
	{cloudtrail.Model, func(ctx context.Context, op *shape.Operation, in any) (any, error) {
		return cloudtrail.Invoke(ctx, cloudtrail.Unimplemented{}, op, in)
	}},
	{cloudtraildata.Model, func(ctx context.Context, op *shape.Operation, in any) (any, error) {
		return cloudtraildata.Invoke(ctx, cloudtraildata.Unimplemented{}, op, in)
	}},
	{cloudwatch.Model, func(ctx context.Context, op *shape.Operation, in any) (any, error) {
		return cloudwatch.Invoke(ctx, cloudwatch.Unimplemented{}, op, in)
	}},
	{configservice.Model, func(ctx context.Context, op *shape.Operation, in any) (any, error) {
		return configservice.Invoke(ctx, configservice.Unimplemented{}, op, in)
	}},
	{events.Model, func(ctx context.Context, op *shape.Operation, in any) (any, error) {
		return events.Invoke(ctx, events.Unimplemented{}, op, in)
	}},
	{logs.Model, func(ctx context.Context, op *shape.Operation, in any) (any, error) {
		return logs.Invoke(ctx, logs.Unimplemented{}, op, in)
	}},
	{sns.Model, func(ctx context.Context, op *shape.Operation, in any) (any, error) {
		return sns.Invoke(ctx, sns.Unimplemented{}, op, in)
	}},
	{sqs.Model, func(ctx context.Context, op *shape.Operation, in any) (any, error) {
		return sqs.Invoke(ctx, sqs.Unimplemented{}, op, in)
	}},
	{sts.Model, func(ctx context.Context, op *shape.Operation, in any) (any, error) {
		return sts.Invoke(ctx, sts.Unimplemented{}, op, in)
	}},
}

// reachable returns every shape reachable from the service's operations.
func reachable(svc *shape.Service) []*shape.Shape {
	seen := map[*shape.Shape]bool{}
	var out []*shape.Shape
	var walk func(*shape.Shape)
	walk = func(s *shape.Shape) {
		if s == nil || seen[s] {
			return
		}
		seen[s] = true
		out = append(out, s)
		for _, m := range s.Members {
			walk(m.Shape)
		}
		for _, m := range []*shape.Member{s.Member, s.Key, s.Value} {
			if m != nil {
				walk(m.Shape)
			}
		}
	}
	for _, op := range svc.Operations {
		walk(op.Input)
		walk(op.Output)
		for _, e := range op.Errors {
			walk(e)
		}
	}
	return out
}

// knownSkipped are model patterns RE2 cannot express; values are not
// checked against them. Keep this list short and explained.
var knownSkipped = map[string]string{}

// TestModelPatterns translates every pattern of the nine models: each must
// compile or be listed in knownSkipped.
func TestModelPatterns(t *testing.T) {
	all := map[string]bool{}
	for _, g := range packages {
		for _, s := range reachable(g.model) {
			if s.Pattern != "" {
				all[s.Pattern] = true
			}
		}
	}
	if len(all) < 100 {
		t.Fatalf("found only %d patterns in the models", len(all))
	}
	var ps []string
	for p := range all {
		ps = append(ps, p)
	}
	sort.Strings(ps)
	for _, p := range ps {
		_, err := shape.CompilePattern(p)
		_, skip := knownSkipped[p]
		switch {
		case err != nil && !skip:
			t.Errorf("pattern %q: %v", p, err)
		case err == nil && skip:
			t.Errorf("pattern %q compiles now: remove it from knownSkipped", p)
		}
	}
	t.Logf("%d distinct patterns, %d skipped", len(ps), len(knownSkipped))
}

// TestGeneratedPackages checks the generator's invariants on the committed
// packages: Go fields line up with Members, operations are indexed and
// sorted, exceptions are ModeledErrors, and Invoke reaches Unimplemented.
func TestGeneratedPackages(t *testing.T) {
	ctx := context.Background()
	for _, g := range packages {
		svc := g.model
		if !sort.SliceIsSorted(svc.Operations, func(i, j int) bool { return svc.Operations[i].Name < svc.Operations[j].Name }) {
			t.Errorf("%s: operations not sorted", svc.ID)
		}
		for i, op := range svc.Operations {
			if op.Index != i || svc.Operation(op.Name) != op {
				t.Errorf("%s.%s: index %d at %d", svc.ID, op.Name, op.Index, i)
			}
			var in any
			if op.Input != nil {
				in = reflect.New(op.Input.GoType).Interface()
			}
			out, err := g.invoke(ctx, op, in)
			var se *shape.Error
			if out != nil || !errors.As(err, &se) || se.Code != "NotImplemented" || se.Status != 501 || !strings.Contains(se.Message, op.Name) {
				t.Errorf("%s.%s: Invoke(Unimplemented) = %v, %v", svc.ID, op.Name, out, err)
			}
			if op.Input != nil {
				if _, err := g.invoke(ctx, op, &struct{}{}); err == nil || errors.As(err, &se) {
					t.Errorf("%s.%s: Invoke with a wrong input type: %v", svc.ID, op.Name, err)
				}
			}
			for _, e := range op.Errors {
				v, ok := reflect.New(e.GoType).Interface().(shape.ModeledError)
				if !ok || v.ErrorShape() != e || e.Exception == nil {
					t.Errorf("%s.%s: error %s is not a ModeledError of its shape", svc.ID, op.Name, e.Name)
				}
			}
		}
		for _, s := range reachable(svc) {
			if s.Type != shape.Structure || s.Document {
				continue
			}
			if s.GoType == nil || s.GoType.NumField() != len(s.Members) {
				t.Errorf("%s.%s: %v has fields for %d members", svc.ID, s.Name, s.GoType, len(s.Members))
				continue
			}
			for i, m := range s.Members {
				f := s.GoType.Field(i)
				if m.Index != i || !strings.HasPrefix(f.Name, upperFirst(m.Name)) {
					t.Errorf("%s.%s: member %d %s is field %s", svc.ID, s.Name, i, m.Name, f.Name)
				}
				if err := checkGoType(m.Shape, f.Type, false); err != "" {
					t.Errorf("%s.%s.%s: %s", svc.ID, s.Name, m.Name, err)
				}
			}
		}
	}
}

func upperFirst(s string) string {
	r := []rune(s)
	r[0] = unicode.ToUpper(r[0])
	return string(r)
}

// checkGoType checks the representation table of the shape package doc.
func checkGoType(s *shape.Shape, t reflect.Type, elem bool) string {
	want := map[shape.Type]reflect.Type{
		shape.String: reflect.TypeFor[string](), shape.Boolean: reflect.TypeFor[bool](),
		shape.Integer: reflect.TypeFor[int32](), shape.Long: reflect.TypeFor[int64](),
		shape.Float: reflect.TypeFor[float32](), shape.Double: reflect.TypeFor[float64](),
	}
	switch {
	case s.Document:
		if t != reflect.TypeFor[any]() {
			return "document is " + t.String()
		}
	case s.Type == shape.Blob:
		if t != reflect.TypeFor[[]byte]() {
			return "blob is " + t.String()
		}
	case s.Type == shape.List:
		if t.Kind() != reflect.Slice {
			return "list is " + t.String()
		}
		return checkGoType(s.Member.Shape, t.Elem(), true)
	case s.Type == shape.Map:
		if t.Kind() != reflect.Map || t.Key().Kind() != reflect.String {
			return "map is " + t.String()
		}
		return checkGoType(s.Value.Shape, t.Elem(), true)
	default:
		base := want[s.Type]
		switch s.Type {
		case shape.Structure:
			base = s.GoType
		case shape.Timestamp:
			base = reflect.TypeFor[time.Time]()
		}
		if !elem {
			base = reflect.PointerTo(base)
		}
		if t != base {
			return s.Type.String() + " is " + t.String() + ", want " + base.String()
		}
	}
	return ""
}
