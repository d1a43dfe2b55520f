package server

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
)

// sdkPutBodies are PutMetricData bodies as the Go SDK writes them, with
// every datum member and the string lengths whose encodings differ, which
// the hot decoder's SDK-layout path (sdkDatum) reads.
func sdkPutBodies(t testing.TB) [][]byte {
	t.Helper()
	at := time.Date(2026, 11, 26, 7, 30, 15, 250e6, time.UTC)
	// Lengths past the 1-byte (24) and 2-byte (256) string headers, within
	// the members' limits (the hot path declines invalid inputs).
	name, value := strings.Repeat("n", 200), strings.Repeat("x", 300)
	dims := func(n int) []types.Dimension {
		var ds []types.Dimension
		for i := range n {
			ds = append(ds, types.Dimension{Name: aws.String(string(rune('A' + i))), Value: aws.String(strings.Repeat("v", 1+i*7))})
		}
		return ds
	}
	sets := [][]types.MetricDatum{
		benchDatums(0, at)[:50],
		{{MetricName: aws.String("m"), Value: aws.Float64(1)}},
		{{MetricName: aws.String("m"), Values: []float64{1, 2.5, -3}, Counts: []float64{1, 2, 3}, Unit: types.StandardUnitBytes}},
		{{MetricName: aws.String("m"), StatisticValues: &types.StatisticSet{SampleCount: aws.Float64(3), Sum: aws.Float64(6), Minimum: aws.Float64(1), Maximum: aws.Float64(3)}, StorageResolution: aws.Int32(1), Timestamp: aws.Time(at)}},
		{{MetricName: aws.String("m"), Value: aws.Float64(2), Dimensions: dims(0)}, {MetricName: aws.String("m"), Value: aws.Float64(2), Dimensions: dims(6)}},
		{{MetricName: aws.String(name), Value: aws.Float64(3), Dimensions: []types.Dimension{{Name: aws.String("Host"), Value: aws.String(value)}, {Name: aws.String("ñame"), Value: aws.String("välue")}}}},
		{{MetricName: aws.String("m"), Value: aws.Float64(4), Dimensions: []types.Dimension{{Name: aws.String("A"), Value: aws.String("1")}, {Name: aws.String("A"), Value: aws.String("2")}}}},
	}
	var out [][]byte
	for _, ds := range sets {
		c := &capture{}
		if _, err := cloudwatchClient("127.0.0.1:1", c).PutMetricData(context.Background(), &cloudwatch.PutMetricDataInput{Namespace: aws.String("NS"), MetricData: ds}); err != nil {
			t.Fatal(err)
		}
		out = append(out, c.body)
	}
	return out
}

// The SDK's layout takes the hot path and decodes as the generic path
// does; so do its variations made by cutting or flipping bytes (which must
// fall back or decline, never decode differently).
func TestHotPutMetricDataSDKLayout(t *testing.T) {
	for _, body := range sdkPutBodies(t) {
		if !checkHotPut(t, body) {
			t.Fatalf("hot path declined an SDK body: %q", body)
		}
		for i := 0; i < len(body); i += 7 {
			mutated := append([]byte(nil), body...)
			mutated[i] ^= 0x20
			checkHotPut(t, mutated)
			checkHotPut(t, append(append([]byte(nil), body[:i]...), body[i+1:]...))
		}
	}
}

func FuzzHotPutMetricDataSDK(f *testing.F) {
	for _, body := range sdkPutBodies(f) {
		f.Add(body)
	}
	f.Fuzz(func(t *testing.T, body []byte) { checkHotPut(t, body) })
}
