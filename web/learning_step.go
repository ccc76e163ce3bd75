package web

import (
	"net/http"
	"slices"

	"github.com/escalate-project/escalate"
)

// The learning step at closure: each party to a closed escalation is asked
// whether there is general learning, a policy or procedure gap, or a
// training need, and whether they have debriefed. Each yes becomes an item
// of the learning log (learning.go).

const learningPath = "learning"

// caseLearning is what a closed escalation's page shows of its learning.
type caseLearning struct {
	Items     []learningRow
	Answers   int
	Debriefed int
	Link      string // the learning step, when the user may still answer it
	Answered  bool   // the user has answered
}

// learningSection adds the learning of a closed case to its page, and the
// learning step to what the user can do while they have not answered it.
func (s *Server) learningSection(r *http.Request, v *caseView, d *escalationData) error {
	if s.learn == nil || !v.E.Status.Closed() {
		return nil
	}
	if r.URL.Query().Get("done") == learningPath {
		d.Banner = "Learning recorded"
	}
	items, resp, err := s.learn.EscalationLearning(r.Context(), v.E.Ref)
	if err != nil {
		return err
	}
	u := escalate.UserFromContext(r.Context())
	cl := &caseLearning{Answers: len(resp)}
	for _, a := range resp {
		if a.Debriefed {
			cl.Debriefed++
		}
		if u != nil && a.UserID == u.ID {
			cl.Answered = true
		}
	}
	for _, it := range items {
		cl.Items = append(cl.Items, learningRow{ID: it.ID, Kind: escalate.LearningKindNames[it.Kind], Description: it.Description,
			Assignee: assigneeWords(it.Assignee), Status: learningWords[it.Status], Theme: it.Theme, Created: londonTime(it.Created)})
	}
	if !cl.Answered && v.can(r.Context(), escalate.ActionLearningRecord) {
		cl.Link = "/escalations/" + v.E.Ref + "/" + learningPath
		d.Actions = append(d.Actions, actionLink{Href: cl.Link, Text: "Record learning from this escalation"})
	}
	d.Learning = cl
	return nil
}

// learningStepView is the learning step's form.
type learningStepView struct {
	Ref, Stage string
	In         escalate.LearningInput
	Answered   bool
	Questions  []learningQuestionView
}

// learningQuestionView is one yes/no question with its description.
type learningQuestionView struct {
	ID, Label, Hint, TextLabel, Answer, Text string
}

func newLearningStepView(v *caseView, in escalate.LearningInput) *learningStepView {
	hint := "Do not include names, initials or anything that could identify the child or family."
	lv := &learningStepView{Ref: v.E.Ref, Stage: stageTitle(v.Policy, v.E.Stage), In: in, Questions: []learningQuestionView{
		{ID: "general", Label: "Is there general learning for the partnership?", Hint: "For example, something other agencies should know or do differently.",
			TextLabel: "describe the learning", Answer: in.General, Text: in.GeneralText},
		{ID: "policy_gap", Label: "Did this escalation show a gap in a policy or procedure?",
			TextLabel: "describe the gap", Answer: in.PolicyGap, Text: in.PolicyGapText},
		{ID: "training", Label: "Is there a training need?",
			TextLabel: "describe the training need", Answer: in.Training, Text: in.TrainingText},
	}}
	return lv.withHint(hint)
}

func (v *learningStepView) withHint(h string) *learningStepView {
	for i := range v.Questions {
		v.Questions[i].Hint = joinHint(v.Questions[i].Hint, h)
	}
	return v
}

func joinHint(a, b string) string {
	if a == "" {
		return b
	}
	return a + " " + b
}

// openLearningStep loads the case for the learning step: ENOTFOUND for
// whoever may not see it (from Get), EFORBIDDEN for one who may see it but
// is not a party, ECONFLICT while it is open.
func (s *Server) openLearningStep(r *http.Request) (*caseView, error) {
	v, err := s.loadCase(r.Context(), r.PathValue("ref"))
	if err != nil {
		return nil, err
	}
	if !v.can(r.Context(), escalate.ActionLearningRecord) {
		if !v.E.Status.Closed() {
			return nil, escalate.Errorf(escalate.ECONFLICT, "The learning step opens when escalation %s closes.", v.E.Ref)
		}
		return nil, escalate.Errorf(escalate.EFORBIDDEN, "Only the parties to escalation %s record its learning.", v.E.Ref)
	}
	return v, nil
}

func (s *Server) learningStepForm(w http.ResponseWriter, r *http.Request) error {
	v, err := s.openLearningStep(r)
	if err != nil {
		return err
	}
	_, resp, err := s.learn.EscalationLearning(r.Context(), v.E.Ref)
	if err != nil {
		return err
	}
	lv := newLearningStepView(v, escalate.LearningInput{})
	u := escalate.UserFromContext(r.Context())
	lv.Answered = slices.ContainsFunc(resp, func(a escalate.LearningResponse) bool { return a.UserID == u.ID })
	s.render(w, r, http.StatusOK, "learning-step", &page{Title: "Learning from escalation " + v.E.Ref, Data: lv})
	return nil
}

func (s *Server) learningStepPost(w http.ResponseWriter, r *http.Request) error {
	v, err := s.openLearningStep(r)
	if err != nil {
		return err
	}
	if err := orgParseForm(w, r); err != nil {
		return err
	}
	f := r.PostForm
	in := escalate.LearningInput{General: f.Get("general"), GeneralText: f.Get("general_text"),
		PolicyGap: f.Get("policy_gap"), PolicyGapText: f.Get("policy_gap_text"),
		Training: f.Get("training"), TrainingText: f.Get("training_text"), Debriefed: f.Get("debriefed")}
	var errs []fieldError
	for _, p := range in.Problems() {
		errs = append(errs, fieldError{Field: p.Field, Message: p.Message})
	}
	if len(errs) == 0 {
		_, err := s.learn.RecordLearning(r.Context(), v.E.Ref, in)
		if err == nil {
			http.Redirect(w, r, "/escalations/"+v.E.Ref+"?done="+learningPath, http.StatusSeeOther)
			return nil
		}
		if escalate.ErrorCode(err) != escalate.EINVALID {
			return err
		}
		errs = append(errs, fieldError{Field: escalate.ErrorField(err), Message: escalate.ErrorMessage(err)})
	}
	s.render(w, r, http.StatusBadRequest, "learning-step", &page{Title: "Error: Learning from escalation " + v.E.Ref,
		Data: newLearningStepView(v, in), Errors: errs})
	return nil
}
