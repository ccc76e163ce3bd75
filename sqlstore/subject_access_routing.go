package sqlstore

import (
	"fmt"
	"time"

	"github.com/escalate-project/escalate/calendar"
)

// Subject access and routing: who was named to deal with a case, removed,
// or appointed to chair its meeting, and whose escalation contact someone
// is. Data about a member of staff, and about a child's case.

// naming is one naming or appointment on a case.
type naming struct {
	ref, what string // what: "named", or "chair of the STAGE meeting"
	user, by  int64
	at        time.Time
	removedBy int64
	removed   time.Time
}

// namings returns the namings and meeting-chair appointments matching
// cond, which reads x (the row, with user_id) and e (its escalation), in
// the partnership, by case and time.
func (s *subjectRun) namings(cond string, arg any) ([]naming, error) {
	rows, err := s.tx.QueryContext(s.tx.ctx, `
		SELECT e.ref, 'named', x.user_id, x.added_by, x.added, COALESCE(x.removed_by, 0), x.removed
		FROM escalation_parties x JOIN escalations e ON e.id = x.escalation_id
		WHERE `+cond+` AND e.partnership_id = $2
		UNION ALL
		SELECT e.ref, 'chair of the ' || x.stage || ' meeting', x.user_id, x.appointed_by, x.appointed, 0, NULL
		FROM escalation_meeting_chairs x JOIN escalations e ON e.id = x.escalation_id
		WHERE `+cond+` AND e.partnership_id = $2
		ORDER BY 1, 5`, arg, s.partnership)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []naming
	for rows.Next() {
		var n naming
		if err := rows.Scan(&n.ref, &n.what, &n.user, &n.by, scanTime(&n.at), &n.removedBy, scanTime(&n.removed)); err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, rows.Err()
}

// describe says who named or appointed them and when, and who removed
// them, listing those people as third parties.
func (s *subjectRun) describe(n naming, where string) string {
	d := fmt.Sprintf("%s by %s on %s", n.what, s.user(n.by, where+": named by"), n.at.In(calendar.London).Format("2 Jan 2006 15:04"))
	if !n.removed.IsZero() {
		d += fmt.Sprintf("; removed by %s on %s", s.user(n.removedBy, where+": removed by"), n.removed.In(calendar.London).Format("2 Jan 2006 15:04"))
	}
	return d
}

// staffRouting adds to a member of staff's account whose escalation
// contact they are and the cases they were named to or chaired.
func (s *subjectRun) staffRouting(userID int64) error {
	var err error
	acc := s.x.Account
	if acc.ContactFor, err = s.strings(`SELECT a.name FROM agency_contacts c JOIN agencies a ON a.id = c.agency_id
		WHERE c.user_id = $1 ORDER BY a.name`, userID); err != nil {
		return err
	}
	ns, err := s.namings(`x.user_id = $1`, userID)
	if err != nil {
		return err
	}
	for _, n := range ns {
		acc.NamedTo = append(acc.NamedTo, n.ref+": "+s.describe(n, n.ref))
	}
	return nil
}

// caseNamed lists who was named to deal with case id, or chaired its
// meetings: staff, each a third party to the child's export.
func (s *subjectRun) caseNamed(id int64, ref string) ([]string, error) {
	ns, err := s.namings(`x.escalation_id = $1`, id)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, n := range ns {
		out = append(out, s.user(n.user, ref+": "+n.what)+": "+s.describe(n, ref))
	}
	return out, nil
}
