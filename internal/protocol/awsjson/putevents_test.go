package awsjson

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"unsafe"

	eventsapi "github.com/vigilhq/vigil/internal/api/events"
	"github.com/vigilhq/vigil/internal/protocol"
)

// DecodePutEvents must decode whatever it accepts exactly as Decode does;
// these tests compare the two. (Validation is the caller's; the server's
// tests check the whole hot path.)

func decodePutEventsGeneric(body []byte) (*eventsapi.PutEventsRequest, error) {
	in := new(eventsapi.PutEventsRequest)
	err := New("1.1").Decode(&protocol.Request{Service: eventsapi.Model, Op: eventsapi.Model.Operation("PutEvents"), Body: body}, in)
	return in, err
}

// checkPutEvents compares the decoders on body and reports whether the
// hand-tuned one accepted it.
func checkPutEvents(t testing.TB, body []byte) bool {
	t.Helper()
	return checkHotDecoder(t, "DecodePutEvents", DecodePutEvents, decodePutEventsGeneric, body)
}

func TestDecodePutEvents(t *testing.T) {
	for _, tc := range []struct {
		name, body string
		ok         bool
	}{
		{"sdk", `{"Entries":[{"Detail":"{\"order\":1}","DetailType":"OrderPlaced","EventBusName":"default","Resources":["arn:aws:s3:::b"],"Source":"app.orders"},{"Detail":"{}","DetailType":"OrderPlaced","Source":"app.orders"}]}`, true},
		{"every member", `{"EndpointId":"abc.def","Entries":[{"Time":1700000000,"Source":"s","Resources":["r1","r2"],"DetailType":"t","Detail":"{}","EventBusName":"arn:aws:events:us-east-1:123456789012:event-bus/b","TraceHeader":"Root=1"}]}`, true},
		{"whitespace", " \t\r\n{ \"Entries\" : [ { \"Source\" : \"s\" , \"Time\" : 1.5 } , {\"Detail\":\"d\"} ] } \n", true},
		{"escapes", `{"Entries":[{"Detail":"\"\\\/\b\f\n\r\t\u0000\u00e9\uD83D\uDE00\ud83dx","Source":"a\u0041"}]}`, true},
		{"repeated values share", `{"Entries":[{"Source":"s","DetailType":"t\"","Detail":"d"},{"Source":"s","DetailType":"t\"","Detail":"d"},{"Source":"x","DetailType":"t\""}]}`, true},
		{"invalid UTF-8 passes through", "{\"Entries\":[{\"Detail\":\"\xff\xfe\"}]}", true},
		{"empty strings and lists", `{"EndpointId":"","Entries":[{"Source":"","Resources":[],"Detail":""}]}`, true},
		{"empty entries", `{"Entries":[]}`, true},
		{"empty entry", `{"Entries":[{},{"Source":"s"}]}`, true},
		{"empty object", `{}`, true},
		{"eleven entries", `{"Entries":[{},{},{},{},{},{},{},{},{},{},{"Source":"s"}]}`, true},
		{"times", `{"Entries":[{"Time":0},{"Time":-1.25},{"Time":1700000000.123},{"Time":1.7e9},{"Time":17E+8}]}`, true},

		{"string time", `{"Entries":[{"Time":"2026-01-02T03:04:05Z"}]}`, false},
		{"time out of range", `{"Entries":[{"Time":1e300}]}`, false},
		{"leading zero", `{"Entries":[{"Time":01}]}`, false},
		{"bad fraction", `{"Entries":[{"Time":1.}]}`, false},
		{"bad exponent", `{"Entries":[{"Time":1e}]}`, false},
		{"null member", `{"Entries":[{"Source":null}]}`, false},
		{"null entry", `{"Entries":[null]}`, false},
		{"null resource", `{"Entries":[{"Resources":[null]}]}`, false},
		{"null entries", `{"Entries":null}`, false},
		{"unknown member", `{"Entries":[{"Source":"s","Other":1}]}`, false},
		{"unknown top-level member", `{"Entries":[],"Other":1}`, false},
		{"repeated member", `{"Entries":[{"Source":"s","Source":"t"}]}`, false},
		{"repeated top-level member", `{"Entries":[],"Entries":[]}`, false},
		{"escaped key", `{"Entries":[{"Sourc\u0065":"s"}]}`, false},
		{"number as string", `{"Entries":[{"Source":1}]}`, false},
		{"object as entries", `{"Entries":{}}`, false},
		{"control character", "{\"Entries\":[{\"Source\":\"a\x01\"}]}", false},
		{"bad escape", `{"Entries":[{"Source":"\x"}]}`, false},
		{"unterminated", `{"Entries":[{"Source":"s"`, false},
		{"trailing comma", `{"Entries":[{"Source":"s"},]}`, false},
		{"trailing data", `{"Entries":[]} x`, false},
		{"empty body", ``, false},
		{"null body", `null`, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := checkPutEvents(t, []byte(tc.body)); got != tc.ok {
				t.Fatalf("accepted = %v, want %v", got, tc.ok)
			}
		})
	}
}

// The strings are the decoder's own: changing the body afterwards changes
// nothing, and equal members of consecutive entries share one string.
func TestDecodePutEventsOwnsStrings(t *testing.T) {
	body := []byte(putEventsBody())
	want, err := decodePutEventsGeneric(body)
	if err != nil {
		t.Fatal(err)
	}
	in := new(eventsapi.PutEventsRequest)
	if !DecodePutEvents(body, in) {
		t.Fatal("declined")
	}
	clear(body)
	if !reflect.DeepEqual(in, want) {
		t.Fatal("strings changed with the body")
	}
	if unsafe.StringData(*in.Entries[0].Source) != unsafe.StringData(*in.Entries[9].Source) {
		t.Fatal("repeated Source not shared")
	}
}

func TestDecodePutEventsAllocations(t *testing.T) {
	body := []byte(putEventsBody())
	n := testing.AllocsPerRun(10, func() {
		if !DecodePutEvents(body, new(eventsapi.PutEventsRequest)) {
			t.Fatal("declined")
		}
	})
	// The input, the entries, the slab, the strings' buffer (and a second
	// one if the first falls short), and per entry its Resources slice;
	// Source, DetailType and EventBusName repeat.
	if n > 4+1+10 {
		t.Fatalf("%v allocations per call", n)
	}
}

// The keys the decoder knows are the model's.
func TestDecodePutEventsKeys(t *testing.T) {
	in := eventsapi.Model.Operation("PutEvents").Input
	if got := wireNames(in); got != "Entries,EndpointId" {
		t.Fatalf("PutEventsRequest's keys are %s", got)
	}
	if got := wireNames(in.Lookup("Entries").Shape.Member.Shape); got != "Time,Source,Resources,DetailType,Detail,EventBusName,TraceHeader" {
		t.Fatalf("PutEventsRequestEntry's keys are %s", got)
	}
}

func TestDecodePutEventsGenerated(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	accepted := 0
	for range 3000 {
		if checkPutEvents(t, genPutEventsBody(r)) {
			accepted++
		}
	}
	if accepted < 1000 {
		t.Fatalf("accepted only %d of 3000 bodies", accepted)
	}
}

func FuzzDecodePutEvents(f *testing.F) {
	r := rand.New(rand.NewPCG(11, 12))
	for range 32 {
		f.Add(genPutEventsBody(r))
	}
	f.Add([]byte(putEventsBody()))
	f.Fuzz(func(t *testing.T, body []byte) { checkPutEvents(t, body) })
}

// genPutEventsBody writes a random PutEvents body, now and then with what
// the hand-tuned decoder must decline or Decode refuses.
func genPutEventsBody(r *rand.Rand) []byte {
	hostile := r.IntN(2) == 0
	odd := func(n int) bool { return hostile && r.IntN(n) == 0 }
	ws := func() string {
		if odd(10) {
			return pick(r, " ", "\n\t", "\r ")
		}
		return ""
	}
	str := func() string {
		if odd(30) {
			return pick(r, "null", "1", "[]", "{}")
		}
		var b strings.Builder
		b.WriteByte('"')
		for range r.IntN(12) {
			b.WriteString(pick(r, "a", "Zz", " ", `\"`, `\\`, `\/`, `\n`, `\t`, `\u0041`, `\u00e9`, `\ud83d\ude00`, `\ud83d`, "é", "{", ":"))
		}
		if odd(20) {
			b.WriteString(pick(r, `\x`, `\u12`, "\x01", "\xff", `\`))
		}
		b.WriteByte('"')
		return b.String()
	}
	// Few distinct values, so that consecutive entries repeat some.
	short := func() string {
		if r.IntN(4) == 0 {
			return str()
		}
		return pick(r, `"app.orders"`, `"OrderPlaced"`, `"default"`, `"a\"b"`)
	}
	num := func() string {
		if odd(8) {
			return pick(r, "01", "-", "1.", "1e", "1e400", `"2026-01-02T03:04:05Z"`, "null", "true", "99999999999999999999")
		}
		return pick(r, "1700000000", "1700000000.5", "-3", "0", "1.7e9", "2E+3")
	}
	type field struct{ key, val string }
	obj := func(fs []field) string {
		switch k := r.IntN(30); {
		case !hostile:
		case k == 0:
			fs = append(fs, field{"Other", "1"})
		case k == 1 && len(fs) > 0:
			fs = append(fs, fs[0])
		case k == 2 && len(fs) > 0:
			fs[0].key = `Sourc\u0065`
		}
		r.Shuffle(len(fs), func(i, j int) { fs[i], fs[j] = fs[j], fs[i] })
		var b strings.Builder
		b.WriteString("{" + ws())
		for i, f := range fs {
			if i > 0 {
				b.WriteString("," + ws())
			}
			fmt.Fprintf(&b, `"%s"%s:%s%s%s`, f.key, ws(), ws(), f.val, ws())
		}
		b.WriteString("}")
		return b.String()
	}
	list := func(n int, elem func() string) string {
		if odd(40) {
			return "null"
		}
		parts := make([]string, n)
		for i := range parts {
			parts[i] = elem()
		}
		return "[" + ws() + strings.Join(parts, ","+ws()) + ws() + "]"
	}
	entry := func() string {
		if odd(40) {
			return "null"
		}
		var fs []field
		for _, m := range []struct {
			key string
			val func() string
		}{
			{"Time", num}, {"Source", short}, {"DetailType", short}, {"Detail", str}, {"EventBusName", short}, {"TraceHeader", str},
			{"Resources", func() string { return list(r.IntN(3), str) }},
		} {
			if r.IntN(3) > 0 {
				fs = append(fs, field{m.key, m.val()})
			}
		}
		return obj(fs)
	}
	var fs []field
	if r.IntN(8) > 0 {
		fs = append(fs, field{"Entries", list(r.IntN(12), entry)})
	}
	if r.IntN(4) == 0 {
		fs = append(fs, field{"EndpointId", str()})
	}
	body := ws() + obj(fs) + ws()
	if odd(30) {
		body = body[:r.IntN(len(body)+1)]
	}
	return []byte(body)
}
