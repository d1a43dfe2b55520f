package main

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// TestGolden generates a package from a tiny hand-written model and compares
// it with the expected files in testdata/tiny (go test -update rewrites them).
func TestGolden(t *testing.T) {
	data, err := os.ReadFile("testdata/tiny/service-2.json")
	if err != nil {
		t.Fatal(err)
	}
	files, notes, err := generate("tiny", "tiny/2024-01-01", "0.0.0", data, nil)
	if err != nil {
		t.Fatal(err)
	}
	files["notes.txt"] = []byte(strings.Join(notes, "\n") + "\n")
	for name, got := range files {
		golden := filepath.Join("testdata", "tiny", name+".golden")
		if *update {
			if err := os.WriteFile(golden, got, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(golden)
		if err != nil {
			t.Fatalf("%v (run go test ./internal/gen -update)", err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s differs from %s (go test ./internal/gen -update rewrites it):\n%s", name, golden, firstDiff(want, got))
		}
	}
	for _, f := range files {
		if bytes.Contains(f, []byte("never emitted")) {
			t.Error("documentation text leaked into the generated code")
		}
	}
}

// TestDeterministic generates twice and expects the same bytes.
func TestDeterministic(t *testing.T) {
	data, err := os.ReadFile("testdata/tiny/service-2.json")
	if err != nil {
		t.Fatal(err)
	}
	a, _, err := generate("tiny", "tiny/2024-01-01", "0.0.0", data, nil)
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		b, _, _ := generate("tiny", "tiny/2024-01-01", "0.0.0", data, nil)
		for name := range a {
			if !bytes.Equal(a[name], b[name]) {
				t.Fatalf("%s: output is not deterministic", name)
			}
		}
	}
}

// TestStale regenerates every service from the installed botocore and fails
// when the committed internal/api packages differ. Skipped without botocore;
// the SQS query overlay comes from the Go module proxy, and a failure to
// fetch it fails the test.
func TestStale(t *testing.T) {
	dir, err := findBotocore()
	if err != nil {
		t.Skipf("botocore not installed: %v", err)
	}
	pkgs, _, err := generateAll(dir, "")
	if err != nil {
		t.Fatal(err)
	}
	api := filepath.Join("..", "api")
	for id, files := range pkgs {
		var names []string
		for n := range files {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			have, err := os.ReadFile(filepath.Join(api, id, n))
			if err != nil || !bytes.Equal(have, files[n]) {
				t.Errorf("generated code is stale: run go run ./internal/gen (internal/api/%s/%s differs)", id, n)
			}
		}
		entries, err := os.ReadDir(filepath.Join(api, id))
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			if _, ok := files[e.Name()]; ok {
				continue
			}
			b, err := os.ReadFile(filepath.Join(api, id, e.Name()))
			if err == nil && bytes.HasPrefix(b, []byte(generatedMarker)) {
				t.Errorf("generated code is stale: run go run ./internal/gen (internal/api/%s/%s is no longer generated)", id, e.Name())
			}
		}
	}
}

// TestNoDocumentation checks the committed packages carry no model prose:
// the models' documentation is HTML, so a generated "<p>" is a leak.
func TestNoDocumentation(t *testing.T) {
	matches, _ := filepath.Glob(filepath.Join("..", "api", "*", "*.go"))
	for _, m := range matches {
		b, err := os.ReadFile(m)
		if err != nil {
			t.Fatal(err)
		}
		if bytes.HasPrefix(b, []byte(generatedMarker)) && bytes.Contains(b, []byte("<p>")) {
			t.Errorf("%s contains documentation text", m)
		}
	}
}

func firstDiff(want, got []byte) string {
	wl, gl := strings.Split(string(want), "\n"), strings.Split(string(got), "\n")
	for i := 0; i < len(wl) || i < len(gl); i++ {
		var w, g string
		if i < len(wl) {
			w = wl[i]
		}
		if i < len(gl) {
			g = gl[i]
		}
		if w != g {
			return "line " + strconv.Itoa(i+1) + ":\n-" + w + "\n+" + g
		}
	}
	return ""
}

func readTiny(t *testing.T) []byte {
	t.Helper()
	data, err := os.ReadFile("testdata/tiny/service-2.json")
	if err != nil {
		t.Fatal(err)
	}
	return data
}
