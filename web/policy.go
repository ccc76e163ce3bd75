package web

import (
	"bytes"
	"html/template"
	"net/http"
	"strings"

	"github.com/escalate-project/escalate"
	"github.com/escalate-project/escalate/calendar"
	"github.com/escalate-project/escalate/policy"
)

// policyView is the partnership's current policy as the policy page shows
// it: the same facts as policy.Summary, as headings and lists.
type policyView struct {
	Nav          []orgNavLink
	Policy       *escalate.Policy
	Approved     string
	ReviewDate   string
	ReviewPassed bool
	Immediate    immediateView
	Categories   []escalate.Category
	Stages       []policyStage
	Redirects    []policyRedirect
	Flowchart    template.HTML
	CanChange    bool // the Business Manager or an administrator: links to change it and its history
	GoodPractice bool // the policy has a route for recognising good practice, and the pages exist
}

type immediateView struct {
	Instruction string
	Who         []string // role names, in the order to try them
	When        string   // "on the same working day"
	Record      string
	Contacts    []contactRow // the directory's entries for Who
}

type policyStage struct {
	Title    string // "Stage 2 of 4: Line managers"
	Help     string
	Raising  string
	Receive  string
	Clocks   []string
	Record   []string
	Copy     string
	Meeting  string
	Produces string
}

type policyRedirect struct{ Matter, Question, To string }

// policyDay is a YYYY-MM-DD date as "1 May 2019".
func policyDay(d string) string {
	t, err := calendar.ParseDate(d)
	if err != nil {
		return d
	}
	return t.At(12, 0).Format("2 January 2006")
}

func (s *Server) policyPage(w http.ResponseWriter, r *http.Request) error {
	u, p := orgActor(r)
	pol, err := s.org.CurrentPolicy(r.Context(), p.ID)
	if err != nil {
		return err
	}
	today := calendar.DateOf(s.partnershipNow()).String()
	v := &policyView{Nav: orgNav(u, "/policy"), Policy: pol, Categories: pol.Categories,
		Approved: policyDay(pol.Approved), ReviewDate: policyDay(pol.ReviewDate),
		ReviewPassed: pol.ReviewDate != "" && pol.ReviewDate < today}
	if _, ok := s.org.(PolicyStore); ok && orgHasAny(u, escalate.PolicyPublishers) {
		v.CanChange = true
	}
	if _, ok := s.org.(GoodPracticeStore); ok && pol.GoodPractice != nil {
		v.GoodPractice = true
	}
	im := pol.Immediate
	v.Immediate = immediateView{Instruction: im.Instruction, Record: im.Record}
	for _, r := range im.Contacts {
		v.Immediate.Who = append(v.Immediate.Who, upperFirst(policy.RoleName(pol, r)))
	}
	if im.Within != "" {
		v.Immediate.When = policy.TimescaleWords(im.Within)
	}
	cs, err := s.contactsForRoles(r.Context(), p.ID, im.Contacts)
	if err != nil {
		return err
	}
	for _, c := range cs {
		v.Immediate.Contacts = append(v.Immediate.Contacts, contactRow{Contact: c,
			RoleName: upperFirst(policy.RoleName(pol, c.Role)), Verified: verifiedDay(c.LastVerified), Stale: c.Stale(today)})
	}
	for i := range pol.Stages {
		v.Stages = append(v.Stages, policyStageOf(pol, i))
	}
	for _, rd := range pol.Redirects {
		to := rd.To
		if to == "" {
			to = policy.RoleName(pol, rd.Contact)
		}
		v.Redirects = append(v.Redirects, policyRedirect{Matter: upperFirst(rd.Matter), Question: rd.Question, To: to})
	}
	var svg bytes.Buffer
	if err := policy.FlowchartSVG(&svg, pol, "flowchart"); err != nil {
		return err
	}
	// The SVG is our own markup with every policy word escaped.
	v.Flowchart = template.HTML(svg.String())
	s.render(w, r, http.StatusOK, "policy-page", &page{Title: "Policy", Data: v})
	return nil
}

func policyStageOf(pol *escalate.Policy, i int) policyStage {
	st := &pol.Stages[i]
	ps := policyStage{Title: stageTitle(pol, i), Help: st.Help,
		Raising: upperFirst(roleWords(pol, st.Raising)), Receive: upperFirst(roleWords(pol, st.Receive))}
	for _, k := range st.Clocks {
		c := upperFirst(k.Action) + ": " + policy.TimescaleWords(k.Within)
		if k.Increased != "" {
			c += " (" + strings.TrimPrefix(policy.TimescaleWords(k.Increased), "within ") + " if the child is at increased risk)"
		}
		ps.Clocks = append(ps.Clocks, c)
	}
	for _, f := range st.Record {
		ps.Record = append(ps.Record, upperFirst(strings.ReplaceAll(f, "-", " ")))
	}
	if len(st.Copy) > 0 {
		ps.Copy = upperFirst(roleWords(pol, st.Copy))
	}
	if m := st.Meeting; m != nil && m.Chair != "" {
		ps.Meeting = "A meeting chaired by the " + policy.RoleName(pol, m.Chair)
		if m.UninvolvedChair {
			ps.Meeting += ", from an agency not involved"
		}
		if m.ReportsTo != "" {
			ps.Meeting += "; it reports to " + m.ReportsTo
		}
	}
	if st.Produces != "" && st.Produces != "resolution" {
		ps.Produces = upperFirst(st.Produces)
	}
	return ps
}
