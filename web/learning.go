package web

import (
	"context"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/escalate-project/escalate"
)

// The learning log (doc/learning.md): the partnership's items of learning
// from closed escalations, the pattern flags, and the pattern threshold.
// The Business Manager keeps the log; the chair and vice chair read it;
// everyone else is told there is no such page. The store checks the same.

// LearningStore is what the learning pages need: *sqlstore.DB.
type LearningStore interface {
	RecordLearning(ctx context.Context, ref string, in escalate.LearningInput) ([]*escalate.LearningItem, error)
	EscalationLearning(ctx context.Context, ref string) ([]*escalate.LearningItem, []escalate.LearningResponse, error)
	LearningItems(ctx context.Context, f escalate.LearningFilter) ([]*escalate.LearningItem, error)
	LearningItem(ctx context.Context, id int64, view bool) (*escalate.LearningItem, error)
	UpdateLearningItem(ctx context.Context, id int64, in escalate.LearningUpdate) (*escalate.LearningItem, error)
	PatternFlags(ctx context.Context) ([]escalate.PatternFlag, error)
	PatternThreshold(ctx context.Context) (n int, isDefault bool, err error)
	SetPatternThreshold(ctx context.Context, n int) error
	Proformas(ctx context.Context, status string) ([]*escalate.Proforma, error)
	Proforma(ctx context.Context, id int64, as string) (*escalate.Proforma, error)
	ReviewProforma(ctx context.Context, id int64, version int, status string) (*escalate.Proforma, error)
	// The list of learning themes the Business Manager keeps.
	LearningThemeList(ctx context.Context, partnershipID int64) ([]escalate.LearningTheme, error)
	AddLearningTheme(ctx context.Context, name string) (*escalate.LearningTheme, error)
	RemoveLearningTheme(ctx context.Context, id int64) error
}

// learningReaders may read the log and proformas; learningKeepers change them.
var (
	learningReaders = []escalate.Role{escalate.RoleBusinessManager, escalate.RoleChair, escalate.RoleViceChair, escalate.RoleDelegatedSafeguardingPartner}
	learningKeepers = []escalate.Role{escalate.RoleBusinessManager}
)

// learningRoutes adds the learning log, proforma and learning step pages.
func (s *Server) learningRoutes(mux *http.ServeMux) {
	if s.learn == nil {
		return
	}
	page := func(pattern string, h handlerFunc) { mux.Handle(pattern, s.handle(s.signedIn(h))) }
	page("GET /learning", s.learningPage)
	page("POST /learning/threshold", s.learningThreshold)
	page("GET /learning/items/{id}", s.learningItemPage)
	page("POST /learning/items/{id}", s.learningItemUpdate)
	page("GET /proformas", s.proformasPage)
	page("GET /proformas/{id}", s.proformaPage)
	page("POST /proformas/{id}/status", s.proformaStatus)
	page("GET /proformas/{id}/pdf", s.proformaPDF)
	page("GET /proformas/{id}/csv", s.proformaCSV)
	if s.esc != nil {
		page("GET /escalations/{ref}/learning", s.learningStepForm)
		page("POST /escalations/{ref}/learning", s.learningStepPost)
	}
}

// learningReader is ENOTFOUND unless u may read the log: to anyone else the
// pages do not exist.
func learningReader(u *escalate.User) error {
	if u == nil || u.Disabled || !orgHasAny(u, learningReaders) {
		return escalate.Errorf(escalate.ENOTFOUND, "Page not found")
	}
	return nil
}

// pathID reads the {id} of the path; a bad one is not found.
func pathID(r *http.Request, what string) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, escalate.Errorf(escalate.ENOTFOUND, "There is no such %s.", what)
	}
	return id, nil
}

// selectView is one filter's select on the learning log.
type selectView struct {
	ID, Label, Value string
	Options          []option
}

// learningRow is one item as the log lists it.
type learningRow struct {
	ID                                  int64
	Kind, Description, Assignee, Status string
	Theme, Created                      string
	Refs                                []string
}

// flagRow is one pattern flag as the log shows it.
type flagRow struct {
	Pair, Category, Quarter, Ref, Created string
	Count                                 int
}

type learningView struct {
	Nav       []orgNavLink
	Banner    string
	Rows      []learningRow
	Flags     []flagRow
	Filter    escalate.LearningFilter
	Filtered  bool
	Statuses  []option
	Kinds     []option
	Assigned  []option
	Threshold string
	Default   bool
	CanEdit   bool
	Themes    []escalate.LearningTheme
	NewTheme  string // the theme being added, as typed
}

// learningWords are the statuses as people read them.
var learningWords = map[string]string{
	escalate.LearningOpen: "Open", escalate.LearningInProgress: "In progress", escalate.LearningDone: "Done",
}

// assigneeWords says who owns an item.
func assigneeWords(a escalate.Assignee) string {
	if a.Subgroup != "" {
		return a.Subgroup
	}
	return postName(a.Role)
}

// postName is a role as people read it, also for posts no one signs in as
// (a board member).
func postName(r escalate.Role) string {
	if n, ok := roleNames[r]; ok {
		return n
	}
	return upperFirst(strings.ReplaceAll(string(r), "-", " "))
}

func (s *Server) learningPage(w http.ResponseWriter, r *http.Request) error {
	u, _ := orgActor(r)
	if err := learningReader(u); err != nil {
		return err
	}
	q := r.URL.Query()
	f := escalate.LearningFilter{Status: q.Get("status"), Kind: q.Get("kind"), Assigned: q.Get("assigned")}
	// Unknown filter values are ignored rather than refused: a filter is a
	// view, not a change.
	if _, ok := learningWords[f.Status]; !ok {
		f.Status = ""
	}
	if _, ok := escalate.LearningKindNames[f.Kind]; !ok {
		f.Kind = ""
	}
	if f.Assigned != "subgroup" && !slices.Contains(escalate.AssignableRoles, escalate.Role(f.Assigned)) {
		f.Assigned = ""
	}
	v, err := s.learningView(r, u, f)
	if err != nil {
		return err
	}
	v.Banner = map[string]string{"threshold": "Pattern threshold saved", "theme-added": "Theme added",
		"theme-removed": "Theme removed"}[q.Get("done")]
	s.render(w, r, http.StatusOK, "learning-page", &page{Title: "Learning log", Data: v})
	return nil
}

// learningView builds the log page for filter f.
func (s *Server) learningView(r *http.Request, u *escalate.User, f escalate.LearningFilter) (*learningView, error) {
	ctx := r.Context()
	items, err := s.learn.LearningItems(ctx, f)
	if err != nil {
		return nil, err
	}
	flags, err := s.learn.PatternFlags(ctx)
	if err != nil {
		return nil, err
	}
	n, def, err := s.learn.PatternThreshold(ctx)
	if err != nil {
		return nil, err
	}
	themes, err := s.learn.LearningThemeList(ctx, u.PartnershipID)
	if err != nil {
		return nil, err
	}
	v := &learningView{Nav: orgNav(u, "/learning"), Filter: f, Filtered: f != (escalate.LearningFilter{}),
		Threshold: strconv.Itoa(n), Default: def, CanEdit: orgHasAny(u, learningKeepers), Themes: themes}
	for _, it := range items {
		v.Rows = append(v.Rows, learningRow{ID: it.ID, Kind: escalate.LearningKindNames[it.Kind], Description: it.Description,
			Assignee: assigneeWords(it.Assignee), Status: learningWords[it.Status], Theme: it.Theme,
			Created: londonTime(it.Created), Refs: it.Refs})
	}
	var pol *escalate.Policy
	if s.org != nil {
		pol, _ = s.org.CurrentPolicy(ctx, u.PartnershipID)
	}
	for _, fl := range flags {
		cat := fl.Category
		if pol != nil {
			if names := categoryNames(pol, []string{fl.Category}); len(names) == 1 {
				cat = names[0]
			}
		}
		v.Flags = append(v.Flags, flagRow{Pair: fl.AgencyAName + " and " + fl.AgencyBName, Category: cat,
			Quarter: strings.Replace(fl.Quarter, "-", " ", 1), Ref: fl.Ref, Created: londonTime(fl.Created), Count: fl.Count})
	}
	v.Statuses = []option{{Value: "", Text: "Any status"}}
	for _, st := range escalate.LearningStatuses {
		v.Statuses = append(v.Statuses, option{Value: st, Text: learningWords[st]})
	}
	v.Kinds = []option{{Value: "", Text: "Any kind"}}
	for _, k := range escalate.LearningKinds {
		v.Kinds = append(v.Kinds, option{Value: k, Text: escalate.LearningKindNames[k]})
	}
	v.Assigned = []option{{Value: "", Text: "Anyone"}, {Value: "subgroup", Text: "A subgroup"}}
	for _, role := range escalate.AssignableRoles {
		v.Assigned = append(v.Assigned, option{Value: string(role), Text: postName(role)})
	}
	return v, nil
}

func (s *Server) learningThreshold(w http.ResponseWriter, r *http.Request) error {
	u, _ := orgActor(r)
	if err := learningReader(u); err != nil {
		return err
	}
	if err := orgRequire(u, learningKeepers, "set the pattern threshold"); err != nil {
		return err
	}
	if err := orgParseForm(w, r); err != nil {
		return err
	}
	raw := strings.TrimSpace(r.PostForm.Get("threshold"))
	n, perr := strconv.Atoi(raw)
	err := escalate.ValidatePatternThreshold(n)
	if perr != nil {
		err = escalate.FieldErrorf("threshold", "Enter the threshold as a whole number, like 3, or 0 to turn patterns off.")
	}
	if err == nil {
		err = s.learn.SetPatternThreshold(r.Context(), n)
	}
	if escalate.ErrorCode(err) == escalate.EINVALID {
		v, verr := s.learningView(r, u, escalate.LearningFilter{})
		if verr != nil {
			return verr
		}
		v.Threshold = raw
		s.render(w, r, http.StatusBadRequest, "learning-page", &page{Title: "Error: Learning log", Data: v,
			Errors: []fieldError{{Field: "threshold", Message: escalate.ErrorMessage(err)}}})
		return nil
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/learning?done=threshold#patterns", http.StatusSeeOther)
	return nil
}

// learningItemView is the item page.
type learningItemView struct {
	Nav                []orgNavLink
	Banner             string
	Item               *escalate.LearningItem
	Kind, Status       string
	Assignee, Created  string
	Updated            string
	CanEdit            bool
	Form               learningItemForm
	AssigneeOptions    []option
	StatusOptions      []option
	ThemeOptions       []option
	AssignedToSubgroup bool
	themes             []escalate.LearningTheme
}

// learningItemForm is the item form's values, as entered.
type learningItemForm struct {
	Assignee, Subgroup, Status, ActionTaken, Theme, Link string
	Version                                              int
}

func (s *Server) learningItemPage(w http.ResponseWriter, r *http.Request) error {
	u, _ := orgActor(r)
	if err := learningReader(u); err != nil {
		return err
	}
	id, err := pathID(r, "learning item")
	if err != nil {
		return err
	}
	it, err := s.learn.LearningItem(r.Context(), id, true)
	if err != nil {
		return err
	}
	themes, err := s.learn.LearningThemeList(r.Context(), u.PartnershipID)
	if err != nil {
		return err
	}
	v := newLearningItemView(u, it, themes)
	v.Banner = map[string]string{"saved": "Learning item saved"}[r.URL.Query().Get("done")]
	s.render(w, r, http.StatusOK, "learning-item", &page{Title: "Learning item " + strconv.FormatInt(id, 10), Data: v})
	return nil
}

func newLearningItemView(u *escalate.User, it *escalate.LearningItem, themes []escalate.LearningTheme) *learningItemView {
	v := &learningItemView{Nav: orgNav(u, "/learning"), Item: it, Kind: escalate.LearningKindNames[it.Kind], themes: themes,
		Status: learningWords[it.Status], Assignee: assigneeWords(it.Assignee), Created: londonTime(it.Created),
		Updated: londonTime(it.Updated), CanEdit: orgHasAny(u, learningKeepers)}
	v.Form = learningItemForm{Assignee: string(it.Assignee.Role), Subgroup: it.Assignee.Subgroup, Status: it.Status,
		ActionTaken: it.ActionTaken, Theme: it.Theme, Version: it.Version}
	if it.Assignee.Subgroup != "" {
		v.Form.Assignee = "subgroup"
	}
	v.options()
	return v
}

func (v *learningItemView) options() {
	v.AssigneeOptions = []option{{Value: "subgroup", Text: "A subgroup", Hint: "Name the subgroup below"}}
	for _, role := range escalate.AssignableRoles {
		v.AssigneeOptions = append(v.AssigneeOptions, option{Value: string(role), Text: postName(role)})
	}
	v.StatusOptions = nil
	for _, st := range escalate.LearningStatuses {
		v.StatusOptions = append(v.StatusOptions, option{Value: st, Text: learningWords[st]})
	}
	v.AssignedToSubgroup = v.Form.Assignee == "subgroup"
	current := ""
	if v.Item != nil {
		current = v.Item.Theme
	}
	v.ThemeOptions = themeOptions(v.themes, current)
}

func (s *Server) learningItemUpdate(w http.ResponseWriter, r *http.Request) error {
	u, _ := orgActor(r)
	if err := learningReader(u); err != nil {
		return err
	}
	id, err := pathID(r, "learning item")
	if err != nil {
		return err
	}
	if err := orgRequire(u, learningKeepers, "change the learning log"); err != nil {
		return err
	}
	if err := orgParseForm(w, r); err != nil {
		return err
	}
	f := r.PostForm
	form := learningItemForm{Assignee: f.Get("assignee"), Subgroup: f.Get("subgroup"), Status: f.Get("status"),
		ActionTaken: strings.TrimSpace(f.Get("action_taken")), Theme: f.Get("theme"), Link: f.Get("link")}
	form.Version, _ = strconv.Atoi(f.Get("version"))
	in := escalate.LearningUpdate{Version: form.Version, Status: form.Status, ActionTaken: form.ActionTaken, Theme: form.Theme, Link: form.Link}
	if form.Assignee == "subgroup" {
		in.Assignee.Subgroup = form.Subgroup
		if strings.TrimSpace(form.Subgroup) == "" {
			in.Assignee.Subgroup = ""
		}
	} else {
		in.Assignee.Role = escalate.Role(form.Assignee)
	}
	var errs []fieldError
	for _, p := range in.Problems() {
		field := p.Field
		if field == "assignee" && form.Assignee == "subgroup" {
			field = "subgroup"
		}
		errs = append(errs, fieldError{Field: field, Message: p.Message})
	}
	var it *escalate.LearningItem
	if len(errs) == 0 {
		it, err = s.learn.UpdateLearningItem(r.Context(), id, in)
		switch escalate.ErrorCode(err) {
		case "":
			http.Redirect(w, r, "/learning/items/"+strconv.FormatInt(id, 10)+"?done=saved", http.StatusSeeOther)
			return nil
		case escalate.EINVALID:
			errs = append(errs, fieldError{Field: escalate.ErrorField(err), Message: escalate.ErrorMessage(err)})
		case escalate.ECONFLICT:
			errs = append(errs, fieldError{Field: "status", Message: escalate.ErrorMessage(err)})
		default:
			return err
		}
	}
	// Show the form again with what was entered; the stored item is read
	// again for the rest of the page.
	if it, err = s.learn.LearningItem(r.Context(), id, false); err != nil {
		return err
	}
	themes, err := s.learn.LearningThemeList(r.Context(), u.PartnershipID)
	if err != nil {
		return err
	}
	v := newLearningItemView(u, it, themes)
	v.Form = form
	v.options()
	s.render(w, r, http.StatusBadRequest, "learning-item", &page{Title: "Error: Learning item " + strconv.FormatInt(id, 10), Data: v, Errors: errs})
	return nil
}
