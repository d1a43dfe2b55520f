package logstore

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// asciiLower lowercases ASCII letters only, as summaries do.
func asciiLower(b []byte) []byte {
	out := make([]byte, len(b))
	for i, c := range b {
		out[i] = lower[c]
	}
	return out
}

// containsFold reports whether msg contains sub, ASCII letters compared
// case-insensitively: the promise RequiredSubstrings makes.
func containsFold(msg, sub []byte) bool {
	return bytes.Contains(asciiLower(msg), asciiLower(sub))
}

// randMessage draws from a small alphabet (so substrings recur) with both
// cases, punctuation and bytes ≥ 0x80, among them 0xC1–0xDA and 0xE1–0xFA,
// which lowercasing must leave alone.
func randMessage(r *rand.Rand) []byte {
	const alpha = "aAbBcCeEkKrR019_ :\"{}\x00\xc1\xc2\xe1\xe2\xff"
	m := make([]byte, r.IntN(40))
	for i := range m {
		m[i] = alpha[r.IntN(len(alpha))]
	}
	return m
}

// randSubstring is a piece of one of msgs with some letters' case flipped,
// or random bytes.
func randSubstring(r *rand.Rand, msgs [][]byte) []byte {
	if len(msgs) == 0 || r.IntN(4) == 0 {
		m := randMessage(r)
		return m[:min(len(m), r.IntN(8))]
	}
	m := msgs[r.IntN(len(msgs))]
	if len(m) == 0 {
		return nil
	}
	i := r.IntN(len(m))
	j := i + r.IntN(min(10, len(m)-i)+1)
	s := bytes.Clone(m[i:j])
	for k, c := range s {
		if r.IntN(2) == 0 && (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
			s[k] = c ^ 0x20
		}
	}
	return s
}

// checkNoFalseNegative builds the summary of msgs folded to limit bytes
// and fails if it rules the block out for subs although each of them of 3
// bytes or more is in some message.
func checkNoFalseNegative(t *testing.T, msgs [][]byte, subs [][]byte, limit int) {
	t.Helper()
	var tb trigramBits
	for _, m := range msgs {
		tb.addMessage(m)
	}
	sum := tb.appendSummary(nil, limit)
	if !validSummaryLen(uint32(len(sum))) {
		t.Fatalf("summary length %d", len(sum))
	}
	strs := make([]string, len(subs))
	for i, s := range subs {
		strs[i] = string(s)
	}
	if requiredTrigrams(strs).mayMatch(sum) {
		return
	}
	// Skipped: some substring of ≥ 3 bytes must be in no message.
	for _, s := range subs {
		if len(s) >= 3 && !slices.ContainsFunc(msgs, func(m []byte) bool { return containsFold(m, s) }) {
			return
		}
	}
	t.Fatalf("block skipped for %q, but its messages contain them (summary %d bytes, messages %q)", subs, len(sum), msgs)
}

// TestSummaryNoFalseNegatives: for random messages and random substrings
// (taken from the messages with their case changed, or random), a block is
// never skipped when one of its messages contains the substring,
// case-insensitively — at every summary size.
func TestSummaryNoFalseNegatives(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for range 3000 {
		msgs := make([][]byte, 1+r.IntN(20))
		for i := range msgs {
			msgs[i] = randMessage(r)
		}
		limit := []int{0, 64, 1 << 20}[r.IntN(3)]
		for range 10 {
			checkNoFalseNegative(t, msgs, [][]byte{randSubstring(r, msgs)}, limit)
		}
		checkNoFalseNegative(t, msgs, [][]byte{randSubstring(r, msgs), randSubstring(r, msgs)}, limit)
	}
}

// TestSummarySkips: the summary does skip blocks that lack a substring
// (it is not vacuous), and bytes ≥ 0x80 are not case-folded.
func TestSummarySkips(t *testing.T) {
	var tb trigramBits
	tb.addMessage([]byte("{\"level\":\"INFO\",\"msg\":\"request completed\",\"caf\xc3\xa9\":1}"))
	sum := tb.appendSummary(nil, 1<<20)
	for _, tc := range []struct {
		sub string
		may bool
	}{
		{"request", true}, {"REQUEST", true}, {"Completed", true}, {`"level":"info"`, true},
		{"caf\xc3\xa9", true}, {"CAF\xc3\xa9", true},
		{"caf\xc3\x89", false}, // É is not é for the summary (nor for a byte matcher)
		{"kraken", false}, {"ERROR", false}, {"request completely", false},
		{"zz", true}, {"", true}, // too short to constrain
	} {
		if got := requiredTrigrams([]string{tc.sub}).mayMatch(sum); got != tc.may {
			t.Errorf("%q: mayMatch %v, want %v", tc.sub, got, tc.may)
		}
	}
	if got := requiredTrigrams([]string{"request", "kraken"}).mayMatch(sum); got {
		t.Errorf("request+kraken: mayMatch true, want false")
	}
}

// TestSummarySize: summaries fold to a power of two, stay sparse, and stay
// within their bound.
func TestSummarySize(t *testing.T) {
	g := newLogGen(3)
	for _, rawBytes := range []int{0, 100, 2 << 10, 64 << 10, 1 << 20} {
		var tb trigramBits
		raw := 0
		for raw < rawBytes {
			m := g.line(nil)
			tb.addMessage(m)
			raw += len(m)
		}
		sum := tb.appendSummary(nil, raw/sumMaxRatio)
		if !validSummaryLen(uint32(len(sum))) {
			t.Fatalf("raw %d: summary length %d", raw, len(sum))
		}
		ones := 0
		for _, c := range sum {
			for ; c != 0; c &= c - 1 {
				ones++
			}
		}
		fill := float64(ones) / float64(len(sum)*8)
		if len(sum) > max(sumMinBytes, raw/sumMaxRatio) {
			t.Errorf("raw %d: summary %d bytes over its bound", raw, len(sum))
		}
		if raw >= 64<<10 && fill > sumMaxFill {
			t.Errorf("raw %d: fill %.3f", raw, fill)
		}
		t.Logf("raw %7d: summary %5d bytes (%.4f of raw), fill %.3f", raw, len(sum), float64(len(sum))/float64(max(raw, 1)), fill)
	}
}

// TestStoreSkipsNoMatchingBlock is the property through the store: random
// events flushed into small blocks, then reads and scans with random
// required substrings and a case-insensitive matcher return exactly what a
// full scan does.
func TestStoreSkipsNoMatchingBlock(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	s, err := Open(t.TempDir(), Options{Logger: quiet, BlockBytes: 256, summaryRatio: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	var all [][]byte
	for i := range 40 {
		evs := make([]Event, 50)
		for j := range evs {
			m := randMessage(r)
			evs[j] = Event{Timestamp: int64(i*50 + j), Message: m}
			all = append(all, m)
		}
		if err := s.Append(ctx, tp, "g", fmt.Sprint("s", i%3), evs); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	var skipped, blocks int64
	for range 200 {
		sub := randSubstring(r, all)
		want := 0
		for _, m := range all {
			if containsFold(m, sub) {
				want++
			}
		}
		match := func(m []byte) bool { return containsFold(m, sub) }
		pg, err := s.Read(ctx, tp, Query{Group: "g", RequiredSubstrings: []string{string(sub)}, Match: match, Limit: len(all)})
		if err != nil {
			t.Fatal(err)
		}
		if len(pg.Records) != want {
			t.Fatalf("Read %q: %d records, want %d", sub, len(pg.Records), want)
		}
		skipped += pg.Stats.BlocksSkipped
		blocks += pg.Stats.Blocks
		sc, err := s.Scan(ctx, tp, ScanQuery{Groups: []string{"g"}, RequiredSubstrings: []string{string(sub)}})
		if err != nil {
			t.Fatal(err)
		}
		var perWorker [2]int
		err = sc.Run(ctx, 2, func(w int, b *Block) error {
			for i := range b.Len() {
				if match(b.Message(i)) {
					perWorker[w]++
				}
			}
			return nil
		})
		sc.Close()
		if err != nil {
			t.Fatal(err)
		}
		if got := perWorker[0] + perWorker[1]; got != want {
			t.Fatalf("Scan %q: %d matches, want %d", sub, got, want)
		}
	}
	if skipped == 0 {
		t.Errorf("no block was ever skipped")
	}
	t.Logf("%d of %d blocks skipped", skipped, blocks)
}

// FuzzSummary: whatever the messages and the substring, a block holding a
// message that contains the substring (case-insensitively) is not skipped.
func FuzzSummary(f *testing.F) {
	f.Add([]byte("Exiting with ERRORCODE: -1"), []byte("ERROR"), 0)
	f.Add([]byte("caf\xc3\xa9 KRAKEN\x00sighted"), []byte("kraken"), 64)
	f.Add([]byte("ab"), []byte("ab"), 1<<20)
	f.Fuzz(func(t *testing.T, data, sub []byte, limit int) {
		// data holds messages separated by NUL.
		msgs := bytes.Split(data, []byte{0})
		checkNoFalseNegative(t, msgs, [][]byte{sub}, limit)
	})
}

// TestOldSegmentVersion: a version 1 segment (token blooms) is read with no
// summary — never skipped — and an unknown version is refused.
func TestOldSegmentVersion(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(dir, Options{Logger: quiet, BlockBytes: 64})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	var evs []Event
	for i := range 20 {
		evs = append(evs, Event{Timestamp: int64(i), Message: fmt.Appendf(nil, "event %d of the old format", i)})
	}
	evs[7].Message = []byte("the kraken")
	if err := s.Append(ctx, tp, "g", "s", evs); err != nil {
		t.Fatal(err)
	}
	if err := s.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	s.Close()
	segs, err := listSegFiles(filepath.Join(dir, "seg"))
	if err != nil || len(segs) != 1 {
		t.Fatal(segs, err)
	}
	rewrite := func(version uint64) {
		sg, blocks, walThrough, maxSeq, err := openSegment(filepath.Join(dir, "seg"), segs[0])
		if err != nil {
			t.Fatal(err)
		}
		sg.release()
		path := filepath.Join(dir, "seg", segFileName(segs[0]))
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		var end int64
		for _, b := range blocks {
			end = max(end, b.ref.off+int64(b.ref.sumLen+b.ref.dataLen))
		}
		footer := encodeFooterVersion(version, blocks, walThrough, maxSeq)
		if err := os.WriteFile(path, append(data[:end:end], footer...), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	rewrite(1)
	s, err = Open(dir, Options{Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	match := func(m []byte) bool { return bytes.Contains(m, []byte("kraken")) }
	pg, err := s.Read(ctx, tp, Query{Group: "g", RequiredSubstrings: []string{"kraken"}, Match: match})
	if err != nil {
		t.Fatal(err)
	}
	if len(pg.Records) != 1 || pg.Stats.BlocksSkipped != 0 || pg.Stats.Blocks < 2 {
		t.Fatalf("version 1: %d records, stats %+v", len(pg.Records), pg.Stats)
	}
	s.Close()
	rewrite(segVersion + 1)
	if _, err := Open(dir, Options{Logger: quiet}); err == nil {
		t.Fatal("a segment of a newer version opened")
	} else {
		t.Log(err)
	}
}
