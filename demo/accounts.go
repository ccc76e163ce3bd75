package demo

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/escalate-project/escalate"
	"github.com/escalate-project/escalate/policy"
	"github.com/escalate-project/escalate/sqlstore"
)

// Listed is one demo account as `escalate demo --accounts` lists it: whose
// it is and what signing in as it shows.
type Listed struct {
	Partnership string // the partnership's key, the pack's ID
	Role        escalate.Role
	Email       string
	Name        string
	Agency      string
	For         string // what to sign in as it for
}

// AllAccounts lists every account Seed makes (all share the demo's
// password), partnership by partnership in pack order, then agency by
// agency, most junior first. It needs no database: the accounts follow
// from the packs, and TestAccounts checks the list against a seeded one.
func AllAccounts() []Listed {
	var out []Listed
	for _, info := range policy.Packs() {
		dissents := false
		pol, err := policy.Pack(info.ID)
		if err == nil {
			dissents = escalate.DissentsEnabled(pol)
		}
		for _, a := range agencies {
			roles := frontLine
			if a.key == "partnership" {
				roles = teamRoles
			}
			for i, r := range roles {
				email := fmt.Sprintf("%s.%s@%s.example", r, a.key, info.ID)
				if headline(r) == a.key+"/"+string(r) {
					email = fmt.Sprintf("%s@%s.example", r, info.ID)
				}
				out = append(out, Listed{Partnership: info.ID, Role: r, Email: email,
					Name: a.first[i] + " Demo-" + title(r), Agency: a.name, For: accountFor(a.key, r, dissents)})
			}
			for _, p := range posts {
				if p.agency != a.key {
					continue
				}
				email := fmt.Sprintf("%s.%s@%s.example", p.role, a.key, info.ID)
				if headline(p.role) == a.key+"/"+string(p.role) {
					email = fmt.Sprintf("%s@%s.example", p.role, info.ID)
				}
				out = append(out, Listed{Partnership: info.ID, Role: p.role, Email: email,
					Name: p.first + " Demo-" + title(p.role), Agency: a.name, For: postFor(p.role, pol != nil && Uses(pol, p.role))})
			}
			if a.key == "care" {
				r := escalate.RoleConferenceChair
				what := "sees no dissents: this policy has no Child Protection Conference dissent workflow"
				if dissents {
					what = "Child Protection Conference dissents: record one, and see them through the Dissents Group at every step"
				}
				out = append(out, Listed{Partnership: info.ID, Role: r, Email: fmt.Sprintf("%s@%s.example", r, info.ID),
					Name: "Indie Demo-" + title(r), Agency: a.name, For: what})
			}
		}
	}
	return out
}

// accountFor says what signing in as role r at agency key shows.
func accountFor(key string, r escalate.Role, dissents bool) string {
	switch r {
	case escalate.RolePractitioner:
		switch key {
		case "school":
			return "raise an escalation; raised most of the demo's, so My work shows what each awaits"
		case "care":
			return "most demo escalations are against this agency: respond, record discussions, agree outcomes"
		}
		return "raise an escalation against another agency; see how this agency's kind is routed"
	case escalate.RoleManager:
		if key == "care" {
			return "the manager most demo escalations wait on, and the agency's escalation contact: act and escalate from My work"
		}
		return "line manager and the agency's escalation contact (a new escalation against the agency reaches them at once)"
	case escalate.RoleSeniorManager:
		return "senior manager: acts at the senior stages; sees the escalations of their management line"
	case escalate.RoleSafeguardingLead:
		return "named/designated safeguarding lead: the immediate-risk route, and the agency's escalations"
	case escalate.RoleBusinessManager:
		s := "oversight of every open escalation; contacts, policy, board reports, learning log, proformas, undelivered notifications"
		if dissents {
			s += "; dissents"
		}
		return s
	case escalate.RoleChair:
		return "board chair: determinations and recommendations at the final stage"
	case escalate.RoleViceChair:
		return "vice chair: stands in for the chair at the final stage"
	case escalate.RoleAdmin:
		return "administrator: users, agencies and the partnership's set-up"
	}
	return ""
}

// postFor says what signing in as a post an agency has besides its front
// line shows, where the policy uses it or not.
func postFor(r escalate.Role, used bool) string {
	if !used {
		return "this policy gives the post no step: little to see"
	}
	switch r {
	case escalate.RoleBoardMember:
		return "partnership board member: sits on the board's meeting stage, or chairs it from an agency not involved"
	case escalate.RoleDesignatedNurse:
		return "told when a health provider is party to an escalation (the policy's routing rule)"
	case escalate.RoleNamedGP:
		return "told when primary care is party to an escalation (the policy's routing rule)"
	}
	return "a post the policy names"
}

// Reuse gives every account of the demo partnerships already in db (a
// demo database kept from an earlier run, as a PostgreSQL one is) the new
// password, and returns what Seed would have said about them. The data is
// left as it is.
func Reuse(ctx context.Context, db *sqlstore.DB, password string) (*Result, error) {
	hash, err := sqlstore.HashPassword(password)
	if err != nil {
		return nil, err
	}
	res := &Result{}
	index := map[string]int{} // partnership key → its place in res.Partnerships
	ids := map[string]int64{}
	for _, a := range AllAccounts() {
		i, ok := index[a.Partnership]
		if !ok {
			found, err := db.FindPartnership(ctx, a.Partnership)
			if err != nil {
				return nil, fmt.Errorf("demo partnership %s: %w", a.Partnership, err)
			}
			i = len(res.Partnerships)
			index[a.Partnership], ids[a.Partnership] = i, found.ID
			res.Partnerships = append(res.Partnerships, Partnership{Key: found.Key, Name: found.Name, PolicyID: found.PolicyID})
		}
		p := &res.Partnerships[i]
		u, err := db.FindUserByEmail(ctx, ids[a.Partnership], a.Email)
		if err != nil {
			return nil, fmt.Errorf("demo account %s: %w", a.Email, err)
		}
		if err := db.SetPasswordHash(ctx, u.ID, hash); err != nil {
			return nil, err
		}
		p.Users++
	}
	// The sign-ins Seed would print: SignInRoles the policy uses, each the
	// account seeder.signInKey names.
	all := AllAccounts()
	for i := range res.Partnerships {
		p := &res.Partnerships[i]
		pol, err := policy.Pack(p.PolicyID)
		if err != nil {
			return nil, err
		}
		s := &seeder{pol: pol}
		for _, r := range SignInRoles {
			if !Uses(pol, r) {
				continue
			}
			agency, _, _ := strings.Cut(s.signInKey(r), "/")
			email := fmt.Sprintf("%s.%s@%s.example", r, agency, p.Key)
			if headline(r) == agency+"/"+string(r) {
				email = fmt.Sprintf("%s@%s.example", r, p.Key)
			}
			if k := slices.IndexFunc(all, func(a Listed) bool { return a.Email == email }); k >= 0 {
				a := all[k]
				p.SignIns = append(p.SignIns, Account{Role: r, Name: a.Name, Email: a.Email, Agency: a.Agency})
			}
		}
	}
	return res, nil
}
