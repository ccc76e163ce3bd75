package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// signInMemoryBound is the most memory (peak resident set, VmHWM) escalate
// serve may reach while 200 sign-ins arrive at once with
// --hash-concurrency 4: about 45 MiB of service, 4 × 19 MiB of argon2id
// held at once, as much again of finished hashes' garbage before the
// collector runs (GOGC=100), and about 100 MiB for 200 connections and
// the queue. Measured peaks were 245 to 309 MiB on 2 shared cores. Without
// the bound all 200 hash at once: 3.9 GiB was measured.
const signInMemoryBound = 384 << 20

// TestSignInMemoryBound starts escalate serve in a child process (TestMain, mainArgsEnv), sends it
// 200 parallel sign-ins from 200 clients (unknown emails: no account is
// needed to make a server hash) and reads the child's peak memory from
// /proc. It asserts the bound, not any time.
func TestSignInMemoryBound(t *testing.T) {
	db := newMigratedDB(t)
	mustRun(t, db, "partnership", "add", "--policy", "surrey")
	args, err := json.Marshal([]string{"serve", "--db", db, "--addr", "127.0.0.1:0",
		"--hash-concurrency", "4", "--trusted-proxies", "127.0.0.0/8", "--no-scheduler"})
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), mainArgsEnv+"="+string(args), "ESCALATE_SECURE_COOKIES=0", "ESCALATE_NO_AUDIT_KEY=1")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		cmd.Process.Signal(syscall.SIGTERM)
		cmd.Wait()
	}()
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			var line struct{ Msg, Addr string }
			if json.Unmarshal(sc.Bytes(), &line) == nil && line.Msg == "listening" {
				addr <- line.Addr
			}
		}
		io.Copy(io.Discard, stderr)
	}()
	var base string
	select {
	case a := <-addr:
		base = "http://" + a
	case <-time.After(60 * time.Second):
		t.Fatal("serve did not start")
	}
	before := procStatus(t, cmd.Process.Pid, "VmRSS")

	const n = 200
	var wg sync.WaitGroup
	var mu sync.Mutex
	statuses := map[int]int{}
	start := make(chan struct{})
	client := &http.Client{Transport: &http.Transport{MaxConnsPerHost: n, MaxIdleConnsPerHost: n},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			form := url.Values{"email": {fmt.Sprintf("nobody%d@example.org", i)}, "password": {"a guess of a password"}}
			req, _ := http.NewRequest("POST", base+"/sign-in", strings.NewReader(form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("X-Forwarded-For", fmt.Sprintf("198.51.100.%d", i%250+1))
			<-start
			res, err := client.Do(req)
			if err != nil {
				t.Error(err)
				return
			}
			io.Copy(io.Discard, res.Body)
			res.Body.Close()
			mu.Lock()
			statuses[res.StatusCode]++
			mu.Unlock()
		}()
	}
	close(start)
	wg.Wait()
	peak := procStatus(t, cmd.Process.Pid, "VmHWM")
	t.Logf("200 parallel sign-ins: answers %v; resident memory %d MiB before, peak %d MiB (bound %d MiB)",
		statuses, before>>20, peak>>20, signInMemoryBound>>20)
	if peak > signInMemoryBound {
		t.Errorf("peak memory %d MiB is over the bound of %d MiB", peak>>20, signInMemoryBound>>20)
	}
	if statuses[http.StatusUnauthorized]+statuses[http.StatusServiceUnavailable] != n {
		t.Errorf("answers %v: want each 401 (checked, wrong) or 503 (busy)", statuses)
	}
	if statuses[http.StatusUnauthorized] == 0 {
		t.Error("no sign-in was checked at all")
	}
}

// procStatus reads a size in bytes from /proc/PID/status, e.g. VmHWM, the
// peak resident set.
func procStatus(t *testing.T, pid int, key string) int64 {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, key+":"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			if err != nil {
				t.Fatal(err)
			}
			return kb << 10
		}
	}
	t.Fatalf("no %s in /proc/%d/status", key, pid)
	return 0
}
