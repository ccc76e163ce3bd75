package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/escalate-project/escalate"
	"github.com/escalate-project/escalate/demo"
	"github.com/escalate-project/escalate/sqlstore"
)

// The load driver of the multi-instance tests (rolling restart, scale-out):
// API clients, each a demo practitioner of one of the five demo
// partnerships with an API token, running a write-heavy mix: raise an
// escalation, add three records to it, read it back (an audited view).

// loadUser is one API client's identity.
type loadUser struct {
	partnership string
	token       string
	receiving   int64  // an agency to disagree with
	category    string // a category of the partnership's policy
}

// seedLoad migrates dsn, seeds the demo partnerships into it and returns one
// load user per partnership: its practitioner, with a new API token.
func seedLoad(t testing.TB, dsn string) []loadUser {
	t.Helper()
	ctx := context.Background()
	db, err := sqlstore.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	res, err := demo.Seed(ctx, db, time.Now(), demo.NewPassword())
	if err != nil {
		t.Fatal(err)
	}
	ps, err := db.Partnerships(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var users []loadUser
	for _, rp := range res.Partnerships {
		var p *escalate.Partnership
		for _, q := range ps {
			if q.Key == rp.Key {
				p = q
			}
		}
		u, err := db.FindUserByEmail(ctx, p.ID, "practitioner@"+rp.Key+".example")
		if err != nil {
			t.Fatalf("%s: %v", rp.Key, err)
		}
		ags, err := db.Agencies(ctx, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		lu := loadUser{partnership: rp.Key}
		for _, a := range ags {
			if a.ID != u.AgencyID {
				lu.receiving = a.ID
				break
			}
		}
		pol, err := db.CurrentPolicy(ctx, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		lu.category = pol.Categories[0].Key
		// The load raises and records as practitioners through the API,
		// which the demo keeps for its administrators and Business
		// Managers: let everyone use it.
		if err := db.SetAPIRoles(ctx, p.ID, nil); err != nil {
			t.Fatal(err)
		}
		uctx := escalate.NewContextWithUser(ctx, u)
		if lu.token, _, err = sqlstore.NewTokenService(db).CreateToken(uctx, escalate.TokenRequest{Name: "load test", Scope: escalate.ScopeReadWrite}); err != nil {
			t.Fatal(err)
		}
		users = append(users, lu)
	}
	return users
}

// loadStats counts what the clients saw.
type loadStats struct {
	ok, failed atomic.Int64
	ops        sync.Map // "raise", "record", "view" → *atomic.Int64
	mu         sync.Mutex
	errs       []string // the first few failures
}

func (s *loadStats) fail(format string, args ...any) {
	s.failed.Add(1)
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.errs) < 10 {
		s.errs = append(s.errs, fmt.Sprintf(format, args...))
	}
}

func (s *loadStats) done(op string) {
	s.ok.Add(1)
	v, _ := s.ops.LoadOrStore(op, new(atomic.Int64))
	v.(*atomic.Int64).Add(1)
}

// summary is "1234 ok (raise 200, record 600, view 200), 0 failed".
func (s *loadStats) summary() string {
	var parts []string
	s.ops.Range(func(k, v any) bool {
		parts = append(parts, fmt.Sprintf("%s %d", k, v.(*atomic.Int64).Load()))
		return true
	})
	sort.Strings(parts)
	return fmt.Sprintf("%d ok (%s), %d failed", s.ok.Load(), strings.Join(parts, ", "), s.failed.Load())
}

// runLoad runs workers clients until ctx ends, client i acting as
// users[i%len(users)] and sending each request to the base URL next()
// returns then. It returns when every client has stopped.
func runLoad(ctx context.Context, next func() string, users []loadUser, workers int, st *loadStats) {
	client := &http.Client{Timeout: 30 * time.Second,
		Transport: &http.Transport{MaxIdleConnsPerHost: workers}}
	var wg sync.WaitGroup
	for i := range workers {
		u := users[i%len(users)]
		wg.Go(func() { loadClient(ctx, client, next, u, i, st) })
	}
	wg.Wait()
}

func loadClient(ctx context.Context, client *http.Client, next func() string, u loadUser, worker int, st *loadStats) {
	call := func(op, method, path string, body any) (map[string]any, bool) {
		var rd io.Reader
		if body != nil {
			b, _ := json.Marshal(body)
			rd = bytes.NewReader(b)
		}
		req, _ := http.NewRequest(method, next()+path, rd)
		req.Header.Set("Authorization", "Bearer "+u.token)
		if body != nil {
			req.Header.Set("Content-Type", "application/json")
		}
		res, err := client.Do(req)
		if err != nil {
			if ctx.Err() == nil {
				st.fail("%s %s: %v", method, path, err)
			}
			return nil, false
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		if res.StatusCode/100 != 2 {
			st.fail("%s %s: %d %s", method, path, res.StatusCode, b)
			return nil, false
		}
		var out map[string]any
		json.Unmarshal(b, &out)
		st.done(op)
		return out, true
	}
	for n := 0; ctx.Err() == nil; n++ {
		esc, ok := call("raise", "POST", "/api/v1/escalations", map[string]any{
			"raised_role": "practitioner", "receiving_agency": u.receiving,
			"decision": "No further action after the referral.", "decision_date": time.Now().AddDate(0, 0, -3).Format("2006-01-02"),
			"child_ref": fmt.Sprintf("LOAD-%d-%d", worker, n), "child_initials": "LT", "categories": []string{u.category},
			"issue": "The referral was closed without an assessment.", "risk": "Continued neglect at home.",
			"disagreement": "The threshold was applied wrongly.", "outcome_sought": "A child and family assessment.",
			"risk_level": "standard"})
		if !ok {
			continue
		}
		ref, _ := esc["ref"].(string)
		version, _ := esc["version"].(float64)
		for r := 0; r < 3 && ctx.Err() == nil; r++ {
			out, ok := call("record", "POST", "/api/v1/escalations/"+ref+"/records", map[string]any{
				"version": int(version), "at": time.Now().UTC().Add(-time.Minute).Format(time.RFC3339), "form": "phone",
				"participants": []string{"The practitioner", "The duty manager"},
				"discussion":   "Talked through the threshold.", "outcome": "To speak again tomorrow."})
			if !ok {
				break
			}
			version, _ = out["version"].(float64)
		}
		if ctx.Err() == nil {
			call("view", "GET", "/api/v1/escalations/"+ref, nil)
		}
	}
}
