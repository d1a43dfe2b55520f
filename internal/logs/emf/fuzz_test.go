package emf

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/vigilhq/vigil/internal/metricstore"
)

// FuzzExtract: Extract never panics; every datum it produces is one the
// metrics engine accepts (a valid namespace, a non-empty name, a finite
// value in range, sorted dimensions); it accepts only valid JSON; its
// datums do not alias the message; and on valid UTF-8 it agrees exactly
// with refExtract, an independent reading of the same rules on top of
// encoding/json. The seeds are every message of testdata/ and the
// benchmark documents, so `go test` runs the comparison on all of them.
func FuzzExtract(f *testing.F) {
	for _, m := range corpus(f) {
		f.Add(m)
	}
	f.Fuzz(func(t *testing.T, msg []byte) {
		buf := slices.Clone(msg)
		ds, ok := Extract(buf)
		got := datumStrings(ds)
		for i := range buf {
			buf[i] = 'X' // the datums must not see this
		}
		if again := datumStrings(ds); !slices.Equal(got, again) {
			t.Fatalf("datums alias the message:\n%v\nbecame\n%v", got, again)
		}
		if !ok && len(ds) > 0 {
			t.Fatalf("not ok but %d datums", len(ds))
		}
		if ok && !json.Valid(msg) {
			t.Fatalf("accepted invalid JSON %q", msg)
		}
		for _, d := range ds {
			checkDatum(t, d)
		}
		if !utf8.Valid(msg) {
			return // encoding/json would replace the invalid bytes with U+FFFD
		}
		want, wantOK := refExtract(msg)
		if ok != wantOK || !slices.Equal(got, datumStrings(want)) {
			t.Fatalf("Extract(%q) = %v, %v\nreference: %v, %v", msg, got, ok, datumStrings(want), wantOK)
		}
	})
}

func checkDatum(t *testing.T, d metricstore.Datum) {
	t.Helper()
	k := d.Key
	switch {
	case k.Namespace == "" || !validNamespace(k.Namespace):
		t.Fatalf("datum with namespace %q", k.Namespace)
	case k.MetricName == "" || !validMetricName(k.MetricName):
		t.Fatalf("datum with metric name %q", k.MetricName)
	case !validValue(d.Value) || math.IsNaN(d.Value):
		t.Fatalf("datum with value %v", d.Value)
	case d.Count != 1 || d.IsSet:
		t.Fatalf("datum with count %v, set %v", d.Count, d.IsSet)
	case len(k.Dims) > metricstore.MaxDims:
		t.Fatalf("datum with %d dimensions", len(k.Dims))
	case d.Unit != "" && units[d.Unit] != d.Unit:
		t.Fatalf("datum with unit %q", d.Unit)
	case d.T < 0:
		t.Fatalf("datum at %d", d.T)
	}
	for i, dim := range k.Dims {
		if !validDimName(dim.Name) || !validDimValue(dim.Value) {
			t.Fatalf("datum with dimension %q=%q", dim.Name, dim.Value)
		}
		if i > 0 && k.Dims[i-1].Name >= dim.Name {
			t.Fatalf("dimensions not sorted or repeated: %v", k.Dims)
		}
	}
}

// datumStrings renders datums exactly (value bits included) for comparison.
func datumStrings(ds []metricstore.Datum) []string {
	out := make([]string, len(ds))
	for i, d := range ds {
		out[i] = fmt.Sprintf("%q %q %q t=%d v=%x n=%v u=%q hi=%v set=%v",
			d.Key.Namespace, d.Key.MetricName, d.Key.Dims, d.T, math.Float64bits(d.Value), d.Count, d.Unit, d.HighRes, d.IsSet)
	}
	return out
}

// corpus returns every message of testdata/ and the benchmark documents.
func corpus(tb testing.TB) [][]byte {
	msgs := [][]byte{benchEMF, benchNonEMF, []byte(`{"_aws":{}}`), []byte(`"_aws"`), []byte(`{"_aws":`)}
	files, err := filepath.Glob(filepath.Join("testdata", "*"))
	if err != nil {
		tb.Fatal(err)
	}
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			tb.Fatal(err)
		}
		lines := strings.Split(string(b), "\n")
		for i := 0; i < len(lines); i++ {
			if !strings.HasPrefix(lines[i], "extract") {
				continue
			}
			j := i + 1
			for j < len(lines) && lines[j] != "----" {
				j++
			}
			msgs = append(msgs, []byte(strings.Join(lines[i+1:j], "\n")))
			i = j
		}
	}
	return msgs
}

// refExtract is the reference for the fuzz comparison: the rules of doc.go
// applied to the value encoding/json decodes, sharing only the leaf checks
// (valid.go) with Extract.
func refExtract(msg []byte) ([]metricstore.Datum, bool) {
	if !bytes.Contains(msg, []byte(`"_aws"`)) || !json.Valid(msg) {
		return nil, false
	}
	dec := json.NewDecoder(bytes.NewReader(msg))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, false
	}
	root, ok := v.(map[string]any)
	if !ok {
		return nil, false
	}
	aws, ok := root["_aws"].(map[string]any)
	if !ok {
		return nil, false
	}
	directives, ok := aws["CloudWatchMetrics"].([]any)
	if !ok {
		return nil, false
	}
	ts, ok := aws["Timestamp"].(json.Number)
	if !ok {
		return nil, false
	}
	tf := refNumber(ts)
	if tf != math.Trunc(tf) || tf < 0 || tf > maxTimestamp {
		return nil, false
	}
	var ds []metricstore.Datum
	for _, dv := range directives {
		d, ok := dv.(map[string]any)
		if !ok {
			continue
		}
		ns, ok := d["Namespace"].(string)
		if !ok || !validNamespace(ns) {
			continue
		}
		metrics, ok := d["Metrics"].([]any)
		if !ok || len(metrics) > maxMetrics {
			continue
		}
		var sets [][]metricstore.Dim
		switch dims := d["Dimensions"].(type) {
		case nil:
			sets = append(sets, nil)
		case []any:
			for _, sv := range dims {
				if set, ok := refDimensionSet(root, sv); ok {
					sets = append(sets, set)
				}
			}
			if len(dims) == 0 {
				sets = append(sets, nil)
			}
		default:
			continue
		}
		for _, mv := range metrics {
			m, ok := mv.(map[string]any)
			if !ok {
				continue
			}
			name, ok := m["Name"].(string)
			if !ok || !validMetricName(name) {
				continue
			}
			unit := ""
			switch u := m["Unit"].(type) {
			case nil:
			case string:
				if unit, ok = units[u]; !ok {
					continue
				}
			default:
				continue
			}
			highRes := false
			switch r := m["StorageResolution"].(type) {
			case nil:
			case json.Number:
				switch refNumber(r) {
				case 1:
					highRes = true
				case 60:
				default:
					continue
				}
			default:
				continue
			}
			var vals []float64
			switch t := root[name].(type) {
			case json.Number:
				vals = append(vals, refNumber(t))
			case []any:
				if len(t) > maxValues {
					continue
				}
				for _, e := range t {
					n, ok := e.(json.Number)
					if !ok {
						vals = nil
						break
					}
					vals = append(vals, refNumber(n))
				}
				if vals == nil {
					continue
				}
			default:
				continue
			}
			if slices.ContainsFunc(vals, func(f float64) bool { return !validValue(f) }) {
				continue
			}
			if len(ds)+len(sets)*len(vals) > maxDatums {
				return nil, false
			}
			for _, set := range sets {
				for _, f := range vals {
					ds = append(ds, metricstore.Datum{
						Key: metricstore.SeriesKey{Namespace: ns, MetricName: name, Dims: set},
						T:   int64(tf), Unit: unit, HighRes: highRes, Value: f, Count: 1,
					})
				}
			}
		}
	}
	return ds, true
}

func refDimensionSet(root map[string]any, sv any) ([]metricstore.Dim, bool) {
	keys, ok := sv.([]any)
	if !ok || len(keys) > maxSetDims {
		return nil, false
	}
	var set []metricstore.Dim
	for _, kv := range keys {
		name, ok := kv.(string)
		if !ok || !validDimName(name) {
			return nil, false
		}
		value, ok := root[name].(string)
		if !ok || !validDimValue(value) {
			return nil, false
		}
		set = append(set, metricstore.Dim{Name: name, Value: value})
	}
	slices.SortFunc(set, func(a, b metricstore.Dim) int { return strings.Compare(a.Name, b.Name) })
	for i := 1; i < len(set); i++ {
		if set[i].Name == set[i-1].Name {
			return nil, false
		}
	}
	return set, true
}

func refNumber(n json.Number) float64 {
	f, _ := strconv.ParseFloat(string(n), 64)
	return f
}
