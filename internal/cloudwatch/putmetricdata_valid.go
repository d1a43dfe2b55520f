package cloudwatch

import (
	"time"

	cwapi "github.com/vigilhq/vigil/internal/api/cloudwatch"
	"github.com/vigilhq/vigil/internal/api/shape"
)

// putModel holds the members of PutMetricData's input whose constraints
// ValidPutMetricData checks, looked up once from the generated model: the
// model stays the one source of the constraints.
var putModel = func() (p struct {
	namespace, metricData, entityMetricData           *shape.Member
	metricName, dimensions, timestamp, value          *shape.Member
	statisticValues, values, counts, unit, resolution *shape.Member
	dimName, dimValue                                 *shape.Member
	sampleCount, sum, minimum, maximum                *shape.Member
	entity, entityData, keyAttributes, attributes     *shape.Member
}) {
	in := cwapi.Model.Operation("PutMetricData").Input
	p.namespace, p.metricData, p.entityMetricData = in.Lookup("Namespace"), in.Lookup("MetricData"), in.Lookup("EntityMetricData")
	datum := p.metricData.Shape.Member.Shape
	p.metricName, p.dimensions, p.timestamp = datum.Lookup("MetricName"), datum.Lookup("Dimensions"), datum.Lookup("Timestamp")
	p.value, p.statisticValues, p.values = datum.Lookup("Value"), datum.Lookup("StatisticValues"), datum.Lookup("Values")
	p.counts, p.unit, p.resolution = datum.Lookup("Counts"), datum.Lookup("Unit"), datum.Lookup("StorageResolution")
	dim := p.dimensions.Shape.Member.Shape
	p.dimName, p.dimValue = dim.Lookup("Name"), dim.Lookup("Value")
	set := p.statisticValues.Shape
	p.sampleCount, p.sum, p.minimum, p.maximum = set.Lookup("SampleCount"), set.Lookup("Sum"), set.Lookup("Minimum"), set.Lookup("Maximum")
	emd := p.entityMetricData.Shape.Member.Shape
	p.entity, p.entityData = emd.Lookup("Entity"), emd.Lookup("MetricData")
	p.keyAttributes, p.attributes = p.entity.Shape.Lookup("KeyAttributes"), p.entity.Shape.Lookup("Attributes")
	return p
}()

// ValidPutMetricData reports whether shape.Validate would find no violation
// in in, checking the same model constraints on the typed value without
// reflection (Validate costs ~15% of a 1000-datum call). It is for the
// hand-tuned decoder's path; false means "not shown valid": the caller then
// decodes and validates generically, so the error message is Validate's
// (and an entity outside the model's bounds reaches the handler's entity
// rules the generic way).
func ValidPutMetricData(in *cwapi.PutMetricDataInput) bool {
	p := &putModel
	if !validString(p.namespace, in.Namespace) || !validList(p.metricData, in.MetricData) ||
		!validList(p.entityMetricData, in.EntityMetricData) || !validDatums(in.MetricData) {
		return false
	}
	for i := range in.EntityMetricData {
		e := &in.EntityMetricData[i]
		if !validList(p.entityData, e.MetricData) || !validDatums(e.MetricData) {
			return false
		}
		if e.Entity == nil {
			if p.entity.Required {
				return false
			}
		} else if !validStringMap(p.keyAttributes, e.Entity.KeyAttributes) || !validStringMap(p.attributes, e.Entity.Attributes) {
			return false
		}
	}
	return true
}

func validDatums(ds []cwapi.MetricDatum) bool {
	p := &putModel
	var names, units, dimNames, dimValues checkedStrings
	for i := range ds {
		m := &ds[i]
		if !names.valid(p.metricName, m.MetricName) || !validList(p.dimensions, m.Dimensions) ||
			!validTime(p.timestamp, m.Timestamp) || !validNumber(p.value, m.Value) ||
			!validFloats(p.values, m.Values) || !validFloats(p.counts, m.Counts) ||
			!units.valid(p.unit, m.Unit) || !validInt32(p.resolution, m.StorageResolution) {
			return false
		}
		for j := range m.Dimensions {
			if !dimNames.valid(p.dimName, m.Dimensions[j].Name) || !dimValues.valid(p.dimValue, m.Dimensions[j].Value) {
				return false
			}
		}
		if s := m.StatisticValues; s == nil {
			if p.statisticValues.Required {
				return false
			}
		} else if !validNumber(p.sampleCount, s.SampleCount) || !validNumber(p.sum, s.Sum) ||
			!validNumber(p.minimum, s.Minimum) || !validNumber(p.maximum, s.Maximum) {
			return false
		}
	}
	return true
}

// checkedStrings remembers, for one member, string pointers it found valid.
// The hot decoder shares one pointer among a call's equal strings, so a
// metric name, unit or dimension is checked about once per call instead of
// once per datum (a unit's enum alone is ~27 comparisons). 256 slots: a
// 1000-datum call commonly has a hundred or more distinct dimension values.
type checkedStrings struct{ seen pointerSet[[256]*string] }

func (c *checkedStrings) valid(m *shape.Member, v *string) bool {
	if v == nil {
		return !m.Required
	}
	if c.seen.has(v) {
		return true
	}
	if !shape.ValidString(m.Shape, *v) {
		return false
	}
	c.seen.add(v)
	return true
}

func validString(m *shape.Member, v *string) bool {
	if v == nil {
		return !m.Required
	}
	return shape.ValidString(m.Shape, *v)
}

func validNumber(m *shape.Member, v *float64) bool {
	if v == nil {
		return !m.Required
	}
	return shape.ValidNumber(m.Shape, *v)
}

func validInt32(m *shape.Member, v *int32) bool {
	if v == nil {
		return !m.Required
	}
	return shape.ValidNumber(m.Shape, float64(*v))
}

// validTime: a timestamp shape has no constraint but presence.
func validTime(m *shape.Member, v *time.Time) bool {
	return v != nil || !m.Required
}

// validList checks a list's presence and length; its elements are the
// caller's.
func validList[E any](m *shape.Member, v []E) bool {
	if v == nil {
		return !m.Required
	}
	return shape.ValidLength(m.Shape, len(v))
}

func validFloats(m *shape.Member, v []float64) bool {
	if !validList(m, v) {
		return false
	}
	el := m.Shape.Member.Shape
	for _, f := range v {
		if !shape.ValidNumber(el, f) {
			return false
		}
	}
	return true
}

// validStringMap checks a map's presence and size and its keys' and
// values' constraints.
func validStringMap(m *shape.Member, v map[string]string) bool {
	if v == nil {
		return !m.Required
	}
	if !shape.ValidLength(m.Shape, len(v)) {
		return false
	}
	for k, x := range v {
		if !shape.ValidString(m.Shape.Key.Shape, k) || !shape.ValidString(m.Shape.Value.Shape, x) {
			return false
		}
	}
	return true
}
