package gateway

import "testing"

func TestQueryPath(t *testing.T) {
	for in, want := range map[string]string{
		"namespace":                  "Namespace",
		"metricData.1.member.values": "MetricData.member.1.Values",
		"metricData.12.member.dimensions.3.member.name": "MetricData.member.12.Dimensions.member.3.Name",
	} {
		if got := queryPath(in); got != want {
			t.Errorf("queryPath(%q) = %q, want %q", in, got, want)
		}
	}
}
