// Package vigilproc builds the vigil binary and runs it as a child process
// for end-to-end tests, which talk to it over loopback like any client.
package vigilproc

import (
	"bufio"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Build compiles cmd/vigil into dir and returns the binary's path. It must
// run inside the main module's tree (or a module that replaces it).
func Build(dir string) (string, error) {
	bin := filepath.Join(dir, "vigil")
	cmd := exec.Command("go", "build", "-o", bin, "github.com/vigilhq/vigil/cmd/vigil")
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("build vigil: %w", err)
	}
	return bin, nil
}

// proc is a running vigil server process.
type Proc struct {
	t       testing.TB
	cmd     *exec.Cmd
	DataDir string
	Addr    string // host:port
	URL     string // http://host:port
	exited  chan struct{}
	log     *strings.Builder
}

var listenRE = regexp.MustCompile(`msg="vigil listening" addr=(\S+)`)

// Start starts `vigil server` on a free loopback port with dataDir
// (a new temporary one when empty) and waits until /_vigil/health answers.
func Start(t testing.TB, bin, dataDir string, extra ...string) *Proc {
	t.Helper()
	if dataDir == "" {
		dataDir = t.TempDir()
	}
	args := append([]string{"server", "--addr", "127.0.0.1:0", "--data", dataDir}, extra...)
	cmd := exec.Command(bin, args...)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &Proc{t: t, cmd: cmd, DataDir: dataDir, exited: make(chan struct{}), log: &strings.Builder{}}
	addrc := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			line := sc.Text()
			p.log.WriteString(line + "\n")
			if m := listenRE.FindStringSubmatch(line); m != nil {
				addrc <- m[1]
			}
		}
		io.Copy(io.Discard, stderr)
	}()
	go func() { cmd.Wait(); close(p.exited) }()
	select {
	case p.Addr = <-addrc:
	case <-p.exited:
		t.Fatalf("vigil exited before listening:\n%s", p.log)
	case <-time.After(30 * time.Second):
		cmd.Process.Kill()
		t.Fatalf("vigil did not start:\n%s", p.log)
	}
	p.URL = "http://" + p.Addr
	waitHealthy(t, p.URL)
	t.Cleanup(func() { p.Stop() })
	return p
}

func waitHealthy(t testing.TB, url string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := http.Get(url + "/_vigil/health")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("%s never became healthy", url)
}

// Stop shuts the server down gracefully (SIGTERM) and waits for it.
func (p *Proc) Stop() {
	select {
	case <-p.exited:
		return
	default:
	}
	p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.exited:
	case <-time.After(30 * time.Second):
		p.cmd.Process.Kill()
		p.t.Errorf("vigil did not stop on SIGTERM:\n%s", p.log)
	}
}

// Kill9 kills the server without warning.
func (p *Proc) Kill9() {
	p.cmd.Process.Signal(syscall.SIGKILL)
	<-p.exited
}
