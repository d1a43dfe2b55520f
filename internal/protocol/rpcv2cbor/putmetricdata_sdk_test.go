package rpcv2cbor

import (
	"strings"
	"testing"

	cwapi "github.com/vigilhq/vigil/internal/api/cloudwatch"
)

// A datum as the Go SDK writes it (captured), then one with every member.
const (
	sdkDatumBytes = "\xbf\x6aDimensions\x9f\xbf\x64Name\x64Host\x65Value\x66host-0\xff\xbf\x64Name\x65Shard\x65Value\x62s0\xff\xff" +
		"\x6aMetricName\x62m0\x69Timestamp\xc1\xfbA\xda\xc1\xf78(\x00\x00\x64Unit\x6cMilliseconds\x65Value\xfb\x00\x00\x00\x00\x00\x00\x00\x00\xff"
	sdkDatumAll = "\xbf\x66Counts\x9f\x01\x02\xff\x6aDimensions\x9f\xff\x6aMetricName\x61m\x6fStatisticValues\xbf\x67Maximum\x01\xff" +
		"\x71StorageResolution\x01\x69Timestamp\x1a\x60\x00\x00\x00\x64Unit\x65Bytes\x65Value\x02\x66Values\x9f\x03\xff\xff"
)

func TestSDKDatumLayout(t *testing.T) {
	for _, body := range []string{sdkDatumBytes, sdkDatumAll} {
		h := &hotDecoder{}
		h.reset([]byte(body))
		var m cwapi.MetricDatum
		if !h.sdkDatum(&m) || h.pos != len(body) {
			t.Fatalf("the SDK's layout was not read: %q", body)
		}
	}
	h := &hotDecoder{}
	h.reset([]byte(sdkDatumBytes))
	var m cwapi.MetricDatum
	h.sdkDatum(&m)
	if *m.MetricName != "m0" || len(m.Dimensions) != 2 || *m.Dimensions[1].Value != "s0" || *m.Unit != "Milliseconds" || *m.Value != 0 || m.Timestamp == nil {
		t.Fatalf("decoded %+v", m)
	}
}

// Other layouts are left to the generic reader, with the decoder as it
// was: position, dimensions and floats.
func TestSDKDatumDeclinesOtherLayouts(t *testing.T) {
	others := map[string]string{
		"definite map":   "\xa1" + sdkDatumBytes[1:len(sdkDatumBytes)-1],
		"reordered":      "\xbf\x6aMetricName\x62m0\x6aDimensions\x9f\xff\xff",
		"repeated key":   "\xbf\x6aMetricName\x62m0\x6aMetricName\x62m1\xff",
		"unknown key":    "\xbf\x6aMetricName\x62m0\x63Foo\x01\xff",
		"null value":     "\xbf\x6aMetricName\xf6\xff",
		"null dimension": "\xbf\x6aDimensions\x9f\xf6\xff\xff",
		"truncated":      sdkDatumBytes[:len(sdkDatumBytes)-1],
		"late failure":   strings.Replace(sdkDatumAll, "\x66Values\x9f\x03\xff", "\x66Values\x9f\xf6\xff", 1),
	}
	for name, body := range others {
		h := &hotDecoder{}
		h.reset([]byte("xx" + body))
		h.pos = 2
		h.dims = make([]cwapi.Dimension, 3, 16)
		h.floats = make([]float64, 1, 16)
		var m cwapi.MetricDatum
		if h.sdkDatum(&m) {
			t.Errorf("%s: read as the SDK's layout", name)
			continue
		}
		if h.pos != 2 || len(h.dims) != 3 || len(h.floats) != 1 || m.MetricName != nil || m.Counts != nil {
			t.Errorf("%s: state not restored: pos %d, %d dims, %d floats, %+v", name, h.pos, len(h.dims), len(h.floats), m)
		}
	}
}
