package main

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// testBalancer stands in for a load balancer in front of the instances: it
// checks each backend's /readyz every 100 ms (each on its own, so a slow
// answer from one delays no other) and hands out the healthy ones in turn.
type testBalancer struct {
	backends []string // base URLs
	healthy  []atomic.Bool
	turn     atomic.Uint64
	stop     context.CancelFunc
	done     sync.WaitGroup
}

func newTestBalancer(backends []string) *testBalancer {
	b := &testBalancer{backends: backends, healthy: make([]atomic.Bool, len(backends))}
	ctx, cancel := context.WithCancel(context.Background())
	b.stop = cancel
	client := &http.Client{Timeout: 500 * time.Millisecond}
	for i, base := range b.backends {
		b.done.Go(func() {
			for ctx.Err() == nil {
				res, err := client.Get(base + "/readyz")
				ok := err == nil && res.StatusCode == http.StatusOK
				if err == nil {
					res.Body.Close()
				}
				b.healthy[i].Store(ok)
				select {
				case <-ctx.Done():
				case <-time.After(100 * time.Millisecond):
				}
			}
		})
	}
	return b
}

// next returns a healthy backend, or any backend when none is healthy.
func (b *testBalancer) next() string {
	n := b.turn.Add(1)
	for i := range b.backends {
		j := (int(n) + i) % len(b.backends)
		if b.healthy[j].Load() {
			return b.backends[j]
		}
	}
	return b.backends[int(n)%len(b.backends)]
}

func (b *testBalancer) waitHealthy(t *testing.T, i int) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !b.healthy[i].Load() {
		if time.Now().After(deadline) {
			t.Fatalf("backend %s never became ready", b.backends[i])
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func (b *testBalancer) close() { b.stop(); b.done.Wait() }

// TestRollingRestartPostgres restarts three instances one at a time under a
// bounded write-heavy load, behind a balancer that follows /readyz, and
// requires that no request fails: each instance, on SIGTERM, says it is
// not ready while still serving for --drain-delay, then lets requests in
// flight finish.
//
//	go test ./cmd/escalate -run '^TestRollingRestartPostgres$' -v
func TestRollingRestartPostgres(t *testing.T) {
	dsn := newEmptyPostgres(t, "escalate_rolling")
	users := seedLoad(t, dsn)
	// The drain delay is many of the balancer's checks long, as it should
	// be in production, so that a loaded machine cannot outrun it.
	env := []string{"ESCALATE_DRAIN_DELAY=2s", "ESCALATE_SECURE_COOKIES=0"}
	addrs := make([]string, 3)
	ins := make([]*instance, 3)
	bases := make([]string, 3)
	for i := range ins {
		addrs[i] = freePort(t)
		args := []string{"serve", "--db", dsn, "--addr", addrs[i]}
		if i > 0 {
			args = append(args, "--no-scheduler")
		}
		ins[i] = startInstance(t, env, args...)
		bases[i] = "http://" + addrs[i]
	}
	lb := newTestBalancer(bases)
	defer lb.close()
	for i := range ins {
		lb.waitHealthy(t, i)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var st loadStats
	loadDone := make(chan struct{})
	go func() { defer close(loadDone); runLoad(ctx, lb.next, users, 6, &st) }()

	time.Sleep(2 * time.Second)
	before := st.ok.Load()
	for i := range ins {
		if code := ins[i].stop(t, 30*time.Second); code != 0 {
			t.Errorf("instance %d exited %d", i+1, code)
		}
		if !strings.Contains(ins[i].logs.String(), `"msg":"draining"`) {
			t.Errorf("instance %d did not drain:\n%s", i+1, ins[i].logs.String())
		}
		args := []string{"serve", "--db", dsn, "--addr", addrs[i]}
		if i > 0 {
			args = append(args, "--no-scheduler")
		}
		ins[i] = startInstance(t, env, args...)
		lb.waitHealthy(t, i)
		time.Sleep(time.Second)
	}
	time.Sleep(time.Second)
	cancel()
	<-loadDone
	t.Logf("rolling restart of 3 instances under load: %s", st.summary())
	for _, e := range st.errs {
		t.Errorf("failed request: %s", e)
	}
	if st.failed.Load() != 0 {
		t.Errorf("%d requests failed during the rolling restart", st.failed.Load())
	}
	if st.ok.Load() <= before || before == 0 {
		t.Errorf("the load made no progress: %d requests before the restarts, %d in all", before, st.ok.Load())
	}
	for i, in := range ins {
		if code := in.stop(t, 30*time.Second); code != 0 {
			t.Errorf("restarted instance %d exited %d", i+1, code)
		}
	}
}
