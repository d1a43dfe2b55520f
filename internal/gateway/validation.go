package gateway

import (
	"fmt"
	"strings"

	"github.com/vigilhq/vigil/internal/api/shape"
)

// validationError turns constraint violations into the error each service
// answers with. JSON (Coral) services all say ValidationException with the
// "N validation errors detected" message; the services that grew up on
// awsQuery keep their own codes, which their JSON and CBOR clients read from
// the query-compatible error header too.
func validationError(svc *shape.Service, vs []shape.Violation) error {
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
