package funcs

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"
)

// Errors a planner reports for a query; each is returned wrapped with the
// detail, so test with errors.Is.
var (
	// ErrArity: a function called with too few or too many arguments.
	ErrArity = errors.New("wrong number of arguments")
	// ErrPeriod: a time period literal that is not a positive integer
	// followed by a known unit (bin(5x), datefloor(@timestamp, 0m)).
	ErrPeriod = errors.New("invalid time period")
	// ErrRegex: a regular expression that does not compile.
	ErrRegex = errors.New("invalid regular expression")
	// ErrSubnet: a subnet that is not CIDR notation of the right family.
	ErrSubnet = errors.New("invalid subnet")
	// ErrDateFormat: a parseDate pattern this implementation cannot read.
	ErrDateFormat = errors.New("invalid date format")
	// ErrTimeZone: a time zone that is neither an IANA name nor an offset.
	ErrTimeZone = errors.New("invalid time zone")
)

// Env is what a query lends its function calls: the times that now(),
// queryStartTime(), queryEndTime() and queryTimeRange() report. The package
// reads no clock; the executor fills an Env once per query. An Env is read
// only during calls and may be shared by concurrent calls. A nil *Env, or a
// zero time, makes those functions return null.
type Env struct {
	// Now is when query processing started (now()).
	Now time.Time
	// Start and End bound the query's time window.
	Start, End time.Time
}

// Func is one scalar function of the language.
type Func struct {
	// Name is the documented spelling. Lookup is case-insensitive.
	Name string
	// MinArgs and MaxArgs bound the number of arguments the user writes;
	// MaxArgs < 0 means no upper bound.
	MinArgs, MaxArgs int
	// Implicit, when set, names a field whose value the executor passes
	// before the written arguments: bin(5m) is called with
	// [@timestamp, "5m"]. MinArgs, MaxArgs and Check do not count it.
	Implicit string
	// Check, when set, validates the written arguments at plan time. It is
	// given the arguments that are literals and null in the place of any
	// other expression (the language has no null literal), and returns an
	// error wrapping one of the Err values for a literal Call could never
	// use, such as an invalid period, regular expression or subnet.
	Check func(args []Value) error
	// Call evaluates the function. It never panics and never fails: an
	// argument it cannot use makes the result null (see the package doc).
	// args has a length within the bounds (plus one with Implicit); Call
	// does not keep the slice. env may be nil.
	Call func(env *Env, args []Value) Value
	// Bind, when set, returns Call specialised to the written arguments
	// that are literals (given as Check gets them), or nil: bin(5m) parses
	// its period once per query rather than once per event.
	Bind func(args []Value) func(env *Env, args []Value) Value
}

// CheckArity reports whether n written arguments fit f; the error wraps
// ErrArity.
func (f *Func) CheckArity(n int) error {
	if n < f.MinArgs || (f.MaxArgs >= 0 && n > f.MaxArgs) {
		var want string
		switch {
		case f.MaxArgs < 0:
			want = fmt.Sprintf("at least %d", f.MinArgs)
		case f.MinArgs == f.MaxArgs:
			want = fmt.Sprint(f.MinArgs)
		default:
			want = fmt.Sprintf("%d to %d", f.MinArgs, f.MaxArgs)
		}
		return fmt.Errorf("%w: %s takes %s, got %d", ErrArity, f.Name, want, n)
	}
	return nil
}

// registry maps lower-cased names (and aliases) to functions.
var registry = buildRegistry()

func buildRegistry() map[string]*Func {
	m := map[string]*Func{}
	for _, group := range [][]*Func{numericFuncs, stringFuncs, datetimeFuncs, generalFuncs, jsonFuncs, ipFuncs, dataProtFuncs} {
		for _, f := range group {
			key := strings.ToLower(f.Name)
			if m[key] != nil {
				panic("funcs: duplicate function " + f.Name)
			}
			m[key] = f
		}
	}
	for alias, name := range aliases {
		m[strings.ToLower(alias)] = m[strings.ToLower(name)]
	}
	return m
}

// aliases maps documented alternative names to functions.
var aliases = map[string]string{
	"strftime": "formatDate", // AWS: "Also available as the alias strftime"
}

// Lookup returns the function called name, ignoring case (toUpper, toupper
// and TOUPPER are one function).
func Lookup(name string) (*Func, bool) {
	f, ok := registry[strings.ToLower(name)]
	return f, ok
}

// Names returns the documented names of all functions and aliases, sorted.
func Names() []string {
	names := make([]string, 0, len(registry))
	for _, group := range [][]*Func{numericFuncs, stringFuncs, datetimeFuncs, generalFuncs, jsonFuncs, ipFuncs, dataProtFuncs} {
		for _, f := range group {
			names = append(names, f.Name)
		}
	}
	for alias := range aliases {
		names = append(names, alias)
	}
	sort.Strings(names)
	return names
}

// cache memoises the compilation of string arguments (regular expressions,
// date patterns, time zones), which are nearly always literals repeated on
// every row. It is safe for concurrent use and bounded: when full it starts
// over.
type cache[V any] struct {
	mu sync.Mutex
	m  map[string]cacheEntry[V]
}

type cacheEntry[V any] struct {
	v   V
	err error
}

const cacheMax = 256

func (c *cache[V]) get(key string, build func(string) (V, error)) (V, error) {
	c.mu.Lock()
	e, ok := c.m[key]
	c.mu.Unlock()
	if ok {
		return e.v, e.err
	}
	v, err := build(key)
	c.mu.Lock()
	if c.m == nil || len(c.m) >= cacheMax {
		c.m = make(map[string]cacheEntry[V])
	}
	c.m[key] = cacheEntry[V]{v, err}
	c.mu.Unlock()
	return v, err
}

// Helpers shared by the function files.

// fn builds a Func with a fixed arity.
func fn(name string, min, max int, call func(env *Env, args []Value) Value) *Func {
	return &Func{Name: name, MinArgs: min, MaxArgs: max, Call: call}
}

// textArg is the string view of an argument (see Value.textual).
func textArg(v Value) (string, bool) { return v.textual() }

// numArg is the numeric view of an argument (see Value.Number).
func numArg(v Value) (float64, bool) { return v.Number() }

// litArg returns the text of a literal argument for Check, or ok=false when
// the argument is absent or not a literal.
func litArg(args []Value, i int) (string, bool) {
	if i >= len(args) || args[i].kind == KindNull {
		return "", false
	}
	return args[i].textual()
}

// numResult turns a predicate into AWS's documented number result (1 or 0).
func numResult(b bool) Value {
	if b {
		return Value{kind: KindNumber, num: 1}
	}
	return Value{kind: KindNumber}
}

// wrapErr wraps a detail error under one of the Err kinds.
func wrapErr(kind, err error) error { return fmt.Errorf("%w: %v", kind, err) }
