package main

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"runtime/pprof"
	"strconv"
	"strings"
	"time"
)

// What BenchmarkScaleOutPostgres reads of the machine's CPU: where the two
// cores went during a round (the instances, the test's own clients, the
// database's backends, everything else), so a ratio can be judged against
// what the machine had to give.

// clockTick is USER_HZ, the unit of /proc's CPU times (100 on Linux).
const clockTick = 100

// machineCPU is the machine's CPU time so far, from /proc/stat: busy (all
// but idle and iowait) and total, summed over every core.
func machineCPU() (busy, total time.Duration) {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0, 0
	}
	line, _, _ := strings.Cut(string(b), "\n")
	f := strings.Fields(line)
	if len(f) < 5 || f[0] != "cpu" {
		return 0, 0
	}
	// user nice system idle iowait irq softirq steal (guest is in user).
	for i, s := range f[1:min(len(f), 9)] {
		v, _ := strconv.ParseInt(s, 10, 64)
		d := time.Duration(v) * time.Second / clockTick
		total += d
		if i != 3 && i != 4 {
			busy += d
		}
	}
	return busy, total
}

// processCPU is the user and system CPU time process pid has used so far
// (0 if it is gone).
func processCPU(pid int) time.Duration {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	// Fields after the command name, which is in parentheses.
	f := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+2:]))
	if len(f) < 13 {
		return 0
	}
	u, _ := strconv.ParseInt(f[11], 10, 64)
	s, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(u+s) * time.Second / clockTick
}

// backendsCPU is the CPU time used so far by the database server's
// processes serving dbname, by process ID (they run on this machine).
func backendsCPU(db *sql.DB, dbname string) map[int]time.Duration {
	out := map[int]time.Duration{}
	rows, err := db.QueryContext(context.Background(), `SELECT pid FROM pg_stat_activity WHERE datname = $1`, dbname)
	if err != nil {
		return out
	}
	defer rows.Close()
	for rows.Next() {
		var pid int
		if rows.Scan(&pid) == nil {
			out[pid] = processCPU(pid)
		}
	}
	return out
}

// cpuSnapshot is where the machine's CPU had gone at one instant.
type cpuSnapshot struct {
	at                          time.Time
	busy, total, self, instance time.Duration
	backends                    map[int]time.Duration
}

func takeCPU(ins []*instance, db *sql.DB, dbname string) cpuSnapshot {
	s := cpuSnapshot{at: time.Now(), self: processCPU(os.Getpid()), backends: backendsCPU(db, dbname)}
	s.busy, s.total = machineCPU()
	for _, in := range ins {
		s.instance += processCPU(in.cmd.Process.Pid)
	}
	return s
}

// cpuSince describes, in cores (CPU seconds per second), where the CPU went
// between a and b: the machine's total use of its cores, the instances,
// this process (the clients), this database's backends, and the rest
// (other work on the machine). Backends that came or went between the two
// count for what they used while seen. It also returns the CPU time the
// measured stack (instances, clients and database) used.
func cpuSince(a, b cpuSnapshot) (string, time.Duration) {
	secs := b.at.Sub(a.at).Seconds()
	cores := func(d time.Duration) float64 { return d.Seconds() / secs }
	var db time.Duration
	for pid, t := range b.backends {
		db += t - a.backends[pid]
	}
	busy := b.busy - a.busy
	ncores := float64(b.total-a.total) / float64(b.at.Sub(a.at))
	ins, self := b.instance-a.instance, b.self-a.self
	return fmt.Sprintf("machine %.2f of %.0f cores busy: instances %.2f, clients %.2f, database %.2f, other %.2f",
		cores(busy), ncores, cores(ins), cores(self), cores(db), cores(busy-ins-self-db)), ins + self + db
}

// loadAverage is /proc/loadavg's one-minute figure, as text.
func loadAverage() string {
	b, _ := os.ReadFile("/proc/loadavg")
	f := strings.Fields(string(b))
	if len(f) == 0 {
		return "?"
	}
	return f[0]
}

// cpuProfileEnv names a file: an instance started with it (TestMain)
// writes its CPU profile there until it exits.
const cpuProfileEnv = "ESCALATE_TEST_CPUPROFILE"

// startCPUProfile starts the CPU profile cpuProfileEnv asks for, if any,
// and returns what stops it.
func startCPUProfile() func() {
	path := os.Getenv(cpuProfileEnv)
	if path == "" {
		return func() {}
	}
	f, err := os.Create(path)
	if err != nil {
		fmt.Fprintf(os.Stderr, "%s: %v\n", cpuProfileEnv, err)
		return func() {}
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		fmt.Fprintf(os.Stderr, "%s: %v\n", cpuProfileEnv, err)
		f.Close()
		return func() {}
	}
	return func() { pprof.StopCPUProfile(); f.Close() }
}
