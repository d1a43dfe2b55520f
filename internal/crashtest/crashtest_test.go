package crashtest

import (
	"os"
	"path/filepath"
	"testing"
)

// TestRunKeepsWhatTheChildWrote: the parent gets back the directory the
// child wrote into before it was killed.
func TestRunKeepsWhatTheChildWrote(t *testing.T) {
	dir := Run(t, func(dir string) {
		if err := os.WriteFile(filepath.Join(dir, "f"), []byte("written"), 0o600); err != nil {
			t.Fatal(err)
		}
	})
	b, err := os.ReadFile(filepath.Join(dir, "f"))
	if err != nil || string(b) != "written" {
		t.Fatalf("after kill -9: %q %v", b, err)
	}
}

func TestRunPatternMatchesOnlyThatTest(t *testing.T) {
	for name, want := range map[string]string{
		"TestA":          "^TestA$",
		"TestA/sub_1":    "^TestA$/^sub_1$",
		"TestA/x.y(z)+1": `^TestA$/^x\.y\(z\)\+1$`,
	} {
		if got := runPattern(name); got != want {
			t.Errorf("runPattern(%q) = %q, want %q", name, got, want)
		}
	}
}
