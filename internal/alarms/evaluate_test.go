package alarms

import (
	"bufio"
	"os"
	"strconv"
	"strings"
	"testing"
)

// TestDecideMissingDataTables checks Decide against AWS's missing-data
// tables and further M-of-N cases in testdata/missing_data.txt.
func TestDecideMissingDataTables(t *testing.T) {
	f, err := os.Open("testdata/missing_data.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	treatments := []TreatMissing{TreatMissingMissing, TreatIgnore, TreatBreaching, TreatNotBreaching}
	sc := bufio.NewScanner(f)
	line, rows := 0, 0
	for sc.Scan() {
		line++
		text := strings.TrimSpace(sc.Text())
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		fs := strings.Fields(text)
		if len(fs) != 3+len(treatments) {
			t.Fatalf("line %d: want %d fields, got %q", line, 3+len(treatments), text)
		}
		n, _ := strconv.Atoi(fs[0])
		m, _ := strconv.Atoi(fs[1])
		rng := parseRange(t, fs[2])
		for i, treat := range treatments {
			d := Decide(rng, n, m, treat, func(v float64) bool { return v > 0 })
			got := string(d.State)
			if d.Keep {
				got = "keep"
			}
			if got != fs[3+i] {
				t.Errorf("line %d: %s n=%d m=%d treat=%s: got %s, want %s", line, fs[2], n, m, treat, got, fs[3+i])
			}
			if !d.Keep && d.State != StateInsufficientData && len(d.Evaluated) != n {
				t.Errorf("line %d: treat=%s evaluated %d datapoints, want %d", line, treat, len(d.Evaluated), n)
			}
		}
		rows++
	}
	if rows < 11 {
		t.Fatalf("only %d rows read", rows)
	}
}

func parseRange(t *testing.T, s string) []Datapoint {
	var rng []Datapoint
	for _, c := range s {
		switch c {
		case '0':
			rng = append(rng, Datapoint{Value: 0})
		case 'X':
			rng = append(rng, Datapoint{Value: 1})
		case '-':
			rng = append(rng, Datapoint{Missing: true})
		default:
			t.Fatalf("bad datapoint %q in %q", c, s)
		}
	}
	return rng
}
