package awsjson

import (
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
)

// The hand-tuned decoder reads eight bytes at a time: these tests put
// every kind of token at every place in a word and near the body's end.

func TestDecodePutLogEventsTimestamps(t *testing.T) {
	for digits := 1; digits <= 20; digits++ {
		for _, lead := range []string{"1", "9", "0"} {
			num := lead + strings.Repeat("7", digits-1)
			for _, sign := range []string{"", "-"} {
				for _, after := range []string{"", ".5", "e3", "E3", "0"} {
					for _, tail := range []string{`,"message":"m"}]}`, `}]}`} {
						body := `{"logEvents":[{"timestamp":` + sign + num + after + tail
						got := checkPutLogEvents(t, []byte(body))
						// A plain integer of at most 18 digits, no leading zero.
						lit := num + after
						want := !strings.ContainsAny(lit, ".eE") && len(lit) <= 18 && (lit[0] != '0' || len(lit) == 1)
						if got != want {
							t.Errorf("%s: accepted %v, want %v", body, got, want)
						}
					}
				}
			}
		}
	}
}

func TestEightDigits(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 9))
	for range 10000 {
		s := fmt.Sprintf("%08d", r.IntN(1e8))
		want, _ := strconv.ParseUint(s, 10, 64)
		if got := eightDigits(binary.LittleEndian.Uint64([]byte(s))); got != want {
			t.Fatalf("eightDigits(%s) = %d", s, got)
		}
	}
}

// Every escape, and every byte the decoder must decline, at each offset
// of a message and with each amount of input after it ('z' makes no
// escape with what comes before it).
func TestDecodePutLogEventsStringOffsets(t *testing.T) {
	pieces := []struct {
		s  string
		ok bool
	}{
		{`\"`, true}, {`\\`, true}, {`\/`, true}, {`\b`, true}, {`\f`, true}, {`\n`, true}, {`\r`, true}, {`\t`, true},
		{`\u0041`, true}, {`\u00e9`, true}, {`\ud83d\ude00`, true}, {`\ud83d`, true}, {`\ud83d\u0041`, true},
		{`\\\"`, true}, {`\"\"`, true}, {`\\"`, false}, {"é", true}, {"\xff", true}, {"\x7f", true},
		{`\x`, false}, {`\u12`, false}, {`\u12zz`, false}, {`\`, false}, {"\x00", false}, {"\x1f", false}, {"\n", false},
	}
	for _, p := range pieces {
		for before := range 18 {
			for _, after := range []int{0, 1, 7, 8, 9, 20} {
				msg := strings.Repeat("a", before) + p.s + strings.Repeat("z", after)
				for _, tail := range []string{`"}]}`, `"},{"message":"x","timestamp":1767323045000}],"logGroupName":"/bench","logStreamName":"s0"}`} {
					body := `{"logEvents":[{"timestamp":1,"message":"` + msg + tail
					if got := checkPutLogEvents(t, []byte(body)); got != p.ok {
						t.Errorf("%q: accepted %v, want %v", body, got, p.ok)
					}
				}
			}
		}
	}
}
