package demo

import (
	"fmt"
	"time"

	"github.com/escalate-project/escalate"
)

// The learning loop in every demo partnership (doc/learning.md): a closed
// case whose parties record learning, which the Business Manager assigns
// and themes; where the policy asks for proformas (Wirral), cases resolved
// at each proforma stage; and where it sets a pattern threshold (H&F),
// enough escalations of one agency pair and category this quarter to flag
// a pattern.

// planLearning plans the partnership's learning cases after plan's.
func (s *seeder) planLearning() {
	// A case resolved at the first stage between agencies, then learning
	// from both sides.
	c := s.raiseAbout(s.day(9, 10, 0), "school", "care", 0)
	s.discuss(c, s.day(9, 14, 0))
	s.agree(c, s.day(8, 11, 0), escalate.DecisionUpheld)
	var items, more []*escalate.LearningItem
	s.learn(c, s.day(8, 15, 0), "school/practitioner", escalate.LearningInput{
		General: "yes", GeneralText: "Schools do not always know the front door's threshold guidance; a one-page summary would help.",
		PolicyGap: "no", Training: "yes", TrainingText: "Refresher on the levels of need for designated safeguarding leads.",
		Debriefed: "yes"}, &items)
	// The other side: social care's practitioner, or at a first stage
	// within the raising agency (Hounslow) the raiser's line manager.
	other := "care/practitioner"
	if s.pol.Stages[0].Scope == "within-agency" {
		other = "school/manager"
	}
	s.learn(c, s.day(7, 10, 0), other, escalate.LearningInput{
		General: "no", PolicyGap: "yes", PolicyGapText: "The procedure does not say who closes a referral the school disputes.",
		Training: "no", Debriefed: "no"}, &items)
	s.then(c, s.day(6, 9, 30), "theme the learning", func(e *escalate.Escalation) (*escalate.Escalation, error) {
		if len(items) == 0 {
			return e, nil
		}
		// The Business Manager's list of themes comes first: an item's
		// theme is chosen from it.
		for _, name := range demoThemes {
			if _, err := s.db.AddLearningTheme(s.as("partnership/business-manager"), name); err != nil {
				return e, err
			}
		}
		it := items[0]
		_, err := s.db.UpdateLearningItem(s.as("partnership/business-manager"), it.ID, escalate.LearningUpdate{
			Version: it.Version, Assignee: it.Assignee, Status: escalate.LearningInProgress, Theme: "Thresholds",
			ActionTaken: "Summary being drafted with the front door for the next newsletter."})
		return e, err
	})

	// A case resolved at each proforma stage after the second, which plan's
	// case resolved at stage 2 already covers: the Business Manager's
	// proforma queue.
	for i, st := range s.pol.Stages {
		if !st.Proforma || i < 2 {
			continue
		}
		c := s.raiseAbout(s.day(20+i, 10, 0), "health", "care", 1)
		s.climb(c, i, 19+i)
		s.discuss(c, s.day(14, 11, 0))
		s.agree(c, s.day(13, 11, 0), escalate.DecisionChanged)
		s.learn(c, s.day(12, 10, 0), "health/practitioner", escalate.LearningInput{
			General: "yes", GeneralText: "Health visitors and social care read the same chronology differently; agree one format.",
			PolicyGap: "no", Training: "no", Debriefed: "yes"}, &more)
	}

	// A pattern: the threshold's number of escalations between the same
	// two agencies about the same category, this quarter.
	if n := s.pol.Learning.PatternThreshold; n > 0 {
		for i := 0; i < n; i++ {
			from, to := "school", "health"
			if i%2 == 1 {
				from, to = to, from // either way round
			}
			s.raiseAbout(s.ago(time.Duration(5-i)*time.Hour), from, to, 0)
		}
	}
}

// learn plans a party's answer to the learning step of c, adding the items
// it makes to items.
func (s *seeder) learn(c *kase, t time.Time, who string, in escalate.LearningInput, items *[]*escalate.LearningItem) {
	s.then(c, t, "record learning", func(e *escalate.Escalation) (*escalate.Escalation, error) {
		its, err := s.db.RecordLearning(s.as(who), e.Ref, in)
		*items = append(*items, its...)
		return e, err
	})
}

// raiseAbout is raise with the category fixed to the policy's category
// number cat, so related demo cases share one.
func (s *seeder) raiseAbout(t time.Time, from, to string, cat int) *kase {
	c := &kase{from: from, to: to}
	i := s.cases
	s.cases++
	st := storyFor(to, i)
	in := escalate.RaiseInput{
		RaisedRole: escalate.RolePractitioner, ReceivingAgencyID: s.agencies[to].ID, ReceivingContact: "Duty practitioner",
		Decision: st.decision, DecisionDate: workdayBefore(t),
		ChildRef: fmt.Sprintf("DEMO-%d", 1001+i), ChildInitials: initials[i%len(initials)],
		Categories: []string{s.pol.Categories[cat%len(s.pol.Categories)].Key},
		Issue:      st.issue, Risk: st.risk, Disagreement: st.disagreement, OutcomeSought: st.sought,
		RiskLevel: escalate.RiskStandard,
	}
	s.then(c, t, "raise "+in.ChildRef, func(*escalate.Escalation) (*escalate.Escalation, error) {
		return s.svc.Raise(s.as(from+"/practitioner"), in)
	})
	s.takeOver(c, t.Add(time.Minute))
	return c
}

// demoThemes is the list of learning themes each demo Business Manager keeps.
var demoThemes = []string{"Thresholds", "Information sharing", "Recording and chronologies", "Escalation process", "Training"}
