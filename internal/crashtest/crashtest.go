// Package crashtest runs part of a durability test in a child process that
// dies by SIGKILL, so the parent can reopen what the child left on disk as a
// crashed server would. It is for _test.go files only: it owns the child's
// command line, environment and exit check, and nothing about what the child
// writes or what the parent asserts.
package crashtest

import (
	"errors"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"syscall"
	"testing"
)

// dirEnv hands the child the parent's temporary directory; its presence is
// also how the re-run test knows it is the child.
const dirEnv = "VIGIL_CRASHTEST_DIR"

// Run re-runs the calling test in a child process, which calls child with a
// fresh directory and then kills itself with SIGKILL; Run fails t unless the
// child died by that signal, and returns the directory for the parent to
// reopen. In the child, Run never returns. child may fail t to abort; that
// exits the child without the signal, so the parent reports it with the
// child's output.
//
// Call Run at most once per test, before anything else the child must not do.
func Run(t testing.TB, child func(dir string)) string {
	t.Helper()
	if dir := os.Getenv(dirEnv); dir != "" {
		child(dir)
		// Nothing is closed or flushed beyond what child did: that is the crash.
		syscall.Kill(os.Getpid(), syscall.SIGKILL)
		select {}
	}
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run="+runPattern(t.Name()), "-test.count=1")
	cmd.Env = append(os.Environ(), dirEnv+"="+dir)
	out, err := cmd.CombinedOutput()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
		t.Fatalf("child did not die by SIGKILL: %v\n%s", err, out)
	}
	return dir
}

// runPattern matches exactly the test named name and no other: -test.run
// splits its pattern at slashes and matches each level of a subtest name
// separately, so each level is quoted and anchored on its own.
func runPattern(name string) string {
	levels := strings.Split(name, "/")
	for i, l := range levels {
		levels[i] = "^" + regexp.QuoteMeta(l) + "$"
	}
	return strings.Join(levels, "/")
}
