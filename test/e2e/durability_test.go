package e2e

import (
	"net/http"
	"os/exec"
	"regexp"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// createKey runs `vigil admin create-access-key` against a data directory a
// live server is using.
func createKey(t *testing.T, dataDir, account string) (id, secret string) {
	t.Helper()
	out, err := exec.Command(vigilBin, "admin", "create-access-key", "--account", account, "--data", dataDir).CombinedOutput()
	if err != nil {
		t.Fatalf("create-access-key: %v %s", err, out)
	}
	m := regexp.MustCompile(`access key id:\s+(\S+)\nsecret access key:\s+(\S+)`).FindStringSubmatch(string(out))
	if m == nil {
		t.Fatalf("create-access-key output: %s", out)
	}
	return m[1], m[2]
}

func TestAccountAndRegionIsolation(t *testing.T) {
	p := startVigil(t, "")
	ctx := ctxT(t)
	keyB, secretB := createKey(t, p.DataDir, "111111111111")

	a := newClients(p.URL, "test", "test", "us-east-1")
	b := newClients(p.URL, keyB, secretB, "us-east-1")
	aEU := newClients(p.URL, "test", "test", "eu-west-1")

	idB, err := b.sts.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(idB.Account) != "111111111111" {
		t.Fatalf("account B identity: %+v", idB)
	}
	if _, err := a.sts.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}); err != nil {
		t.Fatal(err)
	}
	waitEvents(t, a, cttypes.LookupAttributeKeyEventName, "GetCallerIdentity", 1)
	waitEvents(t, b, cttypes.LookupAttributeKeyEventName, "GetCallerIdentity", 1)

	for name, c := range map[string]*clients{"A": a, "B": b} {
		for _, ev := range lookup(t, c, cttypes.LookupAttributeKeyEventName, "GetCallerIdentity") {
			want := map[string]string{"A": "test", "B": keyB}[name]
			if aws.ToString(ev.AccessKeyId) != want {
				t.Errorf("account %s sees an event of key %s", name, aws.ToString(ev.AccessKeyId))
			}
		}
	}
	// eu-west-1 of account A has seen only its own LookupEvents calls.
	out, err := aEU.ct.LookupEvents(ctx, &cloudtrail.LookupEventsInput{})
	if err != nil {
		t.Fatal(err)
	}
	for _, ev := range out.Events {
		if aws.ToString(ev.EventName) != "LookupEvents" {
			t.Errorf("eu-west-1 sees %s from us-east-1", aws.ToString(ev.EventName))
		}
	}
}

// TestKill9KeepsWhatLookupEventsShowed: an event LookupEvents has shown is
// on disk, so it survives kill -9; a graceful stop writes everything.
func TestKill9AndRestartKeepEvents(t *testing.T) {
	p := startVigil(t, "")
	ctx := ctxT(t)
	c := newClients(p.URL, "test", "test", "us-east-1")
	const n = 20
	for i := 0; i < n; i++ {
		if _, err := c.sts.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}); err != nil {
			t.Fatal(err)
		}
	}
	before := waitEvents(t, c, cttypes.LookupAttributeKeyEventName, "GetCallerIdentity", n)
	p.Kill9()

	p2 := startVigil(t, p.DataDir)
	c2 := newClients(p2.URL, "test", "test", "us-east-1")
	after := lookup(t, c2, cttypes.LookupAttributeKeyEventName, "GetCallerIdentity")
	if len(after) != n || aws.ToString(after[0].EventId) != aws.ToString(before[0].EventId) {
		t.Fatalf("after kill -9: %d events, want %d", len(after), n)
	}

	// Calls acknowledged right before a graceful stop are all kept.
	for i := 0; i < n; i++ {
		if _, err := c2.sts.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}); err != nil {
			t.Fatal(err)
		}
	}
	p2.Stop()
	p3 := startVigil(t, p.DataDir)
	c3 := newClients(p3.URL, "test", "test", "us-east-1")
	if got := lookup(t, c3, cttypes.LookupAttributeKeyEventName, "GetCallerIdentity"); len(got) != 2*n {
		t.Fatalf("after SIGTERM and restart: %d events, want %d", len(got), 2*n)
	}
}

func TestDevModeAccountsAndReset(t *testing.T) {
	p := startVigil(t, "", "--dev")
	ctx := ctxT(t)
	for key, account := range map[string]string{"123456789012": "123456789012", "anything": "000000000000"} {
		c := newClients(p.URL, key, "whatever", "us-east-1")
		id, err := c.sts.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
		if err != nil {
			t.Fatalf("dev key %s: %v", key, err)
		}
		if aws.ToString(id.Account) != account {
			t.Errorf("dev key %s: account %s, want %s", key, aws.ToString(id.Account), account)
		}
	}
	c := newClients(p.URL, "anything", "x", "us-east-1")
	waitEvents(t, c, cttypes.LookupAttributeKeyEventName, "GetCallerIdentity", 1)
	for _, path := range []string{"/_vigil/reset", "/moto-api/reset"} {
		resp, err := http.Post(p.URL+path, "application/json", nil)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Fatalf("%s: %d", path, resp.StatusCode)
		}
	}
	if evs := lookup(t, c, cttypes.LookupAttributeKeyEventName, "GetCallerIdentity"); len(evs) != 0 {
		t.Fatalf("after reset: %d events", len(evs))
	}
}

func TestResetIsRefusedWithoutDev(t *testing.T) {
	p := startVigil(t, "")
	resp, err := http.Post(p.URL+"/_vigil/reset", "application/json", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("reset without --dev: %d", resp.StatusCode)
	}
}

func TestNonLoopbackWithoutKeysRefusesToStart(t *testing.T) {
	out, err := exec.Command(vigilBin, "server", "--addr", "0.0.0.0:0", "--data", t.TempDir()).CombinedOutput()
	if err == nil || !regexp.MustCompile(`vigil admin create-access-key`).Match(out) {
		t.Fatalf("want a refusal naming vigil admin, got %v: %s", err, out)
	}
}
