package logstore

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
)

// checkSearchWords compares SearchWords with testing each row's value, for
// every text given, and returns how many texts the index decided.
func checkSearchWords(t testing.TB, c *Columns, n int, texts []string) int {
	t.Helper()
	decided := 0
	for id := range c.NumColumns() {
		if err := c.Load(id); err != nil {
			t.Fatal(err)
		}
		for _, s := range texts {
			found := make([]bool, n)
			if !c.SearchWords(id, s, found) {
				continue
			}
			decided++
			for i := range n {
				v, _ := c.Value(id, i)
				if want := strings.Contains(string(v), s); found[i] != want {
					name, _ := c.ColumnName(id)
					t.Fatalf("%q in column %q row %d (%q): %v, want %v", s, name, i, v, found[i], want)
				}
			}
		}
	}
	return decided
}

// The word index decides texts of letters in rare words exactly, leaves
// the others to the search, and is dropped for identifiers.
func TestColumnWords(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	common := []string{"request done", "cache miss", "token validated", "order_id=12 region=eu-west-1"}
	rare := []string{"payment provider timeout", "deadlock detected, rolled back", "Timeout-ish", "timeouts42x"}
	var msgs []string
	for i := range 3000 {
		m := common[r.IntN(len(common))]
		if r.IntN(50) == 0 {
			m = rare[r.IntN(len(rare))] + " " + m
		}
		msgs = append(msgs, fmt.Sprintf(`{"msg":"%s %d","id":"%08x"}`, m, i, r.Uint32()))
	}
	blk, _ := roundTrip(t, blockOf(msgs))
	blk.slice(100, 2900)
	c := blk.Columns()
	msg, id := c.Column("msg", KindString), c.Column("id", KindString)
	if c.cols[msg].words == nil {
		t.Fatal("no word index on msg")
	}
	if c.cols[id].words != nil {
		t.Error("a word index on hex identifiers")
	}
	texts := []string{"timeout", "Timeout", "deadlock", "eadloc", "rolled", "ish", "s", "x", "zebra", "request", "eu-west", "provider timeout", "12", ""}
	if d := checkSearchWords(t, c, blk.Len(), texts); d < 7 {
		t.Errorf("%d texts decided by the word index, want at least 7", d)
	}
	found := make([]bool, blk.Len())
	for _, s := range []string{"request", "e", "eu-west", "provider timeout", ""} {
		if c.SearchWords(msg, s, found) {
			t.Errorf("%q: decided, want the search (common word or not letters only)", s)
		}
	}
	if !c.SearchWords(msg, "zebra", found) || !c.SearchWords(msg, "timeout", found) {
		t.Error("an absent or rare word was not decided")
	}
}

// A column's trigram summary rules out texts its byte set lets through,
// and never one that a value holds.
func TestColumnSummary(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	paths := []string{"/api/v1/orders/%d", "/api/v1/payments/%d/capture", "/healthz", "/api/v2/search?q=%d"}
	var msgs []string
	for range 2000 {
		msgs = append(msgs, fmt.Sprintf(`{"path":"`+paths[r.IntN(len(paths))]+`"}`, r.IntN(1000000)))
	}
	blk, _ := roundTrip(t, blockOf(msgs))
	c := blk.Columns()
	id := c.Column("path", KindString)
	if c.cols[id].summary == nil || c.cols[id].words != nil {
		t.Fatalf("path: summary %d bytes, word index %d bytes; want a summary only", len(c.cols[id].summary), len(c.cols[id].words))
	}
	if c.MayContain(id, "timeout") {
		t.Error(`"timeout" not ruled out of paths`)
	}
	if err := c.Load(id); err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"orders", "api/v", "/capture", "z", "q=1", "health", "ments/9", "search?q", "timeout", "paths", "Orders"} {
		held := false
		for i := range blk.Len() {
			v, _ := c.Value(id, i)
			held = held || strings.Contains(string(v), s)
		}
		if held && !c.MayContain(id, s) {
			t.Errorf("%q: ruled out, but a value holds it", s)
		}
	}
}
