package demo

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/escalate-project/escalate"
)

// story is the substance of a demo disagreement. Child references and
// initials are made up; no story is about a real case.
type story struct {
	decision, issue, risk, disagreement, sought string
}

// stories holds, by the receiving agency's key, what is disagreed with
// there; agencies without their own take children's social care's.
var stories = map[string][]story{
	"care": {
		{"No further action after the referral about bruising.",
			"A referral about unexplained bruising was closed without a strategy discussion.",
			"Possible physical abuse at home; the child has said they are scared to go home.",
			"We believe the threshold for a strategy discussion was met and was applied wrongly.",
			"A strategy discussion and a child and family assessment."},
		{"The case was stepped down to early help.",
			"Domestic abuse incidents continue after the step-down.",
			"Children living with domestic abuse; two police call-outs this month.",
			"The step-down did not consider the latest police information.",
			"The case to be reopened to children's social care."},
		{"The assessment closed without seeing the child alone.",
			"The assessment closed without the child's voice recorded.",
			"The child may be experiencing emotional harm that has not been heard.",
			"An assessment must see the child alone.",
			"The child seen alone and the assessment reviewed."},
	},
	"health": {
		{"The baby was discharged without a safeguarding follow-up.",
			"A pattern of missed appointments was not shared before discharge.",
			"Neglect of health needs: three missed appointments for a baby under one.",
			"The discharge plan does not say who follows up the missed appointments.",
			"A joint home visit and a named lead for health follow-up."},
		{"A referral to the mental health service was declined.",
			"Self-harm disclosed at school; the referral was declined as below threshold.",
			"The young person has hurt themselves twice this month.",
			"The decision did not take the school's evidence into account.",
			"An assessment appointment within two weeks."},
	},
	"police": {
		{"A request for information was refused.",
			"Information about a risky adult in the household was not shared.",
			"A person who poses a risk to children may be living with the family.",
			"Sharing is lawful and necessary to protect the child.",
			"The information shared with the safeguarding lead this week."},
		{"No joint visit after a disclosure.",
			"The child disclosed harm at school; no joint visit was arranged.",
			"The child returns each day to the home where the harm is said to happen.",
			"A disclosure of this kind needs a joint visit under the local procedures.",
			"A strategy discussion with police and social care."},
	},
	"housing": {
		{"No housing offer was made to the family.",
			"The family remain in overcrowded, unsafe housing after the child protection conference.",
			"Damp and overcrowding affect the baby's health; the plan depends on a move.",
			"The child protection plan's housing action has not been taken forward.",
			"A housing assessment and an attendance at the next core group."},
	},
}

// storyFor returns the ith case's story against agency to.
func storyFor(to string, i int) story {
	list, ok := stories[to]
	if !ok {
		list = stories["care"]
	}
	return list[i%len(list)]
}

// workdayBefore returns the London date of the weekday before t.
func workdayBefore(t time.Time) string {
	d := t.In(london).AddDate(0, 0, -1)
	for d.Weekday() == time.Saturday || d.Weekday() == time.Sunday {
		d = d.AddDate(0, 0, -1)
	}
	return d.Format("2006-01-02")
}

var initials = []string{"AB", "CD", "EF", "GH", "JK", "LM", "NP", "QR", "ST", "UV", "WX", "YZ", "BC", "DF", "HJ", "KL"}

// kase is one demo escalation being planned: its steps run later, in time
// order with every other case's, because the audit chain's times only go
// forward.
type kase struct {
	e        *escalate.Escalation
	from, to string // the raising and receiving agencies' keys
	last     time.Time
	named    bool // someone at the receiving agency deals with it
	leave    bool // nobody takes it: it waits for the escalation contact
}

// step is one planned change, run with the store's clock at at.
type step struct {
	at   time.Time
	name string
	run  func() error
}

// then plans fn on c at t, or just after c's previous step if t is not
// after it, so every case's history runs forward.
func (s *seeder) then(c *kase, t time.Time, name string, fn func(e *escalate.Escalation) (*escalate.Escalation, error)) {
	if !t.After(c.last) {
		t = c.last.Add(5 * time.Minute)
	}
	c.last = t
	s.steps = append(s.steps, step{at: t, name: name, run: func() error {
		e, err := fn(c.e)
		if err != nil {
			if c.e != nil {
				return fmt.Errorf("%s %s: %w", name, c.e.ChildRef, err)
			}
			return fmt.Errorf("%s: %w", name, err)
		}
		c.e = e
		return nil
	}})
}

func (s *seeder) as(key string) context.Context {
	u, ok := s.users[key]
	if !ok {
		panic("demo: no user " + key)
	}
	return escalate.NewContextWithUser(s.ctx, u)
}

// raise plans a case from agency from against agency to, raised by from's
// practitioner. As people do, every other raiser chooses the practitioner
// they dealt with there; the rest leave it to the agency's escalation
// contact, who then names their practitioner. With leave, nobody has taken
// it yet: it waits in the escalation contact's My work.
func (s *seeder) raise(t time.Time, from, to string, risk escalate.RiskLevel, leave ...bool) *kase {
	c := &kase{from: from, to: to, leave: len(leave) > 0 && leave[0]}
	i := s.cases
	s.cases++
	st := storyFor(to, i)
	in := escalate.RaiseInput{
		RaisedRole:        escalate.RolePractitioner,
		ReceivingAgencyID: s.agencies[to].ID,
		ReceivingContact:  "Duty practitioner",
		Decision:          st.decision,
		DecisionDate:      workdayBefore(t),
		ChildRef:          fmt.Sprintf("DEMO-%d", 1001+i),
		ChildInitials:     initials[i%len(initials)],
		Categories:        []string{s.pol.Categories[i%len(s.pol.Categories)].Key},
		Issue:             st.issue,
		Risk:              st.risk,
		Disagreement:      st.disagreement,
		OutcomeSought:     st.sought,
		RiskLevel:         risk,
	}
	if risk == escalate.RiskImmediate {
		in.ImmediateAction = "Called 999; police attended and the child is staying with a grandparent tonight."
		// The raiser dealt with social care's safeguarding lead, who
		// deals with it at once.
		in.DealtWith = s.users[to+"/safeguarding-lead"].ID
	} else if i%2 == 0 && !c.leave {
		in.DealtWith = s.users[to+"/practitioner"].ID
	}
	s.then(c, t, "raise "+in.ChildRef, func(*escalate.Escalation) (*escalate.Escalation, error) {
		return s.svc.Raise(s.as(from+"/practitioner"), in)
	})
	c.named = in.DealtWith != 0
	s.takeOver(c, t.Add(20*time.Minute))
	return c
}

// takeOver plans the receiving agency's escalation contact naming their
// practitioner to deal with the case, as they would from My work.
func (s *seeder) takeOver(c *kase, t time.Time) {
	s.then(c, t, "the escalation contact names who deals with it", func(e *escalate.Escalation) (*escalate.Escalation, error) {
		if c.named || c.leave || e.CurrentStage(s.pol).Scope == "within-agency" {
			return e, nil // named already, or the other agency is not brought in yet
		}
		c.named = true
		return s.svc.AddParty(s.as(c.to+"/manager"), e.Ref, s.users[c.to+"/practitioner"].ID)
	})
}

// actor is who acts for the other side at e's stage: the raiser's line
// manager at a stage within the raising agency, else the receiving
// agency's holder of the first role the stage names there (its
// practitioner, who was named, for practitioners), or the partnership's
// for a partnership role.
func (s *seeder) actor(c *kase) string {
	st := c.e.CurrentStage(s.pol)
	if st.Scope == "within-agency" {
		return c.from + "/manager"
	}
	for _, r := range st.Receive {
		if _, ok := s.users[c.to+"/"+string(r)]; ok {
			return c.to + "/" + string(r)
		}
		if _, ok := s.users["partnership/"+string(r)]; ok {
			return "partnership/" + string(r)
		}
	}
	return c.to + "/practitioner"
}

// discuss plans a record of a discussion at the case's stage.
func (s *seeder) discuss(c *kase, t time.Time) {
	s.then(c, t, "record a discussion", func(e *escalate.Escalation) (*escalate.Escalation, error) {
		who := s.actor(c)
		in := escalate.RecordInput{Version: e.Version, At: t.Add(-30 * time.Minute), Form: escalate.FormPhone,
			Participants: []string{s.users[c.from+"/practitioner"].Name, s.users[who].Name},
			Discussion:   "Went through the evidence and the policy's threshold together.",
			Outcome:      "Each side to check its records and speak again within the timescale."}
		if e.Stage > 0 {
			in.Form = escalate.FormMeeting
		}
		return s.svc.AddRecord(s.as(who), e.Ref, in)
	})
}

// climb plans escalations by the raiser, one a day from daysAgo, until the
// case reaches stage (an index). Nobody is named by hand: routing brings in
// the people each stage names, so the case is in their My work.
func (s *seeder) climb(c *kase, stage, daysAgo int) {
	for i := 0; i < stage; i++ {
		s.then(c, s.day(daysAgo-i, 10, 0), "escalate", func(e *escalate.Escalation) (*escalate.Escalation, error) {
			if e.Stage >= stage {
				return e, nil
			}
			return s.svc.Escalate(s.as(c.from+"/practitioner"), e.Ref, escalate.EscalateInput{Version: e.Version,
				Reason: "We could not agree within the stage's timescale."})
		})
		if i == 0 && s.pol.Stages[0].Scope == "within-agency" {
			// Now between the agencies: the contact names who deals with it.
			s.takeOver(c, s.day(daysAgo-i, 10, 30))
		}
	}
}

// agree plans an agreed outcome, confirmed in writing two hours later where
// the policy asks for that. decision is escalate.DecisionChanged or
// DecisionUpheld, so the demo report shows both.
func (s *seeder) agree(c *kase, t time.Time, decision string) {
	outcome := "Agreed: the assessment will be reopened and the raiser invited to the strategy discussion."
	if decision == escalate.DecisionUpheld {
		outcome = "Agreed: the decision stands; the reasons were explained and the raiser will send any new information to the front door."
	}
	s.then(c, t, "agree an outcome", func(e *escalate.Escalation) (*escalate.Escalation, error) {
		return s.svc.AgreeOutcome(s.as(s.actor(c)), e.Ref, escalate.AgreeInput{Version: e.Version,
			Outcome:           outcome,
			OutstandingIssues: "The managers will review progress together in four weeks.", Decision: decision})
	})
	s.then(c, t.Add(2*time.Hour), "confirm the outcome", func(e *escalate.Escalation) (*escalate.Escalation, error) {
		if e.Status != escalate.StatusOpen {
			return e, nil
		}
		return s.svc.ConfirmOutcome(s.as(s.actor(c)), e.Ref, escalate.ConfirmInput{Version: e.Version,
			Text: "Confirmed by email to both agencies; filed on the child's record."})
	})
}

// finish plans the final stage's outcome as its policy writes it: the
// Chair's determination (Wirral) or recommendations after the Business
// Manager's referral (Redbridge 4.9); a meeting chaired by a board member
// from an agency not involved, appointed by the Chair, which records its
// outcome and its report (Hounslow); or the senior managers' agreed outcome.
func (s *seeder) finish(c *kase, t time.Time) {
	st := s.pol.Stages[len(s.pol.Stages)-1]
	text := "Children's social care to complete an assessment within 10 working days; all agencies to attend the strategy meeting."
	switch {
	case st.Produces == escalate.OutcomeDetermination || st.Produces == escalate.OutcomeRecommendations:
		if slices.Contains(st.Raising, escalate.RoleBusinessManager) {
			s.then(c, t.Add(-2*time.Hour), "the Business Manager refers it to the Chair", func(e *escalate.Escalation) (*escalate.Escalation, error) {
				return s.svc.AddRecord(s.as("partnership/business-manager"), e.Ref, escalate.RecordInput{Version: e.Version,
					At: t.Add(-150 * time.Minute), Form: escalate.FormEmail,
					Participants: []string{s.users["partnership/business-manager"].Name, s.users["partnership/chair"].Name},
					Discussion:   "Referred the unresolved disagreement to the Chair with both agencies' written positions.",
					Outcome:      "The Chair will make recommendations within 5 working days."})
			})
		}
		s.then(c, t, "determine", func(e *escalate.Escalation) (*escalate.Escalation, error) {
			return s.svc.Determine(s.as("partnership/chair"), e.Ref, escalate.DetermineInput{Version: e.Version, Kind: st.Produces,
				Text: text, OutstandingIssues: "The learning goes to the board's practice subgroup.", Decision: escalate.DecisionChanged})
		})
	case st.Meeting != nil && st.Meeting.UninvolvedChair:
		chair := s.users["police/board-member"]
		s.then(c, t.Add(-3*time.Hour), "the Chair appoints the meeting's chair", func(e *escalate.Escalation) (*escalate.Escalation, error) {
			return s.svc.AppointMeetingChair(s.as("partnership/chair"), e.Ref, chair.ID)
		})
		s.then(c, t.Add(-time.Hour), "the meeting", func(e *escalate.Escalation) (*escalate.Escalation, error) {
			return s.svc.AddRecord(s.as("police/board-member"), e.Ref, escalate.RecordInput{Version: e.Version,
				At: t.Add(-90 * time.Minute), Form: escalate.FormMeeting,
				Participants: []string{chair.Name, s.users[c.from+"/senior-manager"].Name, s.users[c.to+"/senior-manager"].Name},
				Discussion:   "The most senior managers reviewed the issues so that both agencies understood them before the decision was finalised.",
				Outcome:      "Agreed the way forward below.", Result: escalate.ResultAgreed})
		})
		s.then(c, t, "the meeting's outcome", func(e *escalate.Escalation) (*escalate.Escalation, error) {
			return s.svc.AgreeOutcome(s.as("police/board-member"), e.Ref, escalate.AgreeInput{Version: e.Version, Outcome: text,
				OutstandingIssues: "None.", Decision: escalate.DecisionChanged,
				Report: "The issues arising were reported to the Serious Case Review Sub Committee the same week."})
		})
	default:
		s.agree(c, t, escalate.DecisionChanged)
	}
}

// plan plans about a dozen cases, one or more in every state the policy
// allows: new, at each stage, overdue, immediate risk, resolved, redirected
// (where the policy has redirects) and withdrawn.
func (s *seeder) plan() {
	last := len(s.pol.Stages) - 1
	std, inc := escalate.RiskStandard, escalate.RiskIncreased

	c := s.raise(s.ago(50*time.Minute), "school", "care", std, true) // new: waiting for social care's contact to take it
	s.raise(s.ago(3*time.Hour), "health", "care", inc)               // new, at increased risk
	// At immediate risk social care's safeguarding lead deals with it at
	// once, and so has a case waiting in every partnership.
	s.raise(s.ago(2*time.Hour), "school", "care", escalate.RiskImmediate)

	c = s.raise(s.day(2, 10, 0), "police", "care", std) // discussed, stage 1
	s.discuss(c, s.day(1, 11, 0))

	s.raise(s.day(15, 10, 0), "housing", "care", std) // overdue at stage 1

	// Overdue at stage 2, raised by social care: its managers see it as
	// their line's.
	c = s.raise(s.day(22, 10, 0), "care", "police", std)
	s.discuss(c, s.day(21, 14, 0))
	s.climb(c, 1, 14)

	c = s.raise(s.day(12, 10, 0), "school", "health", std) // resolved at stage 1
	s.discuss(c, s.day(11, 11, 0))
	s.agree(c, s.day(10, 11, 0), escalate.DecisionChanged)

	c = s.raise(s.day(18, 10, 0), "voluntary", "care", inc) // resolved at stage 2
	s.climb(c, 1, 17)
	s.discuss(c, s.day(16, 11, 0))
	s.agree(c, s.day(15, 11, 0), escalate.DecisionUpheld)

	c = s.raise(s.day(35, 10, 0), "school", "care", std) // decided at the final stage
	s.climb(c, last, 33)
	s.finish(c, s.day(25, 15, 0))

	c = s.raise(s.day(6, 10, 0), "school", "housing", std) // withdrawn
	s.then(c, s.day(5, 12, 0), "withdraw", func(e *escalate.Escalation) (*escalate.Escalation, error) {
		return s.svc.Withdraw(s.as("school/practitioner"), e.Ref, escalate.WithdrawInput{Version: e.Version,
			Reason: "The housing association made an offer the same day; nothing left to resolve."})
	})

	if n := len(s.pol.Redirects); n > 0 {
		r := s.pol.Redirects[n-1]
		c = s.raise(s.day(8, 10, 0), "gp", "health", std)
		s.then(c, s.day(7, 12, 0), "redirect", func(e *escalate.Escalation) (*escalate.Escalation, error) {
			return s.svc.Redirect(s.as("gp/practitioner"), e.Ref, escalate.RedirectInput{Version: e.Version,
				To: r.Key, Reason: "Passed to " + r.To + " as the policy directs; the child's plan continues meanwhile."})
		})
	}

	// One open case at each later stage, each raised by another agency.
	// All are against children's social care, whose managers, safeguarding
	// lead and senior manager are the printed sign-ins for those roles.
	raisers := []string{"gp", "school", "school", "probation"}
	for stage := 1; stage <= last; stage++ {
		c = s.raise(s.day(stage+3, 9, 30), raisers[(stage-1)%len(raisers)], "care", std)
		s.discuss(c, s.day(stage+3, 14, 0))
		s.climb(c, stage, stage+1)
	}
}
