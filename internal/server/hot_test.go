package server

import (
	"encoding/binary"
	"math"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"time"

	cwapi "github.com/vigilhq/vigil/internal/api/cloudwatch"
	"github.com/vigilhq/vigil/internal/api/shape"
	"github.com/vigilhq/vigil/internal/gateway"
	"github.com/vigilhq/vigil/internal/protocol"
	"github.com/vigilhq/vigil/internal/protocol/rpcv2cbor"
)

// The hot PutMetricData path must accept only what the generic path
// accepts, and decode it to the very same input (the handler then runs on
// it as on any other, so the stored datums are the same); whatever it
// declines goes the generic way, which produces every error. These tests
// check that on generated and fuzzed bodies.

var hotPut = cloudwatchHot[gateway.HotOp{Protocol: "rpcv2Cbor", Operation: "PutMetricData"}]

// checkHotPut compares the hot and the generic path on body and reports
// whether the hot one accepted it.
func checkHotPut(t testing.TB, body []byte) bool {
	t.Helper()
	return checkHot[cwapi.PutMetricDataInput](t, hotPut, rpcv2cbor.New(), cwapi.Model, "PutMetricData", body)
}

// checkHot compares a hot decoder of operation op of model m with the
// generic path (codec's Decode, then shape.Validate) on body, and reports
// whether the hot one accepted it: it must accept only what the generic
// path accepts, and decode it to the very same input.
func checkHot[T any](t testing.TB, hot gateway.HotDecoder, codec protocol.Codec, m *shape.Service, op string, body []byte) bool {
	t.Helper()
	fast := new(T)
	release, ok := hot(body, fast)
	if release != nil {
		// Released after the comparison, so that the next body's decode
		// reuses (and must fully overwrite) this one's memory.
		defer release()
	}
	if !ok {
		return false
	}
	o := m.Operation(op)
	slow := new(T)
	if err := codec.Decode(&protocol.Request{Service: m, Op: o, Body: body}, slow); err != nil {
		t.Fatalf("hot path accepted a body the codec refuses (%v): %q", err, body)
	}
	if vs := shape.Validate(o.Input, reflect.ValueOf(slow)); len(vs) > 0 {
		t.Fatalf("hot path accepted an invalid input (%s): %q", shape.Message(vs), body)
	}
	if !sameValue(reflect.ValueOf(fast), reflect.ValueOf(slow)) {
		t.Fatalf("hot path decoded differently:\nhot     %+v\ngeneric %+v\nbody %q", fast, slow, body)
	}
	return true
}

// sameValue is reflect.DeepEqual with floats compared bit for bit (NaN is
// a value a client can send; the handler refuses it).
func sameValue(a, b reflect.Value) bool {
	if a.Kind() != b.Kind() {
		return false
	}
	switch a.Kind() {
	case reflect.Pointer:
		if a.IsNil() || b.IsNil() {
			return a.IsNil() == b.IsNil()
		}
		return sameValue(a.Elem(), b.Elem())
	case reflect.Slice:
		if a.IsNil() != b.IsNil() || a.Len() != b.Len() {
			return false
		}
		for i := range a.Len() {
			if !sameValue(a.Index(i), b.Index(i)) {
				return false
			}
		}
		return true
	case reflect.Struct:
		if a.Type() != b.Type() {
			return false
		}
		if t, ok := a.Interface().(time.Time); ok {
			u := b.Interface().(time.Time)
			return t.Equal(u) && t.Location() == u.Location()
		}
		for i := range a.NumField() {
			if !sameValue(a.Field(i), b.Field(i)) {
				return false
			}
		}
		return true
	case reflect.Float64, reflect.Float32:
		return math.Float64bits(a.Float()) == math.Float64bits(b.Float())
	}
	return reflect.DeepEqual(a.Interface(), b.Interface())
}

func TestHotPutMetricDataMatchesGeneric(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	accepted := 0
	const n = 5000
	for range n {
		if checkHotPut(t, genPutBody(r)) {
			accepted++
		}
	}
	// Most generated bodies are valid; the hot path must take those, or
	// this test proves nothing.
	if accepted < n/4 {
		t.Fatalf("hot path accepted only %d of %d bodies", accepted, n)
	}
	t.Logf("hot path accepted %d of %d bodies", accepted, n)
}

func FuzzHotPutMetricData(f *testing.F) {
	r := rand.New(rand.NewPCG(3, 4))
	for range 64 {
		f.Add(genPutBody(r))
	}
	f.Fuzz(func(t *testing.T, body []byte) { checkHotPut(t, body) })
}

// A small CBOR writer for the generator, with the variations real and
// hostile clients may use: definite and indefinite lengths, chunked
// strings, every number width, tags, nulls.

type cborW struct {
	b       []byte
	r       *rand.Rand
	hostile bool // also write what the hot path must decline or refuse
}

// odd is true one time in n in a hostile body.
func (w *cborW) odd(n int) bool { return w.hostile && w.r.IntN(n) == 0 }

func (w *cborW) head(major byte, n uint64) {
	switch {
	case n < 24:
		w.b = append(w.b, major<<5|byte(n))
	case n <= math.MaxUint8:
		w.b = append(w.b, major<<5|24, byte(n))
	case n <= math.MaxUint16:
		w.b = binary.BigEndian.AppendUint16(append(w.b, major<<5|25), uint16(n))
	case n <= math.MaxUint32:
		w.b = binary.BigEndian.AppendUint32(append(w.b, major<<5|26), uint32(n))
	default:
		w.b = binary.BigEndian.AppendUint64(append(w.b, major<<5|27), n)
	}
}

// open starts a map (major 5) or array (4) of n items, definite or not.
func (w *cborW) open(major byte, n int) (close func()) {
	if w.r.IntN(2) == 0 {
		w.b = append(w.b, major<<5|31)
		return func() { w.b = append(w.b, 0xff) }
	}
	w.head(major, uint64(n))
	return func() {}
}

func (w *cborW) text(s string) {
	if len(s) > 1 && w.r.IntN(20) == 0 {
		w.b = append(w.b, 0x7f)
		i := w.r.IntN(len(s))
		w.head(3, uint64(i))
		w.b = append(w.b, s[:i]...)
		w.head(3, uint64(len(s)-i))
		w.b = append(w.b, s[i:]...)
		w.b = append(w.b, 0xff)
		return
	}
	w.head(3, uint64(len(s)))
	w.b = append(w.b, s...)
}

func (w *cborW) float(f float64) {
	switch w.r.IntN(8) {
	case 0:
		if f == math.Trunc(f) && f >= 0 && f < 1e18 {
			w.head(0, uint64(f))
			return
		}
	case 1:
		if f == math.Trunc(f) && f < 0 && f > -1e18 {
			w.head(1, uint64(-1-f))
			return
		}
	case 2:
		if float64(float32(f)) == f {
			w.b = binary.BigEndian.AppendUint32(append(w.b, 0xfa), math.Float32bits(float32(f)))
			return
		}
	case 3:
		w.b = append(w.b, 0xf9, 0x3c, 0x00) // half-precision 1.0
		return
	}
	w.b = binary.BigEndian.AppendUint64(append(w.b, 0xfb), math.Float64bits(f))
}

// field is one member of a map: its key and how to write its value.
type field struct {
	key string
	val func()
}

func (w *cborW) fields(fs []field) {
	// Sometimes a null, unknown or repeated member, or a different order.
	switch k := w.r.IntN(40); {
	case !w.hostile:
	case k == 0:
		fs = append(fs, field{"Unknown", func() { w.text("x") }})
	case k == 1:
		if len(fs) > 0 {
			fs = append(fs, fs[w.r.IntN(len(fs))])
		}
	case k == 2:
		if len(fs) > 0 {
			k := fs[w.r.IntN(len(fs))].key
			fs = append(fs, field{k, func() { w.b = append(w.b, 0xf6) }})
		}
	}
	w.r.Shuffle(len(fs), func(i, j int) { fs[i], fs[j] = fs[j], fs[i] })
	done := w.open(5, len(fs))
	for _, f := range fs {
		w.text(f.key)
		f.val()
	}
	done()
}

func (w *cborW) floats(n int, gen func() float64) {
	done := w.open(4, n)
	for range n {
		w.float(gen())
	}
	done()
}

func pick[T any](r *rand.Rand, xs ...T) T { return xs[r.IntN(len(xs))] }

func genPutBody(r *rand.Rand) []byte {
	w := &cborW{r: r, hostile: r.IntN(2) == 0}
	odd := w.odd
	str := func(valid ...string) string {
		if !w.hostile {
			return pick(r, valid...)
		}
		switch r.IntN(30) {
		case 0:
			return ""
		case 1:
			return strings.Repeat("a", pick(r, 255, 256, 1024, 1025))
		case 2:
			return "\xff\xfe" // not UTF-8
		case 3:
			return ":colon"
		case 4:
			return "ünïcode"
		}
		return pick(r, valid...)
	}
	value := func() float64 {
		if odd(30) {
			return pick(r, math.NaN(), math.Inf(1), -0.0, 1e300, math.MaxFloat64)
		}
		return pick(r, 0, 1, -1, 0.5, float64(r.IntN(1000)), r.NormFloat64()*1e6)
	}
	datum := func() {
		var fs []field
		if !odd(30) {
			fs = append(fs, field{"MetricName", func() { w.text(str("m1", "Latency", "cpu")) }})
		}
		if !odd(3) {
			fs = append(fs, field{"Dimensions", func() {
				n := pick(r, 0, 1, 1, 2, 3, 30)
				if odd(10) {
					n = 31
				}
				done := w.open(4, n)
				for i := range n {
					var dfs []field
					if !odd(40) {
						dfs = append(dfs, field{"Name", func() { w.text(str("Host", "Az", "D"+string(rune('a'+i%26)))) }})
					}
					if !odd(40) {
						dfs = append(dfs, field{"Value", func() { w.text(str("h1", "us-east-1a", "v")) }})
					}
					w.fields(dfs)
				}
				done()
			}})
		}
		if r.IntN(2) == 0 {
			fs = append(fs, field{"Timestamp", func() {
				switch {
				case odd(10):
					w.head(6, 0) // a tag other than 1
				case r.IntN(2) == 0:
					w.head(6, 1)
				}
				t := pick(r, 1.7e9+float64(r.IntN(1e6))/1e3, 1.7e9)
				if odd(5) {
					t = pick(r, 0, -5, 1e16, math.NaN())
				}
				w.float(t)
			}})
		}
		switch r.IntN(6) {
		case 0, 1, 2:
			fs = append(fs, field{"Value", func() { w.float(value()) }})
		case 3:
			fs = append(fs, field{"StatisticValues", func() {
				var sfs []field
				for _, k := range []string{"SampleCount", "Sum", "Minimum", "Maximum"} {
					if !odd(30) {
						sfs = append(sfs, field{k, func() { w.float(value()) }})
					}
				}
				w.fields(sfs)
			}})
		case 4:
			n := pick(r, 0, 1, 5, 150)
			if odd(10) {
				n = 151
			}
			fs = append(fs, field{"Values", func() { w.floats(n, value) }})
			if r.IntN(2) == 0 {
				m := n
				if odd(5) {
					m = 2
				}
				fs = append(fs, field{"Counts", func() { w.floats(m, value) }})
			}
		}
		if r.IntN(2) == 0 {
			fs = append(fs, field{"Unit", func() { w.text(str("Milliseconds", "Count", "Bytes/Second", "None")) }})
		}
		if r.IntN(3) == 0 {
			fs = append(fs, field{"StorageResolution", func() {
				n := pick(r, 1, 60)
				if odd(5) {
					n = pick(r, 0, 5, -1, 1<<31)
				}
				switch {
				case n < 0:
					w.head(1, uint64(-1-n))
				default:
					w.head(0, uint64(n))
				}
			}})
		}
		w.fields(fs)
	}
	var fs []field
	if !odd(30) {
		fs = append(fs, field{"Namespace", func() { w.text(str("Bench", "My App", "AWS/EC2", " ")) }})
	}
	if !odd(30) {
		fs = append(fs, field{"MetricData", func() {
			n := pick(r, 0, 1, 2, 10, 50)
			done := w.open(4, n)
			for range n {
				datum()
			}
			done()
		}})
	}
	if r.IntN(3) == 0 {
		fs = append(fs, field{"EntityMetricData", func() {
			n := pick(r, 0, 1, 1, 2, 3)
			done := w.open(4, n)
			for range n {
				var efs []field
				if !odd(10) {
					efs = append(efs, field{"Entity", func() { genEntity(w) }})
				}
				if r.IntN(8) != 0 {
					efs = append(efs, field{"MetricData", func() {
						m := pick(r, 0, 1, 3)
						done := w.open(4, m)
						for range m {
							datum()
						}
						done()
					}})
				}
				w.fields(efs)
			}
			done()
		}})
	}
	if r.IntN(5) == 0 {
		fs = append(fs, field{"StrictEntityValidation", func() { w.b = append(w.b, pick[byte](r, 0xf4, 0xf5)) }})
	}
	w.fields(fs)
	if odd(50) {
		w.b = append(w.b, 0x00) // trailing data
	}
	if odd(50) && len(w.b) > 1 {
		w.b = w.b[:r.IntN(len(w.b))] // truncated
	}
	return w.b
}

// genEntity writes an Entity: the documented KeyAttributes combinations
// and ones the handler refuses (all within the model, so the hot path
// takes them), and, in a hostile body, maps outside the model's bounds or
// that the hot path declines (repeated keys, nulls, non-text keys).
func genEntity(w *cborW) {
	r := w.r
	long := func(n int) string { return strings.Repeat("k", n) }
	var fs []field
	if !w.odd(10) {
		ka := pick(r,
			[][2]string{{"Type", "Service"}, {"Name", "checkout"}, {"Environment", "prod"}},
			[][2]string{{"Type", "AWS::Resource"}, {"ResourceType", "AWS::EC2::Instance"}, {"Identifier", "i-1"}},
			[][2]string{{"Type", "AWS::Service"}, {"Name", "S3"}},
			[][2]string{{"Type", "Resource"}, {"ResourceType", "K8s::Pod"}, {"Identifier", "web"}, {"Environment", "eks:prod"}},
			[][2]string{{"Type", "Database"}, {"Name", "orders"}},      // unknown Type
			[][2]string{{"Name", "checkout"}, {"Environment", "prod"}}, // no Type
			[][2]string{{"Type", "Service"}, {"Identifier", "i-1"}},    // key not of its Type
		)
		switch r.IntN(12) {
		case 0:
			if w.hostile {
				ka = append(ka, [2]string{"Region", "a"}, [2]string{"Zone", "b"}) // more than 4
			}
		case 1:
			if w.hostile {
				ka = append(ka[:1], [2]string{long(33), "x"}) // key too long
			}
		case 2:
			if w.hostile {
				ka = append(ka[:1], [2]string{"Name", pick(r, "", long(2049))})
			}
		}
		fs = append(fs, field{"KeyAttributes", func() { genStringMap(w, ka) }})
	}
	if r.IntN(2) == 0 {
		n := pick(r, 0, 1, 3, 10)
		if w.odd(5) {
			n = 11
		}
		var as [][2]string
		for i := range n {
			as = append(as, [2]string{"a" + string(rune('a'+i)), pick(r, "AWS::EC2", "v", "i-0abc")})
		}
		if w.odd(5) && n > 0 {
			as[0] = pick(r, [2]string{"", "v"}, [2]string{long(257), "v"}, [2]string{"k", ""}, [2]string{"k", long(2049)})
		}
		fs = append(fs, field{"Attributes", func() { genStringMap(w, as) }})
	}
	w.fields(fs)
}

func genStringMap(w *cborW, kvs [][2]string) {
	r := w.r
	type entry struct{ key, val func() }
	var es []entry
	for _, p := range kvs {
		es = append(es, entry{func() { w.text(p[0]) }, func() { w.text(p[1]) }})
	}
	switch k := r.IntN(30); {
	case !w.hostile || len(kvs) == 0:
	case k == 0:
		p := kvs[r.IntN(len(kvs))]
		es = append(es, entry{func() { w.text(p[0]) }, func() { w.text("again") }})
	case k == 1:
		es[r.IntN(len(es))].val = func() { w.b = append(w.b, 0xf6) }
	case k == 2:
		es[r.IntN(len(es))].key = func() { w.head(0, 7) }
	case k == 3:
		es[r.IntN(len(es))].val = func() { w.head(6, 32); w.text("tagged") }
	}
	done := w.open(5, len(es))
	for _, e := range es {
		e.key()
		e.val()
	}
	done()
}
