package gateway

import (
	"testing"

	cloudwatchapi "github.com/vigilhq/vigil/internal/api/cloudwatch"
	"github.com/vigilhq/vigil/internal/api/shape"
)

// TestEntityViolationsLeftToCloudWatch: PutMetricData's handler applies
// StrictEntityValidation to its entities, so the gateway reports only the
// other violations.
func TestEntityViolationsLeftToCloudWatch(t *testing.T) {
	keyAttrs := shape.Violation{Path: "entityMetricData.1.member.entity.keyAttributes", Constraint: "Member must have length less than or equal to 4"}
	attrs := shape.Violation{Path: "entityMetricData.2.member.entity.attributes", Constraint: "Map keys must satisfy constraint: [Member must have length less than or equal to 256]"}
	metric := shape.Violation{Path: "entityMetricData.1.member.metricData.1.member.metricName", Constraint: "Member must have length less than or equal to 255"}
	if err := validationError(cloudwatchapi.Model, []shape.Violation{keyAttrs, attrs}); err != nil {
		t.Fatalf("entity violations only: %v", err)
	}
	err := validationError(cloudwatchapi.Model, []shape.Violation{keyAttrs, metric, attrs})
	if err == nil || err.Error() != "InvalidParameterValue: 1 validation error detected: Value '' at 'entityMetricData.1.member.metricData.1.member.metricName' failed to satisfy constraint: Member must have length less than or equal to 255" {
		t.Fatalf("with a metric violation: %v", err)
	}
}
