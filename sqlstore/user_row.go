package sqlstore

import "github.com/escalate-project/escalate"

// userRow reads a user with their partnership in the query that finds
// them (a session's, a token's): every request starts with one, and each
// query saved is a round trip to the database.
type userRow struct {
	u          escalate.User
	p          escalate.Partnership
	roles, api string
}

// userRowColumns are the columns userRow.dest scans, from the users u and
// partnerships p that userRowJoin joins to a table aliased t with a
// user_id column.
const (
	userRowColumns = `u.id, u.partnership_id, u.agency_id, u.name, u.email, u.roles, COALESCE(u.manager_id, 0), u.disabled,
		p.id, p.key, p.name, p.policy_id, p.created, p.second_factor_optional, p.api_roles`
	userRowJoin = ` JOIN users u ON u.id = t.user_id JOIN partnerships p ON p.id = u.partnership_id`
)

// dest returns the scan targets of userRowColumns.
func (r *userRow) dest() []any {
	return []any{&r.u.ID, &r.u.PartnershipID, &r.u.AgencyID, &r.u.Name, &r.u.Email, &r.roles, &r.u.ManagerID, &r.u.Disabled,
		&r.p.ID, &r.p.Key, &r.p.Name, &r.p.PolicyID, scanTime(&r.p.Created), &r.p.SecondFactorOptional, &r.api}
}

// read returns the user and partnership scanned.
func (r *userRow) read() (*escalate.User, *escalate.Partnership) {
	r.u.Roles = parseRoles(r.roles)
	r.p.APIRoles = parseAPIRoles(r.api)
	return &r.u, &r.p
}
