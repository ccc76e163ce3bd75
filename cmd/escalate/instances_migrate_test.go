package main

import (
	"context"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/escalate-project/escalate/sqlstore"
)

// TestMigrateAtOncePostgres starts three instances of escalate serve at the
// same moment on one PostgreSQL database, ten times: five times on an empty
// database and five on one left at an older schema (migration 5), as an
// upgrade finds it. Every instance must start and serve, and the schema
// must end complete with each migration applied once. Without the
// migration lock, three at once on an empty database failed 3 times out of
// 3 (issue 13).
//
//	go test ./cmd/escalate -run '^TestMigrateAtOncePostgres$' -v
func TestMigrateAtOncePostgres(t *testing.T) {
	const rounds, instances = 10, 3
	for round := range rounds {
		older := round%2 == 1
		dsn := newEmptyPostgres(t, "escalate_migrate")
		ctx := context.Background()
		if older {
			db, err := sqlstore.Open(ctx, dsn)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := db.MigrateTo(ctx, 5); err != nil {
				t.Fatal(err)
			}
			db.Close()
		}
		var wg sync.WaitGroup
		ins := make([]*instance, instances)
		for i := range ins {
			ins[i] = startInstanceAsync(t, []string{"ESCALATE_DRAIN_DELAY=0s"},
				"serve", "--db", dsn, "--addr", "127.0.0.1:0", "--no-scheduler")
		}
		errs := make([]error, instances)
		for i, in := range ins {
			wg.Go(func() { errs[i] = in.waitListening(90 * time.Second) })
		}
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Fatalf("round %d (older schema %v), instance %d: %v", round+1, older, i+1, err)
			}
		}
		for i, in := range ins {
			res, err := http.Get("http://" + in.addr + "/readyz")
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(res.Body)
			res.Body.Close()
			if res.StatusCode != http.StatusOK {
				t.Errorf("round %d, instance %d: /readyz = %d %s", round+1, i+1, res.StatusCode, body)
			}
		}
		applied := 0
		for _, in := range ins {
			if strings.Contains(in.logs.String(), `"migrations_applied":0`) {
				continue
			}
			applied++
		}
		if applied != 1 {
			t.Errorf("round %d: %d instances applied migrations, want exactly 1", round+1, applied)
		}
		for i, in := range ins {
			if code := in.stop(t, 30*time.Second); code != 0 {
				t.Errorf("round %d, instance %d exited %d:\n%s", round+1, i+1, code, in.logs.String())
			}
		}
		db, err := sqlstore.Open(ctx, dsn)
		if err != nil {
			t.Fatal(err)
		}
		if err := db.CheckMigrated(ctx); err != nil {
			t.Errorf("round %d: %v", round+1, err)
		}
		db.Close()
		t.Logf("round %d (older schema %v): %d instances started, one migrated", round+1, older, instances)
	}
}
