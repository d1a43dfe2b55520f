package metricstore

import (
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cockroachdb/pebble/v2"
	"github.com/cockroachdb/pebble/v2/vfs"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// base is time zero of the test scripts: times are written as offsets from it.
var base = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

func openPebble(t testing.TB, dir string) *pebble.DB {
	t.Helper()
	db, err := pebble.Open(filepath.Join(dir, "pebble"), &pebble.Options{FS: vfs.Default, Logger: quietPebble{}})
	if err != nil {
		t.Fatal(err)
	}
	return db
}

type quietPebble struct{}

func (quietPebble) Infof(string, ...any)  {}
func (quietPebble) Errorf(string, ...any) {}
func (quietPebble) Fatalf(f string, a ...any) {
	panic(fmt.Sprintf(f, a...))
}

// parseOffset parses a duration that may start with a day count: "15d",
// "2d3h", "-90m", "1h30m".
func parseOffset(s string) (time.Duration, error) {
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var d time.Duration
	if i := strings.IndexByte(s, 'd'); i > 0 {
		n, err := strconv.Atoi(s[:i])
		if err != nil {
			return 0, err
		}
		d = time.Duration(n) * 24 * time.Hour
		s = s[i+1:]
	}
	if s != "" {
		x, err := time.ParseDuration(s)
		if err != nil {
			return 0, err
		}
		d += x
	}
	if neg {
		d = -d
	}
	return d, nil
}

// fmtOffset prints t as an offset from base: "+2d03:04:05" (with ".mmm"
// when it has milliseconds).
func fmtOffset(t time.Time) string {
	d := t.Sub(base)
	sign := "+"
	if d < 0 {
		sign, d = "-", -d
	}
	days := d / (24 * time.Hour)
	d -= days * 24 * time.Hour
	s := fmt.Sprintf("%s%dd%02d:%02d:%02d", sign, days, d/time.Hour, d/time.Minute%60, d/time.Second%60)
	if ms := d % time.Second; ms != 0 {
		s += fmt.Sprintf(".%03d", ms/time.Millisecond)
	}
	return s
}

// parseDims parses "A=1,B=2".
func parseDims(s string) []Dim {
	if s == "" {
		return nil
	}
	var out []Dim
	for _, kv := range strings.Split(s, ",") {
		k, v, _ := strings.Cut(kv, "=")
		out = append(out, Dim{k, v})
	}
	return out
}

func fmtDims(ds []Dim) string {
	var parts []string
	for _, d := range ds {
		parts = append(parts, d.Name+"="+d.Value)
	}
	return strings.Join(parts, ",")
}

// fields parses "k=v k2=v2 flag" into a map ("flag" → "").
func fields(line string) map[string]string {
	m := map[string]string{}
	for _, f := range strings.Fields(line) {
		k, v, _ := strings.Cut(f, "=")
		m[k] = v
	}
	return m
}

func nan() float64 { var z float64; return z / z }
