package cloudwatch

import (
	"fmt"

	cwapi "github.com/vigilhq/vigil/internal/api/cloudwatch"
	"github.com/vigilhq/vigil/internal/api/shape"
)

// The messages follow CloudWatch's own ("The value X for parameter Y is
// invalid.", "The parameters A and B are mutually exclusive…"), with
// parameters named as awsQuery spells them (MetricData.member.1.Value),
// which is what CloudWatch says on every protocol.

func invalidValue(format string, args ...any) error {
	return &cwapi.InvalidParameterValueException{Message: shape.Ptr(fmt.Sprintf(format, args...))}
}

func invalidCombination(format string, args ...any) error {
	return &cwapi.InvalidParameterCombinationException{Message: shape.Ptr(fmt.Sprintf(format, args...))}
}

func missingParameter(format string, args ...any) error {
	return &cwapi.MissingRequiredParameterException{Message: shape.Ptr(fmt.Sprintf(format, args...))}
}
