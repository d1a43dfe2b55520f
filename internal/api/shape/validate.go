package shape

import (
	"fmt"
	"math"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// Violation is one constraint an input value fails, reported the way AWS's
// services report it (see String).
type Violation struct {
	// Path locates the value AWS-style: member names with the first letter
	// lower-cased, joined by ".", list elements as "<list>.<1-based
	// index>.member", map values as "<map>.<key>".
	Path string
	// Value is the offending value as AWS prints it: strings as they are,
	// lists as "[a, b]", maps as "{k=v}". Empty when Missing or Sensitive.
	Value string
	// Constraint is AWS's wording of the constraint, e.g.
	// "Member must have length less than or equal to 512".
	Constraint string
	// Missing is set when a required member is absent ("Value null").
	Missing bool
	// Sensitive is set when the value comes from a sensitive shape: AWS then
	// leaves the value out ("Value at 'password' failed ...").
	Sensitive bool
}

// String formats the violation in AWS's words, e.g.
//
//	Value null at 'logGroupName' failed to satisfy constraint: Member must not be null
func (v Violation) String() string {
	switch {
	case v.Missing:
		return "Value null at '" + v.Path + "' failed to satisfy constraint: " + v.Constraint
	case v.Sensitive:
		return "Value at '" + v.Path + "' failed to satisfy constraint: " + v.Constraint
	}
	return "Value '" + v.Value + "' at '" + v.Path + "' failed to satisfy constraint: " + v.Constraint
}

// Message is the message of the ValidationException for vs:
// "1 validation error detected: <v>" or
// "N validation errors detected: <v1>; <v2>". AWS documents no cap on the
// number listed, so all are.
func Message(vs []Violation) string {
	var b strings.Builder
	if len(vs) == 1 {
		b.WriteString("1 validation error detected: ")
	} else {
		fmt.Fprintf(&b, "%d validation errors detected: ", len(vs))
	}
	for i, v := range vs {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(v.String())
	}
	return b.String()
}

// Validate checks v, a generated value of structure shape s (normally a
// pointer to an operation's input struct), against every constraint of the
// model: required members, length and value ranges, patterns and enums,
// recursing into structures, lists and maps. It returns the violations in
// member order, depth first; none means valid. A nil pointer is valid (the
// operation's input is empty). Patterns Go cannot compile are not checked;
// UncompilablePatterns lists them.
func Validate(s *Shape, v reflect.Value) []Violation {
	for v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface {
		if v.IsNil() {
			return nil
		}
		v = v.Elem()
	}
	var w walker
	if s.Type == Structure && !s.Document && v.Kind() == reflect.Struct {
		w.structure(s, v)
	}
	return w.out
}

// pathSeg is one step of where a value sits in the input. The walk keeps
// the steps to the current value on a stack and renders them only when a
// violation needs the path, because validation runs on every request and
// most requests are valid.
type pathSeg struct {
	kind  segKind
	name  string // member name (pathMember) or map key (pathKey)
	index int    // 1-based list position (pathElem)
}

type segKind uint8

const (
	pathMember segKind = iota // .name (no dot at the root)
	pathElem                  // .N.member
	pathKey                   // .key
)

type walker struct {
	out  []Violation
	segs []pathSeg
}

func (w *walker) push(s pathSeg) { w.segs = append(w.segs, s) }
func (w *walker) pop()           { w.segs = w.segs[:len(w.segs)-1] }

// path renders the current position, AWS style: logEvents.1.member.message.
func (w *walker) path() string {
	var b []byte
	for i, s := range w.segs {
		switch s.kind {
		case pathMember:
			if i > 0 {
				b = append(b, '.')
			}
			b = append(b, s.name...)
		case pathElem:
			b = append(b, '.')
			b = strconv.AppendInt(b, int64(s.index), 10)
			b = append(b, ".member"...)
		case pathKey:
			b = append(b, '.')
			b = append(b, s.name...)
		}
	}
	return string(b)
}

func (w *walker) add(val func() string, sensitive bool, constraint string) {
	v := Violation{Path: w.path(), Constraint: constraint, Sensitive: sensitive}
	if !sensitive {
		v.Value = val()
	}
	w.out = append(w.out, v)
}

func (w *walker) structure(s *Shape, v reflect.Value) {
	names := s.memberPathNames()
	nf := v.NumField()
	for i, m := range s.Members {
		if m.Index >= nf {
			continue // not a value of this shape; nothing sensible to check
		}
		f := v.Field(m.Index)
		if isAbsent(f) {
			if m.Required {
				w.push(pathSeg{kind: pathMember, name: names[i]})
				w.out = append(w.out, Violation{Path: w.path(), Constraint: "Member must not be null", Missing: true})
				w.pop()
			}
			continue
		}
		if hasConstraints(m.Shape) {
			w.push(pathSeg{kind: pathMember, name: names[i]})
			w.value(m.Shape, f)
			w.pop()
		}
	}
}

// isAbsent reports whether a member's value was not sent: a nil pointer,
// slice, map or interface. Empty lists and maps are present.
func isAbsent(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Pointer, reflect.Slice, reflect.Map, reflect.Interface:
		return v.IsNil()
	}
	return false
}

func (w *walker) value(s *Shape, v reflect.Value) {
	for v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface {
		if v.IsNil() {
			return
		}
		v = v.Elem()
	}
	switch s.Type {
	case Structure:
		if !s.Document && v.Kind() == reflect.Struct {
			w.structure(s, v)
		}
	case List:
		if v.Kind() != reflect.Slice {
			return
		}
		w.length(s, v.Len(), v)
		el := s.Member.Shape
		if !hasConstraints(el) {
			return
		}
		if scalar(el) {
			for i := 0; i < v.Len(); i++ {
				if len(scalarFailures(el, v.Index(i))) > 0 {
					w.add(func() string { return render(s, v) }, sensitive(s),
						"Member must satisfy constraint: ["+strings.Join(constraints(el), ", ")+"]")
					return
				}
			}
			return
		}
		for i := 0; i < v.Len(); i++ {
			w.push(pathSeg{kind: pathElem, index: i + 1})
			w.value(el, v.Index(i))
			w.pop()
		}
	case Map:
		if v.Kind() != reflect.Map {
			return
		}
		w.length(s, v.Len(), v)
		keys := sortedKeys(v)
		if k := s.Key.Shape; hasConstraints(k) {
			for _, key := range keys {
				if len(scalarFailures(k, key)) > 0 {
					w.add(func() string { return render(s, v) }, sensitive(s),
						"Map keys must satisfy constraint: ["+strings.Join(constraints(k), ", ")+"]")
					break
				}
			}
		}
		el := s.Value.Shape
		if !hasConstraints(el) {
			return
		}
		if scalar(el) {
			for _, key := range keys {
				if len(scalarFailures(el, v.MapIndex(key))) > 0 {
					w.add(func() string { return render(s, v) }, sensitive(s),
						"Map value must satisfy constraint: ["+strings.Join(constraints(el), ", ")+"]")
					return
				}
			}
			return
		}
		for _, key := range keys {
			w.push(pathSeg{kind: pathKey, name: key.String()})
			w.value(el, v.MapIndex(key))
			w.pop()
		}
	case Blob:
		if v.Kind() == reflect.Slice {
			w.length(s, v.Len(), v)
		}
	default:
		for _, c := range scalarFailures(s, v) {
			w.add(func() string { return render(s, v) }, s.Sensitive, c)
		}
	}
}

// length checks a list's, map's or blob's size.
func (w *walker) length(s *Shape, n int, v reflect.Value) {
	for _, c := range lengthFailures(s, float64(n)) {
		w.add(func() string { return render(s, v) }, sensitive(s), c)
	}
}

func lengthFailures(s *Shape, n float64) []string {
	var out []string
	if s.Max != nil && n > *s.Max {
		out = append(out, "Member must have length less than or equal to "+number(*s.Max))
	}
	if s.Min != nil && n < *s.Min {
		out = append(out, "Member must have length greater than or equal to "+number(*s.Min))
	}
	return out
}

// scalar reports whether values of s are checked as a whole (strings,
// numbers, blobs) rather than walked.
func scalar(s *Shape) bool {
	switch s.Type {
	case Structure, List, Map:
		return false
	}
	return true
}

// hasConstraints reports whether anything in s can fail validation. The
// answer is kept in the shape: Validate asks it for every member of every
// request. The walk from s alone decides it (recursive shapes stop at a
// shape already seen on this walk), so caching it per shape is exact.
func hasConstraints(s *Shape) bool {
	switch s.constrained.Load() {
	case constrainedNo:
		return false
	case constrainedYes:
		return true
	}
	c := hasConstraintsSeen(s, map[*Shape]bool{})
	if c {
		s.constrained.Store(constrainedYes)
	} else {
		s.constrained.Store(constrainedNo)
	}
	return c
}

// States of Shape.constrained.
const (
	constrainedUnknown = iota
	constrainedNo
	constrainedYes
)

func hasConstraintsSeen(s *Shape, seen map[*Shape]bool) bool {
	if seen[s] {
		return false
	}
	seen[s] = true
	if s.Min != nil || s.Max != nil || s.Pattern != "" || len(s.Enum) > 0 {
		return true
	}
	switch s.Type {
	case Structure:
		for _, m := range s.Members {
			if m.Required || hasConstraintsSeen(m.Shape, seen) {
				return true
			}
		}
	case List:
		return hasConstraintsSeen(s.Member.Shape, seen)
	case Map:
		return hasConstraintsSeen(s.Key.Shape, seen) || hasConstraintsSeen(s.Value.Shape, seen)
	}
	return false
}

// constraints lists every constraint of a scalar shape, in AWS's order,
// for the "must satisfy constraint: [...]" form.
func constraints(s *Shape) []string {
	var out []string
	what := "length"
	if isNumber(s.Type) {
		what = "value"
	}
	if s.Max != nil {
		out = append(out, "Member must have "+what+" less than or equal to "+number(*s.Max))
	}
	if s.Min != nil {
		out = append(out, "Member must have "+what+" greater than or equal to "+number(*s.Min))
	}
	if s.Pattern != "" {
		out = append(out, "Member must satisfy regular expression pattern: "+s.Pattern)
	}
	if len(s.Enum) > 0 {
		out = append(out, enumConstraint(s))
	}
	return out
}

func enumConstraint(s *Shape) string {
	return "Member must satisfy enum value set: [" + strings.Join(s.Enum, ", ") + "]"
}

func isNumber(t Type) bool {
	switch t {
	case Integer, Long, Float, Double:
		return true
	}
	return false
}

// scalarFailures returns the constraints of the scalar shape s that v fails.
func scalarFailures(s *Shape, v reflect.Value) []string {
	for v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface {
		if v.IsNil() {
			return nil
		}
		v = v.Elem()
	}
	switch s.Type {
	case String:
		if v.Kind() != reflect.String {
			return nil
		}
		return stringFailures(s, v.String())
	case Blob:
		if v.Kind() == reflect.Slice {
			return lengthFailures(s, float64(v.Len()))
		}
	case Integer, Long, Float, Double:
		switch v.Kind() {
		case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
			return numberFailures(s, float64(v.Int()))
		case reflect.Float32, reflect.Float64:
			return numberFailures(s, v.Float())
		}
	}
	return nil
}

// stringFailures returns the constraints of the string shape s that str
// fails; nil (no allocation) when it fails none.
func stringFailures(s *Shape, str string) []string {
	var out []string
	if (s.Min != nil || s.Max != nil) && !lengthSurelyValid(s, len(str)) {
		out = lengthFailures(s, float64(utf16Len(str)))
	}
	if s.Pattern != "" {
		if re := compiledPattern(s.Pattern); re != nil && !re.MatchString(str) {
			out = append(out, "Member must satisfy regular expression pattern: "+s.Pattern)
		}
	}
	if len(s.Enum) > 0 && !slices.Contains(s.Enum, str) {
		out = append(out, enumConstraint(s))
	}
	return out
}

// numberFailures returns the constraints of the number shape s that f
// fails; nil when it fails none.
func numberFailures(s *Shape, f float64) []string {
	var out []string
	if s.Max != nil && f > *s.Max {
		out = append(out, "Member must have value less than or equal to "+number(*s.Max))
	}
	if s.Min != nil && f < *s.Min {
		out = append(out, "Member must have value greater than or equal to "+number(*s.Min))
	}
	return out
}

// ValidString, ValidNumber and ValidLength report whether a value of the
// scalar shape s (a list's, map's or blob's size for ValidLength) passes
// every constraint Validate would check on it. They serve hand-tuned
// decoders of hot operations, which check typed values without reflection
// but must accept exactly what Validate accepts; they do not allocate.
func ValidString(s *Shape, str string) bool { return len(stringFailures(s, str)) == 0 }

// ValidNumber: see ValidString.
func ValidNumber(s *Shape, f float64) bool { return len(numberFailures(s, f)) == 0 }

// ValidLength: see ValidString.
func ValidLength(s *Shape, n int) bool { return len(lengthFailures(s, float64(n))) == 0 }

// lengthSurelyValid reports, from a string's byte length n alone, that its
// UTF-16 length passes s's bounds, so long messages are not counted rune by
// rune: UTF-8 takes 1 to 3 bytes per UTF-16 unit (4 bytes for 2 units), so
// the UTF-16 length lies between ceil(n/3) and n.
func lengthSurelyValid(s *Shape, n int) bool {
	return (s.Min == nil || float64((n+2)/3) >= *s.Min) && (s.Max == nil || float64(n) <= *s.Max)
}

// utf16Len counts a string the way Java's String.length() does: in UTF-16
// code units, so a character outside the Basic Multilingual Plane counts 2.
// Invalid UTF-8 bytes count 1 each (as U+FFFD).
func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		n += utf16.RuneLen(r)
	}
	return n
}

// sensitive reports whether printing a value of s would reveal a sensitive
// shape's value.
func sensitive(s *Shape) bool {
	switch {
	case s.Sensitive:
		return true
	case s.Type == List:
		return s.Member.Shape.Sensitive
	case s.Type == Map:
		return s.Key.Shape.Sensitive || s.Value.Shape.Sensitive
	}
	return false
}

// memberPathNames returns the members' names with their first letter
// lower-cased, computed once: validation runs on every request.
func (s *Shape) memberPathNames() []string {
	s.pathOnce.Do(func() {
		s.pathNames = make([]string, len(s.Members))
		for i, m := range s.Members {
			s.pathNames[i] = lowerFirst(m.Name)
		}
	})
	return s.pathNames
}

func lowerFirst(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if n == 0 || unicode.IsLower(r) {
		return s
	}
	return string(unicode.ToLower(r)) + s[n:]
}

// number prints a bound or value like AWS: integers without decimals.
func number(f float64) string {
	if f == math.Trunc(f) && math.Abs(f) < 1e18 {
		return strconv.FormatInt(int64(f), 10)
	}
	return strconv.FormatFloat(f, 'f', -1, 64)
}

func sortedKeys(v reflect.Value) []reflect.Value {
	keys := v.MapKeys()
	sort.Slice(keys, func(i, j int) bool { return keys[i].String() < keys[j].String() })
	return keys
}

const redacted = "*** Sensitive Data Redacted ***"

// render prints v, a value of shape s, the way AWS's Java services print a
// value in a validation message: lists "[a, b]", maps "{k=v}", structures
// "{member=value}" with unset members left out.
func render(s *Shape, v reflect.Value) string {
	var b strings.Builder
	renderTo(&b, s, v, 0)
	return b.String()
}

func renderTo(b *strings.Builder, s *Shape, v reflect.Value, depth int) {
	for v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface {
		if v.IsNil() {
			b.WriteString("null")
			return
		}
		v = v.Elem()
	}
	if depth > 0 && s != nil && s.Sensitive {
		b.WriteString(redacted)
		return
	}
	if depth > 32 {
		b.WriteString("...")
		return
	}
	switch v.Kind() {
	case reflect.String:
		b.WriteString(v.String())
	case reflect.Bool:
		b.WriteString(strconv.FormatBool(v.Bool()))
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		b.WriteString(strconv.FormatInt(v.Int(), 10))
	case reflect.Float32:
		b.WriteString(javaFloat(v.Float(), 32))
	case reflect.Float64:
		b.WriteString(javaFloat(v.Float(), 64))
	case reflect.Slice:
		if v.Type().Elem().Kind() == reflect.Uint8 && (s == nil || s.Type == Blob) {
			fmt.Fprintf(b, "java.nio.HeapByteBuffer[pos=0 lim=%d cap=%d]", v.Len(), v.Len())
			return
		}
		var el *Shape
		if s != nil && s.Type == List {
			el = s.Member.Shape
		}
		b.WriteByte('[')
		for i := 0; i < v.Len(); i++ {
			if i > 0 {
				b.WriteString(", ")
			}
			renderTo(b, el, v.Index(i), depth+1)
		}
		b.WriteByte(']')
	case reflect.Map:
		var ks, vs *Shape
		if s != nil && s.Type == Map {
			ks, vs = s.Key.Shape, s.Value.Shape
		}
		b.WriteByte('{')
		for i, k := range sortedKeys(v) {
			if i > 0 {
				b.WriteString(", ")
			}
			renderTo(b, ks, k, depth+1)
			b.WriteByte('=')
			renderTo(b, vs, v.MapIndex(k), depth+1)
		}
		b.WriteByte('}')
	case reflect.Struct:
		if t, ok := v.Interface().(time.Time); ok {
			b.WriteString(t.UTC().Format(time.RFC3339Nano))
			return
		}
		b.WriteByte('{')
		first := true
		if s != nil && s.Type == Structure {
			for _, m := range s.Members {
				if m.Index >= v.NumField() || isAbsent(v.Field(m.Index)) {
					continue
				}
				if !first {
					b.WriteString(", ")
				}
				first = false
				b.WriteString(lowerFirst(m.Name) + "=")
				renderTo(b, m.Shape, v.Field(m.Index), depth+1)
			}
		}
		b.WriteByte('}')
	default:
		fmt.Fprint(b, v.Interface())
	}
}

// javaFloat prints a float like Java's Double.toString / Float.toString for
// the common cases: "1.0", "0.5", "1.0E10".
func javaFloat(f float64, bits int) string {
	if math.IsNaN(f) {
		return "NaN"
	}
	if math.IsInf(f, 0) {
		if f > 0 {
			return "Infinity"
		}
		return "-Infinity"
	}
	a := math.Abs(f)
	if a != 0 && (a < 1e-3 || a >= 1e7) {
		s := strconv.FormatFloat(f, 'E', -1, bits)
		mant, exp, _ := strings.Cut(s, "E")
		if !strings.Contains(mant, ".") {
			mant += ".0"
		}
		if exp[0] == '+' {
			exp = exp[1:]
		}
		e, _ := strconv.Atoi(exp)
		return mant + "E" + strconv.Itoa(e)
	}
	s := strconv.FormatFloat(f, 'f', -1, bits)
	if !strings.Contains(s, ".") {
		s += ".0"
	}
	return s
}

// Patterns.
//
// The models' patterns are Java regular expressions, matched against the
// whole value (String.matches). translatePattern rewrites one into Go RE2
// syntax; compiledPattern compiles each distinct pattern once, on first use.

type compiled struct {
	once sync.Once
	re   *regexp.Regexp
}

var (
	patterns     sync.Map // Java pattern → *compiled
	skippedMu    sync.Mutex
	skipped      = map[string]string{} // Java pattern → why it is not checked
	lineTermNeg  = `[^\n\r\x{85}\x{2028}\x{2029}]`
	javaSpace    = `\t\n\x0B\f\r `
	posixClasses = map[string]string{
		"Lower": "lower", "Upper": "upper", "ASCII": "ascii", "Alpha": "alpha", "Digit": "digit",
		"Alnum": "alnum", "Punct": "punct", "Graph": "graph", "Print": "print", "Blank": "blank",
		"Cntrl": "cntrl", "XDigit": "xdigit", "Space": "space",
	}
)

// compiledPattern returns the compiled full-match form of a Java pattern, or
// nil when it cannot be translated or compiled (it is then recorded for
// UncompilablePatterns and not checked).
func compiledPattern(p string) *regexp.Regexp {
	e, ok := patterns.Load(p)
	if !ok {
		e, _ = patterns.LoadOrStore(p, &compiled{})
	}
	c := e.(*compiled)
	c.once.Do(func() {
		re, err := compilePattern(p)
		if err != nil {
			skippedMu.Lock()
			skipped[p] = err.Error()
			skippedMu.Unlock()
			return
		}
		c.re = re
	})
	return c.re
}

// compilePattern translates a Java pattern and compiles it to match whole
// strings.
func compilePattern(p string) (*regexp.Regexp, error) {
	t, err := translatePattern(p)
	if err != nil {
		return nil, err
	}
	return regexp.Compile(`^(?:` + t + `)$`)
}

// UncompilablePatterns lists, sorted, the model patterns met so far that Go
// cannot check, each as "<pattern>: <reason>". Values are never rejected for
// such a pattern.
func UncompilablePatterns() []string {
	skippedMu.Lock()
	defer skippedMu.Unlock()
	out := make([]string, 0, len(skipped))
	for p, why := range skipped {
		out = append(out, p+": "+why)
	}
	sort.Strings(out)
	return out
}

// knownRewrites replaces whole patterns that use Java features RE2 lacks by
// equivalents (for a whole-string match).
var knownRewrites = map[string]string{
	// "not only whitespace": a line with at least one non-space character.
	`^(?!\s*$).+`: `^` + lineTermNeg + `*[^` + javaSpace + `\n\r\x{85}\x{2028}\x{2029}]` + lineTermNeg + `*$`,
}

// translatePattern rewrites a Java regular expression into Go RE2 syntax
// with the same meaning, or fails for constructs RE2 lacks (lookaround,
// backreferences, atomic groups, class intersection, ...). Differences it
// bridges: \uXXXX escapes (and surrogate pairs written as two escapes), \s
// (Java's includes \x0B), "." (Java's excludes every line terminator unless
// (?s)), POSIX \p{Alpha}-style classes and \p{IsX}, possessive quantifiers
// (read as greedy), \e, \0ooo, \cX, and literal "{".
func translatePattern(p string) (string, error) {
	if t, ok := knownRewrites[p]; ok {
		return t, nil
	}
	if !utf8.ValidString(p) {
		return "", fmt.Errorf("pattern is not valid UTF-8")
	}
	t := &translator{src: []rune(p)}
	if err := t.run(); err != nil {
		return "", err
	}
	return t.out.String(), nil
}

type translator struct {
	src    []rune
	i      int
	out    strings.Builder
	dotAll bool
}

func (t *translator) peek(k int) rune {
	if t.i+k < len(t.src) {
		return t.src[t.i+k]
	}
	return -1
}

func (t *translator) run() error {
	for t.i < len(t.src) {
		c := t.src[t.i]
		switch c {
		case '\\':
			s, err := t.escape(false)
			if err != nil {
				return err
			}
			t.out.WriteString(s)
			continue
		case '[':
			if err := t.class(); err != nil {
				return err
			}
			t.quantSuffix()
			continue
		case '.':
			t.i++
			if t.dotAll {
				t.out.WriteByte('.')
			} else {
				t.out.WriteString(lineTermNeg)
			}
			t.quantSuffix()
			continue
		case '(':
			if err := t.group(); err != nil {
				return err
			}
			continue
		case '*', '+', '?':
			t.i++
			t.out.WriteRune(c)
			t.quantSuffix()
			continue
		case '{':
			if n := repeatLen(t.src[t.i:]); n > 0 {
				t.out.WriteString(string(t.src[t.i : t.i+n]))
				t.i += n
				t.quantSuffix()
			} else {
				t.out.WriteString(`\{`)
				t.i++
			}
			continue
		}
		t.out.WriteRune(c)
		t.i++
	}
	return nil
}

// quantSuffix copies a lazy "?" after a quantifier and drops a possessive
// "+" (RE2 has no possessive quantifiers; greedy matches the same whole
// strings for the models' patterns).
func (t *translator) quantSuffix() {
	switch t.peek(0) {
	case '?':
		// a quantifier's lazy marker, or a "?" quantifier itself: both copy.
	case '+':
		if t.i > 0 && isQuantifierEnd(t.src, t.i-1) {
			t.i++
		}
	}
}

// isQuantifierEnd reports whether src[i] ends a quantifier.
func isQuantifierEnd(src []rune, i int) bool {
	switch src[i] {
	case '*', '+', '?':
		return i == 0 || src[i-1] != '\\'
	case '}':
		for j := i - 1; j >= 0; j-- {
			if src[j] == '{' {
				return repeatLen(src[j:]) == i-j+1
			}
		}
	}
	return false
}

// repeatLen returns the length of a "{n}", "{n,}" or "{n,m}" at the start of
// s, or 0.
func repeatLen(s []rune) int {
	if len(s) < 3 || s[0] != '{' {
		return 0
	}
	i, digits := 1, 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i, digits = i+1, digits+1
	}
	if digits == 0 {
		return 0
	}
	if i < len(s) && s[i] == ',' {
		i++
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
	}
	if i < len(s) && s[i] == '}' {
		return i + 1
	}
	return 0
}

func (t *translator) group() error {
	if t.peek(1) != '?' {
		t.out.WriteByte('(')
		t.i++
		return nil
	}
	rest := string(t.src[t.i+2 : min(t.i+4, len(t.src))])
	switch {
	case strings.HasPrefix(rest, ":"):
		t.out.WriteString("(?:")
		t.i += 3
		return nil
	case strings.HasPrefix(rest, "="), strings.HasPrefix(rest, "!"),
		strings.HasPrefix(rest, "<="), strings.HasPrefix(rest, "<!"):
		return fmt.Errorf("lookaround is not supported by RE2")
	case strings.HasPrefix(rest, ">"):
		return fmt.Errorf("atomic groups are not supported by RE2")
	case strings.HasPrefix(rest, "<"), strings.HasPrefix(rest, "P<"):
		t.out.WriteString("(?")
		t.i += 2
		return nil
	}
	// Inline flags: (?flags) or (?flags:...).
	j := t.i + 2
	var flags strings.Builder
	off := false
	for ; j < len(t.src) && t.src[j] != ')' && t.src[j] != ':'; j++ {
		switch f := t.src[j]; f {
		case 'i', 'm', 's', '-':
			flags.WriteRune(f)
			if f == '-' {
				off = true
			}
			if f == 's' {
				t.dotAll = !off
			}
		case 'u': // Unicode-aware case folding: RE2's (?i) already is.
		default:
			return fmt.Errorf("inline flag %q is not supported", f)
		}
	}
	if j >= len(t.src) {
		return fmt.Errorf("unterminated group")
	}
	if flags.Len() == 0 || flags.String() == "-" {
		if t.src[j] == ')' {
			t.i = j + 1 // nothing left to set
			return nil
		}
		t.out.WriteString("(?:")
	} else {
		t.out.WriteString("(?" + flags.String() + string(t.src[j]))
	}
	t.i = j + 1
	return nil
}

// class copies a character class, translating escapes inside it.
func (t *translator) class() error {
	t.out.WriteByte('[')
	t.i++
	if t.peek(0) == '^' {
		t.out.WriteByte('^')
		t.i++
	}
	if t.peek(0) == ']' {
		t.out.WriteString(`\]`)
		t.i++
	}
	for t.i < len(t.src) {
		c := t.src[t.i]
		switch {
		case c == ']':
			t.out.WriteByte(']')
			t.i++
			return nil
		case c == '[':
			return fmt.Errorf("nested character classes are not supported by RE2")
		case c == '&' && t.peek(1) == '&':
			return fmt.Errorf("character class intersection is not supported by RE2")
		case c == '\\':
			s, err := t.escape(true)
			if err != nil {
				return err
			}
			t.out.WriteString(s)
		default:
			t.out.WriteRune(c)
			t.i++
		}
	}
	return fmt.Errorf("unterminated character class")
}

// escape translates the escape sequence at t.i (a backslash).
func (t *translator) escape(inClass bool) (string, error) {
	c := t.peek(1)
	if c < 0 {
		return "", fmt.Errorf("trailing backslash")
	}
	t.i += 2
	switch c {
	case 'u':
		r, err := t.hex4()
		if err != nil {
			return "", err
		}
		if utf16.IsSurrogate(r) && r < 0xDC00 && t.peek(0) == '\\' && t.peek(1) == 'u' {
			save := t.i
			t.i += 2
			if lo, err := t.hex4(); err == nil && lo >= 0xDC00 && lo <= 0xDFFF {
				r = utf16.DecodeRune(r, lo)
			} else {
				t.i = save
			}
		}
		return fmt.Sprintf(`\x{%X}`, r), nil
	case 'x':
		if t.peek(0) == '{' {
			j := t.i
			for j < len(t.src) && t.src[j] != '}' {
				j++
			}
			if j >= len(t.src) {
				return "", fmt.Errorf("unterminated \\x{")
			}
			s := `\x` + string(t.src[t.i:j+1])
			t.i = j + 1
			return s, nil
		}
		if !isHex(t.peek(0)) || !isHex(t.peek(1)) {
			return "", fmt.Errorf("bad \\x escape")
		}
		s := `\x` + string(t.src[t.i:t.i+2])
		t.i += 2
		return s, nil
	case '0':
		n, k := 0, 0
		for k < 3 && t.peek(0) >= '0' && t.peek(0) <= '7' && (k < 2 || n < 040) {
			n = n*8 + int(t.peek(0)-'0')
			t.i++
			k++
		}
		if k == 0 {
			return "", fmt.Errorf("bad octal escape")
		}
		return fmt.Sprintf(`\x{%X}`, n), nil
	case 'e':
		return `\x1B`, nil
	case 'c':
		x := t.peek(0)
		if x < 0 {
			return "", fmt.Errorf("bad \\c escape")
		}
		t.i++
		return fmt.Sprintf(`\x{%X}`, x^64), nil
	case 't', 'n', 'r', 'f', 'a', 'd', 'D', 'w', 'W':
		return `\` + string(c), nil
	case 'b', 'B', 'A', 'z':
		if inClass {
			return "", fmt.Errorf("\\%c in a character class", c)
		}
		return `\` + string(c), nil
	case 's':
		if inClass {
			return javaSpace, nil
		}
		return "[" + javaSpace + "]", nil
	case 'S':
		if inClass {
			return `\S`, nil
		}
		return "[^" + javaSpace + "]", nil
	case 'p', 'P':
		return t.property(c == 'P', inClass)
	case 'Q':
		j := t.i
		for j < len(t.src) && (t.src[j] != '\\' || j+1 >= len(t.src) || t.src[j+1] != 'E') {
			j++
		}
		lit := string(t.src[t.i:min(j, len(t.src))])
		t.i = min(j+2, len(t.src))
		if inClass {
			var b strings.Builder
			for _, r := range lit {
				b.WriteString(classLiteral(r))
			}
			return b.String(), nil
		}
		return regexp.QuoteMeta(lit), nil
	}
	if c < utf8.RuneSelf && (unicode.IsLetter(c) || unicode.IsDigit(c)) {
		return "", fmt.Errorf("escape \\%c is not supported", c)
	}
	if c < utf8.RuneSelf && unicode.IsPunct(c) || unicode.IsSymbol(c) && c < utf8.RuneSelf {
		return `\` + string(c), nil
	}
	return string(c), nil // Java: an escaped non-ASCII character is itself
}

func classLiteral(r rune) string {
	if r < utf8.RuneSelf && (unicode.IsPunct(r) || unicode.IsSymbol(r)) {
		return `\` + string(r)
	}
	return string(r)
}

func isHex(r rune) bool {
	return r >= '0' && r <= '9' || r >= 'a' && r <= 'f' || r >= 'A' && r <= 'F'
}

func (t *translator) hex4() (rune, error) {
	if t.i+4 > len(t.src) {
		return 0, fmt.Errorf("bad \\u escape")
	}
	v, err := strconv.ParseUint(string(t.src[t.i:t.i+4]), 16, 32)
	if err != nil {
		return 0, fmt.Errorf("bad \\u escape")
	}
	t.i += 4
	return rune(v), nil
}

// property translates \p{Name} / \pL (negated for \P).
func (t *translator) property(neg, inClass bool) (string, error) {
	var name string
	if t.peek(0) == '{' {
		j := t.i + 1
		for j < len(t.src) && t.src[j] != '}' {
			j++
		}
		if j >= len(t.src) {
			return "", fmt.Errorf("unterminated \\p{")
		}
		name = string(t.src[t.i+1 : j])
		t.i = j + 1
	} else {
		if t.peek(0) < 0 {
			return "", fmt.Errorf("bad \\p escape")
		}
		name = string(t.peek(0))
		t.i++
	}
	if posix, ok := posixClasses[name]; ok {
		switch {
		case inClass && neg:
			return "[:^" + posix + ":]", nil
		case inClass:
			return "[:" + posix + ":]", nil
		case neg:
			return "[^[:" + posix + ":]]", nil
		}
		return "[[:" + posix + ":]]", nil
	}
	goName := name
	if _, ok := goUnicodeClass(goName); !ok && strings.HasPrefix(name, "Is") {
		goName = name[2:]
	}
	if strings.HasPrefix(goName, "general_category=") || strings.HasPrefix(goName, "gc=") {
		_, goName, _ = strings.Cut(goName, "=")
	}
	if _, ok := goUnicodeClass(goName); !ok {
		return "", fmt.Errorf("unicode class \\p{%s} is not supported by RE2", name)
	}
	if neg {
		return `\P{` + goName + `}`, nil
	}
	return `\p{` + goName + `}`, nil
}

func goUnicodeClass(name string) (*unicode.RangeTable, bool) {
	if name == "Any" {
		return nil, true
	}
	if t, ok := unicode.Categories[name]; ok {
		return t, true
	}
	t, ok := unicode.Scripts[name]
	return t, ok
}
