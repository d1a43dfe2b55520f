package funcs

import (
	"encoding/json"
	"math"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// FuzzRegexLike: compiling any pattern and matching any text never panics,
// and the literal fast path agrees with the regexp engine.
func FuzzRegexLike(f *testing.F) {
	for _, s := range [][2]string{
		{"Exception", "java.lang.Exception: x"}, {"(?i)exception", "EXCEPTION"}, {`2\d\d`, "204"},
		{"^(?i)Exception$", "exception"}, {"", ""}, {"a(", "a("}, {"[", "x"}, {`\Q.*\E`, ".*"},
		{"é", "café"}, {"a{2}", "aa"}, {"\xff", "\xff"}, {"(?s).", "\n"},
	} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, pattern, text string) {
		if got, want := Like(Str(text), pattern), strings.Contains(text, pattern); Truthy(got) != want {
			t.Fatalf("Like(%q, %q) = %v", text, pattern, got)
		}
		r, err := CompileRegex(pattern)
		if err != nil {
			return
		}
		want := regexp.MustCompile(pattern).MatchString(text)
		if got := r.MatchString(text); got != want {
			t.Fatalf("CompileRegex(%q).MatchString(%q) = %v, regexp says %v", pattern, text, got, want)
		}
		if got := r.Match(Str(text)); Truthy(got) != want {
			t.Fatalf("Match = %v", got)
		}
		if !r.Match(Null).IsNull() {
			t.Fatal("Match(null) not null")
		}
	})
}

// FuzzParsePeriod: any text parses or errors; a parsed period rounds
// consistently and prints as something that parses back to itself.
func FuzzParsePeriod(f *testing.F) {
	for _, s := range []string{"5m", "1h", "300s", "0m", "1.5h", "2weeks", "1mos", "10y", "99999999999999999999m", "", "m", "5", "1Q"} {
		f.Add(s, int64(1704164645678))
	}
	f.Fuzz(func(t *testing.T, s string, ms int64) {
		p, err := ParsePeriod(s)
		if err != nil {
			return
		}
		if p.N <= 0 || p.N > maxPeriodCount {
			t.Fatalf("%q: count %d", s, p.N)
		}
		if back, err := ParsePeriod(p.String()); err != nil || back != p {
			t.Fatalf("%q → %v → %v, %v", s, p, back, err)
		}
		ms %= maxMillis
		lo, hi := p.Floor(ms), p.Ceil(ms)
		if lo > ms || hi < ms || (lo == ms) != (hi == ms) {
			t.Fatalf("%v of %d: floor %d ceil %d", p, ms, lo, hi)
		}
		if p.Floor(lo) != lo || p.Ceil(lo) != lo || p.Floor(hi) != hi {
			t.Fatalf("%v: boundaries %d %d are not fixed points", p, lo, hi)
		}
		if d, ok := p.Millis(); ok && hi != lo && hi-lo != d {
			t.Fatalf("%v of %d: bucket %d..%d is not %d long", p, ms, lo, hi, d)
		}
	})
}

// FuzzSubnet: the IP functions accept any text; a parsed subnet contains
// its own base address.
func FuzzSubnet(f *testing.F) {
	for _, s := range [][2]string{
		{"192.0.2.77", "192.0.2.0/24"}, {"2001:db8::1", "2001:db8::/32"}, {"::ffff:192.0.2.1", "192.0.2.0/24"},
		{"10.0.0.1", "10.0.0.0/33"}, {"x", "y"}, {"fe80::1%eth0", "fe80::/10"}, {"1.2.3.4", "1.2.3.4"},
	} {
		f.Add(s[0], s[1])
	}
	names := []string{"isIpInSubnet", "isIpv4InSubnet", "isIpv6InSubnet"}
	f.Fuzz(func(t *testing.T, ip, subnet string) {
		for _, name := range names {
			fn, _ := Lookup(name)
			_ = fn.Check([]Value{Str(ip), Str(subnet)})
			if r := fn.Call(nil, []Value{Str(ip), Str(subnet)}); r.Kind() != KindBool {
				t.Fatalf("%s(%q, %q) = %v", name, ip, subnet, r)
			}
		}
		for _, name := range []string{"isValidIp", "isValidIpV4", "isValidIpV6", "isPrivateIP", "isPublicIP", "isReservedIP", "ipv4ToNumber"} {
			fn, _ := Lookup(name)
			fn.Call(nil, []Value{Str(ip)})
		}
		p, err := ParseSubnet(subnet, 0)
		if err != nil {
			return
		}
		in, _ := Lookup("isIpInSubnet")
		if r := in.Call(nil, []Value{Str(p.Addr().String()), Str(subnet)}); !Truthy(r) {
			t.Fatalf("%s not in %q", p.Addr(), subnet)
		}
	})
}

// FuzzJSON: jsonParse accepts only valid JSON, and what jsonStringify
// writes parses back to the same text.
func FuzzJSON(f *testing.F) {
	for _, s := range []string{
		`{"a":1,"b":[true,false,null,"x"]}`, `[1e999,-0,0.1]`, `{"k":1,"k":2}`, `"\ud83d\ude00\ud800"`,
		`[`, `{"a":}`, "\"\xff\"", `[[[[[[[[[[]]]]]]]]]]`, ` 12 `, `{"a":"\u0000"}`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, ok := ParseJSON(s)
		if !ok {
			return
		}
		if !json.Valid([]byte(s)) {
			t.Fatalf("ParseJSON accepted invalid %q", s)
		}
		out := appendJSON(nil, v)
		if !utf8.Valid(out) || !json.Valid(out) {
			t.Fatalf("%q wrote invalid %q", s, out)
		}
		v2, ok := ParseJSON(string(out))
		if !ok {
			t.Fatalf("%q wrote %q, which does not parse", s, out)
		}
		if out2 := appendJSON(nil, v2); string(out2) != string(out) {
			t.Fatalf("%q: %q then %q", s, out, out2)
		}
		fn, _ := Lookup("jsonArrayContains")
		fn.Call(nil, []Value{Str(s), Str("x")})
	})
}

// FuzzParseNumber: what ParseNumber accepts, strconv reads the same way.
func FuzzParseNumber(f *testing.F) {
	for _, s := range []string{"1", " -2.5e3 ", ".5", "5.", "1e", "0x10", "Inf", "NaN", "1_000", "+7", "", "-", "1e400", "1e-400"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, ok := ParseNumber(s)
		if !ok {
			return
		}
		want, err := strconv.ParseFloat(strings.Trim(s, " \t"), 64)
		if err != nil || want != got || math.IsInf(got, 0) || math.IsNaN(got) {
			t.Fatalf("ParseNumber(%q) = %v, strconv: %v, %v", s, got, want, err)
		}
		if v := Num(got); v.String() != "0" {
			if back, ok := ParseNumber(v.String()); !ok || back != got {
				t.Fatalf("%v prints %q, which reads back as %v", got, v.String(), back)
			}
		}
	})
}

// FuzzDates: any parseDate pattern, text and zone, and any formatDate
// format, are handled without panicking; formatting then parsing a
// timestamp gives it back.
func FuzzDates(f *testing.F) {
	f.Add("2024-03-15", "yyyy-MM-dd", "UTC", "%F %T", int64(1710497472345))
	f.Add("15/Mar/2024:10:11:12 +0100", "dd/MMM/yyyy:HH:mm:ss Z", "+05:30", "%c %z", int64(-1))
	f.Add("x", "'", "Europe/Paris", "%", int64(0))
	f.Add("2024", "yyyyMMdd", "GMT-8", "%Q%%", int64(maxMillis))
	f.Fuzz(func(t *testing.T, text, pattern, zone, format string, ms int64) {
		parse, _ := Lookup("parseDate")
		parse.Call(nil, []Value{Str(text), Str(pattern), Str(zone)})
		_ = parse.Check([]Value{Null, Str(pattern), Str(zone)})
		format1, _ := Lookup("formatDate")
		format1.Call(nil, []Value{Timestamp(ms % maxMillis), Str(format), Str(zone)})

		// Round trip, for years from about 1000 to 9000.
		const year = 365 * 86_400_000
		r := ms % (8000 * year)
		if r < 0 {
			r += 8000 * year
		}
		ms = r - 970*year
		loc, err := loadZone(zone)
		if err != nil {
			loc = time.UTC
		}
		tm := time.UnixMilli(ms).In(loc)
		if _, off := tm.Zone(); off%60 != 0 {
			return // local mean time: %z cannot show the seconds
		}
		s := string(strftime(nil, tm, "%Y-%m-%dT%H:%M:%S.%L%z"))
		pat, err := compileDatePattern("yyyy-MM-dd'T'HH:mm:ss.SSSZ")
		if err != nil {
			t.Fatal(err)
		}
		if back, ok := pat.parse(s, time.UTC); !ok || back != ms {
			t.Fatalf("%d formats as %q, parses as %d %v", ms, s, back, ok)
		}
	})
}

// FuzzStringFuncs: the string functions take any text and numbers.
func FuzzStringFuncs(f *testing.F) {
	f.Add("xyZfooxyZ", "xyZ", 3.0, 3.0)
	f.Add("日本語😀", "", -1.0, 1e300)
	f.Add("\xff\xfe", "\xff", 0.5, -0.5)
	f.Fuzz(func(t *testing.T, a, b string, x, y float64) {
		args := [][]Value{
			{Str(a)}, {Str(a), Str(b)}, {Str(a), Str(b), Str(b)}, {Str(a), Num(x)}, {Str(a), Num(x), Num(y)},
			{Str(a), Str(b), Bool(true)}, {Num(x)},
		}
		for _, name := range []string{"isempty", "isblank", "concat", "ltrim", "rtrim", "trim", "strlen", "toupper", "tolower",
			"substr", "replace", "regexReplace", "strcontains", "startsWith", "endsWith", "urlencode", "urldecode",
			"base64encode", "base64decode", "split", "hexToAscii", "hexToDec", "decToHex", "round", "toInt", "toLong"} {
			fn, _ := Lookup(name)
			for _, as := range args {
				if fn.CheckArity(len(as)) != nil {
					continue
				}
				r := fn.Call(nil, as)
				if name == "substr" && r.Kind() == KindString && !strings.Contains(a, r.Text()) {
					t.Fatalf("substr%v = %q, not part of %q", as, r.Text(), a)
				}
			}
		}
	})
}
