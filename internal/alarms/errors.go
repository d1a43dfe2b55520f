package alarms

import (
	"fmt"

	cwapi "github.com/vigilhq/vigil/internal/api/cloudwatch"
	"github.com/vigilhq/vigil/internal/api/shape"
)

// Messages follow CloudWatch's own forms ("The value X for parameter Y is
// invalid."); those AWS does not publish are our wording.

func invalidValue(format string, args ...any) error {
	return &cwapi.InvalidParameterValueException{Message: shape.Ptr(fmt.Sprintf(format, args...))}
}

func invalidCombination(format string, args ...any) error {
	return &cwapi.InvalidParameterCombinationException{Message: shape.Ptr(fmt.Sprintf(format, args...))}
}

func missingParameter(format string, args ...any) error {
	return &cwapi.MissingRequiredParameterException{Message: shape.Ptr(fmt.Sprintf(format, args...))}
}

func alarmNotFound(name string) error {
	return &cwapi.ResourceNotFound{Message: shape.Ptr(fmt.Sprintf("Alarm %s not found", name))}
}
