package insights

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"

	"github.com/vigilhq/vigil/internal/insights/funcs"
)

// envFor builds a fieldEnv wanting names, as the compiler does.
func envFor(names ...string) *fieldEnv {
	env := &fieldEnv{want: map[string]bool{}, prefix: map[string]bool{}}
	for _, flat := range names {
		env.want[flat] = true
		for i := 0; i < len(flat); i++ {
			if flat[i] == '.' {
				env.prefix[flat[:i]] = true
			}
		}
	}
	return env
}

// allPaths lists every flattened name in doc (leaves and containers),
// in document order, or nil when doc is not JSON.
func allPaths(doc string) []string {
	v, ok := funcs.ParseJSON(doc)
	if !ok {
		return nil
	}
	var out []string
	var rec func(v funcs.Value, path string)
	rec = func(v funcs.Value, path string) {
		child := func(k string) string {
			if path == "" {
				return k
			}
			return path + "." + k
		}
		switch v.Kind() {
		case funcs.KindMap:
			for _, m := range v.Members() {
				p := child(m.Key)
				out = append(out, p)
				rec(m.Value, p)
			}
		case funcs.KindList:
			for i, e := range v.Elems() {
				p := child(strconv.Itoa(i))
				out = append(out, p)
				rec(e, p)
			}
		}
	}
	rec(v, "")
	return out
}

func sameFields(a, b []namedVal) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].name != b[i].name || a[i].v != b[i].v {
			return false
		}
	}
	return true
}

// checkDoc compares discoverJSON with the tree reference for env, and the
// scanner alone (which must either agree or report a repeated key).
func checkDoc(t testing.TB, doc string, env *fieldEnv) {
	t.Helper()
	want := discoverJSONTree(doc, env)
	if got := discoverJSON(doc, env); !sameFields(got, want) {
		t.Fatalf("doc %q want-set %v:\n got %v\nwant %v", doc, env.want, got, want)
	}
	if len(env.want) == 0 || !looksLikeObject(doc) {
		return
	}
	sc := jsonScanner{s: doc, env: env}
	got, ok := sc.run()
	_, valid := funcs.ParseJSON(doc)
	switch {
	case sc.dup:
		if !valid {
			return // the fallback sees it is invalid
		}
		if !hasRepeatedKey(doc) {
			t.Fatalf("doc %q: scanner reports a repeated key", doc)
		}
	case ok != valid:
		t.Fatalf("doc %q: scanner valid %v, ParseJSON %v", doc, ok, valid)
	case ok && !sameFields(got, want):
		t.Fatalf("doc %q want-set %v: scanner %v, reference %v", doc, env.want, got, want)
	}
}

// hasRepeatedKey reports whether some object in the valid doc repeats a
// key, judged by ParseJSON's member count against the raw key count.
func hasRepeatedKey(doc string) bool {
	v, _ := funcs.ParseJSON(doc)
	return countMembers(v) != rawKeys(doc)
}

func countMembers(v funcs.Value) int {
	n := 0
	switch v.Kind() {
	case funcs.KindMap:
		for _, m := range v.Members() {
			n += 1 + countMembers(m.Value)
		}
	case funcs.KindList:
		for _, e := range v.Elems() {
			n += countMembers(e)
		}
	}
	return n
}

// rawKeys counts the keys written in a valid doc: strings followed by ':'.
func rawKeys(doc string) int {
	n := 0
	for i := 0; i < len(doc); i++ {
		if doc[i] != '"' {
			continue
		}
		for i++; doc[i] != '"'; i++ {
			if doc[i] == '\\' {
				i++
			}
		}
		j := i + 1
		for j < len(doc) && strings.IndexByte(" \t\r\n", doc[j]) >= 0 {
			j++
		}
		if j < len(doc) && doc[j] == ':' {
			n++
		}
	}
	return n
}

// wantSets returns want-sets for doc: every name, each single name, and
// random subsets with some names that are not in doc.
func wantSets(r *rand.Rand, doc string) []*fieldEnv {
	paths := allPaths(doc)
	extra := []string{"a", "b", "a.b", "0", "a.0", "x.y.z", "", ".", "a.", "level"}
	sets := []*fieldEnv{envFor(paths...), envFor(extra...)}
	for _, p := range paths[:min(len(paths), 20)] {
		sets = append(sets, envFor(p))
	}
	for k := 0; k < 8; k++ {
		var names []string
		for _, p := range paths {
			if r.IntN(3) == 0 {
				names = append(names, p)
			}
		}
		if r.IntN(2) == 0 {
			names = append(names, extra[r.IntN(len(extra))])
		}
		sets = append(sets, envFor(names...))
	}
	return sets
}

var handDocs = []string{
	`{}`,
	` {"a":1} `,
	`{"a":1,"b":"x","c":true,"d":false,"e":null}`,
	`{"a":{"b":{"c":"deep"}},"a.b":{"c":"flat"}}`,
	`{"a.b":1,"a":{"b":2}}`,
	`{"":{"x":1},"x":2,"":3}`,
	`{"":{"":{"":1}}}`,
	`{"a":[1,[2,3],{"b":[4,{"c":5}]}],"b":[]}`,
	`{"a":[{"x":1,"y":2},{"x":3,"y":4}]}`,
	`{"a":1,"b":2,"a":3}`,
	`{"a":{"x":1},"b":2,"a":{"y":2,"z":3}}`,
	`{"a":{"x":1,"x":{"p":1,"q":2}},"b":2}`,
	`{"s":"tab\there \"q\" \\ \/ \b\f\n\r \u00e9 \ud83d\ude00 \ud800 \udc00x \ud800\u0041"}`,
	`{"k\u0061":1,"ka":2}`,
	`{"k\u0061":{"b":1},"q\"uote":2,"dot.key":3}`,
	`{"héllo":"wörld","日本":"語"}`,
	`{"n":[0,-0,1.5,-2.25e3,1E+2,1e-400,1e400,-1e400,123456789012345678901234567890,0.1]}`,
	`{"a":1e999,"b":2}`,
	`{"a":tru}`, `{"a":nul}`, `{"a":01}`, `{"a":1.}`, `{"a":.5}`, `{"a":-}`, `{"a":1e}`,
	`{"a":"\x"}`, `{"a":"\u12"}`, `{"a":"\u12G4"}`, `{"a":"unterminated}`,
	"{\"a\":\"ctl\x01\"}", `{"a":1,}`, `{"a":1 "b":2}`, `{"a" 1}`, `{a:1}`, `{"a":[1,]}`,
	`{"a":1}x`, `{"a":1}{}`, `{"a":1`, `{`, `{"a":{"b":1}`, `{"a":[1,2}`, `{"a":"\ud800\u12"}`,
	`{"a":1,"a":2,"b":`, // invalid and repeated
	"{\"a\":1}\n\t ",
	`{"a":"trailing\\"}`,
}

func TestExtractJSONHand(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, doc := range handDocs {
		for _, env := range wantSets(r, doc) {
			checkDoc(t, doc, env)
		}
		checkDoc(t, doc, envFor("a", "b", "s", "n.0", "n.5", "n.6", "n.8", "a.0", "a.2.b.1.c", "x", "ka", "dot.key", "q\"uote", "héllo"))
	}
}

func TestExtractJSONLimit(t *testing.T) {
	var b strings.Builder
	b.WriteString(`{"head":{"x":[`)
	for i := 0; i < 150; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, "%d", i)
	}
	b.WriteString(`]}`)
	for i := 0; i < 120; i++ {
		fmt.Fprintf(&b, `,"k%d":{"v":%d,"w":null}`, i, i)
	}
	b.WriteString(`}`)
	doc := b.String()
	names := []string{"head.x.0", "head.x.149", "k10.v", "k24.v", "k24.w", "k25.v", "k26.v", "k119.v"}
	for _, n := range names {
		checkDoc(t, doc, envFor(n))
	}
	checkDoc(t, doc, envFor(names...))
	checkDoc(t, doc, envFor("head.y", "k24.v", "k25.v")) // head counted, not visited
	got := discoverJSON(doc, envFor("k24.v", "k25.v"))
	if len(got) != 1 || got[0].name != "k24.v" {
		t.Fatalf("limit: got %v", got)
	}
	// Nesting at and past ParseJSON's depth limit.
	for _, d := range []int{511, 512, 513, 600} {
		deep := `{"a":` + strings.Repeat("[", d) + `1` + strings.Repeat("]", d) + `,"b":2}`
		checkDoc(t, deep, envFor("b", "a.0.0"))
		deep = `{"a":` + strings.Repeat("[", d) + strings.Repeat("]", d) + `,"b":2}`
		checkDoc(t, deep, envFor("b"))
	}
	// Large objects (the map-based repeated-key check).
	b.Reset()
	b.WriteString("{")
	for i := 0; i < 100; i++ {
		fmt.Fprintf(&b, `"k%d":%d,`, i, i)
	}
	checkDoc(t, b.String()+`"k5":"again"}`, envFor("k5", "k99"))
	checkDoc(t, b.String()+`"last":1}`, envFor("k5", "k99", "last"))
}

// randDoc writes a random JSON object to b.
func randDoc(r *rand.Rand, b *strings.Builder, depth int) {
	keys := []string{"a", "b", "c", "", "a.b", "0", "k\\u0061", "d\\\"q", "é", "level"}
	ws := func() {
		if r.IntN(6) == 0 {
			b.WriteString([]string{" ", "\n", "\t ", "\r\n"}[r.IntN(4)])
		}
	}
	var value func(depth int)
	object := func(depth int) {
		b.WriteByte('{')
		n := r.IntN(5)
		if depth > 0 && r.IntN(20) == 0 {
			n = 40 + r.IntN(40)
		}
		used := map[string]bool{}
		for i := 0; i < n; i++ {
			if i > 0 {
				b.WriteByte(',')
			}
			ws()
			k := keys[r.IntN(len(keys))]
			if n > 5 || used[k] && r.IntN(4) != 0 {
				k = fmt.Sprintf("k%d", i)
			}
			used[k] = true
			b.WriteString(`"` + k + `"`)
			ws()
			b.WriteByte(':')
			ws()
			value(depth + 1)
			ws()
		}
		b.WriteByte('}')
	}
	value = func(depth int) {
		kind := r.IntN(10)
		if depth > 6 {
			kind = 2 + r.IntN(8)
		}
		switch kind {
		case 0:
			object(depth)
		case 1:
			b.WriteByte('[')
			n := r.IntN(5)
			if r.IntN(15) == 0 {
				n = 50 + r.IntN(200)
			}
			for i := 0; i < n; i++ {
				if i > 0 {
					b.WriteByte(',')
				}
				ws()
				value(depth + 1)
			}
			b.WriteByte(']')
		case 2, 3:
			b.WriteString([]string{`"x"`, `""`, `"esc\n\"\\\/\u00e9"`, `"\ud83d\ude00"`, `"\udc00"`, `"日本"`, `"a\tb"`}[r.IntN(7)])
		case 4, 5:
			b.WriteString([]string{"0", "-0", "1", "-12.5", "1e3", "2E-2", "1e400", "1e-400", "123456789012345678901", "0.30000000000000004"}[r.IntN(10)])
		case 6:
			b.WriteString("true")
		case 7:
			b.WriteString("false")
		case 8:
			b.WriteString("null")
		default:
			b.WriteString(`[]`)
		}
	}
	object(depth)
}

func TestExtractJSONRandom(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 11))
	for i := 0; i < 600; i++ {
		var b strings.Builder
		randDoc(r, &b, 0)
		doc := b.String()
		if _, ok := funcs.ParseJSON(doc); !ok {
			t.Fatalf("generator wrote invalid JSON %q", doc)
		}
		for _, env := range wantSets(r, doc) {
			checkDoc(t, doc, env)
		}
		// A mutation: usually invalid, sometimes still valid.
		m := []byte(doc)
		switch r.IntN(3) {
		case 0:
			m = m[:r.IntN(len(m))]
		case 1:
			const muts = "{}[]\",:\\ 0a-"
			m[r.IntN(len(m))] = muts[r.IntN(len(muts))]
		default:
			k := r.IntN(len(m))
			m = append(m[:k:k], m[k+1:]...)
		}
		for _, env := range wantSets(r, doc) {
			checkDoc(t, string(m), env)
		}
	}
}

func FuzzExtractJSON(f *testing.F) {
	for _, doc := range handDocs {
		f.Add(doc, "a,b.c,a.0")
	}
	f.Add(`{"a":{"b":[1,{"c":"x"}]}}`, "a.b.1.c,a.b.0")
	f.Fuzz(func(t *testing.T, doc, names string) {
		checkDoc(t, doc, envFor(strings.Split(names, ",")...))
		if paths := allPaths(doc); len(paths) > 0 {
			checkDoc(t, doc, envFor(paths...))
		}
	})
}
