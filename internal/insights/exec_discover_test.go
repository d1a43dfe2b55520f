package insights

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/vigilhq/vigil/internal/insights/funcs"
	"github.com/vigilhq/vigil/internal/logstore"
)

// fieldsOf runs detector over msg collecting every field, and prints them
// as "name=value(kind)" in discovery order, then "body=<text>" when a
// Lambda body is to be searched; "-" when the message is not recognised.
func fieldsOf(msg string, detector func(string, *discovery) bool) string {
	var d discovery
	if !detector(msg, &d) {
		return "-"
	}
	var parts []string
	for _, f := range d.out {
		parts = append(parts, fmt.Sprintf("%s=%s(%s)", f.name, f.v.String(), f.v.Kind()))
	}
	if d.body != "" {
		parts = append(parts, "body="+d.body)
	}
	return strings.Join(parts, " ")
}

func lambdaIn(group string) func(string, *discovery) bool {
	return func(msg string, d *discovery) bool { return discoverLambda(msg, group, d) }
}

func TestDiscoverLambda(t *testing.T) {
	const id = "c793869b-ee49-115b-a5b6-4fd21e8dedac"
	for _, c := range []struct{ msg, group, want string }{
		{"START RequestId: " + id + " Version: $LATEST", "", "@type=START(string) @requestId=" + id + "(string)"},
		{"END RequestId: " + id, "", "@type=END(string) @requestId=" + id + "(string)"},
		// Cold start with X-Ray, as the Node.js logging page shows it.
		{"REPORT RequestId: " + id + "\tDuration: 128.83 ms\tBilled Duration: 200 ms\tMemory Size: 128 MB\tMax Memory Used: 74 MB\tInit Duration: 166.62 ms\tXRAY TraceId: 1-5d9d007f-0a8c7fd02xmpl480aed55ef0\tSegmentId: 3d752xmpl1bbe37e\tSampled: true", "",
			"@type=REPORT(string) @requestId=" + id + "(string) @duration=128.83(number) @billedDuration=200(number) @memorySize=128000000(number) @maxMemoryUsed=74000000(number) @initDuration=166.62(number) @xrayTraceId=1-5d9d007f-0a8c7fd02xmpl480aed55ef0(string) @xraySegmentId=3d752xmpl1bbe37e(string)"},
		// Trailing tab, X-Ray items after a newline, an item we do not know.
		{"REPORT RequestId: " + id + "\tDuration: 2.75 ms\tBilled Duration: 3 ms\tMemory Size: 1024 MB\tMax Memory Used: 56 MB\tRestore Duration: 9.1 ms\t\nXRAY TraceId: 1-abc\tSegmentId: def\tSampled: true\t", "",
			"@type=REPORT(string) @requestId=" + id + "(string) @duration=2.75(number) @billedDuration=3(number) @memorySize=1024000000(number) @maxMemoryUsed=56000000(number) @xrayTraceId=1-abc(string) @xraySegmentId=def(string)"},
		// A measure not in its unit, or not a number, is left out.
		{"REPORT RequestId: " + id + "\tDuration: 1 s\tBilled Duration: lots ms\tMemory Size: 128 MB", "",
			"@type=REPORT(string) @requestId=" + id + "(string) @memorySize=128000000(number)"},
		// A repeated item keeps its first value.
		{"REPORT RequestId: x\tDuration: 1 ms\tDuration: 2 ms", "", "@type=REPORT(string) @requestId=x(string) @duration=1(number)"},
		{"2019-06-07T19:11:20.562Z\t" + id + "\tINFO\tEVENT\n{\n  \"key\": \"value\"\n}", "",
			"@requestId=" + id + "(string) body=INFO\tEVENT\n{\n  \"key\": \"value\"\n}"},
		{"[ERROR]\t2020-01-14T19:25:40Z\t1c8df7d3-xmpl-46da-9778-518e6eca8125\tboom", "",
			"@requestId=1c8df7d3-xmpl-46da-9778-518e6eca8125(string) body=boom"},
		{"2023-04-01T10:00:03.010Z " + id + " Task timed out after 3.00 seconds", "",
			"@requestId=" + id + "(string) body=Task timed out after 3.00 seconds"},
		{"2019-06-07T19:11:20.562Z\t" + id, "", "@requestId=" + id + "(string)"},
		// Any other non-JSON event of a Lambda log group is searched whole.
		{`2019/06/07 19:16:40 retrying {"attempt":2}`, "/aws/lambda/f", `body=2019/06/07 19:16:40 retrying {"attempt":2}`},
		{`2019/06/07 19:16:40 retrying {"attempt":2}`, "/app", "-"},
		{`{"level":"INFO"}`, "/aws/lambda/f", "-"},
		{"STARTING RequestId: x", "/app", "-"},
		{"START RequestId: ", "/app", "-"},
		{"START RequestId: \t{}", "/aws/lambda/f", "body=START RequestId: \t{}"},
		{"no braces here", "/aws/lambda/f", "-"},
		{"INIT_START Runtime Version: nodejs:18.v5", "/app", "-"},
		{"2019-06-07 19:11:20.562Z\t" + id + "\tINFO\tx", "/app", "-"},
		{"2019-06-07T19:11:20.562\t" + id + "\tINFO\tx", "/app", "-"},
		{"2019-06-07T19:11:20.Z\t" + id + "\tINFO\tx", "/app", "-"},
		{"2019-06-07T19:11:20.562Z\tc793869b-ee49-115b-a5b6_4fd21e8dedac\tINFO\tx", "/app", "-"},
		{"[info]\t2020-01-14T19:25:40Z\t" + id + "\tx", "/app", "-"},
		{"[INFO] 2020-01-14T19:25:40Z\t" + id + "\tx", "/app", "-"},
		{"", "/aws/lambda/f", "-"},
	} {
		if got := fieldsOf(c.msg, lambdaIn(c.group)); got != c.want {
			t.Errorf("%q in %q:\n got %s\nwant %s", c.msg, c.group, got, c.want)
		}
	}
}

func TestDiscoverVPCFlow(t *testing.T) {
	for _, c := range []struct{ msg, want string }{
		{"2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK",
			"version=2(number) accountId=123456789010(string) interfaceId=eni-1235b8ca123456789(string) srcAddr=172.31.16.139(string) dstAddr=172.31.16.21(string) srcPort=20641(number) dstPort=22(number) protocol=6(number) packets=20(number) bytes=4249(number) startTime=1418530010(number) endTime=1418530070(number) action=ACCEPT(string) logStatus=OK(string)"},
		{"2 123456789010 eni-1235b8ca123456789 - - - - - - - 1431280876 1431280934 - NODATA",
			"version=2(number) accountId=123456789010(string) interfaceId=eni-1235b8ca123456789(string) startTime=1431280876(number) endTime=1431280934(number) logStatus=NODATA(string)"},
		{"2 unknown eni-11111111aaaaaaaaa - - - - - - - 1431280876 1431280934 - SKIPDATA",
			"version=2(number) accountId=unknown(string) interfaceId=eni-11111111aaaaaaaaa(string) startTime=1431280876(number) endTime=1431280934(number) logStatus=SKIPDATA(string)"},
		// An account ID keeps its leading zero.
		{"2 012345678901 eni-1 10.0.0.1 10.0.0.2 0 0 1 4 336 1 2 REJECT OK",
			"version=2(number) accountId=012345678901(string) interfaceId=eni-1(string) srcAddr=10.0.0.1(string) dstAddr=10.0.0.2(string) srcPort=0(number) dstPort=0(number) protocol=1(number) packets=4(number) bytes=336(number) startTime=1(number) endTime=2(number) action=REJECT(string) logStatus=OK(string)"},
		{"3 123456789010 eni-1 10.0.0.1 10.0.0.2 1 2 6 20 4249 1 2 ACCEPT OK", "-"},       // not version 2
		{"2 123456789010 eni-1 10.0.0.1 10.0.0.2 1 2 6 20 4249 1 2 ACCEPT OK extra", "-"}, // 15 fields
		{"2 123456789010 eni-1 10.0.0.1 10.0.0.2 1 2 6 20 4249 1 2 ACCEPT", "-"},          // 13 fields
		{"2 123456789010 eni-1 10.0.0.1 10.0.0.2  2 6 20 4249 1 2 ACCEPT OK", "-"},        // empty field
		{"2 123456789010 vpc-1 10.0.0.1 10.0.0.2 1 2 6 20 4249 1 2 ACCEPT OK", "-"},       // not an interface
		{"2 123456789010 eni-1 10.0.0.1 10.0.0.2 1 2 tcp 20 4249 1 2 ACCEPT OK", "-"},     // protocol by name
		{"2 123456789010 eni-1 10.0.0.1 10.0.0.2 1 2 6 20 4249 1 2 ALLOW OK", "-"},        // unknown action
		{"2 123456789010 eni-1 10.0.0.1 10.0.0.2 1 2 6 20 4249 1 2 ACCEPT FINE", "-"},     // unknown status
		{"2 123456789010 eni-1 10.0.0.1 10.0.0.2 1 2 6 20 4249 1 2 ACCEPT OK\n", "-"},     // trailing newline
		{"2 123456789010 eni-1\t10.0.0.1 10.0.0.2 1 2 6 20 4249 1 2 3 ACCEPT OK", "-"},    // tab inside
		{"2 apples and 12 oranges", "-"},
	} {
		if got := fieldsOf(c.msg, discoverVPCFlow); got != c.want {
			t.Errorf("%q:\n got %s\nwant %s", c.msg, got, c.want)
		}
	}
}

func TestDiscoverRoute53(t *testing.T) {
	for _, c := range []struct{ msg, want string }{
		{"1.0 2017-12-13T08:16:02.130Z Z123412341234 example.com A NOERROR UDP FRA6 192.168.1.1 -",
			"version=1.0(string) queryTimestamp=2017-12-13T08:16:02.130Z(string) hostZoneId=Z123412341234(string) queryName=example.com(string) queryType=A(string) responseCode=NOERROR(string) protocol=UDP(string) edgeLocation=FRA6(string) resolverIp=192.168.1.1(string)"},
		{"1.0 2017-12-13T08:16:03.983Z Z123412341234 example.com ANY NOERROR UDP FRA6 2001:db8::1234 2001:db8:abcd::/48",
			"version=1.0(string) queryTimestamp=2017-12-13T08:16:03.983Z(string) hostZoneId=Z123412341234(string) queryName=example.com(string) queryType=ANY(string) responseCode=NOERROR(string) protocol=UDP(string) edgeLocation=FRA6(string) resolverIp=2001:db8::1234(string) ednsClientSubnet=2001:db8:abcd::/48(string)"},
		{"1.0 2017-12-13T08:16:02.130Z Z123412341234 example.com A NOERROR UDP FRA6 192.168.1.1", "-"},
		{"1.0 2017-12-13T08:16:02.130Z Z123412341234 example.com A NOERROR UDP FRA6 192.168.1.1 - x", "-"},
		{"1 2017-12-13T08:16:02.130Z Z123412341234 example.com A NOERROR UDP FRA6 192.168.1.1 -", "-"},
		{"1.x 2017-12-13T08:16:02.130Z Z123412341234 example.com A NOERROR UDP FRA6 192.168.1.1 -", "-"},
		{"1.0 2017-12-13 Z123412341234 example.com A NOERROR UDP FRA6 192.168.1.1 -", "-"},
		{"1.0 2017-12-13T08:16:02.130Z H123412341234 example.com A NOERROR UDP FRA6 192.168.1.1 -", "-"},
		{"1.0 is not a query log line", "-"},
	} {
		if got := fieldsOf(c.msg, discoverRoute53); got != c.want {
			t.Errorf("%q:\n got %s\nwant %s", c.msg, got, c.want)
		}
	}
}

func TestJSONFragment(t *testing.T) {
	for _, c := range []struct{ s, want string }{
		{`EVENT {"key":"value"} tail`, `{"key":"value"}`},
		{"EVENT\n{\n  \"key\": \"value\"\n}", "{\n  \"key\": \"value\"\n}"},
		{`{not json} {"a":1} {"b":2}`, `{"a":1}`},
		{`{"s":"}{"} x`, `{"s":"}{"}`},
		{`{"s":"\"}"}`, `{"s":"\"}"}`},
		{`{"a":[1,{"b":2}]}`, `{"a":[1,{"b":2}]}`},
		{`{"a":{"b":1}`, ``},               // never closed: the search stops
		{`{x {"a":1}} {"b":2}`, `{"b":2}`}, // an object inside a non-JSON group is not tried
		{`{"a":1,"a":2}`, `{"a":1,"a":2}`}, // repeated keys are still JSON
		{`{]`, ``},
		{`no braces`, ``},
		{`[1,2] {"a":1}`, `{"a":1}`},
	} {
		if got, _ := jsonFragment(c.s, nil); got != c.want {
			t.Errorf("jsonFragment(%q) = %q, want %q", c.s, got, c.want)
		}
	}
}

// TestDiscoverTextWanted: discoverText returns only the wanted fields, the
// embedded JSON ones as discoverJSON flattens them, and nothing for a JSON
// event (which discoverJSON owns) even in a Lambda log group.
func TestDiscoverTextWanted(t *testing.T) {
	const id = "c793869b-ee49-115b-a5b6-4fd21e8dedac"
	msg := "2019-06-07T19:11:20.563Z\t" + id + "\tINFO\tEVENT {\"order\":{\"id\":42,\"items\":[\"a\",\"b\"]},\"ok\":true,\"n\":null} {\"later\":1}"
	env := envFor("@requestId", "order.items.1", "ok", "n", "later", "@type")
	got := discoverText(msg, "/app", env)
	want := []namedVal{{"@requestId", funcs.Str(id)}, {"order.items.1", funcs.Str("b")}, {"ok", funcs.Str("true")}}
	if !sameFields(got, want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	if got := discoverText(`{"order":{"id":1}}`, "/aws/lambda/f", envFor("order.id")); got != nil {
		t.Fatalf("JSON event: %v", got)
	}
	if got := discoverText("plain text", "/app", envFor("x")); got != nil {
		t.Fatalf("plain text: %v", got)
	}
}

// TestLogGroupFieldsDiscovered: GetLogGroupFields counts discovered fields
// of non-JSON events like JSON ones: per event, in whole percent.
func TestLogGroupFieldsDiscovered(t *testing.T) {
	s := openStore(t)
	ctx := context.Background()
	const id = "c793869b-ee49-115b-a5b6-4fd21e8dedac"
	put := func(group string, msgs ...string) {
		var evs []logstore.Event
		for i, m := range msgs {
			evs = append(evs, logstore.Event{Timestamp: int64(1000 + i), IngestionTime: int64(1000 + i), Message: []byte(m)})
		}
		if err := s.Append(ctx, testPart, group, "s", evs); err != nil {
			t.Fatal(err)
		}
	}
	put("/aws/lambda/f",
		"START RequestId: "+id+" Version: $LATEST",
		"2019-06-07T19:11:20.563Z\t"+id+"\tINFO\tEVENT {\"order\":{\"id\":42,\"tags\":[\"x\"]}}",
		"REPORT RequestId: "+id+"\tDuration: 2.75 ms\tBilled Duration: 3 ms\tMemory Size: 128 MB\tMax Memory Used: 56 MB\t",
		"REPORT RequestId: "+id+"\tDuration: 128.83 ms\tBilled Duration: 200 ms\tMemory Size: 128 MB\tMax Memory Used: 74 MB\tInit Duration: 166.62 ms\tXRAY TraceId: 1-5d9d007f-0a8c7fd02xmpl480aed55ef0\tSegmentId: 3d752xmpl1bbe37e\tSampled: true",
	)
	put("flows",
		"2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK",
		"2 123456789010 eni-1235b8ca123456789 - - - - - - - 1431280876 1431280934 - NODATA",
		`{"level":"INFO"}`,
		"plain text",
	)
	put("/aws/route53/example.com",
		"1.0 2017-12-13T08:16:02.130Z Z123412341234 example.com A NOERROR UDP FRA6 192.168.1.1 -",
		"1.0 2017-12-13T08:15:50.235Z Z123412341234 example.com AAAA NOERROR TCP IAD12 192.168.3.1 192.168.222.0/24",
	)
	e := NewEngine(s, nil)
	const system = "@ingestionTime=100 @log=100 @logStream=100 @message=100 @timestamp=100 "
	for _, c := range []struct{ group, want string }{
		{"/aws/lambda/f", system + "@billedDuration=50 @duration=50 @initDuration=25 @maxMemoryUsed=50 @memorySize=50 @requestId=100 @type=75 @xraySegmentId=25 @xrayTraceId=25 order.id=25 order.tags.0=25"},
		{"flows", system + "accountId=50 action=25 bytes=25 dstAddr=25 dstPort=25 endTime=50 interfaceId=50 level=25 logStatus=50 packets=25 protocol=25 srcAddr=25 srcPort=25 startTime=50 version=50"},
		{"/aws/route53/example.com", system + "edgeLocation=100 ednsClientSubnet=50 hostZoneId=100 protocol=100 queryName=100 queryTimestamp=100 queryType=100 resolverIp=100 responseCode=100 version=100"},
	} {
		shares, err := e.LogGroupFields(ctx, testPart, c.group, 0, 10_000)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, f := range shares {
			got = append(got, fmt.Sprintf("%s=%d", f.Name, f.Percent))
		}
		want := strings.Fields(c.want)
		slices.Sort(want)
		if g, w := strings.Join(got, " "), strings.Join(want, " "); g != w {
			t.Errorf("%s:\n got %s\nwant %s", c.group, g, w)
		}
	}
}

// goldenMessages returns the messages the append commands of a golden file
// store, to seed the fuzz targets with.
func goldenMessages(t testing.TB, name string) []string {
	data, err := os.ReadFile("testdata/exec/" + name)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	appending := false
	for _, line := range strings.Split(string(data), "\n") {
		switch {
		case strings.HasPrefix(line, "append "):
			appending = true
		case line == "----":
			appending = false
		case appending:
			if _, msg, ok := strings.Cut(line, " "); ok {
				out = append(out, msg)
			}
		}
	}
	if len(out) == 0 {
		t.Fatalf("%s: no messages", name)
	}
	return out
}

// checkDiscovered holds for every detector: the fields are documented
// ones, each at most once; text values are taken from the message; and
// asking for one field alone (as a query does) gives the same value.
func checkDiscovered(t *testing.T, msg string, names []string, detector func(string, *discovery) bool) discovery {
	t.Helper()
	var all discovery
	if !detector(msg, &all) {
		if len(all.out) != 0 || all.body != "" {
			t.Fatalf("%q: not recognised, yet %v %q", msg, all.out, all.body)
		}
		return all
	}
	seen := map[string]bool{}
	for _, f := range all.out {
		if !slices.Contains(names, f.name) || seen[f.name] {
			t.Fatalf("%q: field %s unexpected or repeated in %v", msg, f.name, all.out)
		}
		seen[f.name] = true
		if f.v.Kind() == funcs.KindString && !strings.Contains(msg, f.v.Text()) {
			t.Fatalf("%q: %s=%q is not from the message", msg, f.name, f.v.Text())
		}
		one := discovery{env: envFor(f.name)}
		detector(msg, &one)
		if len(one.out) != 1 || one.out[0] != f {
			t.Fatalf("%q: wanting %s alone gives %v, not %v", msg, f.name, one.out, f)
		}
	}
	return all
}

var lambdaNames = []string{"@type", "@requestId", "@duration", "@billedDuration", "@memorySize", "@maxMemoryUsed", "@initDuration", "@xrayTraceId", "@xraySegmentId"}

// FuzzDiscoverLambda: any message, in a Lambda log group or not, gives
// documented fields; the embedded JSON object found is part of the body, a
// JSON object, and gives the fields discoverJSON gives it.
func FuzzDiscoverLambda(f *testing.F) {
	for _, m := range goldenMessages(f, "discover_lambda") {
		f.Add(m, true)
		f.Add(m, false)
	}
	f.Fuzz(func(t *testing.T, msg string, lambdaGroup bool) {
		group := "/app"
		if lambdaGroup {
			group = "/aws/lambda/f"
		}
		d := checkDiscovered(t, msg, lambdaNames, lambdaIn(group))
		if d.body == "" {
			return
		}
		if !strings.Contains(msg, d.body) {
			t.Fatalf("%q: body %q is not from the message", msg, d.body)
		}
		frag, _ := jsonFragment(d.body, nil)
		if frag == "" {
			return
		}
		v, ok := funcs.ParseJSON(frag)
		if !strings.Contains(d.body, frag) || !ok || v.Kind() != funcs.KindMap {
			t.Fatalf("%q: fragment %q", msg, frag)
		}
		var leaves []string
		seen := 0
		leafNames(v, nil, &seen, func(n string) { leaves = append(leaves, n) })
		env := envFor(leaves...)
		_, got := jsonFragment(d.body, env)
		if want := discoverJSON(frag, env); !sameFields(got, want) {
			t.Fatalf("%q: fragment fields %v, discoverJSON %v", msg, got, want)
		}
	})
}

// FuzzDiscoverVPCFlow: a recognised record has 14 space-separated fields,
// and every text field is the token at its place.
func FuzzDiscoverVPCFlow(f *testing.F) {
	for _, m := range goldenMessages(f, "discover_vpc_flow") {
		f.Add(m)
	}
	var names []string
	for _, spec := range vpcFlowFields {
		names = append(names, spec.name)
	}
	f.Fuzz(func(t *testing.T, msg string) {
		d := checkDiscovered(t, msg, names, discoverVPCFlow)
		if len(d.out) == 0 {
			return
		}
		tokens := strings.Split(msg, " ")
		if len(tokens) != len(vpcFlowFields) {
			t.Fatalf("%q: recognised with %d fields", msg, len(tokens))
		}
		for _, fv := range d.out {
			i := slices.Index(names, fv.name)
			if fv.v.Kind() == funcs.KindString && tokens[i] != fv.v.Text() {
				t.Fatalf("%q: %s=%q, token %q", msg, fv.name, fv.v.Text(), tokens[i])
			}
		}
	})
}

// FuzzDiscoverRoute53: a recognised line is exactly its fields, '-' for
// the missing ones, joined by spaces.
func FuzzDiscoverRoute53(f *testing.F) {
	for _, m := range goldenMessages(f, "discover_route53") {
		f.Add(m)
	}
	f.Fuzz(func(t *testing.T, msg string) {
		d := checkDiscovered(t, msg, route53Fields[:], discoverRoute53)
		if len(d.out) == 0 {
			return
		}
		vals := map[string]string{}
		for _, fv := range d.out {
			vals[fv.name] = fv.v.Text()
		}
		var parts []string
		for _, n := range route53Fields {
			v, ok := vals[n]
			if !ok {
				v = "-"
			}
			parts = append(parts, v)
		}
		if back := strings.Join(parts, " "); back != msg {
			t.Fatalf("%q: fields rebuild %q", msg, back)
		}
	})
}
