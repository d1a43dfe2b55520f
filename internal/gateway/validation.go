package gateway

import (
	"fmt"
	"slices"
	"strings"

	"github.com/vigilhq/vigil/internal/api/shape"
)

// validationError turns constraint violations into the error each service
// answers with. JSON (Coral) services all say ValidationException with the
// "N validation errors detected" message; the services that grew up on
// awsQuery keep their own codes, which their JSON and CBOR clients read from
// the query-compatible error header too. A nil error means the service
// checks what was violated itself.
func validationError(svc *shape.Service, vs []shape.Violation) error {
	if svc.ID == "sqs" {
		// SQS names queue and message attributes with enums, yet it accepts
		// message attribute names (SentTimestamp, ...) in ReceiveMessage's
		// AttributeNames and answers an unknown name with its own
		// InvalidAttributeName, so the handler checks names, not the model.
		if vs = slices.DeleteFunc(vs, isEnumViolation); len(vs) == 0 {
			return nil
		}
	}
	if svc.ID == "cloudwatch" {
		// PutMetricData checks its entities itself: under
		// StrictEntityValidation false an invalid entity is dropped, not
		// the call (cloudwatch/entity.go).
		if vs = slices.DeleteFunc(vs, isEntityViolation); len(vs) == 0 {
			return nil
		}
	}
	switch svc.ID {
	case "cloudwatch", "sqs":
		for _, v := range vs {
			if v.Missing {
				return &shape.Error{Code: "MissingParameter", Status: 400, Sender: true,
					Message: fmt.Sprintf("The request must contain the parameter %s.", queryPath(v.Path))}
			}
		}
		return &shape.Error{Code: "InvalidParameterValue", Status: 400, Sender: true, Message: shape.Message(vs)}
	case "sns":
		return &shape.Error{Code: "InvalidParameter", Status: 400, Sender: true, Message: shape.Message(vs)}
	case "logs":
		// CloudWatch Logs answers constraint violations with
		// InvalidParameterException and the same wording.
		return &shape.Error{Code: "InvalidParameterException", Status: 400, Sender: true, Message: shape.Message(vs)}
	case "sts":
		return &shape.Error{Code: "ValidationError", Status: 400, Sender: true, Message: shape.Message(vs)}
	}
	return &shape.Error{Code: "ValidationException", Status: 400, Sender: true, Message: shape.Message(vs)}
}

// isEnumViolation reports whether v is an enum value set failure (of a
// value, or of a list's elements or a map's keys).
func isEnumViolation(v shape.Violation) bool {
	return strings.Contains(v.Constraint, "Member must satisfy enum value set")
}

// isEntityViolation reports whether v is about a PutMetricData entity
// (entityMetricData.1.member.entity.keyAttributes), not its metrics.
func isEntityViolation(v shape.Violation) bool {
	return strings.HasPrefix(v.Path, "entityMetricData.") && strings.Contains(v.Path, ".member.entity.")
}

// queryPath renders a validator path (metricData.1.member.value) the way
// awsQuery services name parameters (MetricData.member.1.Value).
func queryPath(p string) string {
	segs := strings.Split(p, ".")
	out := make([]string, 0, len(segs))
	for i := 0; i < len(segs); i++ {
		s := segs[i]
		if isDigits(s) && i+1 < len(segs) && segs[i+1] == "member" {
			out = append(out, "member", s)
			i++
			continue
		}
		if s != "" && !isDigits(s) {
			s = strings.ToUpper(s[:1]) + s[1:]
		}
		out = append(out, s)
	}
	return strings.Join(out, ".")
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
