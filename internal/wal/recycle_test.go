package wal

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

func TestMaskInverse(t *testing.T) {
	if m, inv := uint32(maskMul), uint32(maskMulInverse); m*inv != 1 {
		t.Fatal("maskMulInverse is not maskMul's inverse")
	}
	for _, seg := range []uint64{1, 2, 3, 1000, 1 << 31} {
		if segmentMask(seg) == 0 {
			t.Errorf("mask of %d is zero", seg)
		}
		if !olderMask(segmentMask(seg), seg+1) || olderMask(segmentMask(seg), seg) {
			t.Errorf("olderMask of %d", seg)
		}
	}
}

// readAll returns the payloads of segment seg in dir.
func readAll(t *testing.T, dir string, seg uint64) ([]string, bool) {
	t.Helper()
	var got []string
	clean, err := ReadSegment(filepath.Join(dir, SegmentName(seg)), func(p []byte) error {
		got = append(got, string(p))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return got, clean
}

func writeN(t *testing.T, w *Writer, prefix string, n int) []string {
	t.Helper()
	var want []string
	for i := range n {
		s := fmt.Sprintf("%s-%d", prefix, i)
		if err := w.Write(record(s)); err != nil {
			t.Fatal(err)
		}
		want = append(want, s)
	}
	return want
}

// TestRecycledSegment: a removed segment becomes the next one, and reading
// it yields only what was written to it since, even before anything was.
func TestRecycledSegment(t *testing.T) {
	dir := t.TempDir()
	w, err := Open(dir, 1, Options{})
	if err != nil {
		t.Fatal(err)
	}
	writeN(t, w, "old", 50)
	if err := w.Write(record(string(make([]byte, 300<<10)))); err != nil {
		t.Fatal(err)
	}
	if _, err := w.Rotate(); err != nil {
		t.Fatal(err)
	}
	want2 := writeN(t, w, "two", 2)
	if err := w.RemoveThrough(1); err != nil {
		t.Fatal(err)
	}
	if segs, _ := Segments(dir); !slices.Equal(segs, []uint64{2}) {
		t.Fatalf("segments %v", segs)
	}
	old, err := os.Stat(filepath.Join(dir, spareName))
	if err != nil {
		t.Fatalf("no spare: %v", err)
	}
	if _, err := w.Rotate(); err != nil {
		t.Fatal(err)
	}
	// Segment 3 is the spare, renamed: a crash now finds it empty.
	if _, err := os.Stat(filepath.Join(dir, spareName)); !os.IsNotExist(err) {
		t.Fatalf("spare still there: %v", err)
	}
	if st, _ := os.Stat(filepath.Join(dir, SegmentName(3))); st.Size() != old.Size() {
		t.Fatalf("segment 3 is %d bytes, not the recycled %d", st.Size(), old.Size())
	}
	if got, clean := readAll(t, dir, 3); len(got) != 0 || !clean {
		t.Fatalf("recycled segment before any write: %q clean=%v", got, clean)
	}
	want3 := writeN(t, w, "three", 3)
	if got, clean := readAll(t, dir, 3); !slices.Equal(got, want3) || !clean {
		t.Fatalf("recycled segment: %q clean=%v", got, clean)
	}
	// A large record is written from the caller's buffer: the end mark
	// follows it on its own.
	big := string(make([]byte, 100<<10))
	if err := w.Write(record(big)); err != nil {
		t.Fatal(err)
	}
	want3 = append(want3, big)
	want3 = append(want3, writeN(t, w, "after", 2)...)
	if got, clean := readAll(t, dir, 3); !slices.Equal(got, want3) || !clean {
		t.Fatalf("recycled segment with a large record: %d records clean=%v", len(got), clean)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if got, clean := readAll(t, dir, 2); !slices.Equal(got, want2) || !clean {
		t.Fatalf("segment 2: %q clean=%v", got, clean)
	}

	// A new Writer recycles the spare it finds (the file is always a
	// masked segment), and only its own segments: 2 is older.
	w2, err := Open(dir, 4, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := w2.RemoveThrough(3); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, spareName)); !os.IsNotExist(err) {
		t.Fatalf("a segment of another Writer became the spare: %v", err)
	}
	want4 := writeN(t, w2, "four", 1)
	w2.Close()
	if got, clean := readAll(t, dir, 4); !slices.Equal(got, want4) || !clean {
		t.Fatalf("segment 4: %q clean=%v", got, clean)
	}
}

// TestUnmaskedSegment: segments written before masking still read, and a
// zero-filled tail ends them rather than reading as empty records.
func TestUnmaskedSegment(t *testing.T) {
	dir := t.TempDir()
	var data []byte
	for _, s := range []string{"a", "bb", "ccc"} {
		r := record(s)
		Frame(r)
		data = append(data, r...)
	}
	path := filepath.Join(dir, SegmentName(7))
	os.WriteFile(path, data, 0o600)
	if got, clean := readAll(t, dir, 7); !slices.Equal(got, []string{"a", "bb", "ccc"}) || !clean {
		t.Fatalf("unmasked: %q clean=%v", got, clean)
	}
	os.WriteFile(path, append(data, make([]byte, 64)...), 0o600)
	if got, clean := readAll(t, dir, 7); len(got) != 3 || !clean {
		t.Fatalf("unmasked with a zero tail: %q clean=%v", got, clean)
	}
	os.WriteFile(path, make([]byte, 64), 0o600)
	if got, clean := readAll(t, dir, 7); len(got) != 0 || !clean {
		t.Fatalf("zeros: %q clean=%v", got, clean)
	}
}

// TestMaskedSegmentTornTail: a masked segment's torn tail is not mistaken
// for a recycled file's end.
func TestMaskedSegmentTornTail(t *testing.T) {
	dir := t.TempDir()
	w, _ := Open(dir, 5, Options{NoSync: true})
	want := writeN(t, w, "r", 4)
	w.Close()
	path := filepath.Join(dir, SegmentName(5))
	data, _ := os.ReadFile(path)
	os.WriteFile(path, append(data, make([]byte, 16)...), 0o600)
	if got, clean := readAll(t, dir, 5); !slices.Equal(got, want) || !clean {
		t.Fatalf("zero tail: %q clean=%v", got, clean)
	}
	data[len(data)-1] ^= 1
	os.WriteFile(path, data, 0o600)
	if got, clean := readAll(t, dir, 5); !slices.Equal(got, want[:3]) || clean {
		t.Fatalf("corrupt last record: %q clean=%v", got, clean)
	}
	// A masked segment read under another number is nothing of its.
	os.Rename(path, filepath.Join(dir, SegmentName(9)))
	if got, _ := readAll(t, dir, 9); len(got) != 0 {
		t.Fatalf("segment 5's records read as 9's: %q", got)
	}
}

// TestRotateFailureKeepsWriting: when the next segment cannot be made, the
// writer goes on appending to the current one, where it left off.
func TestRotateFailureKeepsWriting(t *testing.T) {
	dir := t.TempDir()
	w, err := Open(dir, 1, Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := writeN(t, w, "before", 3)
	os.WriteFile(filepath.Join(dir, SegmentName(2)), nil, 0o600) // in the way
	if _, err := w.Rotate(); err == nil {
		t.Fatal("rotation over an existing segment succeeded")
	}
	want = append(want, writeN(t, w, "after", 3)...)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if got, clean := readAll(t, dir, 1); !slices.Equal(got, want) || !clean {
		t.Fatalf("segment 1: %q clean=%v", got, clean)
	}
}
