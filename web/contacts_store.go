package web

import (
	"context"
	"io"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/escalate-project/escalate"
)

// PartnershipStore is what the partnership's own pages need: the contacts
// directory, the current policy, agencies and people. *sqlstore.DB
// implements it. Unlike escalations, these carry no need-to-know rule of
// the store's, so the handlers check the acting user's role, and that the
// thing changed belongs to their partnership.
type PartnershipStore interface {
	escalate.ContactDirectory
	Contacts(ctx context.Context, partnershipID int64) ([]*escalate.Contact, error)
	FindContact(ctx context.Context, partnershipID, id int64) (*escalate.Contact, error)
	CreateContact(ctx context.Context, c *escalate.Contact) error
	UpdateContact(ctx context.Context, c *escalate.Contact) error
	VerifyContact(ctx context.Context, partnershipID, id int64) error
	DeleteContact(ctx context.Context, partnershipID, id int64) error
	// ImportContacts imports a CSV file, all of it or nothing.
	ImportContacts(ctx context.Context, partnershipID int64, r io.Reader) (*escalate.ContactImport, error)

	// CurrentPolicy is the policy new escalations of the partnership follow.
	CurrentPolicy(ctx context.Context, partnershipID int64) (*escalate.Policy, error)

	Agencies(ctx context.Context, partnershipID int64) ([]*escalate.Agency, error)
	CreateAgency(ctx context.Context, a *escalate.Agency) error
	Users(ctx context.Context, partnershipID int64) ([]*escalate.User, error)
	FindUser(ctx context.Context, id int64) (*escalate.User, error)
	CreateUser(ctx context.Context, u *escalate.User) error
	SetRoles(ctx context.Context, userID int64, roles []escalate.Role) error
	SetManager(ctx context.Context, userID, managerID int64) error
	// DisableUser disables the account and ends all its sessions.
	DisableUser(ctx context.Context, userID int64) error
	EnableUser(ctx context.Context, userID int64) error
}

// partnershipRoutes adds the partnership's pages: the contacts directory,
// the policy, the overview of open escalations and administration.
func (s *Server) partnershipRoutes(mux *http.ServeMux) {
	if s.org == nil {
		return
	}
	page := func(pattern string, h handlerFunc) { mux.Handle(pattern, s.handle(s.signedIn(h))) }
	page("GET /contacts", s.contactsPage)
	page("GET /contacts/new", s.contactNewForm)
	page("POST /contacts/new", s.contactCreate)
	page("GET /contacts/{id}/edit", s.contactEditForm)
	page("POST /contacts/{id}/edit", s.contactUpdate)
	page("POST /contacts/{id}/verify", s.contactVerify)
	page("POST /contacts/{id}/delete", s.contactDelete)
	page("GET /contacts/import", s.contactImportForm)
	page("POST /contacts/import", s.contactImport)
	page("GET /policy", s.policyPage)
	page("GET /overview", s.overviewPage)
	page("GET /admin", s.adminPage)
	page("GET /admin/agencies/new", s.agencyNewForm)
	page("POST /admin/agencies/new", s.agencyCreate)
	page("GET /admin/people/new", s.personNewForm)
	page("POST /admin/people/new", s.personCreate)
	page("GET /admin/people/{id}", s.personPage)
	page("POST /admin/people/{id}/roles", s.personRoles)
	page("POST /admin/people/{id}/manager", s.personManager)
	page("POST /admin/people/{id}/status", s.personStatus)
}

// The roles that may do each thing on the partnership's pages.
var (
	contactEditors = []escalate.Role{escalate.RoleBusinessManager, escalate.RoleAdmin}
	overviewRoles  = []escalate.Role{escalate.RoleBusinessManager, escalate.RoleChair, escalate.RoleViceChair, escalate.RoleDelegatedSafeguardingPartner, escalate.RoleAdmin}
	adminReaders   = []escalate.Role{escalate.RoleAdmin, escalate.RoleBusinessManager}
)

// orgActor returns the signed-in user and their partnership; signedIn has
// made sure there is one.
func orgActor(r *http.Request) (*escalate.User, *escalate.Partnership) {
	u, p := signedInUser(r)
	if p == nil {
		p = &escalate.Partnership{ID: u.PartnershipID}
	}
	return u, p
}

func orgHasAny(u *escalate.User, roles []escalate.Role) bool {
	return slices.ContainsFunc(roles, u.HasRole)
}

// orgRequire is EFORBIDDEN unless u holds one of roles.
func orgRequire(u *escalate.User, roles []escalate.Role, what string) error {
	if u == nil || u.Disabled || !orgHasAny(u, roles) {
		return escalate.Errorf(escalate.EFORBIDDEN, "Only %s can %s.", orgRoleNamesOr(roles), what)
	}
	return nil
}

func orgRoleNamesOr(roles []escalate.Role) string {
	ns := make([]string, len(roles))
	for i, r := range roles {
		ns[i] = orgLowerInitial(roleName(r))
	}
	if len(ns) == 1 {
		return ns[0] + "s"
	}
	return "the " + strings.Join(ns[:len(ns)-1], ", the ") + " or the " + ns[len(ns)-1]
}

func orgLowerInitial(s string) string {
	if s == "" {
		return s
	}
	return strings.ToLower(s[:1]) + s[1:]
}

// partnershipNow is the store's clock when there is one, so that "today"
// on these pages matches the deadlines'.
func (s *Server) partnershipNow() time.Time {
	if s.esc != nil {
		return s.esc.Now()
	}
	return time.Now()
}

// orgNavLink is one link of the partnership pages' sub-navigation.
type orgNavLink struct {
	Href, Text string
	Current    bool
}

// orgNav lists the partnership pages u may open, marking current.
func orgNav(u *escalate.User, current string) []orgNavLink {
	links := []orgNavLink{{Href: "/contacts", Text: "Contacts"}, {Href: "/policy", Text: "Policy"}}
	if orgHasAny(u, reportRoles) {
		links = append([]orgNavLink{{Href: "/reports", Text: "Reports"}}, links...)
	}
	if orgHasAny(u, overviewRoles) {
		links = append([]orgNavLink{{Href: "/overview", Text: "Overview"}}, links...)
	}
	if orgHasAny(u, learningReaders) {
		links = append(links, orgNavLink{Href: "/learning", Text: "Learning log"}, orgNavLink{Href: "/proformas", Text: "Proformas"})
	}
	if orgHasAny(u, adminReaders) {
		links = append(links, orgNavLink{Href: "/admin", Text: "Administration"})
	}
	if orgHasAny(u, escalate.PrivacyRoles) {
		links = append(links, orgNavLink{Href: "/privacy", Text: "Data protection"})
	}
	if orgHasAny(u, roleChangeReaders) {
		links = append(links, orgNavLink{Href: "/admin/role-changes", Text: "Role changes"})
	}
	for i := range links {
		links[i].Current = links[i].Href == current
	}
	return links
}

// orgParseForm parses a posted form of bounded size.
func orgParseForm(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		return escalate.Errorf(escalate.EINVALID, "The form could not be read. Go back and try again.")
	}
	return nil
}

// contactsForRoles returns who to contact for roles from the partnership's
// directory, for any page that names them (the raise page's immediate-risk
// route, an escalation's "who to contact"). Without a PartnershipStore it
// returns nothing: the page still names the roles.
func (s *Server) contactsForRoles(ctx context.Context, partnershipID int64, roles []escalate.Role) ([]*escalate.Contact, error) {
	if s.org == nil || len(roles) == 0 {
		return nil, nil
	}
	return s.org.ContactsForRoles(ctx, partnershipID, roles)
}
