package web

import (
	"context"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/escalate-project/escalate"
	"github.com/escalate-project/escalate/calendar"
	"github.com/escalate-project/escalate/policy"
)

// contactRow is one contact as the directory shows it.
type contactRow struct {
	*escalate.Contact
	RoleName string
	Verified string // e.g. "Mon 2 Nov 2026"
	Stale    bool
}

// Tel is the phone number as a tel: link wants it, without spaces.
func (c contactRow) Tel() string {
	return strings.Map(func(r rune) rune {
		if r == '+' || r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, c.Phone)
}

// contactGroup is one agency's contacts.
type contactGroup struct {
	Agency   string
	Contacts []contactRow
}

type contactsView struct {
	Nav     []orgNavLink
	CanEdit bool
	Groups  []contactGroup
	Notice  string
}

// roleOption is a role a contact may hold, as the form offers it.
type roleOption struct {
	Key  escalate.Role
	Name string
}

// contactFormView is the add or change form.
type contactFormView struct {
	Nav      []orgNavLink
	ID       int64 // 0 when adding
	Agencies []*escalate.Agency
	Roles    []roleOption
	AgencyID int64
	Role     escalate.Role
	Name     string
	JobTitle string
	Phone    string
	Email    string
	Day      string
	Month    string
	Year     string
	Text     []textField // name, job title, phone and email, set by fields
}

// textField is one GOV.UK text input.
type textField struct {
	ID, Label, Hint, Value, Auto, Error string
}

// render shows the form with pg's errors next to its fields.
func (v *contactFormView) render(s *Server, w http.ResponseWriter, r *http.Request, status int, pg *page) {
	v.Text = []textField{
		{ID: "name", Label: "Full name or team name", Value: v.Name},
		{ID: "job-title", Label: "Job title (optional)", Value: v.JobTitle},
		{ID: "phone", Label: "Phone number", Hint: "Give a phone number, an email address or both", Value: v.Phone, Auto: "tel"},
		{ID: "email", Label: "Email address", Value: v.Email, Auto: "email"},
	}
	for i := range v.Text {
		v.Text[i].Error = pg.ErrorFor(v.Text[i].ID)
	}
	pg.Data = v
	s.render(w, r, status, "contacts-form", pg)
}

// verifiedDay is a YYYY-MM-DD date as the pages show it.
func verifiedDay(d string) string {
	t, err := time.Parse(time.DateOnly, d)
	if err != nil {
		return d
	}
	return t.Format("Mon 2 Jan 2006")
}

// contactRoles are the roles a contact may hold under pol, by name.
func contactRoles(pol *escalate.Policy) []roleOption {
	var rs []roleOption
	seen := map[escalate.Role]bool{}
	add := func(r escalate.Role) {
		if !seen[r] {
			seen[r] = true
			rs = append(rs, roleOption{r, upperFirst(policy.RoleName(pol, r))})
		}
	}
	for _, d := range pol.Roles {
		add(d.Key)
	}
	for _, r := range escalate.BuiltinRoles {
		if r != escalate.RoleAdmin && r != escalate.RolePractitioner {
			add(r)
		}
	}
	slices.SortFunc(rs, func(a, b roleOption) int { return strings.Compare(a.Name, b.Name) })
	return rs
}

func (s *Server) contactsPage(w http.ResponseWriter, r *http.Request) error {
	u, p := orgActor(r)
	cs, err := s.org.Contacts(r.Context(), p.ID)
	if err != nil {
		return err
	}
	pol, err := s.org.CurrentPolicy(r.Context(), p.ID)
	if err != nil {
		return err
	}
	today := calendar.DateOf(s.partnershipNow()).String()
	v := &contactsView{Nav: orgNav(u, "/contacts"), CanEdit: orgHasAny(u, contactEditors)}
	for _, c := range cs {
		if len(v.Groups) == 0 || v.Groups[len(v.Groups)-1].Agency != c.AgencyName {
			v.Groups = append(v.Groups, contactGroup{Agency: c.AgencyName})
		}
		g := &v.Groups[len(v.Groups)-1]
		g.Contacts = append(g.Contacts, contactRow{Contact: c, RoleName: upperFirst(policy.RoleName(pol, c.Role)),
			Verified: verifiedDay(c.LastVerified), Stale: c.Stale(today)})
	}
	q := r.URL.Query()
	switch {
	case q.Get("done") == "added":
		v.Notice = "Contact added."
	case q.Get("done") == "changed":
		v.Notice = "Contact changed."
	case q.Get("done") == "verified":
		v.Notice = "Contact marked as checked today."
	case q.Get("done") == "removed":
		v.Notice = "Contact removed."
	case q.Get("done") == "imported":
		v.Notice = "Contacts imported: " + plural(orgAtoi(q.Get("added")), "contact") + " added, " +
			strconv.Itoa(orgAtoi(q.Get("updated"))) + " updated."
	}
	s.render(w, r, http.StatusOK, "contacts-list", &page{Title: "Contacts", Data: v})
	return nil
}

func orgAtoi(s string) int { n, _ := strconv.Atoi(s); return n }

// contactForm builds the form's view with the partnership's agencies and
// the policy's roles.
func (s *Server) contactForm(r *http.Request) (*contactFormView, error) {
	u, p := orgActor(r)
	if err := orgRequire(u, contactEditors, "change the contacts directory"); err != nil {
		return nil, err
	}
	as, err := s.org.Agencies(r.Context(), p.ID)
	if err != nil {
		return nil, err
	}
	pol, err := s.org.CurrentPolicy(r.Context(), p.ID)
	if err != nil {
		return nil, err
	}
	return &contactFormView{Nav: orgNav(u, "/contacts"), Agencies: as, Roles: contactRoles(pol)}, nil
}

func (s *Server) contactNewForm(w http.ResponseWriter, r *http.Request) error {
	v, err := s.contactForm(r)
	if err != nil {
		return err
	}
	today := s.partnershipNow().In(calendar.London)
	v.Day, v.Month, v.Year = strconv.Itoa(today.Day()), strconv.Itoa(int(today.Month())), strconv.Itoa(today.Year())
	v.render(s, w, r, http.StatusOK, &page{Title: "Add a contact"})
	return nil
}

// contactID reads the {id} of the path; anything else is not found.
func contactID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, escalate.Errorf(escalate.ENOTFOUND, "There is no such page.")
	}
	return id, nil
}

func (s *Server) contactEditForm(w http.ResponseWriter, r *http.Request) error {
	v, err := s.contactForm(r)
	if err != nil {
		return err
	}
	id, err := contactID(r)
	if err != nil {
		return err
	}
	_, p := orgActor(r)
	c, err := s.org.FindContact(r.Context(), p.ID, id)
	if err != nil {
		return err
	}
	v.ID, v.AgencyID, v.Role, v.Name, v.JobTitle, v.Phone, v.Email = c.ID, c.AgencyID, c.Role, c.Name, c.JobTitle, c.Phone, c.Email
	if t, err := time.Parse(time.DateOnly, c.LastVerified); err == nil {
		v.Day, v.Month, v.Year = strconv.Itoa(t.Day()), strconv.Itoa(int(t.Month())), strconv.Itoa(t.Year())
	}
	v.render(s, w, r, http.StatusOK, &page{Title: "Change a contact"})
	return nil
}

func (s *Server) contactCreate(w http.ResponseWriter, r *http.Request) error {
	return s.contactSave(w, r, 0)
}

func (s *Server) contactUpdate(w http.ResponseWriter, r *http.Request) error {
	id, err := contactID(r)
	if err != nil {
		return err
	}
	return s.contactSave(w, r, id)
}

// contactSave reads the form and adds (id 0) or changes a contact. The
// store checks the details; its message goes next to the field it names.
func (s *Server) contactSave(w http.ResponseWriter, r *http.Request, id int64) error {
	v, err := s.contactForm(r)
	if err != nil {
		return err
	}
	if err := orgParseForm(w, r); err != nil {
		return err
	}
	_, p := orgActor(r)
	f := r.PostForm
	v.ID = id
	v.AgencyID, _ = strconv.ParseInt(f.Get("agency"), 10, 64)
	v.Role = escalate.Role(f.Get("role"))
	v.Name, v.JobTitle = strings.TrimSpace(f.Get("name")), strings.TrimSpace(f.Get("job-title"))
	v.Phone, v.Email = strings.TrimSpace(f.Get("phone")), strings.TrimSpace(f.Get("email"))
	v.Day, v.Month, v.Year = strings.TrimSpace(f.Get("last-verified-day")), strings.TrimSpace(f.Get("last-verified-month")), strings.TrimSpace(f.Get("last-verified-year"))
	title := "Add a contact"
	if id != 0 {
		title = "Change a contact"
	}
	pg := &page{Title: title, Data: v}
	if v.AgencyID == 0 {
		pg.Errors = append(pg.Errors, fieldError{"agency", "Select the contact's agency"})
	}
	if v.Role == "" {
		pg.Errors = append(pg.Errors, fieldError{"role", "Select the contact's role"})
	}
	if v.Name == "" {
		pg.Errors = append(pg.Errors, fieldError{"name", "Enter the contact's full name or team name"})
	}
	if v.Phone == "" && v.Email == "" {
		pg.Errors = append(pg.Errors, fieldError{"phone", "Enter a phone number or an email address, or both"})
	}
	date, msg := verifiedDate(v.Day, v.Month, v.Year)
	if msg != "" {
		pg.Errors = append(pg.Errors, fieldError{"last-verified-day", msg})
	}
	if len(pg.Errors) == 0 {
		c := &escalate.Contact{ID: id, PartnershipID: p.ID, AgencyID: v.AgencyID, Role: v.Role, Name: v.Name,
			JobTitle: v.JobTitle, Phone: v.Phone, Email: v.Email, LastVerified: date}
		if id == 0 {
			err = s.org.CreateContact(r.Context(), c)
		} else {
			err = s.org.UpdateContact(r.Context(), c)
		}
		if escalate.ErrorCode(err) != escalate.EINVALID {
			if err != nil {
				return err
			}
			done := "added"
			if id != 0 {
				done = "changed"
			}
			http.Redirect(w, r, "/contacts?done="+done, http.StatusSeeOther)
			return nil
		}
		field := escalate.ErrorField(err)
		if field == "last-verified" || field == "" {
			field = "last-verified-day"
		}
		pg.Errors = append(pg.Errors, fieldError{field, escalate.ErrorMessage(err)})
	}
	v.render(s, w, r, http.StatusBadRequest, pg)
	return nil
}

// verifiedDate reads the GOV.UK date input as YYYY-MM-DD, or says what is
// wrong with it.
func verifiedDate(day, month, year string) (string, string) {
	if day == "" && month == "" && year == "" {
		return "", "Enter the date the details were last checked"
	}
	for _, part := range []struct{ v, name string }{{day, "day"}, {month, "month"}, {year, "year"}} {
		if part.v == "" {
			return "", "The date last checked must include a " + part.name
		}
	}
	d, errD := strconv.Atoi(day)
	m, errM := strconv.Atoi(month)
	y, errY := strconv.Atoi(year)
	if errD != nil || errM != nil || errY != nil || len(year) != 4 || m < 1 || m > 12 || d < 1 || d > 31 {
		return "", "The date last checked must be a real date, for example 2 11 2026"
	}
	t := time.Date(y, time.Month(m), d, 12, 0, 0, 0, time.UTC)
	if t.Day() != d {
		return "", "The date last checked must be a real date, for example 2 11 2026"
	}
	return t.Format(time.DateOnly), ""
}

func (s *Server) contactVerify(w http.ResponseWriter, r *http.Request) error {
	return s.contactAction(w, r, "verified", PartnershipStore.VerifyContact)
}

func (s *Server) contactDelete(w http.ResponseWriter, r *http.Request) error {
	return s.contactAction(w, r, "removed", PartnershipStore.DeleteContact)
}

// contactAction runs a one-button change on contact {id}.
func (s *Server) contactAction(w http.ResponseWriter, r *http.Request, done string,
	fn func(PartnershipStore, context.Context, int64, int64) error) error {
	u, p := orgActor(r)
	if err := orgRequire(u, contactEditors, "change the contacts directory"); err != nil {
		return err
	}
	id, err := contactID(r)
	if err != nil {
		return err
	}
	if err := fn(s.org, r.Context(), p.ID, id); err != nil {
		return err
	}
	http.Redirect(w, r, "/contacts?done="+done, http.StatusSeeOther)
	return nil
}
