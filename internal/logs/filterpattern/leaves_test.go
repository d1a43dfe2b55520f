package filterpattern

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
)

// MatchLeaves must agree with Match on every event made of the leaves.
func TestMatchLeavesAgrees(t *testing.T) {
	patterns := []string{
		`{ $.level = "ERROR" }`, `{ $.level != "ERROR" && $.status >= 500 }`, `{ $.level = "ERR*" }`,
		`{ $.status = 200 || $.status = 404 }`, `{ $.ok IS TRUE }`, `{ $.ok IS FALSE }`, `{ $.gone IS NULL }`,
		`{ $.gone NOT EXISTS }`, `{ $.msg = %time.*t% }`, `{ $.latency > 1.5e2 }`, `{ $.tags = "x" }`,
		`{ ($.level = "WARN" || $.level = "ERROR") && $.msg != "*timeout*" }`, `{ $.msg = "caf\u00e9" }`,
	}
	r := rand.New(rand.NewPCG(1, 2))
	levels := []string{`"ERROR"`, `"WARN"`, `"ERR\u004fR"`, `"INFO"`, `500`, `null`}
	msgs := []string{`"upstream timeout"`, `"caf\u00e9"`, `"café"`, `"ok"`, `["a"]`}
	for range 400 {
		type kv struct{ k, v string }
		var kvs []kv
		if r.IntN(5) > 0 {
			kvs = append(kvs, kv{"level", levels[r.IntN(len(levels))]})
		}
		if r.IntN(5) > 0 {
			kvs = append(kvs, kv{"status", []string{"200", "404", "503", `"500"`, "2e2"}[r.IntN(5)]})
		}
		if r.IntN(3) > 0 {
			kvs = append(kvs, kv{"ok", []string{"true", "false", `"true"`}[r.IntN(3)]})
		}
		if r.IntN(3) > 0 {
			kvs = append(kvs, kv{"gone", []string{"null", "1", `""`}[r.IntN(3)]})
		}
		if r.IntN(2) > 0 {
			kvs = append(kvs, kv{"msg", msgs[r.IntN(len(msgs))]})
		}
		if r.IntN(2) > 0 {
			kvs = append(kvs, kv{"latency", []string{"150", "151", "149.5", `{"p99":1}`}[r.IntN(4)]})
		}
		if r.IntN(4) == 0 {
			kvs = append(kvs, kv{"tags", `["x"]`})
		}
		r.Shuffle(len(kvs), func(i, j int) { kvs[i], kvs[j] = kvs[j], kvs[i] })
		var b strings.Builder
		b.WriteString("{")
		for i, e := range kvs {
			if i > 0 {
				b.WriteString(",")
			}
			fmt.Fprintf(&b, "%q:%s", e.k, e.v)
		}
		b.WriteString("}")
		msg := b.String()
		for _, ps := range patterns {
			p := MustParse(ps)
			keys, ok := p.TopLevelKeys()
			if !ok {
				t.Fatalf("%s: not top-level", ps)
			}
			leaves := make([]JSONLeaf, len(keys))
			for li, key := range keys {
				for _, e := range kvs {
					if e.k != key {
						continue
					}
					switch {
					case e.v[0] == '"':
						leaves[li] = JSONLeaf{Kind: LeafString, Text: []byte(e.v[1 : len(e.v)-1])}
					case e.v[0] == '{' || e.v[0] == '[':
						leaves[li] = JSONLeaf{Kind: LeafContainer, Text: []byte(e.v)}
					default:
						leaves[li] = JSONLeaf{Kind: LeafScalar, Text: []byte(e.v)}
					}
				}
			}
			got, _ := p.MatchLeaves(leaves, nil)
			if want := p.Match(msg); got != want {
				t.Fatalf("%s on %s: MatchLeaves %v, Match %v", ps, msg, got, want)
			}
		}
	}
}

func TestTopLevelKeys(t *testing.T) {
	for ps, want := range map[string]string{
		`{ $.a = 1 && $.b = 2 || $.a = 3 }`: "[a b]",
		`{ $.a.b = 1 }`:                     "false",
		`{ $.a[0] = 1 }`:                    "false",
		`{ $.a = 1 && $.a.b = 2 }`:          "false",
		`ERROR`:                             "false",
	} {
		keys, ok := MustParse(ps).TopLevelKeys()
		got := fmt.Sprint(keys)
		if !ok {
			got = "false"
		}
		if got != want {
			t.Errorf("%s: %s, want %s", ps, got, want)
		}
	}
}
