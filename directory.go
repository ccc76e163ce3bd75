package escalate

import (
	"cmp"
	"slices"
)

// Person is an account as routing sees it: who they are, where they work,
// what roles they hold and who manages them.
type Person struct {
	ID        int64
	AgencyID  int64
	Name      string
	Team      string // the agency's name, for choosing someone by name and team
	Roles     []Role
	ManagerID int64
	Disabled  bool
}

// HasRole reports whether p holds role r.
func (p *Person) HasRole(r Role) bool { return slices.Contains(p.Roles, r) }

// OnlyAdministers reports whether p holds no role that deals with cases
// (DealsWithCases): an administrator, or a data protection officer, looks
// after the service or its data and never reads or acts on a case.
func (p *Person) OnlyAdministers() bool {
	return !slices.ContainsFunc(p.Roles, DealsWithCases)
}

// Directory is one partnership's people as routing needs them: every
// account, its agency, roles and line manager, the agencies' kinds and each
// agency's escalation contacts (its single point of contact for
// disagreements raised against it). The store builds it and may keep it
// while nothing in it changes; routing only reads it.
type Directory struct {
	people   map[int64]*Person
	kinds    map[int64]string  // agency → kind
	names    map[int64]string  // agency → name
	contacts map[int64][]int64 // agency → its escalation contacts
	holders  map[Role][]int64  // enabled holders of a role, by ID
}

// EscalationContact names an account as its agency's escalation contact.
type EscalationContact struct {
	AgencyID int64
	UserID   int64
}

// NewDirectory builds a directory from the partnership's people, agencies
// and escalation contacts.
func NewDirectory(people []Person, agencies []Agency, contacts []EscalationContact) *Directory {
	d := &Directory{
		people: map[int64]*Person{}, kinds: map[int64]string{}, names: map[int64]string{},
		contacts: map[int64][]int64{}, holders: map[Role][]int64{},
	}
	for _, a := range agencies {
		d.kinds[a.ID], d.names[a.ID] = a.Kind, a.Name
	}
	slices.SortFunc(people, func(a, b Person) int { return cmp.Compare(a.ID, b.ID) })
	for i := range people {
		p := &people[i]
		if p.Team == "" {
			p.Team = d.names[p.AgencyID]
		}
		d.people[p.ID] = p
		if p.Disabled {
			continue
		}
		for _, r := range p.Roles {
			d.holders[r] = append(d.holders[r], p.ID)
		}
	}
	for _, c := range contacts {
		if p := d.people[c.UserID]; p != nil && !p.Disabled && p.AgencyID == c.AgencyID &&
			!slices.Contains(d.contacts[c.AgencyID], c.UserID) {
			d.contacts[c.AgencyID] = append(d.contacts[c.AgencyID], c.UserID)
		}
	}
	return d
}

// Person returns the account id, or nil.
func (d *Directory) Person(id int64) *Person {
	if d == nil {
		return nil
	}
	return d.people[id]
}

// AgencyName returns agency id's name.
func (d *Directory) AgencyName(id int64) string { return d.names[id] }

// HasAgency reports whether agency id is one of the partnership's.
func (d *Directory) HasAgency(id int64) bool {
	_, ok := d.names[id]
	return ok
}

// AgencyKind returns agency id's kind.
func (d *Directory) AgencyKind(id int64) string { return d.kinds[id] }

// Contacts returns the enabled escalation contacts of agency id.
func (d *Directory) Contacts(id int64) []int64 { return d.contacts[id] }

// maxLine bounds a walk up a management line, so a cycle cannot loop.
const maxLine = 50

// Line returns id's line managers, nearest first: their manager, that
// manager's manager, and so on up. Disabled managers are skipped but the
// walk goes on past them.
func (d *Directory) Line(id int64) []*Person {
	var out []*Person
	seen := map[int64]bool{id: true}
	p := d.Person(id)
	for n := 0; p != nil && p.ManagerID != 0 && n < maxLine; n++ {
		if seen[p.ManagerID] {
			break
		}
		seen[p.ManagerID] = true
		p = d.Person(p.ManagerID)
		if p != nil && !p.Disabled {
			out = append(out, p)
		}
	}
	return out
}

// Holders returns the enabled holders of role r at agency (any agency when
// agency is 0).
func (d *Directory) Holders(r Role, agency int64) []int64 {
	if agency == 0 {
		return d.holders[r]
	}
	var out []int64
	for _, id := range d.holders[r] {
		if d.people[id].AgencyID == agency {
			out = append(out, id)
		}
	}
	return out
}

// Names returns the names of ids, in order, leaving out unknown ones.
func (d *Directory) Names(ids []int64) []string {
	var out []string
	for _, id := range ids {
		if p := d.Person(id); p != nil {
			out = append(out, p.Name)
		}
	}
	return out
}

// People returns every account, by ID.
func (d *Directory) People() []*Person {
	out := make([]*Person, 0, len(d.people))
	for _, p := range d.people {
		out = append(out, p)
	}
	slices.SortFunc(out, func(a, b *Person) int { return cmp.Compare(a.ID, b.ID) })
	return out
}
