package sqlstore

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/escalate-project/escalate"
)

// The crash test runs a writer loop in a child process (this test binary
// re-executed), kills it with SIGKILL at a random moment, restarts it, and
// after the last kill checks that every write the child acknowledged is
// there, that SQLite's integrity check passes and that the audit chain
// verifies.
//
// The child prints "ack <kind> <fields…>" on stdout only after the commit
// of that write has returned, so an acknowledged write is one a client would
// have been told was saved. Writes in flight at the kill may be there or not;
// nothing else may be missing or half-written.

// crashChildEnv, when set, makes TestCrash the child: its value is the
// database file to write to.
const crashChildEnv = "ESCALATE_CRASH_CHILD"

// crashSeedEnv fixes the parent's random seed to replay a failure.
const crashSeedEnv = "ESCALATE_CRASH_SEED"

// Bounds: the test always stops by itself.
const (
	crashRounds       = 20
	crashChildWrites  = 5000             // the child stops after this many writes…
	crashChildTime    = 20 * time.Second // …or this long
	crashFirstAckWait = 30 * time.Second // the parent gives up on a child that acknowledges nothing
	crashWriters      = 2                // concurrent writer goroutines in the child
)

func TestCrash(t *testing.T) {
	if path := os.Getenv(crashChildEnv); path != "" {
		if err := crashChild(path); err != nil {
			fmt.Fprintf(os.Stderr, "crash child: %v\n", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	rounds := crashRounds
	if testing.Short() {
		// Not a skip: the same checks after fewer kills.
		rounds = 5
	}

	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv(crashSeedEnv); s != "" {
		var err error
		if seed, err = strconv.ParseUint(s, 10, 64); err != nil {
			t.Fatalf("%s: %v", crashSeedEnv, err)
		}
	}
	t.Logf("seed %d (replay with %s=%d)", seed, crashSeedEnv, seed)
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))

	path := filepath.Join(t.TempDir(), "crash.db")
	crashSetup(t, path)

	var acks []crashAck
	for round := 1; round <= rounds; round++ {
		got := crashRound(t, path, round, rng)
		t.Logf("round %d: %d writes acknowledged", round, len(got))
		acks = append(acks, got...)
	}
	if len(acks) < rounds {
		t.Fatalf("only %d writes acknowledged in %d rounds: the child barely ran", len(acks), rounds)
	}

	// Opening the file again recovers the WAL the last kill left behind.
	ctx := context.Background()
	db, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var integrity string
	if err := db.db.QueryRowContext(ctx, "PRAGMA integrity_check").Scan(&integrity); err != nil {
		t.Fatal(err)
	}
	if integrity != "ok" {
		t.Errorf("PRAGMA integrity_check = %q, want ok", integrity)
	}
	kinds := map[string]int{}
	for _, a := range acks {
		kinds[a.kind]++
		if err := crashCheckAck(ctx, db, a); err != nil {
			t.Errorf("acknowledged %q: %v", a.line, err)
		}
	}
	t.Logf("acknowledged writes by kind: %v", kinds)
	rep, err := db.VerifyAudit(ctx, "")
	if err != nil {
		t.Fatalf("audit chain: %v", err)
	}
	// Every acknowledged write appended at least one event.
	if rep.N < int64(len(acks)) {
		t.Errorf("audit log has %d events, fewer than the %d acknowledged writes", rep.N, len(acks))
	}
	t.Logf("audit: ok: %d events", rep.N)
}

// crashAck is one acknowledged write: its kind and fields, as printed.
type crashAck struct {
	line   string
	kind   string
	fields []string
}

// crashRound starts a child on path, kills it at a random moment and returns
// the writes it acknowledged.
func crashRound(t *testing.T, path string, round int, rng *rand.Rand) []crashAck {
	t.Helper()
	// Kill after a random number of acknowledgements or a random time after
	// the first, whichever comes first, plus a little jitter so the kill
	// lands at any point of the next transaction, fsync included.
	killAfterAcks := 1 + rng.IntN(60)
	killAfter := time.Duration(20+rng.IntN(281)) * time.Millisecond
	jitter := time.Duration(rng.IntN(3000)) * time.Microsecond

	cmd := exec.Command(os.Args[0], "-test.run=^TestCrash$", "-test.count=1", "-test.timeout=2m")
	cmd.Env = append(os.Environ(), crashChildEnv+"="+path,
		fmt.Sprintf("ESCALATE_CRASH_CHILD_SEED=%d", rng.Uint64()))
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}

	lines := make(chan string)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			lines <- sc.Text()
		}
	}()

	var acks []crashAck
	killed := false
	kill := func() {
		if !killed {
			time.Sleep(jitter)
			cmd.Process.Signal(syscall.SIGKILL)
			killed = true
		}
	}
	giveUp := time.NewTimer(crashFirstAckWait)
	defer giveUp.Stop()
	var deadline <-chan time.Time
	for lines != nil {
		select {
		case line, ok := <-lines:
			if !ok {
				lines = nil
				break
			}
			// Lines printed before the kill are still read after it: the
			// pipe holds them.
			if a, ok := parseCrashAck(line); ok {
				acks = append(acks, a)
				if len(acks) == 1 {
					deadline = time.After(killAfter)
				}
				if len(acks) >= killAfterAcks {
					kill()
				}
			}
		case <-deadline:
			kill()
		case <-giveUp.C:
			if len(acks) == 0 {
				kill()
				cmd.Wait()
				t.Fatalf("round %d: the child acknowledged nothing in %v; stderr:\n%s", round, crashFirstAckWait, stderr.String())
			}
		}
	}
	err = cmd.Wait()
	var ee *exec.ExitError
	if !killed || !errors.As(err, &ee) || ee.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
		t.Fatalf("round %d: the child ended by itself (%v) before it was killed; stderr:\n%s", round, err, stderr.String())
	}
	return acks
}

func parseCrashAck(line string) (crashAck, bool) {
	f := strings.Fields(line)
	if len(f) < 2 || f[0] != "ack" {
		return crashAck{}, false
	}
	return crashAck{line: line, kind: f[1], fields: f[2:]}, true
}

// crashChild is the writer loop the parent kills: crashWriters goroutines
// doing mixed writes, each acknowledged after its commit returns.
func crashChild(path string) error {
	ctx, cancel := context.WithTimeout(context.Background(), crashChildTime)
	defer cancel()
	db, err := Open(ctx, path)
	if err != nil {
		return err
	}
	defer db.Close()
	seed, _ := strconv.ParseUint(os.Getenv("ESCALATE_CRASH_CHILD_SEED"), 10, 64)
	w, err := newCrashWorld(ctx, db)
	if err != nil {
		return err
	}
	var mu sync.Mutex
	ack := func(format string, args ...any) {
		// One write(2) per line, straight to the pipe: no buffer that a
		// kill could lose after the line counted as sent.
		mu.Lock()
		defer mu.Unlock()
		io.WriteString(os.Stdout, "ack "+fmt.Sprintf(format, args...)+"\n")
	}
	var wg sync.WaitGroup
	errs := make(chan error, crashWriters)
	for g := range crashWriters {
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(seed, uint64(g)))
			for i := 0; i < crashChildWrites/crashWriters && ctx.Err() == nil; i++ {
				if err := w.write(ctx, rng, g, ack); err != nil {
					errs <- err
					cancel()
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	return <-errs
}

// crashSetup migrates a new database at path and adds the partnership the
// child writes into (the benchmarks' fixture, on the Redbridge pack).
func crashSetup(t *testing.T, path string) {
	t.Helper()
	ctx := context.Background()
	db, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := addEscFixture(db, "crash"); err != nil {
		t.Fatal(err)
	}
}

// crashWorld is what one child life writes into. Each writer goroutine
// owns the open escalations whose ID is its number modulo crashWriters, so
// the writers never race on one case (the concurrency tests do that).
type crashWorld struct {
	f    *escFixture
	pid  int
	mu   sync.Mutex
	seq  int
	open [crashWriters][]*crashCase
}

// crashCase is what a writer knows of an open escalation it owns.
type crashCase struct {
	ref            string
	version, stage int
}

func newCrashWorld(ctx context.Context, db *DB) (*crashWorld, error) {
	f, err := loadEscFixture(db, "crash")
	if err != nil {
		return nil, err
	}
	w := &crashWorld{f: f, pid: os.Getpid()}
	// Cases from earlier lives go on being written: a kill must not have
	// left any of them unable to take the next change.
	rows, err := db.db.QueryContext(ctx, `SELECT id, ref, version, stage FROM escalations WHERE status = 'open' ORDER BY id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		c := &crashCase{}
		if err := rows.Scan(&id, &c.ref, &c.version, &c.stage); err != nil {
			return nil, err
		}
		g := id % crashWriters
		w.open[g] = append(w.open[g], c)
	}
	return w, rows.Err()
}

// next returns a name part no other write of any child life has used.
func (w *crashWorld) next() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.seq++
	return fmt.Sprintf("%d-%d", w.pid, w.seq)
}

// write does one randomly chosen write as writer g and acknowledges it.
func (w *crashWorld) write(ctx context.Context, rng *rand.Rand, g int, ack func(string, ...any)) error {
	f := w.f
	ctx = escalate.NewContextWithUser(ctx, f.raiser)
	k := rng.IntN(10)
	open := w.open[g]
	if len(open) == 0 && k >= 3 && k < 9 {
		k = 0
	}
	switch {
	case k < 3:
		e, err := f.svc.Raise(ctx, f.raiseInput(rng.IntN(1_000_000)))
		if err != nil {
			return fmt.Errorf("raise: %w", err)
		}
		if gg := int(e.ID % crashWriters); gg != g {
			// Another writer owns it; it learns of it in the next life.
			ack("raise %s", e.Ref)
			return nil
		}
		w.open[g] = append(w.open[g], &crashCase{ref: e.Ref, version: e.Version, stage: e.Stage})
		ack("raise %s", e.Ref)
	case k < 6:
		c := open[rng.IntN(len(open))]
		e, err := f.svc.AddRecord(ctx, c.ref, f.recordInput(c.version, rng.IntN(1000)))
		if err != nil {
			return fmt.Errorf("add record to %s: %w", c.ref, err)
		}
		c.version = e.Version
		ack("record %s %d", c.ref, len(e.Records))
	case k < 9:
		i := rng.IntN(len(open))
		c := open[i]
		if c.stage == len(f.policy.Stages)-1 {
			// At the final stage: done with it, so the list stays short.
			w.open[g] = append(open[:i:i], open[i+1:]...)
			return nil
		}
		e, err := f.svc.Escalate(ctx, c.ref, escalate.EscalateInput{Version: c.version, Reason: "No agreement within the timescale."})
		if err != nil {
			return fmt.Errorf("escalate %s: %w", c.ref, err)
		}
		c.version, c.stage = e.Version, e.Stage
		ack("escalate %s %d", c.ref, e.Stage)
	default:
		name := "Agency " + w.next()
		a := &escalate.Agency{PartnershipID: f.raiser.PartnershipID, Name: name, Kind: "voluntary-sector"}
		if err := f.db.CreateAgency(WithActor(ctx, "test:crash"), a); err != nil {
			return fmt.Errorf("add agency: %w", err)
		}
		ack("agency %d %s", a.ID, strings.ReplaceAll(name, " ", "_"))
	}
	return nil
}

// crashCheckAck returns what is wrong with the stored state of an
// acknowledged write: it must be there, with its audit events.
func crashCheckAck(ctx context.Context, db *DB, a crashAck) error {
	switch a.kind {
	case "raise":
		var n int
		if err := db.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM escalations WHERE ref = $1`, a.fields[0]).Scan(&n); err != nil {
			return err
		}
		if n != 1 {
			return fmt.Errorf("%d escalations %s, want 1", n, a.fields[0])
		}
		return crashEvents(ctx, db, escalate.ActionRaise, a.fields[0], 1, 1)
	case "record":
		id, _ := strconv.Atoi(a.fields[1])
		var n int
		if err := db.db.QueryRowContext(ctx, `
			SELECT COUNT(*) FROM records r JOIN escalations e ON e.id = r.escalation_id
			WHERE e.ref = $1 AND r.id = $2`, a.fields[0], id).Scan(&n); err != nil {
			return err
		}
		if n != 1 {
			return fmt.Errorf("record %d of %s is missing", id, a.fields[0])
		}
		// Records are numbered 1..n, each with its own event.
		return crashEvents(ctx, db, escalate.ActionRecordAdd, a.fields[0], id, 1<<30)
	case "escalate":
		stage, _ := strconv.Atoi(a.fields[1])
		var got int
		if err := db.db.QueryRowContext(ctx, `SELECT stage FROM escalations WHERE ref = $1`, a.fields[0]).Scan(&got); err != nil {
			return err
		}
		if got < stage {
			return fmt.Errorf("%s is at stage %d, want at least %d", a.fields[0], got, stage)
		}
		// Stage s was reached by s escalations from stage 0.
		return crashEvents(ctx, db, escalate.ActionEscalate, a.fields[0], stage, 1<<30)
	case "agency":
		id, _ := strconv.ParseInt(a.fields[0], 10, 64)
		got, err := db.FindAgencyByID(ctx, id)
		if err != nil {
			return err
		}
		if want := strings.ReplaceAll(a.fields[1], "_", " "); got.Name != want {
			return fmt.Errorf("agency %d is named %q, want %q", id, got.Name, want)
		}
		var n int
		if err := db.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM audit_events WHERE action = 'agency.add' AND object = $1`,
			"agency:"+a.fields[0]).Scan(&n); err != nil {
			return err
		}
		if n != 1 {
			return fmt.Errorf("%d agency.add events for agency %d, want 1", n, id)
		}
		return nil
	}
	return fmt.Errorf("unknown kind %q", a.kind)
}

// crashEvents returns an error unless the audit log holds between min and
// max events of action on escalation ref.
func crashEvents(ctx context.Context, db *DB, action, ref string, min, max int) error {
	var n int
	err := db.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM audit_events WHERE action = $1 AND object = $2`,
		action, "escalation:"+ref).Scan(&n)
	if err != nil {
		return err
	}
	if n < min || n > max {
		return fmt.Errorf("%d %s events for %s in the audit log, want %d to %d", n, action, ref, min, max)
	}
	return nil
}
