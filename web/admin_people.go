package web

import (
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/escalate-project/escalate"
)

// roleBox is one checkbox of the roles a person may hold.
type roleBox struct {
	ID      string
	Role    escalate.Role
	Name    string
	Checked bool
}

func roleBoxes(have []escalate.Role) []roleBox {
	var bs []roleBox
	for i, r := range escalate.UserRoles {
		id := "roles"
		if i > 0 {
			id = "roles-" + strconv.Itoa(i+1)
		}
		bs = append(bs, roleBox{id, r, roleName(r), slices.Contains(have, r)})
	}
	return bs
}

// managerChoice is a person who may be chosen as line manager.
type managerChoice struct {
	ID       int64
	Name     string
	Selected bool
}

// managerChoices offers the enabled people but those in except: the person
// themselves, and the administrator acting, who may not make themselves
// anyone's line manager.
func managerChoices(people []personRow, selected int64, except ...int64) []managerChoice {
	var cs []managerChoice
	for _, p := range people {
		if !slices.Contains(except, p.ID) && !p.Disabled {
			cs = append(cs, managerChoice{p.ID, p.Name + " (" + p.Agency + ")", p.ID == selected})
		}
	}
	return cs
}

type personFormView struct {
	Nav         []orgNavLink
	Name, Email string
	AgencyID    int64
	Agencies    []*escalate.Agency
	Roles       []roleBox
	Managers    []managerChoice
}

// personForm loads what the add-a-person form offers.
func (s *Server) personForm(r *http.Request, v *personFormView) error {
	u, p := orgActor(r)
	as, err := s.org.Agencies(r.Context(), p.ID)
	if err != nil {
		return err
	}
	people, _, err := s.orgPeople(r, as)
	if err != nil {
		return err
	}
	v.Nav, v.Agencies = orgNav(u, "/admin"), as
	v.Managers = managerChoices(people, 0, u.ID)
	return nil
}

func (s *Server) personNewForm(w http.ResponseWriter, r *http.Request) error {
	u, _ := orgActor(r)
	if err := orgRequire(u, adminWriters, "add people"); err != nil {
		return err
	}
	v := &personFormView{Roles: roleBoxes([]escalate.Role{escalate.RolePractitioner})}
	if err := s.personForm(r, v); err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "admin-person-new", &page{Title: "Add a person", Data: v})
	return nil
}

// formRoles reads the roles checkboxes.
func formRoles(r *http.Request) []escalate.Role {
	var rs []escalate.Role
	for _, v := range r.PostForm["roles"] {
		rs = append(rs, escalate.Role(v))
	}
	return rs
}

func (s *Server) personCreate(w http.ResponseWriter, r *http.Request) error {
	u, p := orgActor(r)
	if err := orgRequire(u, adminWriters, "add people"); err != nil {
		return err
	}
	if err := orgParseForm(w, r); err != nil {
		return err
	}
	f := r.PostForm
	roles := formRoles(r)
	v := &personFormView{Name: strings.TrimSpace(f.Get("name")), Email: strings.TrimSpace(f.Get("email")), Roles: roleBoxes(roles)}
	v.AgencyID, _ = strconv.ParseInt(f.Get("agency"), 10, 64)
	managerID, _ := strconv.ParseInt(f.Get("manager"), 10, 64)
	if err := s.personForm(r, v); err != nil {
		return err
	}
	for i := range v.Managers {
		v.Managers[i].Selected = v.Managers[i].ID == managerID
	}
	pg := &page{Title: "Add a person", Data: v}
	if v.Name == "" {
		pg.Errors = append(pg.Errors, fieldError{"name", "Enter the person's full name"})
	}
	if v.Email == "" {
		pg.Errors = append(pg.Errors, fieldError{"email", "Enter the person's work email address"})
	}
	if v.AgencyID == 0 {
		pg.Errors = append(pg.Errors, fieldError{"agency", "Select the person's agency"})
	}
	if len(roles) == 0 {
		pg.Errors = append(pg.Errors, fieldError{"roles", "Select at least one role"})
	}
	var err error
	if len(pg.Errors) == 0 {
		nu := &escalate.User{PartnershipID: p.ID, AgencyID: v.AgencyID, Name: v.Name, Email: v.Email, Roles: roles, ManagerID: managerID}
		err = s.org.CreateUser(r.Context(), nu)
		switch escalate.ErrorCode(err) {
		case "":
			done := "person"
			if s.acct != nil {
				// A new person is invited at once: the administrator
				// never chooses, or knows, their password.
				if _, err := s.acct.Invite(r.Context(), nu.ID); err != nil {
					return err
				}
				done = "person-invited"
			}
			http.Redirect(w, r, "/admin?done="+done, http.StatusSeeOther)
			return nil
		case escalate.EINVALID, escalate.ECONFLICT, escalate.EFORBIDDEN:
			field := escalate.ErrorField(err)
			if escalate.ErrorCode(err) == escalate.EFORBIDDEN && field == "" {
				return err
			}
			if !slices.Contains([]string{"name", "email", "agency", "roles", "manager"}, field) {
				field = "email" // a unique-email conflict
			}
			pg.Errors = append(pg.Errors, fieldError{field, escalate.ErrorMessage(err)})
		default:
			return err
		}
	}
	s.render(w, r, formStatus(err), "admin-person-new", pg)
	return nil
}

type personView struct {
	Nav      []orgNavLink
	Person   personRow
	Self     bool
	Accounts bool // invitations (and second factors) can be managed here
	Roles    []roleBox
	Managers []managerChoice
}

// orgPerson loads user {id} of the actor's partnership; others are not found.
func (s *Server) orgPerson(r *http.Request) (*personView, error) {
	u, p := orgActor(r)
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return nil, escalate.Errorf(escalate.ENOTFOUND, "There is no such person.")
	}
	as, err := s.org.Agencies(r.Context(), p.ID)
	if err != nil {
		return nil, err
	}
	people, byID, err := s.orgPeople(r, as)
	if err != nil {
		return nil, err
	}
	if byID[id] == nil {
		return nil, escalate.Errorf(escalate.ENOTFOUND, "There is no such person.")
	}
	i := slices.IndexFunc(people, func(pr personRow) bool { return pr.ID == id })
	pr := people[i]
	return &personView{Nav: orgNav(u, "/admin"), Person: pr, Self: pr.ID == u.ID, Accounts: s.acct != nil, Roles: roleBoxes(pr.User.Roles),
		Managers: managerChoices(people, pr.ManagerID, id, u.ID)}, nil
}

func (s *Server) personPage(w http.ResponseWriter, r *http.Request) error {
	u, _ := orgActor(r)
	if err := orgRequire(u, adminWriters, "change people's accounts"); err != nil {
		return err
	}
	v, err := s.orgPerson(r)
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "admin-person", &page{Title: "Change " + v.Person.Name + "'s account", Data: v})
	return nil
}

// personChange checks the actor may change people, loads the person and
// parses the form; fn makes the change or returns the error to show at a
// field.
func (s *Server) personChange(w http.ResponseWriter, r *http.Request, done string,
	fn func(v *personView) (fieldError, error)) error {
	u, _ := orgActor(r)
	if err := orgRequire(u, adminWriters, "change people's accounts"); err != nil {
		return err
	}
	v, err := s.orgPerson(r)
	if err != nil {
		return err
	}
	if err := orgParseForm(w, r); err != nil {
		return err
	}
	fe, err := fn(v)
	switch escalate.ErrorCode(err) {
	case "":
		if fe.Message == "" {
			http.Redirect(w, r, "/admin?done="+done, http.StatusSeeOther)
			return nil
		}
	case escalate.EINVALID:
		fe.Message = escalate.ErrorMessage(err)
	case escalate.EFORBIDDEN:
		if escalate.ErrorField(err) == "" {
			return err
		}
		fe.Message = escalate.ErrorMessage(err)
	default:
		return err
	}
	s.render(w, r, formStatus(err), "admin-person", &page{Title: "Change " + v.Person.Name + "'s account",
		Errors: []fieldError{fe}, Data: v})
	return nil
}

func (s *Server) personRoles(w http.ResponseWriter, r *http.Request) error {
	return s.personChange(w, r, "roles", func(v *personView) (fieldError, error) {
		roles := formRoles(r)
		v.Roles = roleBoxes(roles)
		switch {
		case len(roles) == 0:
			return fieldError{"roles", "Select at least one role"}, nil
		case v.Self && !slices.Contains(roles, escalate.RoleAdmin):
			return fieldError{"roles", "You cannot remove your own administrator role: ask another administrator"}, nil
		}
		return fieldError{Field: "roles"}, s.org.SetRoles(r.Context(), v.Person.ID, roles)
	})
}

func (s *Server) personManager(w http.ResponseWriter, r *http.Request) error {
	return s.personChange(w, r, "manager", func(v *personView) (fieldError, error) {
		id, _ := strconv.ParseInt(r.PostForm.Get("manager"), 10, 64)
		for i := range v.Managers {
			v.Managers[i].Selected = v.Managers[i].ID == id
		}
		return fieldError{Field: "manager"}, s.org.SetManager(r.Context(), v.Person.ID, id)
	})
}

// personStatus disables or enables an account. Disabling ends every one of
// its sessions at once (DisableUser does both in one transaction).
func (s *Server) personStatus(w http.ResponseWriter, r *http.Request) error {
	if err := orgParseForm(w, r); err != nil {
		return err
	}
	done := "enabled"
	if r.PostForm.Get("status") == "disable" {
		done = "disabled"
	}
	return s.personChange(w, r, done, func(v *personView) (fieldError, error) {
		switch r.PostForm.Get("status") {
		case "disable":
			if v.Self {
				return fieldError{"status", "You cannot disable your own account"}, nil
			}
			return fieldError{Field: "status"}, s.org.DisableUser(r.Context(), v.Person.ID)
		case "enable":
			return fieldError{Field: "status"}, s.org.EnableUser(r.Context(), v.Person.ID)
		}
		return fieldError{"status", "Choose to disable or enable the account"}, nil
	})
}

// formStatus is a form's status when it shows errors: 403 when the store
// refused the change as not the actor's to make, else 400.
func formStatus(err error) int {
	if escalate.ErrorCode(err) == escalate.EFORBIDDEN {
		return http.StatusForbidden
	}
	return http.StatusBadRequest
}
