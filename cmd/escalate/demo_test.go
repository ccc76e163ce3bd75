package main

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// runDemoCmd starts "escalate demo" in-process on 127.0.0.1:0 and returns
// its base URL, its output so far, and a stop function that cancels it and
// returns its exit status.
func runDemoCmd(t *testing.T, path string) (base string, out *lockedBuffer, stop func() int) {
	t.Helper()
	return runDemoCmdArgs(t, []string{"demo", "--db", path, "--addr", "127.0.0.1:0"})
}

// runDemoCmdArgs runs the escalate command line args (a demo) as runDemoCmd does.
func runDemoCmdArgs(t *testing.T, args []string) (base string, out *lockedBuffer, stop func() int) {
	t.Helper()
	out = &lockedBuffer{}
	errOut := &lockedBuffer{}
	env := &Env{Stdout: out, Stderr: errOut, Stdin: strings.NewReader(""), Getenv: func(string) string { return "" }}
	ready := make(chan string, 1)
	demoListening = func(addr string) { ready <- addr }
	t.Cleanup(func() { demoListening = nil })
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	go func() { done <- Run(ctx, env, args) }()
	select {
	case addr := <-ready:
		base = "http://" + addr
	case code := <-done:
		cancel()
		t.Fatalf("demo exited %d before listening:\n%s\n%s", code, out, errOut)
	case <-time.After(60 * time.Second):
		cancel()
		t.Fatalf("demo did not start:\n%s\n%s", out, errOut)
	}
	stopped := false
	stop = func() int {
		stopped = true
		cancel()
		return <-done
	}
	t.Cleanup(func() {
		if !stopped {
			stop()
		}
	})
	return base, out, stop
}

func demoGet(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestDemo(t *testing.T) {
	path := filepath.Join(t.TempDir(), "escalate-demo.db")
	base, out, stop := runDemoCmd(t, path)
	if code, body := demoGet(t, base+"/healthz"); code != http.StatusOK {
		t.Errorf("/healthz: %d %s", code, body)
	}
	if code, body := demoGet(t, base+"/sign-in"); code != http.StatusOK || !strings.Contains(body, `name="password"`) {
		t.Errorf("/sign-in: %d\n%s", code, body)
	}
	printed := out.String()
	for _, want := range []string{base, "practitioner@redbridge.example", "chair@redbridge.example", "data-protection-officer@redbridge.example", "admin@redbridge.example", "hounslow"} {
		if !strings.Contains(printed, want) {
			t.Errorf("output lacks %q:\n%s", want, printed)
		}
	}
	// The sign-ins are a table: every email starts in the same column.
	col := -1
	for _, line := range strings.Split(printed, "\n") {
		if i := strings.Index(line, "@redbridge.example"); i > 0 && strings.HasPrefix(line, "    ") {
			start := strings.LastIndex(line[:i], " ") + 1
			if col >= 0 && start != col {
				t.Errorf("sign-in emails not in one column (%d, then %d):\n%s", col, start, printed)
				break
			}
			col = start
		}
	}
	pw := regexp.MustCompile(`(?m)^    ([a-z]+(-[a-z]+){3})$`).FindStringSubmatch(printed)
	if pw == nil {
		t.Fatalf("no password printed:\n%s", printed)
	}
	// Every printed role signs in with the printed password, in every
	// partnership, and (but the admin) finds escalations to open. The
	// session cookie is not Secure: the demo is plain http on localhost.
	for _, key := range []string{"hammersmith-fulham", "hounslow", "redbridge", "surrey", "wirral"} {
		for _, role := range []string{"practitioner", "manager", "safeguarding-lead", "senior-manager",
			"business-manager", "chair", "vice-chair", "admin"} {
			email := role + "@" + key + ".example"
			if key == "redbridge" && !strings.Contains(printed, email) {
				t.Errorf("%s is not printed", email)
			}
			// Oversight roles look at the partnership overview instead.
			page := "/"
			switch role {
			case "business-manager", "chair", "vice-chair":
				page = "/overview"
			}
			body := demoSignIn(t, base, email, pw[1], page)
			if links := strings.Count(body, `href="/escalations/`); role != "admin" && links == 0 {
				t.Errorf("%s has no escalation on %s", email, page)
			}
		}
	}
	t.Run("AuditKey", func(t *testing.T) {
		// The demo signs checkpoints with a key of its own, copied to a
		// witness directory, and says how to verify against them.
		witness := filepath.Join(path+".audit", "witness")
		demoWantContains(t, printed, "--witness "+witness)
		deadline := time.Now().Add(20 * time.Second)
		for {
			notes, _ := filepath.Glob(filepath.Join(witness, "*.note"))
			if len(notes) > 0 {
				break
			}
			if time.Now().After(deadline) {
				t.Fatal("no witness copy of a checkpoint")
			}
			time.Sleep(20 * time.Millisecond)
		}
	})
	t.Run("ErrAddressInUse", func(t *testing.T) {
		var out, errOut strings.Builder
		env := &Env{Stdout: &out, Stderr: &errOut, Stdin: strings.NewReader(""), Getenv: func(string) string { return "" }}
		addr := strings.TrimPrefix(base, "http://")
		if code := Run(context.Background(), env, []string{"demo", "--db", path, "--addr", addr}); code != 1 {
			t.Fatalf("a second demo on %s: exit %d, want 1", addr, code)
		}
		demoWantContains(t, errOut.String(), "is a demo already running?")
		// The running demo's database was left alone.
		if _, err := os.Stat(path); err != nil {
			t.Errorf("the running demo's database: %v", err)
		}
	})
	if code := stop(); code != 0 {
		t.Fatalf("demo exited %d after cancel", code)
	}
	demoWantContains(t, mustRun(t, path, "audit", "verify"), "ok")

	t.Run("Replaces", func(t *testing.T) {
		// Seeding the same file twice would fail on the partnerships'
		// keys, so a clean second run with five partnerships shows the
		// file was replaced.
		_, out, stop := runDemoCmd(t, path)
		if code := stop(); code != 0 {
			t.Fatalf("second demo exited %d:\n%s", code, out)
		}
		list := strings.TrimSpace(mustRun(t, path, "partnership", "list"))
		if n := len(strings.Split(list, "\n")); n != 5 {
			t.Errorf("after a second run, %d partnerships:\n%s", n, list)
		}
	})
}

func TestDemoRefusesRealDB(t *testing.T) {
	db := newMigratedDB(t)
	mustRun(t, db, "partnership", "add", "--policy", "surrey")
	var out, errOut strings.Builder
	env := &Env{Stdout: &out, Stderr: &errOut, Stdin: strings.NewReader(""), Getenv: func(string) string { return "" }}
	if code := Run(context.Background(), env, []string{"demo", "--db", db, "--addr", "127.0.0.1:0"}); code != 2 {
		t.Fatalf("demo on a real database: exit %d, want 2\n%s%s", code, &out, &errOut)
	}
	demoWantContains(t, errOut.String(), "not a demo database")
	demoWantContains(t, mustRun(t, db, "partnership", "list"), "surrey")
}

func demoWantContains(t *testing.T, got, want string) {
	t.Helper()
	if !strings.Contains(got, want) {
		t.Errorf("%q does not contain %q", got, want)
	}
}

// demoSignIn signs in as email and returns the page at path.
func demoSignIn(t *testing.T, base, email, password, path string) string {
	t.Helper()
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	req, _ := http.NewRequest(http.MethodPost, base+"/sign-in",
		strings.NewReader(url.Values{"email": {email}, "password": {password}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", base)
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	cookies := resp.Cookies()
	if resp.StatusCode != http.StatusSeeOther || len(cookies) == 0 || cookies[0].Secure {
		t.Fatalf("sign-in as %s: %d, cookies %v", email, resp.StatusCode, cookies)
	}
	req, _ = http.NewRequest(http.MethodGet, base+path, nil)
	for _, c := range cookies {
		req.AddCookie(c)
	}
	resp, err = client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("%s as %s: %d", path, email, resp.StatusCode)
	}
	return string(b)
}
