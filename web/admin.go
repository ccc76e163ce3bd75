package web

import (
	"net/http"
	"strings"

	"github.com/escalate-project/escalate"
)

// Administration: the partnership's agencies and people. Administrators
// change them; the Business Manager may read them (who is in which agency
// and who manages whom is what oversight and the contacts directory need)
// but not change them. Every change is audited by the store.

// adminWriters may change agencies and people.
var adminWriters = []escalate.Role{escalate.RoleAdmin}

// personRow is one person as the administration pages list them.
type personRow struct {
	*escalate.User
	Agency  string
	Roles   string
	Manager string
}

type adminView struct {
	Nav     []orgNavLink
	CanEdit bool
	// SecondFactorOptional is the partnership's setting: a second factor
	// for password sign-in is required unless it is relaxed.
	SecondFactorOptional bool
	Providers            bool // the sign-in providers page exists
	Agencies             []*escalate.Agency
	People               []personRow
	Notice               string
	API                  *apiAccessView // who may use the API; nil when there is no API
}

// adminNotices are the messages a change redirects back with.
var adminNotices = map[string]string{
	"agency": "Agency added.", "person": "Person added. They cannot sign in until a password is set for them.",
	"person-invited": "Person added, and emailed an invitation to set their password.",
	"invited":        "Invitation sent. Any earlier invitation no longer works.",
	"factors-reset":  "Second factors reset. They have been signed out and emailed; they set one up at their next sign-in.",
	"roles":          "Roles changed.", "manager": "Line manager changed.",
	"disabled": "Account disabled. Every session of theirs has ended.", "enabled": "Account enabled.",
	"api": "Who may use the API saved.",
}

// orgPeople returns the partnership's people with names filled in, and the
// users by ID.
func (s *Server) orgPeople(r *http.Request, agencies []*escalate.Agency) ([]personRow, map[int64]*escalate.User, error) {
	_, p := orgActor(r)
	us, err := s.org.Users(r.Context(), p.ID)
	if err != nil {
		return nil, nil, err
	}
	byID := map[int64]*escalate.User{}
	for _, u := range us {
		byID[u.ID] = u
	}
	agencyName := map[int64]string{}
	for _, a := range agencies {
		agencyName[a.ID] = a.Name
	}
	rows := make([]personRow, len(us))
	for i, u := range us {
		rows[i] = personRow{User: u, Agency: agencyName[u.AgencyID], Roles: roleNamesList(u.Roles)}
		if m := byID[u.ManagerID]; m != nil {
			rows[i].Manager = m.Name
		}
	}
	return rows, byID, nil
}

func roleNamesList(rs []escalate.Role) string {
	ns := make([]string, len(rs))
	for i, r := range rs {
		ns[i] = roleName(r)
	}
	return strings.Join(ns, ", ")
}

func (s *Server) adminPage(w http.ResponseWriter, r *http.Request) error {
	u, p := orgActor(r)
	if err := orgRequire(u, adminReaders, "see the partnership's administration"); err != nil {
		return err
	}
	as, err := s.org.Agencies(r.Context(), p.ID)
	if err != nil {
		return err
	}
	people, _, err := s.orgPeople(r, as)
	if err != nil {
		return err
	}
	v := &adminView{Nav: orgNav(u, "/admin"), CanEdit: orgHasAny(u, adminWriters), Agencies: as, People: people,
		SecondFactorOptional: p.SecondFactorOptional, Providers: s.providers != nil && s.acct != nil,
		Notice: adminNotices[r.URL.Query().Get("done")]}
	if _, ok := s.org.(apiRoleSetter); ok && s.api.Tokens != nil {
		v.API = apiAccess(p)
	}
	s.render(w, r, http.StatusOK, "admin-page", &page{Title: "Administration", Data: v})
	return nil
}

type agencyFormView struct {
	Nav        []orgNavLink
	Name, Kind string
}

func (s *Server) agencyNewForm(w http.ResponseWriter, r *http.Request) error {
	u, _ := orgActor(r)
	if err := orgRequire(u, adminWriters, "add agencies"); err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "admin-agency", &page{Title: "Add an agency", Data: &agencyFormView{Nav: orgNav(u, "/admin")}})
	return nil
}

func (s *Server) agencyCreate(w http.ResponseWriter, r *http.Request) error {
	u, p := orgActor(r)
	if err := orgRequire(u, adminWriters, "add agencies"); err != nil {
		return err
	}
	if err := orgParseForm(w, r); err != nil {
		return err
	}
	v := &agencyFormView{Nav: orgNav(u, "/admin"), Name: strings.TrimSpace(r.PostForm.Get("name")),
		Kind: strings.TrimSpace(r.PostForm.Get("kind"))}
	pg := &page{Title: "Add an agency", Data: v}
	if v.Name == "" {
		pg.Errors = append(pg.Errors, fieldError{"name", "Enter the agency's name"})
	}
	if v.Kind == "" {
		pg.Errors = append(pg.Errors, fieldError{"kind", "Choose the kind of agency"})
	}
	if len(pg.Errors) == 0 {
		err := s.org.CreateAgency(r.Context(), &escalate.Agency{PartnershipID: p.ID, Name: v.Name, Kind: v.Kind})
		switch escalate.ErrorCode(err) {
		case "":
			http.Redirect(w, r, "/admin?done=agency", http.StatusSeeOther)
			return nil
		case escalate.EINVALID, escalate.ECONFLICT:
			field := escalate.ErrorField(err)
			if field != "kind" {
				field = "name"
			}
			pg.Errors = append(pg.Errors, fieldError{field, escalate.ErrorMessage(err)})
		default:
			return err
		}
	}
	s.render(w, r, http.StatusBadRequest, "admin-agency", pg)
	return nil
}
