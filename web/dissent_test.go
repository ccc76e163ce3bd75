package web_test

import (
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/escalate-project/escalate"
	"github.com/escalate-project/escalate/sqlstore"
)

// newDissentWorld is the authorisation world on Surrey's policy, with
// dissent A recorded by Y's conference chair about X's health visitor.
func newDissentWorld(t *testing.T) *authzWorld {
	t.Helper()
	return newAuthzWorldPack(t, "surrey", func(w *authzWorld, db *sqlstore.DB) {
		d, err := db.RecordDissent(escalate.NewContextWithUser(t.Context(), w.users[authzKey(escalate.RoleConferenceChair, "Y")]),
			escalate.DissentInput{ConferenceDate: "2026-11-30", ConferenceKind: escalate.ConferenceReview,
				ConferenceRef: "RCPC-2026-0042", AgencyID: w.ag["X"].ID, Professional: "Health visitor",
				Nature: "Dissented from ending the plan.", Grounds: "Weight loss.", ChairDecision: "The plan ends."})
		if err != nil {
			t.Fatal(err)
		}
		w.disA = d.Ref
	})
}

// post sends a form as the user key (e.g. "business-manager@X").
func (w *authzWorld) post(t *testing.T, in *authzInstance, who, path string, f url.Values) *response {
	t.Helper()
	return authzSend(t, in.ts.URL, "POST", path, w.cookies[who], "", "application/x-www-form-urlencoded", f.Encode())
}

func (w *authzWorld) get(t *testing.T, in *authzInstance, who, path string) *response {
	t.Helper()
	return authzSend(t, in.ts.URL, "GET", path, w.cookies[who], "", "", "")
}

func TestDissentForms(t *testing.T) {
	w := newDissentWorld(t)
	in := w.open(t, "forms")
	defer in.close()
	chair := authzKey(escalate.RoleConferenceChair, "Y")
	bm := authzKey(escalate.RoleBusinessManager, "Z")
	good := url.Values{"conference_date-day": {"30"}, "conference_date-month": {"11"}, "conference_date-year": {"2026"},
		"conference_kind": {"initial"}, "conference_ref": {"ICPC-2026-0100"}, "agency": {strconv.FormatInt(w.ag["X"].ID, 10)},
		"professional": {"Designated teacher"}, "nature": {"Dissent as minuted."}, "grounds": {"Grounds."}, "chair_decision": {"Decision."}}
	with := func(k, v string) url.Values {
		f := url.Values{}
		for key, vs := range good {
			f[key] = vs
		}
		f.Set(k, v)
		return f
	}

	t.Run("RecordErrors", func(t *testing.T) {
		for _, tt := range []struct {
			name  string
			form  url.Values
			field string
			msg   string
		}{
			{"NoDay", with("conference_date-day", ""), "conference_date-day", "The date of the conference must be a real date"},
			{"BadDate", with("conference_date-day", "31"), "conference_date-day", "must be a real date"},
			{"Future", with("conference_date-year", "2027"), "conference_date-day", "today or in the past"},
			{"NoKind", with("conference_kind", ""), "conference_kind", "initial or a review"},
			{"NameAsRef", with("conference_ref", "Jane Smith"), "conference_ref", "not a name or address"},
			{"NoAgency", with("agency", ""), "agency", "Choose the dissenting agency"},
			{"OtherAgency", with("agency", strconv.FormatInt(w.ag["W"].ID, 10)), "agency", "no such agency"},
			{"NoNature", with("nature", " "), "nature", "The nature of the dissent is required"},
			{"NoDate", func() url.Values {
				f := with("conference_date-day", "")
				f.Del("conference_date-month")
				f.Del("conference_date-year")
				return f
			}(), "conference_date-day", "Enter the date of the conference"},
		} {
			t.Run(tt.name, func(t *testing.T) {
				before := in.state(t)
				res := w.post(t, in, chair, "/dissents/new", tt.form)
				if res.StatusCode != 400 {
					t.Fatalf("status %d, want 400", res.StatusCode)
				}
				if !strings.Contains(res.body, "govuk-error-summary") || !strings.Contains(res.body, `href="#`+tt.field+`"`) ||
					!strings.Contains(res.body, tt.msg) {
					t.Errorf("no error summary linking #%s saying %q", tt.field, tt.msg)
				}
				if after := in.state(t); after != before {
					t.Errorf("a refused form wrote something")
				}
			})
		}
	})

	t.Run("EveryProblemAtOnce", func(t *testing.T) {
		before := in.state(t)
		res := w.post(t, in, chair, "/dissents/new", url.Values{"conference_ref": {"Jane Smith"}})
		if res.StatusCode != 400 {
			t.Fatalf("status %d", res.StatusCode)
		}
		for _, f := range []string{"conference_date-day", "conference_kind", "conference_ref", "agency", "professional",
			"nature", "grounds", "chair_decision"} {
			if !strings.Contains(res.body, `<a href="#`+f+`">`) {
				t.Errorf("the error summary does not link #%s", f)
			}
		}
		if after := in.state(t); after != before {
			t.Errorf("a refused form wrote something")
		}
	})

	t.Run("Record", func(t *testing.T) {
		res := w.post(t, in, chair, "/dissents/new", good)
		loc := res.Header.Get("Location")
		if res.StatusCode != 303 || !strings.HasPrefix(loc, "/dissents/SURREY-CPD-2026-") || strings.Contains(loc, "ICPC") {
			t.Fatalf("record: %d %s", res.StatusCode, loc)
		}
		page := w.get(t, in, chair, strings.Split(loc, "?")[0])
		for _, want := range []string{"ICPC-2026-0100", "Awaiting review", "How this deadline was worked out", "20 working days",
			"Review by the Dissents Group"} {
			if !strings.Contains(page.body, want) {
				t.Errorf("the dissent page does not show %q", want)
			}
		}
	})

	t.Run("StepErrors", func(t *testing.T) {
		for _, tt := range []struct {
			name, path string
			form       url.Values
			status     int
			msg        string
		}{
			{"BankHoliday", "schedule", url.Values{"version": {"1"}, "date-day": {"25"}, "date-month": {"12"}, "date-year": {"2026"}},
				400, "Friday 25 December 2026 is not one (Christmas Day)"},
			{"Weekend", "schedule", url.Values{"version": {"1"}, "date-day": {"5"}, "date-month": {"12"}, "date-year": {"2026"}},
				400, "is not one (Saturday)"},
			{"NoDate", "schedule", url.Values{"version": {"1"}}, 400, "Enter the date of the Dissents Group meeting"},
			{"AllOfDecide", "decide", url.Values{"version": {"1"}}, 409, "awaiting review"},
			{"NotYet", "evaluate", url.Values{"version": {"1"}, "people": {"BM"}, "text": {"x"}}, 409, "awaiting review"},
			{"Stale", "schedule", url.Values{"version": {"0"}, "date-day": {"2"}, "date-month": {"12"}, "date-year": {"2026"}}, 409, "changed by someone else"},
		} {
			t.Run(tt.name, func(t *testing.T) {
				before := in.state(t)
				res := w.post(t, in, bm, "/dissents/"+w.disA+"/"+tt.path, tt.form)
				if res.StatusCode != tt.status || !strings.Contains(res.body, tt.msg) {
					t.Errorf("status %d, want %d saying %q", res.StatusCode, tt.status, tt.msg)
				}
				if tt.status == 400 && !strings.Contains(res.body, "govuk-error-summary") {
					t.Error("no error summary")
				}
				if after := in.state(t); after != before {
					t.Errorf("a refused step wrote something")
				}
			})
		}
	})

	t.Run("ScheduleAndList", func(t *testing.T) {
		res := w.post(t, in, bm, "/dissents/"+w.disA+"/schedule", url.Values{"version": {"1"},
			"date-day": {"2"}, "date-month": {"12"}, "date-year": {"2026"}})
		if res.StatusCode != 303 {
			t.Fatalf("schedule: %d", res.StatusCode)
		}
		// Every problem of a step's form at once, nothing written.
		before := in.state(t)
		res = w.post(t, in, bm, "/dissents/"+w.disA+"/decide", url.Values{"version": {"2"}})
		if res.StatusCode != 409 {
			t.Errorf("deciding before evaluating: %d", res.StatusCode)
		}
		res = w.post(t, in, bm, "/dissents/"+w.disA+"/evaluate", url.Values{"version": {"2"}})
		if res.StatusCode != 400 || !strings.Contains(res.body, `<a href="#people">`) || !strings.Contains(res.body, `<a href="#text">`) {
			t.Errorf("an empty evaluation: %d, want the error summary to link #people and #text", res.StatusCode)
		}
		if after := in.state(t); after != before {
			t.Error("refused steps wrote something")
		}
		list := w.get(t, in, bm, "/dissents")
		if !strings.Contains(list.body, "Scheduled for a meeting") || !strings.Contains(list.body, w.disA) {
			t.Error("the list does not show the scheduled dissent")
		}
		if strings.Contains(list.body, "RCPC-2026-0042") {
			t.Error("the list shows a conference reference")
		}
		if !strings.Contains(list.body, `href="/dissents"`) {
			t.Error("no header link for the Business Manager")
		}
		if p := w.get(t, in, authzKey(escalate.RolePractitioner, "X"), "/contacts"); strings.Contains(p.body, `href="/dissents"`) {
			t.Error("a practitioner gets the dissents link")
		}
	})
}
