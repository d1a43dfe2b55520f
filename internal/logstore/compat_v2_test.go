package logstore

import (
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vigilhq/vigil/internal/bench"
)

const segV2Dir = "testdata/segv2"

// testdata/segv2 was written by the code of commit 08ab279 (footer
// version 2, every column frame zstd) with writeSegV2Fixture's data:
// bench.LogLines(7, 1500, 300) in 15 calls of 100 over three streams
// (group app, 128 KiB blocks), text lines and a mix of them (group text)
// and free text of a small vocabulary (group words, a column with a word
// index), colIndexMinBytes lowered to 1 KiB; records.sha256 is
// recordsDigest of it.

// recordsDigest lists every record of the groups app, text and words (stream,
// times, seq, message) and returns the listing's SHA-256 and size.
func recordsDigest(t *testing.T, s *Store) string {
	h := sha256.New()
	n := 0
	for _, g := range []string{"app", "text", "words"} {
		q := Query{Group: g, Limit: 10000}
		for {
			pg, err := s.Read(context.Background(), tp, q)
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range pg.Records {
				fmt.Fprintf(h, "%s %s %d %d %d %q\n", g, r.Stream, r.Timestamp, r.IngestionTime, r.Seq, r.Message)
				n++
			}
			if !pg.More {
				break
			}
			q.After = pg.Next
		}
	}
	return fmt.Sprintf("%x %d", h.Sum(nil), n)
}

// TestReadSegV2: a segment written by the code before the column codecs
// (footer version 2, testdata/segv2) reads back the same records, whole
// and column-wise, and its summaries still only prune.
func TestReadSegV2(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "seg"), 0o700); err != nil {
		t.Fatal(err)
	}
	segs, err := filepath.Glob(filepath.Join(segV2Dir, "seg", "*.seg"))
	if err != nil || len(segs) == 0 {
		t.Fatal("no fixture", err)
	}
	for _, p := range segs {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "seg", filepath.Base(p)), data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(filepath.Join(segV2Dir, "records.sha256"))
	if err != nil {
		t.Fatal(err)
	}
	s, err := Open(dir, Options{Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if got := recordsDigest(t, s); got != strings.TrimSpace(string(want)) {
		t.Fatalf("records digest %s, want %s", got, want)
	}
	checkStoreReads(t, s, []string{"app", "text", "words"})
}

// checkStoreReads: in the groups of s, pruned reads (RequiredSubstrings)
// find what a full read finds, column-wise blocks rebuild their messages
// and their column indexes only prune.
func checkStoreReads(t *testing.T, s *Store, groups []string) {
	t.Helper()
	ctx := context.Background()
	all := map[string][][]byte{}
	for _, g := range groups {
		pg, err := s.Read(ctx, tp, Query{Group: g, Limit: 10000})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range pg.Records {
			all[g] = append(all[g], bytes.Clone(r.Message))
		}
	}
	// Column-wise, every message is rebuilt the same.
	sc, err := s.Scan(ctx, tp, ScanQuery{Groups: groups, Columns: true, Order: OldestFirst})
	if err != nil {
		t.Fatal(err)
	}
	columnar, rebuilt := 0, 0
	seen := map[string]bool{}
	for _, ms := range all {
		for _, m := range ms {
			seen[string(m)] = true
		}
	}
	var b Block
	var scratch []byte
	for i := range sc.Len() {
		if ok, err := sc.Load(i, &b, &scratch); err != nil || !ok {
			t.Fatal(ok, err)
		}
		c := b.Columns()
		if c == nil {
			continue
		}
		columnar++
		checkColumnIndexes(t, c, b.Len(), []string{"kraken", "ERROR", "payment", "timeout", "declined", "stopped", "ord", "zzqx", "2026", "api", "eu-west"})
		for r := range b.Len() {
			m, err := c.AppendMessage(nil, r)
			if err != nil {
				t.Fatal(err)
			}
			if !seen[string(m)] {
				t.Fatalf("rebuilt message %q not stored", m)
			}
			rebuilt++
		}
	}
	sc.Close()
	if columnar == 0 {
		t.Fatal("no column-wise block in the fixture")
	}
	// Pruned reads find what a full read finds.
	for _, sub := range []string{"kraken", "ERROR", `"level":"WARN"`, "payment", "timeout", "eu-west-1", "zzqx", "/api/", "declined", "stopped cache", "ord"} {
		for g, ms := range all {
			match := func(m []byte) bool { return bytes.Contains(bytes.ToLower(m), bytes.ToLower([]byte(sub))) }
			n := 0
			for _, m := range ms {
				if match(m) {
					n++
				}
			}
			pg, err := s.Read(ctx, tp, Query{Group: g, Limit: 10000, RequiredSubstrings: []string{sub}, Match: match})
			if err != nil {
				t.Fatal(err)
			}
			if len(pg.Records) != n {
				t.Fatalf("%s in %s: %d records, want %d", sub, g, len(pg.Records), n)
			}
		}
	}
	t.Logf("%d column-wise blocks, %d messages rebuilt", columnar, rebuilt)
}

// checkColumnIndexes: for every column of c and text, a column that
// MayContain rules out holds no value containing it, and SearchWords, when
// it decides, finds exactly the rows whose value contains it.
func checkColumnIndexes(t *testing.T, c *Columns, n int, texts []string) {
	t.Helper()
	for id := range c.NumColumns() {
		if err := c.Load(id); err != nil {
			t.Fatal(err)
		}
		for _, s := range texts {
			want := make([]bool, n)
			any := false
			for r := range n {
				if v, ok := c.Value(id, r); ok && bytes.Contains(v, []byte(s)) {
					want[r], any = true, true
				}
			}
			if any && !c.MayContain(id, s) {
				t.Fatalf("column %d rules out %q, held by a value", id, s)
			}
			got := make([]bool, n)
			if c.SearchWords(id, s, got) && fmt.Sprint(got) != fmt.Sprint(want) {
				t.Fatalf("column %d: SearchWords(%q) disagrees with the values", id, s)
			}
		}
	}
}

// TestReadNewSegments: the same checks on segments written now, in blocks
// of the load generator's lines (S2 and Huffman-coded columns).
func TestReadNewSegments(t *testing.T) {
	s, err := Open(t.TempDir(), Options{Logger: quiet, NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	lines := bench.LogLines(9, 8000, 300)
	for c := range 8 {
		evs := make([]Event, 1000)
		for i := range evs {
			m := lines[c*1000+i]
			if i%977 == 0 {
				m = m[:len(m)-2] + ` kraken"}`
			}
			evs[i] = Event{Timestamp: int64(1767225600000 + c*1000 + i), IngestionTime: 1767225700000, Message: []byte(m)}
		}
		if err := s.Append(ctx, tp, "app", fmt.Sprint("s", c%3), evs); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	checkStoreReads(t, s, []string{"app"})
}
