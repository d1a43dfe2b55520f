package accounts

import (
	"context"
	"testing"
	"time"

	"github.com/vigilhq/vigil/internal/auth"
	"github.com/vigilhq/vigil/internal/storage"
)

func TestBootstrapOnceAndLookup(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db, err := storage.OpenSQL(dir)
	if err != nil {
		t.Fatal(err)
	}
	keys, err := Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)
	if did, err := keys.Bootstrap(ctx, now); !did || err != nil {
		t.Fatalf("first bootstrap: %v %v", did, err)
	}
	if did, err := keys.Bootstrap(ctx, now); did || err != nil {
		t.Fatalf("second bootstrap: %v %v", did, err)
	}
	if _, ok, _ := keys.LookupAccessKey(ctx, "nope"); ok {
		t.Fatal("unknown key found")
	}
	// A key added by another process (vigil admin) is found afterwards.
	db2, err := storage.OpenSQL(dir)
	if err != nil {
		t.Fatal(err)
	}
	other, _ := Open(ctx, db2)
	if err := other.Create(ctx, auth.Key{AccessKeyID: "AKIAEXAMPLE", Secret: "s", AccountID: "123456789012", Created: now}); err != nil {
		t.Fatal(err)
	}
	k, ok, err := keys.LookupAccessKey(ctx, "AKIAEXAMPLE")
	if !ok || err != nil || k.AccountID != "123456789012" || k.Secret != "s" || !k.Created.Equal(now) {
		t.Fatalf("lookup: %+v %v %v", k, ok, err)
	}
}
