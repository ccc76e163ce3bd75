package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/escalate-project/escalate"
	"github.com/escalate-project/escalate/policy"
	"github.com/escalate-project/escalate/sqlstore"
)

// TestServeMetrics: with --metrics-addr, escalate serve answers
// /metrics on that listener (and only there) with every metric
// doc/operations.md names, the figures right, and nothing personal in any
// label: no email, name, reference or path, however the requests were made.
func TestServeMetrics(t *testing.T) {
	path := newMigratedDB(t)
	ctx := context.Background()
	db, err := sqlstore.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := policy.PackSource("hounslow")
	pol, _ := policy.Pack("hounslow")
	p := &escalate.Partnership{Key: "hounslow", Name: "Hounslow SCB"}
	if err := db.CreatePartnership(ctx, p, pol, raw); err != nil {
		t.Fatal(err)
	}
	// A password alone signs in, as in the demo: this test is about metrics.
	if err := db.SetSecondFactorOptional(ctx, p.ID, true); err != nil {
		t.Fatal(err)
	}
	school := &escalate.Agency{PartnershipID: p.ID, Name: "Hillside Academy", Kind: "school"}
	care := &escalate.Agency{PartnershipID: p.ID, Name: "Children's Social Care", Kind: "childrens-social-care"}
	for _, a := range []*escalate.Agency{school, care} {
		if err := db.CreateAgency(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	u := &escalate.User{PartnershipID: p.ID, AgencyID: school.ID, Name: "Priya Quartermaine",
		Email: "priya.quartermaine@hillside.example", Roles: []escalate.Role{escalate.RolePractitioner}}
	if err := db.CreateUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	const pw = "blue kettle on a sunny hill"
	if _, err := db.SetPassword(ctx, "hounslow", u.Email, pw); err != nil {
		t.Fatal(err)
	}
	e, err := sqlstore.NewEscalationService(db).Raise(escalate.NewContextWithUser(ctx, u), escalate.RaiseInput{
		RaisedRole: escalate.RolePractitioner, ReceivingAgencyID: care.ID, Decision: "Closed at the front door.",
		DecisionDate: "2026-12-01", ChildRef: "CHILD-ZX-4471", ChildInitials: "QV", Categories: []string{pol.Categories[0].Key},
		Issue: "Unexplained bruising", Risk: "Harm at home", Disagreement: "Threshold", OutcomeSought: "Assessment",
		RiskLevel: escalate.RiskStandard})
	if err != nil {
		t.Fatal(err)
	}
	// One notification surely pending, whatever routing made of the raise.
	if _, err := db.EnqueueOutbox(ctx, escalate.ActionRecordAdd, e.ID, escalate.Recipient{User: u.ID}, "record-added",
		map[string]any{"ref": e.Ref}); err != nil {
		t.Fatal(err)
	}
	counts, err := db.OutboxStatusCounts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	db.Close()

	base, logs, _ := startServe(t, map[string]string{"ESCALATE_DB": path, "ESCALATE_SECURE_COOKIES": "0"},
		"--addr", "127.0.0.1:0", "--metrics-addr", "127.0.0.1:0")
	var metricsAddr string
	sc := bufio.NewScanner(strings.NewReader(logs.String()))
	for sc.Scan() {
		var line struct{ Msg, Addr string }
		if json.Unmarshal(sc.Bytes(), &line) == nil && line.Msg == "metrics listening" {
			metricsAddr = line.Addr
		}
	}
	if metricsAddr == "" {
		t.Fatalf("no metrics listener in the log:\n%s", logs.String())
	}
	jar := &cookieJar{}
	client := &http.Client{Jar: jar}
	res, err := client.PostForm(base+"/sign-in", url.Values{"email": {u.Email}, "password": {pw}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	for _, p := range []string{"/escalations/" + e.Ref, "/escalations/" + e.Ref + "?child=CHILD-ZX-4471", "/no/such/" + u.Email} {
		res, err := client.Get(base + p)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, res.Body)
		res.Body.Close()
	}
	if res, err := http.Get(base + "/metrics"); err != nil || res.StatusCode != http.StatusNotFound {
		t.Errorf("/metrics on the app's own listener: %v %v, want 404", res.StatusCode, err)
	}

	res, err = http.Get("http://" + metricsAddr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	text := string(body)
	for _, want := range []string{
		`escalate_http_requests_total{method="GET",route="GET /escalations/{ref}",status="200"} 2`,
		`escalate_http_requests_total{method="POST",route="POST /sign-in",status="303"} 1`,
		`escalate_http_request_duration_seconds_bucket{method="GET",route="GET /escalations/{ref}",le="+Inf"} 2`,
		`escalate_outbox_pending `, `escalate_outbox_oldest_pending_age_seconds `,
		fmt.Sprintf("escalate_outbox_undelivered %d\n", counts["dead"]),
		`escalate_scheduler_pass_duration_seconds_count{result="ok"} `, `escalate_scheduler_last_pass_timestamp_seconds `,
		`escalate_scheduler_lag_seconds `,
		`escalate_open_escalations{partnership="hounslow"} 1`, `escalate_overdue_clocks{partnership="hounslow"} 0`,
		`escalate_db_connections_open `, `escalate_db_connections_in_use `, `escalate_db_connection_waits_total `,
		`escalate_build_info{commit=`, `go_goroutines `, `process_cpu_seconds_total `,
	} {
		if !strings.Contains(text, want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
	if strings.Contains(text, "escalate_outbox_pending 0\n") {
		t.Error("a notification is pending, but escalate_outbox_pending is 0")
	}
	// Nothing personal or identifying, anywhere in the body.
	lower := strings.ToLower(text)
	for _, secret := range []string{"priya", "quartermaine", "hillside", "child-zx-4471", "qv\"", strings.ToLower(e.Ref),
		"bruising", "/no/such", "@"} {
		if strings.Contains(lower, secret) {
			t.Errorf("/metrics holds %q", secret)
		}
	}
	// Every label value is one of a known, closed set.
	label := regexp.MustCompile(`(\w+)="([^"]*)"`)
	for _, line := range strings.Split(text, "\n") {
		if !strings.HasPrefix(line, "escalate_") {
			continue
		}
		for _, m := range label.FindAllStringSubmatch(line, -1) {
			switch k, v := m[1], m[2]; k {
			case "route":
				// "GET /escalations/{ref}", or a pattern without a method
				// ("/", the catch-all that answers 404).
				if v != "unmatched" && !strings.Contains(v, " /") && !strings.HasPrefix(v, "/") {
					t.Errorf("route label %q is not a pattern", v)
				}
			case "method", "status", "result", "le", "partnership", "gauge", "version", "commit":
			default:
				t.Errorf("unexpected label %s=%q", k, v)
			}
		}
	}
}

// cookieJar keeps the session cookie of a plain-http test server.
type cookieJar struct{ cookies []*http.Cookie }

func (j *cookieJar) SetCookies(_ *url.URL, cs []*http.Cookie) { j.cookies = append(j.cookies, cs...) }
func (j *cookieJar) Cookies(*url.URL) []*http.Cookie          { return j.cookies }
