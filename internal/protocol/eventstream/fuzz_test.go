package eventstream

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"os"
	"strings"
	"testing"
)

// FuzzDecode: Decode never panics, fails only with one of the named errors,
// and whatever it accepts re-encodes to exactly the bytes it consumed. The
// Reader agrees with Decode on the same bytes.
//
// Random bytes almost never carry valid checksums, so each input is checked
// twice: as it is, and with both CRCs repaired, which lets the fuzzer reach
// the header parser.
func FuzzDecode(f *testing.F) {
	// Seeds: every golden vector, and a few encoded messages.
	golden, err := os.ReadFile("testdata/decode.txt")
	if err != nil {
		f.Fatal(err)
	}
	for _, block := range strings.Split(string(golden), "\n\n") {
		if in, ok := vectorInput(block); ok {
			f.Add(parseHex(f, in))
		}
	}
	for _, m := range interopMessages()[:20] {
		b, err := AppendMessage(nil, m)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		checkDecode(t, b)
		checkDecode(t, repairCRCs(bytes.Clone(b)))
	})
}

// repairCRCs overwrites the prelude CRC and, when the announced total length
// fits in b, the message CRC with the right values.
func repairCRCs(b []byte) []byte {
	if len(b) < preludeLen {
		return b
	}
	binary.BigEndian.PutUint32(b[8:], crc32.ChecksumIEEE(b[:8]))
	if total := binary.BigEndian.Uint32(b); total >= minMessageLen && uint64(total) <= uint64(len(b)) {
		binary.BigEndian.PutUint32(b[total-4:], crc32.ChecksumIEEE(b[:total-4]))
	}
	return b
}

func checkDecode(t *testing.T, b []byte) {
	m, n, err := Decode(b)
	if err != nil {
		if errName(err) == "" {
			t.Fatalf("unnamed error: %v", err)
		}
		if n != 0 {
			t.Fatalf("n = %d with an error", n)
		}
	} else {
		re, err := AppendMessage(nil, m)
		if err != nil {
			t.Fatalf("decoded message does not encode: %v", err)
		}
		if !bytes.Equal(re, b[:n]) {
			t.Fatalf("re-encoding differs:\n got %x\nwant %x", re, b[:n])
		}
	}
	rm, rerr := NewReader(bytes.NewReader(b)).Next()
	switch {
	case err == nil && (rerr != nil || !messagesEqual(rm, m)):
		t.Fatalf("Decode accepted, Reader: %v", rerr)
	case err != nil && rerr == nil:
		t.Fatalf("Decode refused (%v), Reader accepted", err)
	}
}

// vectorInput returns the input of a decode or read case of a datadriven
// block.
func vectorInput(block string) (string, bool) {
	var cmd bool
	var in strings.Builder
	for line := range strings.Lines(block) {
		switch t := strings.TrimSpace(line); {
		case t == "----":
			return in.String(), cmd
		case t == "decode" || t == "read":
			cmd = true
		case cmd:
			in.WriteString(line)
		}
	}
	return "", false
}
