package awsjson

import (
	"reflect"
	"strconv"

	eventsapi "github.com/vigilhq/vigil/internal/api/events"
	"github.com/vigilhq/vigil/internal/api/shape"
	"github.com/vigilhq/vigil/internal/jsonscan"
)

// appendPutEventsResponse is the hand-written encoder of PutEvents' answer,
// the reply of the event-ingest goal: the same bytes the generic encoder
// (jsonwire.AppendStruct) writes for o (putevents_out_test.go checks it),
// without its reflection, which was a twentieth of the server's CPU for a
// call of 10 entries. s must be the output shape of eventsapi's PutEvents
// (hotPutEventsOutput).
func appendPutEventsResponse(b []byte, o *eventsapi.PutEventsResponse) []byte {
	b = append(b, '{')
	comma := false
	if o.FailedEntryCount != nil {
		b = append(b, `"FailedEntryCount":`...)
		b = strconv.AppendInt(b, int64(*o.FailedEntryCount), 10)
		comma = true
	}
	if o.Entries != nil {
		if comma {
			b = append(b, ',')
		}
		b = append(b, `"Entries":[`...)
		for i := range o.Entries {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendPutEventsResultEntry(b, &o.Entries[i])
		}
		b = append(b, ']')
	}
	return append(b, '}')
}

func appendPutEventsResultEntry(b []byte, e *eventsapi.PutEventsResultEntry) []byte {
	b = append(b, '{')
	sep := ""
	if e.EventId != nil {
		b = append(b, `"EventId":`...)
		b = jsonscan.AppendString(b, *e.EventId)
		sep = ","
	}
	if e.ErrorCode != nil {
		b = append(b, sep...)
		b = append(b, `"ErrorCode":`...)
		b = jsonscan.AppendString(b, *e.ErrorCode)
		sep = ","
	}
	if e.ErrorMessage != nil {
		b = append(b, sep...)
		b = append(b, `"ErrorMessage":`...)
		b = jsonscan.AppendString(b, *e.ErrorMessage)
	}
	return append(b, '}')
}

// hotPutEventsOutput is PutEvents' output shape when it is laid out as
// appendPutEventsResponse writes it (members, their order, wire names and
// types), else nil: a model that changed falls back to the generic encoder.
var hotPutEventsOutput = func() *shape.Shape {
	op := eventsapi.Model.Operation("PutEvents")
	if op == nil || op.Output == nil {
		return nil
	}
	out := op.Output
	if out.GoType != reflect.TypeFor[eventsapi.PutEventsResponse]() ||
		!membersAre(out, []string{"FailedEntryCount", "Entries"}, []shape.Type{shape.Integer, shape.List}) {
		return nil
	}
	list := out.Members[1].Shape
	if list.Member == nil || list.Member.Shape == nil {
		return nil
	}
	entry := list.Member.Shape
	if entry.GoType != reflect.TypeFor[eventsapi.PutEventsResultEntry]() ||
		!membersAre(entry, []string{"EventId", "ErrorCode", "ErrorMessage"}, []shape.Type{shape.String, shape.String, shape.String}) {
		return nil
	}
	return out
}()

func membersAre(s *shape.Shape, names []string, types []shape.Type) bool {
	if s.Type != shape.Structure || s.Document || len(s.Members) != len(names) {
		return false
	}
	for i, m := range s.Members {
		if m.WireName() != names[i] || m.Location != "" || m.Shape == nil || m.Shape.Type != types[i] {
			return false
		}
	}
	return true
}
