package funcs

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // zone names resolve the same on every test machine

	"github.com/cockroachdb/datadriven"
)

// The data-driven files in testdata/ are scripts of expressions, one per
// input line, written in a small subset of the query syntax that this test
// parses itself (the real parser lives elsewhere):
//
//	eval     each line is evaluated; the output pairs it with the result's
//	         kind and printed value: number 5, string "foo", bool true,
//	         time 2024-01-02 03:04:05.678, map {...}, list [...], null
//	print    each line is evaluated; the output is the result cell text
//	         (Value.String), quoted
//	check    each line is a call; the output is ok or the planner's error
//	         (arity and Check), without calling the function
//
// Lines may hold literals (1.5, "text", 5m — a period literal, passed as its
// text — true, false, null, [a, b]), field names (bare identifiers, null
// unless set with `let name = expr`), function calls, ts(x) for a timestamp
// (from Unix milliseconds or ISO text), the operators + - * / % ^ = != < <=
// > >= and or not, like "s", like /re/, =~ /re/, not like, in [...], dot
// access (m.key) and bracket access (l[0]). Lines starting with # are
// comments. Every call receives testEnv.
var testEnv = &Env{
	Now:   time.Date(2024, 5, 6, 7, 8, 9, 123e6, time.UTC),
	Start: time.Date(2024, 5, 6, 6, 8, 9, 123e6, time.UTC),
	End:   time.Date(2024, 5, 6, 7, 8, 9, 123e6, time.UTC),
}

func TestDataDriven(t *testing.T) {
	datadriven.Walk(t, "testdata", func(t *testing.T, path string) {
		vars := map[string]Value{}
		datadriven.RunTest(t, path, func(t *testing.T, d *datadriven.TestData) string {
			var out strings.Builder
			for _, line := range strings.Split(d.Input, "\n") {
				line = strings.TrimSpace(line)
				if line == "" || strings.HasPrefix(line, "#") {
					continue
				}
				var res string
				switch d.Cmd {
				case "eval":
					v, err := evalLine(line, vars, false)
					res = showResult(v, err)
				case "print":
					v, err := evalLine(line, vars, false)
					if err != nil {
						res = "error: " + err.Error()
					} else {
						res = strconv.Quote(v.String())
					}
				case "check":
					_, err := evalLine(line, vars, true)
					res = "ok"
					if err != nil {
						res = "error: " + err.Error()
					}
				default:
					d.Fatalf(t, "unknown command %q", d.Cmd)
				}
				fmt.Fprintf(&out, "%s => %s\n", line, res)
			}
			return out.String()
		})
	})
}

func showResult(v Value, err error) string {
	if err != nil {
		return "error: " + err.Error()
	}
	switch v.Kind() {
	case KindNull:
		return "null"
	case KindString:
		return "string " + strconv.Quote(v.Text())
	case KindBool:
		return "bool " + strconv.FormatBool(Truthy(v))
	}
	return v.Kind().String() + " " + v.String()
}

// Test expression parser.

type token struct {
	kind byte // 'n' number, 's' string, 'p' period, 'r' regex, 'i' identifier, 'o' operator, 0 end
	text string
}

type lineError struct{ err error }

func lex(line string) ([]token, error) {
	var toks []token
	i := 0
	for i < len(line) {
		c := line[i]
		prev := token{}
		if len(toks) > 0 {
			prev = toks[len(toks)-1]
		}
		switch {
		case c == ' ' || c == '\t':
			i++
		case c == '"':
			j := i + 1
			for j < len(line) && line[j] != '"' {
				if line[j] == '\\' {
					j++
				}
				j++
			}
			if j >= len(line) {
				return nil, fmt.Errorf("unterminated string")
			}
			s, err := strconv.Unquote(line[i : j+1])
			if err != nil {
				return nil, err
			}
			toks = append(toks, token{'s', s})
			i = j + 1
		case c == '/' && ((prev.kind == 'i' && prev.text == "like") || (prev.kind == 'o' && prev.text == "=~")):
			j := i + 1
			var b strings.Builder
			for j < len(line) && line[j] != '/' {
				if line[j] == '\\' && j+1 < len(line) && line[j+1] == '/' {
					j++
				}
				b.WriteByte(line[j])
				j++
			}
			if j >= len(line) {
				return nil, fmt.Errorf("unterminated regex")
			}
			toks = append(toks, token{'r', b.String()})
			i = j + 1
		case c >= '0' && c <= '9' || (c == '.' && i+1 < len(line) && line[i+1] >= '0' && line[i+1] <= '9'):
			j := i
			for j < len(line) && (line[j] >= '0' && line[j] <= '9' || line[j] == '.') {
				j++
			}
			if j < len(line) && (line[j] == 'e' || line[j] == 'E') && j+1 < len(line) &&
				(line[j+1] >= '0' && line[j+1] <= '9' || line[j+1] == '-' || line[j+1] == '+') {
				j += 2
				for j < len(line) && line[j] >= '0' && line[j] <= '9' {
					j++
				}
			}
			k := j
			for k < len(line) && (line[k] >= 'a' && line[k] <= 'z' || line[k] >= 'A' && line[k] <= 'Z') {
				k++
			}
			if k > j {
				toks = append(toks, token{'p', line[i:k]})
			} else {
				toks = append(toks, token{'n', line[i:j]})
			}
			i = k
		case c == '@' || c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z':
			j := i + 1
			for j < len(line) && (line[j] == '_' || line[j] >= 'a' && line[j] <= 'z' || line[j] >= 'A' && line[j] <= 'Z' || line[j] >= '0' && line[j] <= '9') {
				j++
			}
			toks = append(toks, token{'i', line[i:j]})
			i = j
		case c == '`':
			j := strings.IndexByte(line[i+1:], '`')
			if j < 0 {
				return nil, fmt.Errorf("unterminated backtick")
			}
			toks = append(toks, token{'i', line[i+1 : i+1+j]})
			i += j + 2
		default:
			for _, op := range []string{"!=", "<=", ">=", "=~", "=", "<", ">", "+", "-", "*", "/", "%", "^", "(", ")", "[", "]", ",", "."} {
				if strings.HasPrefix(line[i:], op) {
					toks = append(toks, token{'o', op})
					i += len(op)
					goto next
				}
			}
			return nil, fmt.Errorf("unexpected %q", c)
		next:
		}
	}
	return toks, nil
}

type parser struct {
	toks      []token
	pos       int
	vars      map[string]Value
	checkOnly bool
}

func (p *parser) fail(format string, args ...any) {
	panic(lineError{fmt.Errorf(format, args...)})
}

func (p *parser) peek() token {
	if p.pos < len(p.toks) {
		return p.toks[p.pos]
	}
	return token{}
}

func (p *parser) next() token { t := p.peek(); p.pos++; return t }

func (p *parser) isOp(s string) bool   { t := p.peek(); return t.kind == 'o' && t.text == s }
func (p *parser) isWord(s string) bool { t := p.peek(); return t.kind == 'i' && t.text == s }

func (p *parser) expect(s string) {
	if !p.isOp(s) {
		p.fail("want %q, got %q", s, p.peek().text)
	}
	p.pos++
}

func evalLine(line string, vars map[string]Value, checkOnly bool) (v Value, err error) {
	toks, err := lex(line)
	if err != nil {
		panic(fmt.Sprintf("test line %q: %v", line, err))
	}
	p := &parser{toks: toks, vars: vars, checkOnly: checkOnly}
	defer func() {
		if r := recover(); r != nil {
			le, ok := r.(lineError)
			if !ok {
				panic(r)
			}
			v, err = Null, le.err
		}
	}()
	if p.isWord("let") {
		p.next()
		name := p.next()
		p.expect("=")
		v := p.expr()
		vars[name.text] = v
		return v, nil
	}
	v = p.expr()
	if p.pos != len(p.toks) {
		panic(fmt.Sprintf("test line %q: trailing %q", line, p.peek().text))
	}
	return v, nil
}

func (p *parser) expr() Value {
	l := p.and()
	for p.isWord("or") {
		p.next()
		l = Or(l, p.and())
	}
	return l
}

func (p *parser) and() Value {
	l := p.not()
	for p.isWord("and") {
		p.next()
		l = And(l, p.not())
	}
	return l
}

func (p *parser) not() Value {
	if p.isWord("not") {
		p.next()
		return Not(p.not())
	}
	return p.cmp()
}

func (p *parser) cmp() Value {
	l := p.add()
	t := p.peek()
	if t.kind == 'o' {
		if op, ok := ParseCmpOp(t.text); ok {
			p.next()
			return Compare(op, l, p.add())
		}
		if t.text == "=~" {
			p.next()
			return p.regex().Match(l)
		}
	}
	negate := false
	if p.isWord("not") {
		p.next()
		negate = true
	}
	var r Value
	switch {
	case p.isWord("like"):
		p.next()
		if p.peek().kind == 'r' {
			r = p.regex().Match(l)
		} else {
			s := p.next()
			if s.kind != 's' {
				p.fail("like wants a string or /regex/")
			}
			r = Like(l, s.text)
		}
	case p.isWord("in"):
		p.next()
		r = In(l, p.primary().Elems())
	default:
		if negate {
			p.fail("not must precede like or in here")
		}
		return l
	}
	if negate {
		r = Not(r)
	}
	return r
}

func (p *parser) regex() *Regex {
	t := p.next()
	if t.kind != 'r' {
		p.fail("want /regex/")
	}
	re, err := CompileRegex(t.text)
	if err != nil {
		p.fail("%v", err)
	}
	return re
}

func (p *parser) add() Value {
	l := p.mul()
	for p.isOp("+") || p.isOp("-") {
		op, _ := ParseArithOp(p.next().text)
		l = Arith(op, l, p.mul())
	}
	return l
}

func (p *parser) mul() Value {
	l := p.pow()
	for p.isOp("*") || p.isOp("/") || p.isOp("%") {
		op, _ := ParseArithOp(p.next().text)
		l = Arith(op, l, p.pow())
	}
	return l
}

func (p *parser) pow() Value {
	l := p.unary()
	if p.isOp("^") {
		p.next()
		return Arith(OpPow, l, p.pow())
	}
	return l
}

func (p *parser) unary() Value {
	if p.isOp("-") {
		p.next()
		return Neg(p.unary())
	}
	v := p.primary()
	for {
		switch {
		case p.isOp("."):
			p.next()
			v = v.Get(p.next().text)
		case p.isOp("["):
			p.next()
			i := p.expr()
			p.expect("]")
			f, _ := i.Number()
			v = v.Index(int(f))
		default:
			return v
		}
	}
}

func (p *parser) primary() Value {
	t := p.next()
	switch t.kind {
	case 'n':
		f, err := strconv.ParseFloat(t.text, 64)
		if err != nil {
			p.fail("bad number %q", t.text)
		}
		return Num(f)
	case 's', 'p':
		return Str(t.text)
	case 'o':
		switch t.text {
		case "(":
			v := p.expr()
			p.expect(")")
			return v
		case "[":
			var elems []Value
			for !p.isOp("]") {
				elems = append(elems, p.expr())
				if !p.isOp("]") {
					p.expect(",")
				}
			}
			p.next()
			return List(elems...)
		}
	case 'i':
		switch t.text {
		case "null":
			return Null
		case "true":
			return Bool(true)
		case "false":
			return Bool(false)
		}
		if p.isOp("(") {
			return p.call(t.text)
		}
		return p.vars[t.text]
	}
	p.fail("unexpected %q", t.text)
	return Null
}

func (p *parser) call(name string) Value {
	p.expect("(")
	var args, lits []Value // lits: literal arguments, null for other expressions
	for !p.isOp(")") {
		start := p.pos
		args = append(args, p.expr())
		lit := Null
		if k := p.toks[start].kind; p.pos == start+1 && (k == 's' || k == 'n' || k == 'p') {
			lit = args[len(args)-1]
		}
		lits = append(lits, lit)
		if !p.isOp(")") {
			p.expect(",")
		}
	}
	p.next()
	if name == "ts" { // test helper: a timestamp
		ms, ok := TimeArg(args[0])
		if !ok {
			p.fail("ts: bad time %v", args[0])
		}
		return Timestamp(ms)
	}
	f, ok := Lookup(name)
	if !ok {
		p.fail("unknown function %s", name)
	}
	if err := f.CheckArity(len(args)); err != nil {
		p.fail("%v", err)
	}
	if f.Check != nil {
		if err := f.Check(lits); err != nil {
			p.fail("%v", err)
		}
	}
	if p.checkOnly {
		return Null
	}
	if f.Implicit != "" {
		args = append([]Value{p.vars[f.Implicit]}, args...)
	}
	return f.Call(testEnv, args)
}

func TestLookupAndNames(t *testing.T) {
	names := Names()
	if len(names) < 60 {
		t.Fatalf("only %d functions", len(names))
	}
	for _, n := range names {
		f, ok := Lookup(n)
		if !ok {
			t.Fatalf("Lookup(%q) failed", n)
		}
		for _, spelling := range []string{strings.ToLower(n), strings.ToUpper(n)} {
			if g, ok := Lookup(spelling); !ok || g != f {
				t.Errorf("Lookup(%q) is not Lookup(%q)", spelling, n)
			}
		}
		if f.Call == nil || f.MinArgs < 0 || (f.MaxArgs >= 0 && f.MaxArgs < f.MinArgs) {
			t.Errorf("%s: bad definition", n)
		}
	}
	if _, ok := Lookup("nosuch"); ok {
		t.Error("Lookup(nosuch) succeeded")
	}
	if f, _ := Lookup("strftime"); f.Name != "formatDate" {
		t.Errorf("strftime is %s", f.Name)
	}
}

// TestNeverPanics calls every function with every arity it accepts (up to
// six arguments) over a spread of awkward values.
func TestNeverPanics(t *testing.T) {
	vals := []Value{Null, Str(""), Str("x"), Str(" 12 "), Str("-0x1f"), Str("{\"a\":[1,2]}"), Str("[1,\"a\"]"),
		Str("192.0.2.1"), Str("2001:db8::/32"), Str("5m"), Str("yyyy-MM-dd"), Str("%Y"), Str("UTC"), Str("\xff\xfe"),
		Num(0), Num(-1), Num(1e300), Num(-1e300), Num(0.5), Bool(true), Bool(false), Timestamp(0), Timestamp(maxMillis),
		Map(Member{"a", Num(1)}), List(Str("a"), Num(2))}
	for _, name := range Names() {
		f, _ := Lookup(name)
		max := f.MaxArgs
		if max < 0 || max > 6 {
			max = 6
		}
		for n := f.MinArgs; n <= max; n++ {
			args := make([]Value, n)
			if f.Implicit != "" {
				args = append(args, Null)
			}
			for _, v := range vals {
				for i := range args {
					args[i] = v
					for _, w := range vals {
						if i+1 < len(args) {
							args[i+1] = w
						}
						if f.Check != nil {
							_ = f.Check(args)
						}
						r := f.Call(testEnv, args)
						if r.Kind() == KindNumber && (r.Float() != r.Float()) {
							t.Fatalf("%s%v gave NaN", name, args)
						}
					}
				}
			}
			_ = f.Call(nil, args)
		}
	}
}

func TestErrorsWrap(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []Value
		want error
	}{
		{"bin", []Value{Str("5x")}, ErrPeriod},
		{"datefloor", []Value{Null, Str("0m")}, ErrPeriod},
		{"regexReplace", []Value{Null, Str("("), Str("")}, ErrRegex},
		{"isIpv4InSubnet", []Value{Null, Str("2001:db8::/32")}, ErrSubnet},
		{"parseDate", []Value{Null, Str("yyyy[MM]")}, ErrDateFormat},
		{"formatDate", []Value{Null, Str("%Y"), Str("Mars/Olympus")}, ErrTimeZone},
	} {
		f, _ := Lookup(tc.name)
		if err := f.Check(tc.args); !errors.Is(err, tc.want) {
			t.Errorf("%s%v: %v, want %v", tc.name, tc.args, err, tc.want)
		}
	}
	f, _ := Lookup("abs")
	if err := f.CheckArity(2); !errors.Is(err, ErrArity) {
		t.Errorf("abs arity: %v", err)
	}
	if _, err := CompileRegex("a("); !errors.Is(err, ErrRegex) {
		t.Errorf("CompileRegex: %v", err)
	}
}
