package awsjson

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"unsafe"

	logsapi "github.com/vigilhq/vigil/internal/api/logs"
	"github.com/vigilhq/vigil/internal/api/shape"
	"github.com/vigilhq/vigil/internal/protocol"
)

// DecodePutLogEvents must decode whatever it accepts exactly as Decode
// does; these tests compare the two. (Validation is the caller's; the
// server's tests check the whole hot path, decoder and validation.)

func decodeGeneric(body []byte) (*logsapi.PutLogEventsRequest, error) {
	in := new(logsapi.PutLogEventsRequest)
	err := New("1.1").Decode(&protocol.Request{Service: logsapi.Model, Op: logsapi.Model.Operation("PutLogEvents"), Body: body}, in)
	return in, err
}

// checkPutLogEvents compares the decoders on body and reports whether the
// hand-tuned one accepted it.
func checkPutLogEvents(t testing.TB, body []byte) bool {
	t.Helper()
	return checkHotDecoder(t, "DecodePutLogEvents", DecodePutLogEvents, decodeGeneric, body)
}

// checkHotDecoder compares a hand-tuned decoder (hot) with the generic
// one on body: whatever hot accepts, Decode must accept and decode to the
// very same input. It reports whether hot accepted body.
func checkHotDecoder[T any](t testing.TB, name string, hot func([]byte, *T) bool, generic func([]byte) (*T, error), body []byte) bool {
	t.Helper()
	fast := new(T)
	if !hot(body, fast) {
		return false
	}
	slow, err := generic(body)
	if err != nil {
		t.Fatalf("%s accepted a body Decode refuses (%v): %q", name, err, body)
	}
	if !reflect.DeepEqual(fast, slow) {
		f, _ := json.Marshal(fast)
		s, _ := json.Marshal(slow)
		t.Fatalf("%s decoded differently:\nhot     %s\ngeneric %s\nbody %q", name, f, s, body)
	}
	return true
}

func TestDecodePutLogEvents(t *testing.T) {
	for _, tc := range []struct {
		name, body string
		ok         bool
	}{
		{"sdk", `{"logEvents":[{"message":"a \"b\"","timestamp":1700000000000},{"message":"c","timestamp":1700000000001}],"logGroupName":"/g","logStreamName":"s"}`, true},
		{"members in any order", `{"logStreamName":"s","logEvents":[{"timestamp":1,"message":"m"}],"sequenceToken":"t","logGroupName":"/g"}`, true},
		{"whitespace", " \t\r\n{ \"logGroupName\" : \"g\" ,\n\"logEvents\" : [ { \"timestamp\" : 5 , \"message\" : \"x\" } , {\"message\":\"y\"} ] } \n", true},
		{"every escape", `{"logEvents":[{"timestamp":1,"message":"\"\\\/\b\f\n\r\t\u0000\u001f\u00e9\u20ac\uD83D\uDE00\ud83d\ude00x"}]}`, true},
		{"lone high surrogate", `{"logEvents":[{"timestamp":1,"message":"\ud83dx"}]}`, true},
		{"lone high surrogate at the end", `{"logEvents":[{"timestamp":1,"message":"\ud83d"}]}`, true},
		{"high surrogate then non-surrogate escape", `{"logEvents":[{"timestamp":1,"message":"\ud83d\u0041"}]}`, true},
		{"high surrogate then high surrogate", `{"logEvents":[{"timestamp":1,"message":"\ud83d\ud83d\ude00"}]}`, true},
		{"lone low surrogate", `{"logEvents":[{"timestamp":1,"message":"\ude00\ude00"}]}`, true},
		{"high surrogate then bad escape", `{"logEvents":[{"timestamp":1,"message":"\ud83d\u00zz"}]}`, false},
		{"raw unicode", `{"logEvents":[{"timestamp":1,"message":"héllo 世界 😀"}]}`, true},
		{"invalid UTF-8 passes through", "{\"logEvents\":[{\"timestamp\":1,\"message\":\"\xff\xfe\xc3\"}]}", true},
		{"DEL is no control character", "{\"logEvents\":[{\"timestamp\":1,\"message\":\"\x7f\"}]}", true},
		{"escaped names", `{"logGroupName":"a\/b\u0041","logStreamName":"\"s\"","sequenceToken":"\t","logEvents":[]}`, true},
		{"empty strings", `{"logGroupName":"","logStreamName":"","sequenceToken":"","logEvents":[{"timestamp":0,"message":""}]}`, true},
		{"empty events", `{"logEvents":[]}`, true},
		{"empty event", `{"logEvents":[{},{"timestamp":1},{"message":"m"}]}`, true},
		{"empty object", `{}`, true},
		{"negative and zero timestamps", `{"logEvents":[{"timestamp":-5,"message":"m"},{"timestamp":-0,"message":"m"},{"timestamp":0,"message":"m"}]}`, true},
		{"18 digits", `{"logEvents":[{"timestamp":999999999999999999,"message":"m"}]}`, true},

		{"19 digits", `{"logEvents":[{"timestamp":1000000000000000000,"message":"m"}]}`, false},
		{"fraction", `{"logEvents":[{"timestamp":1.0,"message":"m"}]}`, false},
		{"exponent", `{"logEvents":[{"timestamp":1e3,"message":"m"}]}`, false},
		{"leading zero", `{"logEvents":[{"timestamp":01,"message":"m"}]}`, false},
		{"minus alone", `{"logEvents":[{"timestamp":-,"message":"m"}]}`, false},
		{"string timestamp", `{"logEvents":[{"timestamp":"1","message":"m"}]}`, false},
		{"number message", `{"logEvents":[{"timestamp":1,"message":1}]}`, false},
		{"null member", `{"logGroupName":null,"logEvents":[]}`, false},
		{"null event member", `{"logEvents":[{"timestamp":1,"message":null}]}`, false},
		{"null event", `{"logEvents":[null]}`, false},
		{"null events", `{"logEvents":null}`, false},
		{"null body", `null`, false},
		{"empty body", ``, false},
		{"blank body", ` `, false},
		{"entity", `{"logGroupName":"g","entity":{"keyAttributes":{"Type":"Service"}},"logEvents":[]}`, false},
		{"unknown member", `{"logGroupName":"g","x":1}`, false},
		{"unknown event member", `{"logEvents":[{"timestamp":1,"message":"m","x":1}]}`, false},
		{"duplicate member", `{"logGroupName":"g","logGroupName":"h"}`, false},
		{"duplicate event member", `{"logEvents":[{"timestamp":1,"timestamp":2,"message":"m"}]}`, false},
		{"escaped key", `{"logGroup\u004eame":"g"}`, false},
		{"invalid escape", `{"logEvents":[{"timestamp":1,"message":"\x"}]}`, false},
		{"short unicode escape", `{"logEvents":[{"timestamp":1,"message":"\u12"}]}`, false},
		{"control character", "{\"logEvents\":[{\"timestamp\":1,\"message\":\"a\nb\"}]}", false},
		{"unterminated string", `{"logEvents":[{"timestamp":1,"message":"abc`, false},
		{"backslash at the end", `{"logEvents":[{"timestamp":1,"message":"abc\`, false},
		{"unterminated array", `{"logEvents":[{"timestamp":1,"message":"m"}`, false},
		{"trailing comma", `{"logEvents":[{"timestamp":1,"message":"m"},]}`, false},
		{"trailing data", `{"logEvents":[]} x`, false},
		{"two objects", `{}{}`, false},
		{"array body", `[]`, false},
		{"events not an array", `{"logEvents":{}}`, false},
		{"nested array", `{"logEvents":[[]]}`, false},
		{"missing colon", `{"logGroupName" "g"}`, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := checkPutLogEvents(t, []byte(tc.body))
			if got != tc.ok {
				_, err := decodeGeneric([]byte(tc.body))
				t.Fatalf("DecodePutLogEvents = %v, want %v (Decode: %v)", got, tc.ok, err)
			}
		})
	}
}

// The messages must not alias the body, whose buffer the gateway reuses,
// and must all share one buffer.
func TestDecodePutLogEventsOwnsMessages(t *testing.T) {
	body := sdkLikeBody(rand.New(rand.NewPCG(1, 1)), 100)
	want, err := decodeGeneric(body)
	if err != nil {
		t.Fatal(err)
	}
	in := new(logsapi.PutLogEventsRequest)
	if !DecodePutLogEvents(body, in) {
		t.Fatal("declined")
	}
	clear(body)
	if !reflect.DeepEqual(in, want) {
		t.Fatal("messages changed with the body")
	}
	// One backing buffer: the messages follow one another in memory.
	next := unsafe.StringData(*in.LogEvents[0].Message)
	for i, ev := range in.LogEvents {
		if p := unsafe.StringData(*ev.Message); p != next {
			t.Fatalf("message %d is not right after message %d", i, i-1)
		}
		next = (*byte)(unsafe.Add(unsafe.Pointer(next), len(*ev.Message)))
	}
}

// The pointers come from slabs, and the events' slice is sized once.
func TestDecodePutLogEventsAllocations(t *testing.T) {
	body := sdkLikeBody(rand.New(rand.NewPCG(2, 2)), 1000)
	n := testing.AllocsPerRun(10, func() {
		in := new(logsapi.PutLogEventsRequest)
		if !DecodePutLogEvents(body, in) {
			t.Fatal("declined")
		}
	})
	// The input, two names with their pointers, the messages' buffer, the
	// events and the slab.
	if n > 8 {
		t.Fatalf("%v allocations per call", n)
	}
}

// Events of very different sizes make the first event a bad guess: the
// slab and the slice then grow.
func TestDecodePutLogEventsGrows(t *testing.T) {
	var b strings.Builder
	b.WriteString(`{"logEvents":[{"timestamp":1,"message":"` + strings.Repeat("x", 5000) + `"}`)
	for i := range 3000 {
		fmt.Fprintf(&b, `,{"timestamp":%d,"message":"m%d"}`, i, i)
	}
	b.WriteString(`]}`)
	if !checkPutLogEvents(t, []byte(b.String())) {
		t.Fatal("declined")
	}
}

// The keys the decoder knows are the model's.
func TestDecodePutLogEventsKeys(t *testing.T) {
	in := logsapi.Model.Operation("PutLogEvents").Input
	if got := wireNames(in); got != "logGroupName,logStreamName,logEvents,sequenceToken,entity" {
		t.Fatalf("PutLogEventsRequest's keys are %s", got)
	}
	if got := wireNames(in.Lookup("logEvents").Shape.Member.Shape); got != "timestamp,message" {
		t.Fatalf("InputLogEvent's keys are %s", got)
	}
}

// wireNames lists s's members' wire names, comma-separated, in order.
func wireNames(s *shape.Shape) string {
	var keys []string
	for _, m := range s.Members {
		keys = append(keys, m.WireName())
	}
	return strings.Join(keys, ",")
}

func TestDecodePutLogEventsGenerated(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	accepted := 0
	for range 3000 {
		if checkPutLogEvents(t, genPutLogEventsBody(r)) {
			accepted++
		}
	}
	if accepted < 1000 {
		t.Fatalf("accepted only %d of 3000 bodies", accepted)
	}
}

func FuzzDecodePutLogEvents(f *testing.F) {
	r := rand.New(rand.NewPCG(7, 8))
	for range 32 {
		f.Add(genPutLogEventsBody(r))
	}
	f.Add(sdkLikeBody(r, 3))
	f.Fuzz(func(t *testing.T, body []byte) { checkPutLogEvents(t, body) })
}

func BenchmarkDecodePutLogEvents(b *testing.B) {
	body := sdkLikeBody(rand.New(rand.NewPCG(3, 3)), 1000)
	b.Run("hot", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(body)))
		for b.Loop() {
			if !DecodePutLogEvents(body, new(logsapi.PutLogEventsRequest)) {
				b.Fatal("declined")
			}
		}
	})
	b.Run("generic", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(body)))
		for b.Loop() {
			if _, err := decodeGeneric(body); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// sdkLikeBody is a PutLogEvents body as the Go SDK writes one: no
// whitespace, JSON log lines of ~300 bytes as messages.
func sdkLikeBody(r *rand.Rand, n int) []byte {
	b := []byte(`{"logEvents":[`)
	for i := range n {
		if i > 0 {
			b = append(b, ',')
		}
		line, _ := json.Marshal(map[string]any{
			"time": "2026-01-02T03:04:05.678Z", "level": pick(r, "INFO", "WARN", "ERROR"),
			"service": pick(r, "shipping", "catalog", "notifications"), "request_id": fmt.Sprintf("%08x-c6b6-4c5a-a684-%012x", r.Uint32(), r.Uint64()>>16),
			"path": fmt.Sprintf("/api/v1/users/%d/cart", r.IntN(1e6)), "status": pick(r, 200, 204, 304, 500), "latency_ms": float64(r.IntN(1000)) / 10,
			"msg": pick(r, "cart updated", "user <session> refreshed", "email notification queued\tfor\nbob", "naïve café ✓"),
		})
		b = fmt.Appendf(b, `{"message":%s,"timestamp":%d}`, quote(string(line)), 1700000000000+int64(i))
	}
	return append(b, `],"logGroupName":"/bench","logStreamName":"s0"}`...)
}

func quote(s string) []byte {
	b, _ := json.Marshal(s)
	return b
}

func pick[T any](r *rand.Rand, xs ...T) T { return xs[r.IntN(len(xs))] }

// genPutLogEventsBody writes a random PutLogEvents body, now and then with
// what the hand-tuned decoder must decline or Decode refuses.
func genPutLogEventsBody(r *rand.Rand) []byte {
	hostile := r.IntN(2) == 0
	odd := func(n int) bool { return hostile && r.IntN(n) == 0 }
	ws := func() string {
		if odd(10) {
			return pick(r, " ", "\n\t", "\r ")
		}
		return ""
	}
	str := func() string {
		var b strings.Builder
		b.WriteByte('"')
		for range r.IntN(12) {
			b.WriteString(pick(r, "a", "Zz", " ", `\"`, `\\`, `\/`, `\b`, `\f`, `\n`, `\r`, `\t`, `\u0041`, `\u00e9`, `\u20AC`,
				`\ud83d\ude00`, `\ud83d`, `\ude00`, "é", "😀", "{", ":"))
		}
		if odd(20) {
			b.WriteString(pick(r, `\x`, `\u12`, "\x01", "\xff", `\`))
		}
		b.WriteByte('"')
		return b.String()
	}
	num := func() string {
		if odd(10) {
			return pick(r, "-1", "-0", "1.5", "1e3", "01", "-", "99999999999999999999", `"1"`, "null", "true")
		}
		return fmt.Sprint(1700000000000 + r.Int64N(1e6))
	}
	type field struct{ key, val string }
	obj := func(fs []field) string {
		switch k := r.IntN(30); {
		case !hostile:
		case k == 0:
			fs = append(fs, field{"unknown", "1"})
		case k == 1 && len(fs) > 0:
			fs = append(fs, fs[r.IntN(len(fs))])
		case k == 2 && len(fs) > 0:
			fs = append(fs, field{fs[r.IntN(len(fs))].key, "null"})
		}
		r.Shuffle(len(fs), func(i, j int) { fs[i], fs[j] = fs[j], fs[i] })
		var b strings.Builder
		b.WriteString("{" + ws())
		for i, f := range fs {
			if i > 0 {
				b.WriteString("," + ws())
			}
			b.WriteString(`"` + f.key + `"` + ws() + ":" + ws() + f.val + ws())
		}
		b.WriteString("}")
		return b.String()
	}
	var fs []field
	if !odd(10) {
		fs = append(fs, field{"logGroupName", pick(r, `"/g"`, `"my-group_1.#"`, `""`, `"a:b"`)})
	}
	if !odd(10) {
		fs = append(fs, field{"logStreamName", pick(r, `"s"`, `"i-123/app"`, `""`, `"a:b"`, `"*"`)})
	}
	if r.IntN(4) == 0 {
		fs = append(fs, field{"sequenceToken", pick(r, `"49590"`, `""`)})
	}
	if odd(20) {
		fs = append(fs, field{"entity", `{"keyAttributes":{"Type":"Service"}}`})
	}
	if !odd(10) {
		var b strings.Builder
		b.WriteString("[" + ws())
		for i := range pick(r, 0, 1, 2, 5, 20) {
			if i > 0 {
				b.WriteString("," + ws())
			}
			if odd(30) {
				b.WriteString("null")
				continue
			}
			var efs []field
			if !odd(20) {
				efs = append(efs, field{"timestamp", num()})
			}
			if !odd(20) {
				efs = append(efs, field{"message", str()})
			}
			b.WriteString(obj(efs) + ws())
		}
		b.WriteString("]")
		fs = append(fs, field{"logEvents", b.String()})
	}
	body := []byte(ws() + obj(fs) + ws())
	if odd(30) && len(body) > 1 {
		body = body[:r.IntN(len(body))]
	}
	return body
}
