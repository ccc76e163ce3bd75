package web

import (
	"net/http"

	"github.com/escalate-project/escalate"
)

// roleChangeReaders may read the role-change history: the administrators
// who change roles, and the oversight roles who are told of every grant of
// one and must be able to see who gave it to whom.
var roleChangeReaders = []escalate.Role{escalate.RoleAdmin, escalate.RoleBusinessManager, escalate.RoleChair, escalate.RoleViceChair}

// roleChangesShown bounds the history page.
const roleChangesShown = 500

// roleChangeRow is one change as the page lists it.
type roleChangeRow struct {
	When, Person, By, Added, Removed string
	Oversight                        bool
}

type roleChangesView struct {
	Nav  []orgNavLink
	Rows []roleChangeRow
}

func (s *Server) roleChangesPage(w http.ResponseWriter, r *http.Request) error {
	u, p := orgActor(r)
	if err := orgRequire(u, roleChangeReaders, "see the history of role changes"); err != nil {
		return err
	}
	cs, err := s.acct.RoleChanges(r.Context(), p.ID, roleChangesShown)
	if err != nil {
		return err
	}
	us, err := s.org.Users(r.Context(), p.ID)
	if err != nil {
		return err
	}
	names := map[int64]string{}
	for _, x := range us {
		names[x.ID] = x.Name
	}
	v := &roleChangesView{Nav: orgNav(u, "/admin/role-changes")}
	for _, c := range cs {
		row := roleChangeRow{When: londonTime(c.At), Person: names[c.UserID], Added: roleNamesList(c.Added),
			Removed: roleNamesList(c.Removed), Oversight: c.Oversight}
		switch {
		case c.ActorID != 0:
			row.By = names[c.ActorID]
		case len(c.Actor) >= 3 && c.Actor[:3] == "cli":
			row.By = "The command line (" + c.Actor + ")"
		default:
			row.By = "Set up by the system"
		}
		v.Rows = append(v.Rows, row)
	}
	s.render(w, r, http.StatusOK, "account-role-changes", &page{Title: "Role changes", Data: v})
	return nil
}
