package funcs

import (
	"encoding/base64"
	"encoding/hex"
	"math"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// stringFuncs are AWS's "String functions". They take the text of their
// arguments (numbers, booleans and timestamps in printed form) and return
// null when an argument is missing, a map or a list — except isempty and
// isblank, whose job is to test for missing values.
var stringFuncs = []*Func{
	fn("isempty", 1, 1, callIsEmpty),
	fn("isblank", 1, 1, callIsBlank),
	fn("concat", 1, -1, callConcat),
	fn("ltrim", 1, 2, trimmer(strings.TrimLeftFunc, strings.TrimLeft)),
	fn("rtrim", 1, 2, trimmer(strings.TrimRightFunc, strings.TrimRight)),
	fn("trim", 1, 2, trimmer(strings.TrimFunc, strings.Trim)),
	fn("strlen", 1, 1, callStrlen),
	fn("toupper", 1, 1, mapText(strings.ToUpper)),
	fn("tolower", 1, 1, mapText(strings.ToLower)),
	fn("substr", 2, 3, callSubstr),
	fn("replace", 3, 3, callReplace),
	{Name: "regexReplace", MinArgs: 3, MaxArgs: 3, Call: callRegexReplace, Check: checkRegexArg(1)},
	fn("strcontains", 2, 3, callStrcontains),
	fn("startsWith", 2, 2, textPredicate(strings.HasPrefix)),
	fn("endsWith", 2, 2, textPredicate(strings.HasSuffix)),
	fn("urlencode", 1, 1, mapText(url.QueryEscape)),
	fn("urldecode", 1, 1, mapTextOK(func(s string) (string, bool) {
		r, err := url.QueryUnescape(s)
		return r, err == nil
	})),
	fn("base64encode", 1, 1, mapText(func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) })),
	fn("base64decode", 1, 1, mapTextOK(base64Decode)),
	fn("split", 2, 2, callSplit),
	fn("hexToAscii", 1, 1, mapTextOK(hexToASCII)),
	fn("hexToDec", 1, 1, callHexToDec),
	fn("decToHex", 1, 1, callDecToHex),
}

// callIsEmpty is isempty(x): 1 when x is missing or the empty string, else 0
// (AWS documents the result type as Number).
func callIsEmpty(_ *Env, args []Value) Value {
	v := args[0]
	return numResult(v.kind == KindNull || (v.kind == KindString && v.str == ""))
}

// callIsBlank is isblank(x): 1 when x is missing, empty or only white space
// (Unicode White_Space), else 0.
func callIsBlank(_ *Env, args []Value) Value {
	v := args[0]
	if v.kind == KindNull {
		return numResult(true)
	}
	return numResult(v.kind == KindString && strings.TrimFunc(v.str, unicode.IsSpace) == "")
}

func callConcat(_ *Env, args []Value) Value {
	var b strings.Builder
	for _, a := range args {
		s, ok := textArg(a)
		if !ok {
			return Null
		}
		b.WriteString(s)
	}
	return Str(b.String())
}

// trimmer builds trim, ltrim and rtrim: with one argument they remove white
// space; with two they remove only the characters of the second argument
// (AWS: "it does not remove white space. Instead, it removes the characters
// in trimChars").
func trimmer(space func(string, func(rune) bool) string, set func(string, string) string) func(*Env, []Value) Value {
	return func(_ *Env, args []Value) Value {
		s, ok := textArg(args[0])
		if !ok {
			return Null
		}
		if len(args) == 1 {
			return Str(space(s, unicode.IsSpace))
		}
		chars, ok := textArg(args[1])
		if !ok {
			return Null
		}
		return Str(set(s, chars))
	}
}

// callStrlen is strlen(s): the length in Unicode code points (an invalid
// UTF-8 byte counts as one).
func callStrlen(_ *Env, args []Value) Value {
	s, ok := textArg(args[0])
	if !ok {
		return Null
	}
	return Num(float64(utf8.RuneCountInString(s)))
}

func mapText(f func(string) string) func(*Env, []Value) Value {
	return func(_ *Env, args []Value) Value {
		s, ok := textArg(args[0])
		if !ok {
			return Null
		}
		return Str(f(s))
	}
}

func mapTextOK(f func(string) (string, bool)) func(*Env, []Value) Value {
	return func(_ *Env, args []Value) Value {
		s, ok := textArg(args[0])
		if !ok {
			return Null
		}
		r, ok := f(s)
		if !ok {
			return Null
		}
		return Str(r)
	}
}

// callSubstr is substr(s, start) and substr(s, start, length), counting
// Unicode code points from zero (AWS: substr("xyZfooxyZ", 3, 3) is "foo").
// Fractions are truncated. A negative start counts as 0; a start past the
// end or a length of zero or less gives ""; a length past the end stops at
// the end.
func callSubstr(_ *Env, args []Value) Value {
	s, ok := textArg(args[0])
	if !ok {
		return Null
	}
	start, ok := numArg(args[1])
	if !ok {
		return Null
	}
	start = math.Max(0, math.Trunc(start))
	length := math.Inf(1)
	if len(args) > 2 {
		if length, ok = numArg(args[2]); !ok {
			return Null
		}
		length = math.Trunc(length)
	}
	if length <= 0 {
		return Str("")
	}
	from := runeOffset(s, start)
	if math.IsInf(length, 1) || length >= float64(len(s)) {
		return Str(s[from:])
	}
	to := from + runeOffset(s[from:], length)
	return Str(s[from:to])
}

// runeOffset is the byte offset of the n-th code point of s, or len(s).
func runeOffset(s string, n float64) int {
	if n >= float64(len(s)) {
		return len(s)
	}
	k := int(n)
	for i := range s {
		if k == 0 {
			return i
		}
		k--
	}
	return len(s)
}

// callReplace is replace(s, search, with): every non-overlapping instance of
// search, left to right. An empty search changes nothing.
func callReplace(_ *Env, args []Value) Value {
	var t [3]string
	for i := range t {
		s, ok := textArg(args[i])
		if !ok {
			return Null
		}
		t[i] = s
	}
	if t[1] == "" {
		return Str(t[0])
	}
	return Str(strings.ReplaceAll(t[0], t[1], t[2]))
}

var regexCache cache[*regexp.Regexp]

func compileCached(pattern string) (*regexp.Regexp, error) {
	return regexCache.get(pattern, func(p string) (*regexp.Regexp, error) {
		re, err := regexp.Compile(p)
		if err != nil {
			return nil, err
		}
		return re, nil
	})
}

func checkRegexArg(i int) func([]Value) error {
	return func(args []Value) error {
		p, ok := litArg(args, i)
		if !ok {
			return nil
		}
		if _, err := compileCached(p); err != nil {
			return wrapErr(ErrRegex, err)
		}
		return nil
	}
}

// callRegexReplace is regexReplace(s, pattern, replacement): every match of
// the RE2 pattern replaced; $1 and ${name} in the replacement expand to
// groups. An invalid pattern gives null.
func callRegexReplace(_ *Env, args []Value) Value {
	var t [3]string
	for i := range t {
		s, ok := textArg(args[i])
		if !ok {
			return Null
		}
		t[i] = s
	}
	re, err := compileCached(t[1])
	if err != nil {
		return Null
	}
	return Str(re.ReplaceAllString(t[0], t[2]))
}

// callStrcontains is strcontains(s, search[, caseInsensitive]): 1 when s
// contains search, else 0; a true third argument compares with Unicode
// case folding.
func callStrcontains(_ *Env, args []Value) Value {
	s, ok := textArg(args[0])
	if !ok {
		return Null
	}
	sub, ok := textArg(args[1])
	if !ok {
		return Null
	}
	if len(args) > 2 && Truthy(args[2]) {
		return numResult(containsFold(s, sub))
	}
	return numResult(strings.Contains(s, sub))
}

// containsFold reports whether sub occurs in s under simple case folding.
func containsFold(s, sub string) bool {
	if sub == "" {
		return true
	}
	if isASCII(s) && isASCII(sub) {
		for i := 0; i+len(sub) <= len(s); i++ {
			if asciiEqualFold(s[i:i+len(sub)], sub) {
				return true
			}
		}
		return false
	}
	n := utf8.RuneCountInString(sub)
	for i := range s {
		// Compare the next n code points of s with sub.
		j, k := i, 0
		for k < n && j < len(s) {
			_, size := utf8.DecodeRuneInString(s[j:])
			j += size
			k++
		}
		if k == n && strings.EqualFold(s[i:j], sub) {
			return true
		}
		if k < n {
			return false
		}
	}
	return false
}

// textPredicate builds startsWith and endsWith: 1 or 0, documented as
// numbers.
func textPredicate(f func(s, x string) bool) func(*Env, []Value) Value {
	return func(_ *Env, args []Value) Value {
		s, ok := textArg(args[0])
		if !ok {
			return Null
		}
		x, ok := textArg(args[1])
		if !ok {
			return Null
		}
		return numResult(f(s, x))
	}
}

// base64Decode accepts standard and URL-safe alphabets, padded or not.
func base64Decode(s string) (string, bool) {
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(s); err == nil {
			return string(b), true
		}
	}
	return "", false
}

// callSplit is split(s, delimiter): the list of pieces between literal
// (not regular-expression) delimiters, empty pieces included; an empty
// delimiter splits into code points.
func callSplit(_ *Env, args []Value) Value {
	s, ok := textArg(args[0])
	if !ok {
		return Null
	}
	sep, ok := textArg(args[1])
	if !ok {
		return Null
	}
	parts := strings.Split(s, sep)
	elems := make([]Value, len(parts))
	for i, p := range parts {
		elems[i] = Str(p)
	}
	return List(elems...)
}

// trimHexPrefix removes an optional 0x or 0X.
func trimHexPrefix(s string) string {
	if len(s) >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X') {
		return s[2:]
	}
	return s
}

// hexToASCII is hexToAscii: pairs of hex digits (optionally after 0x) to the
// bytes they spell (AWS: hexToAscii("48656c6c6f") is "Hello").
func hexToASCII(s string) (string, bool) {
	b, err := hex.DecodeString(trimHexPrefix(s))
	if err != nil {
		return "", false
	}
	return string(b), true
}

// callHexToDec is hexToDec(s): a hexadecimal string, optionally signed and
// with 0x (AWS: hexToDec("0xff") is 255), as a number; up to 64 bits.
func callHexToDec(_ *Env, args []Value) Value {
	s, ok := textArg(args[0])
	if !ok {
		return Null
	}
	neg := false
	if s != "" && (s[0] == '-' || s[0] == '+') {
		neg = s[0] == '-'
		s = s[1:]
	}
	s = trimHexPrefix(s)
	if s == "" || s[0] == '+' || s[0] == '-' {
		return Null
	}
	u, err := strconv.ParseUint(s, 16, 64)
	if err != nil {
		return Null
	}
	f := float64(u)
	if neg {
		f = -f
	}
	return Num(f)
}

// callDecToHex is decToHex(n): lower-case hex with a 0x prefix, -0x for
// negative numbers, the fraction truncated (AWS: decToHex(255) is "0xff").
// Values beyond the 64-bit integer range are null.
func callDecToHex(_ *Env, args []Value) Value {
	x, ok := numArg(args[0])
	if !ok {
		return Null
	}
	x = math.Trunc(x)
	if x < -(1<<63) || x >= 1<<63 {
		return Null
	}
	n := int64(x)
	if n < 0 {
		return Str("-0x" + strconv.FormatUint(uint64(-n), 16))
	}
	return Str("0x" + strconv.FormatUint(uint64(n), 16))
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// asciiEqualFold compares two ASCII strings of equal length ignoring case.
func asciiEqualFold(a, b string) bool {
	for i := 0; i < len(a); i++ {
		x, y := a[i], b[i]
		if x == y {
			continue
		}
		if x|0x20 != y|0x20 || x|0x20 < 'a' || x|0x20 > 'z' {
			return false
		}
	}
	return true
}
