package cloudwatch

import (
	"strings"
	"testing"

	cwapi "github.com/vigilhq/vigil/internal/api/cloudwatch"
	"github.com/vigilhq/vigil/internal/api/shape"
	"github.com/vigilhq/vigil/internal/clock"
)

// Dimension strings shared by pointer, as the hot decoder shares a call's
// equal strings, are checked as if each were its own: one accepted as a
// value is still refused as a name, and an invalid one is refused in every
// datum that has it, not only the first.
func TestPutMetricDataSharedDimensionPointers(t *testing.T) {
	colon, space, ok := shape.Ptr(":x"), shape.Ptr(" "), shape.Ptr("ok")
	mk := func(dims ...cwapi.Dimension) cwapi.MetricDatum {
		d := datum("m", 1)
		d.Dimensions = dims
		return d
	}
	for _, tc := range []struct {
		name string
		data []cwapi.MetricDatum
		want string // in the error; "" for success
	}{
		{"value then name", []cwapi.MetricDatum{mk(cwapi.Dimension{Name: ok, Value: colon}), mk(cwapi.Dimension{Name: colon, Value: ok})},
			"MetricData.member.2.Dimensions.member.1.Name is invalid"},
		{"name then value", []cwapi.MetricDatum{mk(cwapi.Dimension{Name: ok, Value: ok}), mk(cwapi.Dimension{Name: ok, Value: space})},
			"MetricData.member.2.Dimensions.member.1.Value is invalid"},
		{"shared and valid", []cwapi.MetricDatum{mk(cwapi.Dimension{Name: ok, Value: colon}), mk(cwapi.Dimension{Name: ok, Value: colon})}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := New(&recorder{}, clock.NewFake(now))
			err := s.PutMetricData(callCtx(100), &cwapi.PutMetricDataInput{Namespace: shape.Ptr("App"), MetricData: tc.data})
			switch {
			case tc.want == "" && err != nil:
				t.Fatal(err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Fatalf("err %v, want %q", err, tc.want)
			}
		})
	}
}

func TestPointerSet(t *testing.T) {
	var c pointerSet[[32]*string]
	ps := make([]*string, 100)
	for i := range ps {
		ps[i] = new(string)
	}
	if c.has(nil) {
		t.Fatal("has nil")
	}
	c.add(nil)
	for _, p := range ps {
		if c.has(p) {
			t.Fatal("has a pointer never added")
		}
		c.add(p)
		if !c.has(p) {
			t.Fatal("lost the pointer just added")
		}
	}
}
