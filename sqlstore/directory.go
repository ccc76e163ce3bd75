package sqlstore

import (
	"fmt"
	"strings"

	"github.com/escalate-project/escalate"
)

// The partnership's people as routing needs them (escalate.Directory),
// read once per change of them: partnerships.people_gen takes a new random
// value, by trigger, with every change of a user's agency, name, roles, manager or
// disabled flag, of an agency, or of its escalation contacts (migration
// 00016), so one indexed read tells whether a cached directory is current,
// for every process sharing the database.

// directoryEntry is a built directory and the generation it was read at.
type directoryEntry struct {
	gen int64
	dir *escalate.Directory
}

// peopleGen returns partnershipID's people generation.
func (tx *Tx) peopleGen(partnershipID int64) (int64, error) {
	var gen int64
	if err := tx.queryRow(`SELECT people_gen FROM partnerships WHERE id = $1`, partnershipID).Scan(&gen); err != nil {
		return 0, fmt.Errorf("people generation: %w", err)
	}
	return gen, nil
}

// directory returns partnershipID's directory, reading it only when its
// people changed since it was last read. The generation is read before the
// people, so an entry never holds people older than its number says.
func (tx *Tx) directory(partnershipID int64) (*escalate.Directory, error) {
	gen, err := tx.peopleGen(partnershipID)
	if err != nil {
		return nil, err
	}
	return tx.directoryAt(partnershipID, gen)
}

// directoryAt is directory for a caller that read the partnership's
// people generation, gen, in this transaction itself.
func (tx *Tx) directoryAt(partnershipID, gen int64) (*escalate.Directory, error) {
	if v, ok := tx.db.directories.Load(partnershipID); ok && v.(directoryEntry).gen == gen {
		return v.(directoryEntry).dir, nil
	}
	dir, err := tx.readDirectory(partnershipID)
	if err != nil {
		return nil, err
	}
	tx.db.directories.Store(partnershipID, directoryEntry{gen: gen, dir: dir})
	return dir, nil
}

// readDirectory reads partnershipID's people, agencies and escalation
// contacts.
func (tx *Tx) readDirectory(partnershipID int64) (*escalate.Directory, error) {
	rows, err := tx.query(`SELECT id, agency_id, name, roles, COALESCE(manager_id, 0), disabled
		FROM users WHERE partnership_id = $1 ORDER BY id`, partnershipID)
	if err != nil {
		return nil, fmt.Errorf("directory: %w", err)
	}
	var people []escalate.Person
	for rows.Next() {
		var p escalate.Person
		var roles string
		if err := rows.Scan(&p.ID, &p.AgencyID, &p.Name, &roles, &p.ManagerID, &p.Disabled); err != nil {
			rows.Close()
			return nil, fmt.Errorf("directory: %w", err)
		}
		for _, r := range strings.Split(roles, ",") {
			if r != "" {
				p.Roles = append(p.Roles, escalate.Role(r))
			}
		}
		people = append(people, p)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	arows, err := tx.query(`SELECT id, partnership_id, name, kind FROM agencies WHERE partnership_id = $1 ORDER BY id`, partnershipID)
	if err != nil {
		return nil, fmt.Errorf("directory: %w", err)
	}
	var agencies []escalate.Agency
	for arows.Next() {
		var a escalate.Agency
		if err := arows.Scan(&a.ID, &a.PartnershipID, &a.Name, &a.Kind); err != nil {
			arows.Close()
			return nil, err
		}
		agencies = append(agencies, a)
	}
	arows.Close()
	if err := arows.Err(); err != nil {
		return nil, err
	}
	crows, err := tx.query(`SELECT c.agency_id, c.user_id FROM agency_contacts c JOIN agencies a ON a.id = c.agency_id
		WHERE a.partnership_id = $1 ORDER BY c.agency_id, c.user_id`, partnershipID)
	if err != nil {
		return nil, fmt.Errorf("directory: %w", err)
	}
	var contacts []escalate.EscalationContact
	for crows.Next() {
		var c escalate.EscalationContact
		if err := crows.Scan(&c.AgencyID, &c.UserID); err != nil {
			crows.Close()
			return nil, err
		}
		contacts = append(contacts, c)
	}
	crows.Close()
	if err := crows.Err(); err != nil {
		return nil, err
	}
	return escalate.NewDirectory(people, agencies, contacts), nil
}
