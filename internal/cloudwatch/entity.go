package cloudwatch

import (
	"context"
	"fmt"
	"slices"
	"strings"

	cwapi "github.com/vigilhq/vigil/internal/api/cloudwatch"
	"github.com/vigilhq/vigil/internal/api/shape"
	"github.com/vigilhq/vigil/internal/metricstore"
	"github.com/vigilhq/vigil/internal/reqctx"
)

// PutMetricData's entities, after the API reference (PutMetricData,
// Entity) and the user guide's "How to add related information to
// telemetry":
//
//   - A request has at most 2 EntityMetricData objects, and must say
//     StrictEntityValidation when it has any ("required when
//     EntityMetricData is included").
//   - KeyAttributes identify the entity and must exist; their keys are Type,
//     ResourceType, Identifier, Name and Environment (API reference). Type
//     is one of the five types AWS documents for KeyAttributes (the
//     Application Signals reference spells out the same map): Service,
//     RemoteService and AWS::Service are named by Name, Resource and
//     AWS::Resource by ResourceType and Identifier (each key "used only"
//     with those types); Environment, where the object is hosted, goes with
//     any type and is required for a Service (Application Signals requires
//     Type, Name and Environment of a service). The model's bounds (2 to 4
//     KeyAttributes) follow from these rules.
//   - Attributes are free-form within the model's bounds (at most 10; keys 1
//     to 256 characters, values 1 to 2048); AWS documents no other rule for
//     them, so Vigil enforces none.
//
// With StrictEntityValidation true an invalid entity fails the call and
// nothing is stored. With false the metrics are stored without it and the
// call answers 200 with the X-Amzn-Failure-Message header naming the
// failure (AWS's enumeration). The gateway leaves the model's constraints
// on entities to this file, so that they too follow StrictEntityValidation.
//
// Our decisions where AWS is silent: the strict error is
// InvalidParameterValue whose message starts with the failure's name (so
// strict and lenient callers see the same name); the header carries the
// first failure of the request; more than 2 EntityMetricData drop every
// entity of the request; an EntityMetricData without an Entity (the model
// makes it optional) is metrics without an entity, not a failure.

// The X-Amzn-Failure-Message values.
const (
	failInvalidEntity         = "InvalidEntity"
	failInvalidKeyAttributes  = "InvalidKeyAttributes"
	failInvalidAttributes     = "InvalidAttributes"
	failInvalidTypeValue      = "InvalidTypeValue"
	failEntitySizeTooLarge    = "EntitySizeTooLarge"
	failMissingRequiredFields = "MissingRequiredFields"
)

// maxEntityMetricData is how many EntityMetricData objects a call may have.
const maxEntityMetricData = 2

var keyAttributeNames = []string{"Type", "ResourceType", "Identifier", "Name", "Environment"}

// entityTypes lists, for each Type, the KeyAttributes it requires and those
// it allows besides Type.
var entityTypes = map[string]struct{ required, optional []string }{
	"Service":       {required: []string{"Name", "Environment"}},
	"RemoteService": {required: []string{"Name"}, optional: []string{"Environment"}},
	"AWS::Service":  {required: []string{"Name"}, optional: []string{"Environment"}},
	"Resource":      {required: []string{"ResourceType", "Identifier"}, optional: []string{"Environment"}},
	"AWS::Resource": {required: []string{"ResourceType", "Identifier"}, optional: []string{"Environment"}},
}

const entityTypeList = "Service, RemoteService, AWS::Service, Resource and AWS::Resource"

// entityModel holds the Entity maps' shapes: the model stays the one
// source of their bounds.
var entityModel = func() (m struct{ keyAttributes, attributes *shape.Shape }) {
	e := cwapi.Model.Operation("PutMetricData").Input.Lookup("EntityMetricData").Shape.Member.Shape.Lookup("Entity").Shape
	m.keyAttributes, m.attributes = e.Lookup("KeyAttributes").Shape, e.Lookup("Attributes").Shape
	return m
}()

// entityFailure is why an entity was refused: AWS's failure name and what
// exactly was wrong.
type entityFailure struct{ name, detail string }

func (f *entityFailure) err() error {
	return invalidValue("%s: %s", f.name, f.detail)
}

func fail(name, format string, args ...any) *entityFailure {
	return &entityFailure{name: name, detail: fmt.Sprintf(format, args...)}
}

// checkEntities applies the rules above to in's EntityMetricData. It
// returns, per EntityMetricData, the entity to link its metrics to (nil:
// none, or dropped) and the failure to report in X-Amzn-Failure-Message
// ("" when none), or the error that fails the call.
func checkEntities(in *cwapi.PutMetricDataInput) ([]*metricstore.Entity, string, error) {
	if len(in.EntityMetricData) == 0 {
		return nil, "", nil
	}
	if in.StrictEntityValidation == nil {
		return nil, "", missingParameter("The parameter StrictEntityValidation is required when EntityMetricData is included.")
	}
	strict := *in.StrictEntityValidation
	kept := make([]*metricstore.Entity, len(in.EntityMetricData))
	if n := len(in.EntityMetricData); n > maxEntityMetricData {
		f := fail(failEntitySizeTooLarge, "The number of EntityMetricData objects allowed is %d; the request has %d.", maxEntityMetricData, n)
		if strict {
			return nil, "", f.err()
		}
		return kept, f.name, nil
	}
	first := ""
	for i := range in.EntityMetricData {
		e := in.EntityMetricData[i].Entity
		if e == nil {
			continue
		}
		if f := checkEntity(e, fmt.Sprintf("EntityMetricData.member.%d.Entity", i+1)); f != nil {
			if strict {
				return nil, "", f.err()
			}
			if first == "" {
				first = f.name
			}
			continue
		}
		kept[i] = &metricstore.Entity{KeyAttributes: e.KeyAttributes, Attributes: e.Attributes}
	}
	return kept, first, nil
}

// checkEntity checks one entity; at names it as awsQuery does.
func checkEntity(e *cwapi.Entity, at string) *entityFailure {
	ka := e.KeyAttributes
	if len(ka) == 0 {
		return fail(failInvalidEntity, "%s has no KeyAttributes: an entity is identified by its KeyAttributes.", at)
	}
	keys := sortedKeys(ka)
	for _, k := range keys {
		if !slices.Contains(keyAttributeNames, k) {
			return fail(failInvalidKeyAttributes, "%s.KeyAttributes has the key %s; the keys are %s.", at, k, strings.Join(keyAttributeNames, ", "))
		}
		if vs := entityModel.keyAttributes.Value.Shape; !shape.ValidString(vs, ka[k]) {
			return fail(failInvalidKeyAttributes, "%s.KeyAttributes.%s must be %s characters long.", at, k, lengthRange(vs))
		}
	}
	typ, ok := ka["Type"]
	if !ok {
		return fail(failMissingRequiredFields, "%s.KeyAttributes has no Type.", at)
	}
	rule, ok := entityTypes[typ]
	if !ok {
		return fail(failInvalidTypeValue, "The value %s of %s.KeyAttributes.Type is invalid; the types are %s.", typ, at, entityTypeList)
	}
	for _, k := range keys {
		if k != "Type" && !slices.Contains(rule.required, k) && !slices.Contains(rule.optional, k) {
			return fail(failInvalidKeyAttributes, "%s.KeyAttributes.%s does not apply to an entity of Type %s.", at, k, typ)
		}
	}
	for _, k := range rule.required {
		if _, ok := ka[k]; !ok {
			return fail(failMissingRequiredFields, "%s.KeyAttributes must have %s for an entity of Type %s.", at, k, typ)
		}
	}
	return checkAttributes(e.Attributes, at)
}

// checkAttributes applies the model's bounds to an entity's Attributes.
func checkAttributes(a map[string]string, at string) *entityFailure {
	m := entityModel.attributes
	if !shape.ValidLength(m, len(a)) {
		return fail(failInvalidAttributes, "%s.Attributes has %d entries; it may have at most %g.", at, len(a), *m.Max)
	}
	for _, k := range sortedKeys(a) {
		if !shape.ValidString(m.Key.Shape, k) {
			return fail(failInvalidAttributes, "The key %s of %s.Attributes must be %s characters long.", k, at, lengthRange(m.Key.Shape))
		}
		if !shape.ValidString(m.Value.Shape, a[k]) {
			return fail(failInvalidAttributes, "%s.Attributes.%s must be %s characters long.", at, k, lengthRange(m.Value.Shape))
		}
	}
	return nil
}

func lengthRange(s *shape.Shape) string {
	return fmt.Sprintf("%g to %g", *s.Min, *s.Max)
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// entitySpan is the datums [start, end) of a request that came with entity.
type entitySpan struct {
	entity     *metricstore.Entity
	start, end int
}

// linkEntities links the series of each span's datums to its entity, once
// the datums are stored, and reports a dropped entity to the gateway.
func (s *Service) linkEntities(ctx context.Context, ds []metricstore.Datum, spans []entitySpan, failure string) error {
	var keys []metricstore.SeriesKey
	for _, sp := range spans {
		keys = keys[:0]
		for i := sp.start; i < sp.end; i++ {
			// Values datums repeat their series; the store drops other repeats.
			if i == sp.start || !sameSeries(&ds[i].Key, &ds[i-1].Key) {
				keys = append(keys, ds[i].Key)
			}
		}
		if err := s.store.LinkEntity(ctx, partition(ctx), *sp.entity, keys); err != nil {
			return err
		}
	}
	if failure != "" {
		reqctx.From(ctx).FailureMessage = failure
	}
	return nil
}

func sameSeries(a, b *metricstore.SeriesKey) bool {
	return a.Namespace == b.Namespace && a.MetricName == b.MetricName && slices.Equal(a.Dims, b.Dims)
}
