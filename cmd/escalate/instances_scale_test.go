package main

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// BenchmarkScaleOutPostgres measures the write throughput of one instance and of
// three on one PostgreSQL database, in one run: the same clients (a
// write-heavy mix over the five demo partnerships, load_test.go) against 1
// instance, then 3, then 1 and 3 again, for scaleRound each. It reports
// requests per second, the ratio of 3 to 1, what the database's
// connections were waiting on (pg_stat_activity, sampled), the sessions the
// database opened and the transactions it committed (pg_stat_database), and
// where the machine's CPU went: the instances, the clients (this process),
// the database's backends and everything else (instances_cpu_test.go). It
// fails if any request failed; speed is measured, not asserted. It runs the
// measurement once, whatever b.N.
//
// Opt-in, as it takes about three minutes of both CPU cores:
//
//	ESCALATE_SCALE_OUT=1 ESCALATE_TEST_POSTGRES_URL=… \
//	  go test ./cmd/escalate -run '^$' -bench '^BenchmarkScaleOutPostgres$' -benchtime 1x -v -timeout 20m
//
// ESCALATE_SCALE_CLIENTS sets the number of clients (12),
// ESCALATE_SCALE_GOMAXPROCS each instance's GOMAXPROCS, ESCALATE_SCALE_ROUND
// the length of a round (30s), ESCALATE_SCALE_ARGS more arguments for every
// instance (e.g. "--db-max-conns 4"), and ESCALATE_SCALE_PROFILE a folder
// where each instance writes its CPU profile (n3-r2-i1.pprof: the second
// round of three instances, the second of them).
func BenchmarkScaleOutPostgres(b *testing.B) {
	if os.Getenv("ESCALATE_SCALE_OUT") != "1" {
		b.Skip("about three minutes of both CPU cores: set ESCALATE_SCALE_OUT=1 to run it")
	}
	t := b
	dsn := newEmptyPostgres(t, "escalate_scale")
	users := seedLoad(t, dsn)
	clients := 12
	if s := os.Getenv("ESCALATE_SCALE_CLIENTS"); s != "" {
		clients, _ = strconv.Atoi(s)
	}
	admin, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	var dbname string
	admin.QueryRow(`SELECT current_database()`).Scan(&dbname)

	env := []string{"ESCALATE_DRAIN_DELAY=0s", "ESCALATE_SECURE_COOKIES=0", "ESCALATE_NO_AUDIT_KEY=1"}
	if n := os.Getenv("ESCALATE_SCALE_GOMAXPROCS"); n != "" {
		env = append(env, "GOMAXPROCS="+n) // each instance's, to see what the Go scheduler costs
	}
	round := scaleRound
	if s := os.Getenv("ESCALATE_SCALE_ROUND"); s != "" {
		if round, err = time.ParseDuration(s); err != nil {
			t.Fatalf("ESCALATE_SCALE_ROUND: %v", err)
		}
	}
	profiles := os.Getenv("ESCALATE_SCALE_PROFILE")
	rates, perCPUs := map[int][]float64{}, map[int][]float64{}
	for _, n := range []int{1, 3, 1, 3} {
		ins := make([]*instance, n)
		bases := make([]string, n)
		for i := range ins {
			args := []string{"serve", "--db", dsn, "--addr", "127.0.0.1:0"}
			args = append(args, strings.Fields(os.Getenv("ESCALATE_SCALE_ARGS"))...)
			if i > 0 {
				args = append(args, "--no-scheduler")
			}
			ienv := env
			if profiles != "" {
				ienv = append(slices.Clone(env), fmt.Sprintf("%s=%s/n%d-r%d-i%d.pprof", cpuProfileEnv, profiles, n, len(rates[n])+1, i))
			}
			ins[i] = startInstance(t, ienv, args...)
			bases[i] = "http://" + ins[i].addr
		}
		var turn sync.Mutex
		next := 0
		pick := func() string {
			turn.Lock()
			defer turn.Unlock()
			next++
			return bases[next%n]
		}
		load := loadAverage()
		cpu0 := takeCPU(ins, admin, dbname)
		db0 := databaseCounts(admin, dbname)
		ctx, cancel := context.WithTimeout(context.Background(), round)
		waits := sampleWaits(ctx, admin, dbname)
		var st loadStats
		start := time.Now()
		runLoad(ctx, pick, users, clients, &st)
		elapsed := time.Since(start)
		cancel()
		w := <-waits
		cpu, used := cpuSince(cpu0, takeCPU(ins, admin, dbname))
		db1 := databaseCounts(admin, dbname)
		rate := float64(st.ok.Load()) / elapsed.Seconds()
		rates[n] = append(rates[n], rate)
		// Requests per CPU second of the stack measured: what the rate
		// would be per core were the machine the stack's alone and busy.
		perCPU := float64(st.ok.Load()) / used.Seconds()
		perCPUs[n] = append(perCPUs[n], perCPU)
		t.Logf("%d instance(s), %d clients, %v, load average %s: %.1f requests/s (%s); CPU in cores: %s; %.0f requests per CPU second of instances, clients and database; database: %d sessions opened, %.0f commits/s; connections: %s",
			n, clients, elapsed.Round(time.Second), load, rate, st.summary(), cpu, perCPU,
			db1[0]-db0[0], float64(db1[1]-db0[1])/elapsed.Seconds(), w)
		for _, e := range st.errs {
			t.Errorf("failed request: %s", e)
		}
		for _, in := range ins {
			in.stop(t, 30*time.Second)
		}
	}
	for i := range rates[1] {
		t.Logf("pair %d: 3 instances / 1 instance = %.2f; requests per CPU second, 3 / 1 = %.2f",
			i+1, rates[3][i]/rates[1][i], perCPUs[3][i]/perCPUs[1][i])
	}
	b.ReportMetric((rates[3][0]+rates[3][1])/(rates[1][0]+rates[1][1]), "3/1")
	b.ReportMetric((perCPUs[3][0]+perCPUs[3][1])/(perCPUs[1][0]+perCPUs[1][1]), "3/1-per-CPU")
}

// scaleRound is how long each measurement of BenchmarkScaleOutPostgres runs.
const scaleRound = 30 * time.Second

// databaseCounts is dbname's sessions opened and transactions committed so
// far (pg_stat_database, PostgreSQL 14 and later; as of the server's last
// statistics flush, about once a second).
func databaseCounts(db *sql.DB, dbname string) [2]int64 {
	var c [2]int64
	db.QueryRow(`SELECT sessions, xact_commit FROM pg_stat_database WHERE datname = $1`, dbname).Scan(&c[0], &c[1])
	return c
}

// sampleWaits samples, every 100 ms until ctx ends, what the database's
// active connections are doing, and sends a summary: the average number of
// active connections and the share of samples in each wait ("CPU" when not
// waiting).
func sampleWaits(ctx context.Context, db *sql.DB, dbname string) <-chan string {
	out := make(chan string, 1)
	go func() {
		counts := map[string]int{}
		waiting := map[string]int{} // lock waits by the statement waiting
		samples, active := 0, 0
		for ctx.Err() == nil {
			rows, err := db.QueryContext(context.Background(), `SELECT COALESCE(wait_event_type || ':' || wait_event, 'CPU'),
					CASE WHEN wait_event_type = 'Lock' THEN left(regexp_replace(query, '\s+', ' ', 'g'), 40) ELSE '' END
				FROM pg_stat_activity WHERE datname = $1 AND state = 'active' AND pid <> pg_backend_pid()`, dbname)
			if err == nil {
				for rows.Next() {
					var w, q string
					rows.Scan(&w, &q)
					counts[w]++
					active++
					if q != "" {
						waiting[w+" in "+strings.TrimSpace(q)]++
					}
				}
				rows.Close()
				samples++
			}
			select {
			case <-ctx.Done():
			case <-time.After(100 * time.Millisecond):
			}
		}
		top := func(m map[string]int, n int) string {
			type kv struct {
				k string
				v int
			}
			var all []kv
			for k, v := range m {
				all = append(all, kv{k, v})
			}
			sort.Slice(all, func(i, j int) bool { return all[i].v > all[j].v })
			var parts []string
			for i, e := range all {
				if i == n {
					break
				}
				parts = append(parts, fmt.Sprintf("%s %.2f", e.k, float64(e.v)/float64(max(samples, 1))))
			}
			return strings.Join(parts, ", ")
		}
		out <- fmt.Sprintf("%.1f active on average, of which %s; lock waits by statement: %s",
			float64(active)/float64(max(samples, 1)), top(counts, 6), top(waiting, 4))
	}()
	return out
}
