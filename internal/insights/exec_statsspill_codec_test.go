package insights

import (
	"bytes"
	"encoding/hex"
	"math"
	"reflect"
	"strings"
	"testing"

	"github.com/cockroachdb/datadriven"

	"github.com/vigilhq/vigil/internal/insights/funcs"
)

var spillCodecValues = map[string]funcs.Value{
	"null":      funcs.Null,
	"true":      funcs.Bool(true),
	"false":     funcs.Bool(false),
	"number":    funcs.Num(-1.5),
	"big":       funcs.Num(1e300),
	"string":    funcs.Str("héllo\x00"),
	"empty":     funcs.Str(""),
	"time":      funcs.Timestamp(1700000000123),
	"time-neg":  funcs.Timestamp(-5),
	"map":       funcs.Map(funcs.Member{Key: "a", Value: funcs.Num(1)}, funcs.Member{Key: "b", Value: funcs.List(funcs.Str("x"), funcs.Null)}),
	"list":      funcs.List(funcs.Bool(true), funcs.Map(), funcs.List()),
	"empty-map": funcs.Map(),
}

var spillCodecAccs = map[string]acc{
	"zero":     {},
	"count":    {n: 42},
	"sums":     {n: 3, sum: 6.5, sumsq: 20.25},
	"neg-zero": {sum: math.Copysign(0, -1)},
	"ext":      {has: true, ext: funcs.Str("5"), extNum: 5, extTs: 1700000000000, extSeq: 9},
	"ext-null": {has: true, extTs: -1},
	"nums":     {nums: []float64{3, 1, 2}},
	"no-nums":  {nums: []float64{}},
	"distinct": {distinct: map[string]struct{}{"b": {}, "a": {}, "": {}}},
	"all":      {n: -1, sum: 1, sumsq: 1, has: true, ext: funcs.Num(1), extNum: 1, extTs: 2, extSeq: 3, nums: []float64{1}, distinct: map[string]struct{}{"1": {}}},
}

// TestStatsSpillCodec runs testdata/statsspill: the encoding of each named
// value, accumulator and group is golden (refresh with -rewrite), and each
// decodes back to what was encoded.
func TestStatsSpillCodec(t *testing.T) {
	datadriven.RunTest(t, "testdata/statsspill/codec", func(t *testing.T, d *datadriven.TestData) string {
		var name string
		d.ScanArgs(t, "name", &name)
		var enc []byte
		switch d.Cmd {
		case "value":
			v, ok := spillCodecValues[name]
			if !ok {
				t.Fatalf("%s: no value %q", d.Pos, name)
			}
			enc = appendSpillValue(nil, v)
			dec := spillDecoder{b: enc}
			got := dec.value(0)
			if dec.err != nil || len(dec.b) != 0 || !reflect.DeepEqual(got, v) {
				t.Fatalf("%s: decoded %#v (%v, %d left), want %#v", d.Pos, got, dec.err, len(dec.b), v)
			}
		case "acc":
			a, ok := spillCodecAccs[name]
			if !ok {
				t.Fatalf("%s: no acc %q", d.Pos, name)
			}
			enc = appendSpillAcc(nil, &a)
			dec := spillDecoder{b: enc}
			var got acc
			dec.acc(&got)
			if dec.err != nil || len(dec.b) != 0 || !reflect.DeepEqual(got, a) {
				t.Fatalf("%s: decoded %#v (%v, %d left), want %#v", d.Pos, got, dec.err, len(dec.b), a)
			}
		case "group":
			keys := []funcs.Value{spillCodecValues[name], funcs.Str(name)}
			accs := []acc{spillCodecAccs["count"], spillCodecAccs["ext"]}
			enc = appendSpillGroup(nil, keys, accs)
			dec := spillDecoder{b: enc}
			gk, ga := make([]funcs.Value, 2), make([]acc, 2)
			if err := dec.group(gk, ga); err != nil || len(dec.b) != 0 || !reflect.DeepEqual(gk, keys) || !reflect.DeepEqual(ga, accs) {
				t.Fatalf("%s: decoded %v %v (%v)", d.Pos, gk, ga, err)
			}
		default:
			t.Fatalf("%s: unknown command %q", d.Pos, d.Cmd)
		}
		return hex.EncodeToString(enc) + "\n"
	})
}

// TestStatsSpillCodecCorrupt: truncated and altered records are refused,
// never decoded into something else silently.
func TestStatsSpillCodecCorrupt(t *testing.T) {
	for _, b := range [][]byte{
		{},
		{byte(funcs.KindBool), 2},
		{byte(funcs.KindNumber), 0, 0, 0, 0, 0, 0, 0xf8, 0x7f}, // NaN
		{byte(funcs.KindNumber), 0, 0, 0, 0, 0, 0, 0, 0x80},    // -0
		{byte(funcs.KindString), 5, 'a'},                       // short
		{byte(funcs.KindList), 0xff, 0xff, 0xff, 0xff, 0x0f},   // huge count
		{byte(funcs.KindMap), 1, 1, 'k'},                       // member without value
		{7},                                                    // unknown kind
		bytes.Repeat([]byte{byte(funcs.KindList), 1}, 600),     // too deep
	} {
		d := spillDecoder{b: b}
		if v := d.value(0); d.err == nil {
			t.Errorf("% x: decoded %v", b, v)
		}
	}
	d := spillDecoder{b: []byte{0x20}}
	var a acc
	if d.acc(&a); d.err == nil {
		t.Error("unknown acc flag accepted")
	}
}

// FuzzStatsSpillDecode: decoding any bytes as a group never panics, and
// what decodes re-encodes to bytes that decode to the same group.
func FuzzStatsSpillDecode(f *testing.F) {
	for name, v := range spillCodecValues {
		a := spillCodecAccs["all"]
		f.Add(appendSpillGroup(nil, []funcs.Value{v}, []acc{a}), uint8(1), uint8(1))
		f.Add([]byte(name), uint8(0), uint8(2))
	}
	f.Fuzz(func(t *testing.T, b []byte, nBy, nAccs uint8) {
		keys, accs := make([]funcs.Value, nBy%4), make([]acc, nAccs%4)
		d := spillDecoder{b: b}
		if err := d.group(keys, accs); err != nil {
			if !strings.Contains(err.Error(), "corrupt") {
				t.Fatalf("error %v", err)
			}
			return
		}
		enc := appendSpillGroup(nil, keys, accs)
		keys2, accs2 := make([]funcs.Value, len(keys)), make([]acc, len(accs))
		d = spillDecoder{b: enc}
		if err := d.group(keys2, accs2); err != nil || len(d.b) != 0 {
			t.Fatalf("re-encoding does not decode: %v", err)
		}
		if enc2 := appendSpillGroup(nil, keys2, accs2); !bytes.Equal(enc, enc2) {
			t.Fatalf("round trip changed the encoding:\n% x\n% x", enc, enc2)
		}
	})
}
