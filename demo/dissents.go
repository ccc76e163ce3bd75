package demo

import (
	"fmt"
	"time"

	"github.com/escalate-project/escalate"
	"github.com/escalate-project/escalate/calendar"
)

// Child Protection Conference dissents: every partnership gets an
// independent conference chair's account (one sign-in per user role); a
// partnership whose policy switches dissents on (Surrey) also gets a
// dissent at every step of the workflow, each taken through the real store
// by the people the workflow names.

// dissentStory is one fictional dissent.
type dissentStory struct {
	agency, professional, nature, grounds, decision string
}

var dissentStories = []dissentStory{
	{"health", "Health visitor",
		"The health visitor dissented from the decision not to make a child protection plan.",
		"Repeated missed health appointments and poor weight gain point to neglect.",
		"No child protection plan: a child in need plan with health visiting support."},
	{"school", "Designated teacher",
		"The designated teacher dissented from ending the child protection plan.",
		"Attendance has fallen again and the child arrives hungry most days.",
		"The plan ends; the family continue with early help."},
	{"police", "Police officer, public protection",
		"The police representative dissented from the category of neglect rather than physical abuse.",
		"Two call-outs this quarter involved injuries to the child.",
		"A child protection plan under the category of neglect."},
	{"gp", "GP",
		"The GP dissented from the decision not to make a child protection plan.",
		"The parent's mental health has worsened and medication is not being collected.",
		"No plan: the parent's mental health team will support the family."},
	{"housing", "Housing officer",
		"The housing officer dissented from the plan's reliance on a house move.",
		"No move is possible within the plan's timescales.",
		"The plan stands with the house move as its main action."},
	{"voluntary", "Family support worker",
		"The family support worker dissented from the decision to end the plan.",
		"The mother's new partner has not been assessed.",
		"The plan ends; the family support service stays involved."},
	{"health", "School nurse",
		"The school nurse dissented from the decision not to make a plan.",
		"Disclosures of self-harm to the school nurse were not considered.",
		"No plan: referral to the mental health service."},
	{"probation", "Probation officer",
		"The probation officer dissented from the risk assessment of a household member.",
		"The household member is subject to licence conditions about contact with children.",
		"No plan: the licence conditions are enough to keep the child safe."},
}

// dissents adds the conference chair's account and, where the policy has
// the dissent workflow, plans the demo dissents.
func (s *seeder) dissents() error {
	ag := s.agencies["care"]
	u := &escalate.User{PartnershipID: s.p.ID, AgencyID: ag.ID, Roles: []escalate.Role{escalate.RoleConferenceChair},
		Name: "Indie Demo-" + title(escalate.RoleConferenceChair), Email: fmt.Sprintf("%s@%s.example", escalate.RoleConferenceChair, s.p.Key)}
	if err := s.db.CreateUser(s.ctx, u); err != nil {
		return err
	}
	if err := s.db.SetPasswordHash(s.ctx, u.ID, s.hash); err != nil {
		return err
	}
	s.users[headline(escalate.RoleConferenceChair)] = u
	if !escalate.DissentsEnabled(s.pol) {
		return nil
	}
	cal, err := calendar.New(s.pol.Calendar.Division)
	if err != nil {
		return err
	}
	// Each dissent: when it was recorded (days ago), and the days ago of
	// each later step: schedule, the meeting (evaluation and decision),
	// the report's review and the strategy meeting action. -1: not taken.
	plans := []struct {
		recorded, scheduled, meeting int
		outcome                      string
		report, strategy             int
	}{
		{3, -1, -1, "", -1, -1},                         // awaiting review
		{32, -1, -1, "", -1, -1},                        // awaiting review, overdue
		{12, 10, -7, "", -1, -1},                        // scheduled for a meeting next week
		{20, 18, 8, "", -1, -1},                         // evaluated, awaiting the decision
		{35, 33, 25, escalate.DissentUpheld, -1, -1},    // upheld: with children's services
		{38, 37, 30, escalate.DissentUpheld, 5, -1},     // upheld: report reviewed
		{28, 26, 15, escalate.DissentNotUpheld, -1, -1}, // not upheld: closed
		{39, 37, 32, escalate.DissentUpheld, 12, 11},    // upheld: closed after the strategy meeting
	}
	for i, pl := range plans {
		st := dissentStories[i%len(dissentStories)]
		recorded := s.day(pl.recorded, 16, 0)
		var ref string
		version := 0
		var last time.Time
		// add plans a step at at, or just after the dissent's previous step
		// (day moves a weekend back), so each dissent's history runs forward.
		add := func(at time.Time, name string, fn func() (*escalate.Dissent, error)) {
			if !at.After(last) {
				at = last.Add(5 * time.Minute)
			}
			last = at
			s.steps = append(s.steps, step{at: at, name: name, run: func() error {
				d, err := fn()
				if err != nil {
					return fmt.Errorf("dissent %d: %s: %w", i+1, name, err)
				}
				ref, version = d.Ref, d.Version
				return nil
			}})
		}
		add(recorded, "record a dissent", func() (*escalate.Dissent, error) {
			return s.db.RecordDissent(s.as("care/conference-chair"), escalate.DissentInput{
				ConferenceDate: workdayBefore(recorded), ConferenceKind: []string{escalate.ConferenceInitial, escalate.ConferenceReview}[i%2],
				ConferenceRef: fmt.Sprintf("CPC-%d-%04d", recorded.In(london).Year(), 4100+i*7),
				AgencyID:      s.agencies[st.agency].ID, Professional: st.professional,
				Nature: st.nature, Grounds: st.grounds, ChairDecision: st.decision})
		})
		stepAs := func(at time.Time, who, action string, in escalate.DissentStepInput) {
			add(at, action, func() (*escalate.Dissent, error) {
				in.Version = version
				return s.db.DissentStep(s.as(who), ref, action, in)
			})
		}
		bm, csc := "partnership/business-manager", "care/senior-manager"
		group := []string{"Taylor Demo-Business-Manager (Business Manager)", "Frankie Demo-Designated-Nurse (Designated Nurse)",
			"Harper Demo-Head-Of-Service (Children's Social Care)", "Jules Demo-Police (Public Protection)"}
		if pl.scheduled < 0 {
			continue
		}
		meeting := workingDayOnOrBefore(cal, s.now.In(london).AddDate(0, 0, -pl.meeting))
		stepAs(s.day(pl.scheduled, 10, 0), bm, escalate.DissentActionSchedule, escalate.DissentStepInput{
			Date: meeting.Format(time.DateOnly), Text: "On the agenda of the Dissents Group's monthly meeting."})
		if pl.meeting < 0 {
			continue
		}
		at := time.Date(meeting.Year(), meeting.Month(), meeting.Day(), 14, 0, 0, 0, london).UTC()
		stepAs(at, bm, escalate.DissentActionEvaluate, escalate.DissentStepInput{People: group,
			Text: "The group reviewed the conference reports and each agency's contribution. The chair's decision " +
				"took account of the reports but gave little weight to the dissenting agency's evidence."})
		if pl.outcome == "" {
			continue
		}
		feedback := "Your dissent is upheld. Children's services will investigate the decision; you will hear the outcome."
		if pl.outcome == escalate.DissentNotUpheld {
			feedback = "Your dissent is not upheld: the evidence was weighed and the threshold applied correctly. Thank you for raising it."
		}
		stepAs(at.Add(30*time.Minute), bm, escalate.DissentActionDecide, escalate.DissentStepInput{Outcome: pl.outcome, People: group,
			Text: "Record in the minutes how each agency's evidence was weighed.", Feedback: feedback,
			Recommendations: "Remind chairs to minute dissents in full."})
		if pl.report < 0 {
			continue
		}
		stepAs(s.day(pl.report, 11, 0), csc, escalate.DissentActionReport, escalate.DissentStepInput{
			Date: s.day(pl.report, 11, 0).In(london).Format(time.DateOnly), People: []string{"Jody Demo-Head-Of-Safeguarding"},
			Text: "The investigation found the health evidence was not shared before the conference. A further strategy meeting is recommended."})
		if pl.strategy < 0 {
			continue
		}
		stepAs(s.day(pl.strategy, 15, 0), csc, escalate.DissentActionStrategy, escalate.DissentStepInput{
			Date: s.day(pl.strategy-1, 10, 0).In(london).Format(time.DateOnly),
			Text: "A further strategy meeting with health, police and children's social care."})
	}
	return nil
}

// workingDayOnOrBefore is t's London date, or the working day before it on
// cal: the Dissents Group meets on working days.
func workingDayOnOrBefore(cal *calendar.Calendar, t time.Time) time.Time {
	for !cal.IsWorkingDay(calendar.DateOf(t)) {
		t = t.AddDate(0, 0, -1)
	}
	return t
}
