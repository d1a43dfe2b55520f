package logs

import (
	logsapi "github.com/vigilhq/vigil/internal/api/logs"
	"github.com/vigilhq/vigil/internal/api/shape"
)

// putLogEventsModel holds the members of PutLogEvents' input whose
// constraints ValidPutLogEvents checks, looked up once from the generated
// model: the model stays the one source of the constraints.
var putLogEventsModel = func() (p struct {
	group, stream, events, token, entity *shape.Member
	timestamp, message                   *shape.Member
}) {
	in := logsapi.Model.Operation("PutLogEvents").Input
	p.group, p.stream, p.events = in.Lookup("logGroupName"), in.Lookup("logStreamName"), in.Lookup("logEvents")
	p.token, p.entity = in.Lookup("sequenceToken"), in.Lookup("entity")
	ev := p.events.Shape.Member.Shape
	p.timestamp, p.message = ev.Lookup("timestamp"), ev.Lookup("message")
	return p
}()

// ValidPutLogEvents reports whether shape.Validate would find no violation
// in in, checking the same model constraints on the typed value without
// reflection (Validate walks every event of the batch). It is for the
// hand-tuned decoder's path; false means "not shown valid": the caller then
// decodes and validates generically, so the error message is Validate's.
// Entity, which the hand-tuned decoder declines, is left to Validate.
func ValidPutLogEvents(in *logsapi.PutLogEventsRequest) bool {
	p := &putLogEventsModel
	if in.Entity != nil || !putValidString(p.group, in.LogGroupName) || !putValidString(p.stream, in.LogStreamName) ||
		!putValidString(p.token, in.SequenceToken) {
		return false
	}
	if in.LogEvents == nil {
		return !p.events.Required
	}
	if !shape.ValidLength(p.events.Shape, len(in.LogEvents)) {
		return false
	}
	// The message's only constraint is usually a minimum length of 1,
	// which any non-empty string meets: ValidString decides that from the
	// byte length without reading the message.
	for i := range in.LogEvents {
		ev := &in.LogEvents[i]
		if !putValidInt64(p.timestamp, ev.Timestamp) || !putValidString(p.message, ev.Message) {
			return false
		}
	}
	return true
}

func putValidString(m *shape.Member, v *string) bool {
	if v == nil {
		return !m.Required
	}
	return shape.ValidString(m.Shape, *v)
}

func putValidInt64(m *shape.Member, v *int64) bool {
	if v == nil {
		return !m.Required
	}
	return shape.ValidNumber(m.Shape, float64(*v))
}
