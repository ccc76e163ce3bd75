package sqlstore

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/escalate-project/escalate"
)

// SubjectAccess gathers everything held about one person for a subject
// access request: a member of staff's account, what they did and the
// records they wrote; or every case about a child reference, in full. It
// names the third parties to redact. Only the partnership's data protection
// officer (or the console) may make one; nothing of another partnership,
// another person or another child goes in. Every case it includes is
// audited as exported, and the export itself against its subject.
func (db *DB) SubjectAccess(ctx context.Context, q escalate.SubjectQuery) (*escalate.SubjectAccessExport, error) {
	q.Email, q.ChildRef = strings.TrimSpace(q.Email), strings.TrimSpace(q.ChildRef)
	switch {
	case q.Kind == escalate.SubjectStaff && q.Email == "":
		return nil, escalate.FieldErrorf("email", "Enter the member of staff's email address.")
	case q.Kind == escalate.SubjectChild && q.ChildRef == "":
		return nil, escalate.FieldErrorf("child_ref", "Enter the child's reference, as the raising agency gave it.")
	case q.Kind != escalate.SubjectStaff && q.Kind != escalate.SubjectChild:
		return nil, escalate.FieldErrorf("kind", "Choose whether the request is from a member of staff or about a child.")
	}
	var out *escalate.SubjectAccessExport
	err := db.WithTx(ctx, func(tx *Tx) error {
		actor, p, err := tx.dpoActor(q.PartnershipID)
		if err != nil {
			return err
		}
		if p == 0 {
			return escalate.FieldErrorf("partnership", "Name the partnership.")
		}
		x := &escalate.SubjectAccessExport{Kind: q.Kind, Made: tx.now}
		if err := tx.queryRow(`SELECT name FROM partnerships WHERE id = $1`, p).Scan(&x.Partnership); err != nil {
			return err
		}
		s := &subjectRun{tx: tx, x: x, partnership: p, names: map[int64]string{}, seen: map[escalate.ThirdParty]bool{}}
		var object string
		var cases []string
		if q.Kind == escalate.SubjectStaff {
			object, cases, err = s.staff(q.Email)
		} else {
			object, cases, err = s.child(q.ChildRef)
		}
		if err != nil {
			return err
		}
		for _, ref := range cases {
			if err := tx.AuditIn(p, actor, escalate.ActionSubjectAccess, "escalation:"+ref, map[string]any{"kind": q.Kind}); err != nil {
				return err
			}
		}
		out = x
		return tx.AuditIn(p, actor, escalate.ActionSubjectAccess, object, map[string]any{"kind": q.Kind, "cases": cases})
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// subjectRun is one export being gathered.
type subjectRun struct {
	tx          *Tx
	x           *escalate.SubjectAccessExport
	partnership int64
	subject     int64 // the member of staff, for staff exports
	names       map[int64]string
	seen        map[escalate.ThirdParty]bool
}

// third lists someone other than the subject, once per place.
func (s *subjectRun) third(kind, name, where string) {
	name = strings.TrimSpace(name)
	tp := escalate.ThirdParty{Kind: kind, Name: name, Where: where}
	if name == "" || s.seen[tp] {
		return
	}
	s.seen[tp] = true
	s.x.ThirdParties = append(s.x.ThirdParties, tp)
}

// user is a user's name, listed as a third party at where unless they are
// the subject.
func (s *subjectRun) user(id int64, where string) string {
	if id == 0 {
		return ""
	}
	n, ok := s.names[id]
	if !ok {
		var name, email string
		if err := s.tx.queryRow(`SELECT name, email FROM users WHERE id = $1`, id).Scan(&name, &email); err == nil {
			n = name + " (" + email + ")"
		} else {
			n = fmt.Sprintf("user %d", id)
		}
		s.names[id] = n
	}
	if id != s.subject {
		s.third("staff", n, where)
	}
	return n
}

func (s *subjectRun) staff(email string) (string, []string, error) {
	tx, ctx := s.tx, s.tx.ctx
	email, err := normalEmail(email)
	if err != nil {
		return "", nil, err
	}
	u, err := findUser(ctx, tx, `lower(email) = $1 AND partnership_id = $2`, email, s.partnership)
	if notFound(err) {
		return "", nil, escalate.FieldErrorf("email", "There is no one with that email address in this partnership.")
	} else if err != nil {
		return "", nil, err
	}
	s.subject = u.ID
	s.x.Subject = u.Name + " (" + u.Email + ")"
	acc := &escalate.SubjectAccount{Name: u.Name, Email: u.Email, Roles: u.Roles, Disabled: u.Disabled}
	if err := tx.queryRow(`SELECT a.name, u.created FROM users u JOIN agencies a ON a.id = u.agency_id WHERE u.id = $1`, u.ID).
		Scan(&acc.Agency, scanTime(&acc.Created)); err != nil {
		return "", nil, err
	}
	acc.Manager = s.user(u.ManagerID, "account: line manager")
	if acc.SignIns, err = s.strings(`SELECT issuer FROM user_identities WHERE user_id = $1 ORDER BY issuer`, u.ID); err != nil {
		return "", nil, err
	}
	if acc.APITokens, err = s.strings(`SELECT name FROM api_tokens WHERE user_id = $1 ORDER BY id`, u.ID); err != nil {
		return "", nil, err
	}
	var n int
	if err := tx.queryRow(`SELECT COUNT(*) FROM digest_subscribers WHERE user_id = $1`, u.ID).Scan(&n); err != nil {
		return "", nil, err
	}
	acc.Subscribed = n > 0
	s.x.Account = acc
	if err := s.staffRouting(u.ID); err != nil {
		return "", nil, err
	}
	object := fmt.Sprintf("user:%d", u.ID)
	rows, err := tx.QueryContext(ctx, `SELECT at, action, object FROM audit_events WHERE actor = $1 ORDER BY seq`, object)
	if err != nil {
		return "", nil, err
	}
	for rows.Next() {
		var a escalate.SubjectAction
		if err := rows.Scan(scanTime(&a.At), &a.Action, &a.Object); err != nil {
			rows.Close()
			return "", nil, err
		}
		a.Title = escalate.EventTitle(a.Action)
		s.x.Actions = append(s.x.Actions, a)
	}
	rows.Close()
	// The records they wrote, in their words: each case's child is a third
	// party, as is everyone else who took part.
	rows, err = tx.QueryContext(ctx, `SELECT e.ref, e.child_ref, e.child_initials, r.id, r.stage, r.at, r.form, r.participants,
			r.discussion, r.outcome, r.corrects, r.by_user, r.created, r.approved_by, r.approved_at, r.result, r.facilitator
		FROM records r JOIN escalations e ON e.id = r.escalation_id
		WHERE r.by_user = $1 AND e.partnership_id = $2 ORDER BY e.ref, r.id`, u.ID, s.partnership)
	if err != nil {
		return "", nil, err
	}
	var cases []string
	type authored struct {
		ref, child, initials string
		r                    escalate.Record
	}
	var recs []authored
	for rows.Next() {
		var a authored
		r, err := scanRecord(extraFirst{rows, []any{&a.ref, &a.child, &a.initials}})
		if err != nil {
			rows.Close()
			return "", nil, err
		}
		a.r = r
		recs = append(recs, a)
	}
	rows.Close()
	for _, a := range recs {
		where := "record " + fmt.Sprint(a.r.ID) + " of " + a.ref
		s.third("child", a.child+" ("+a.initials+")", where)
		s.x.Authored = append(s.x.Authored, s.record(a.ref, a.r))
		if !slices.Contains(cases, a.ref) {
			cases = append(cases, a.ref)
		}
	}
	if s.x.Uploaded, err = s.subjectFiles(`a.uploaded_by = $1`, u.ID, false); err != nil {
		return "", nil, err
	}
	for _, f := range s.x.Uploaded {
		if !slices.Contains(cases, f.Case) {
			cases = append(cases, f.Case)
		}
	}
	return object, cases, nil
}

// record is r of case ref as the export shows it, its participants and
// approver listed as third parties.
func (s *subjectRun) record(ref string, r escalate.Record) escalate.SubjectRecord {
	where := "record " + fmt.Sprint(r.ID) + " of " + ref
	for _, p := range r.Participants {
		s.third("participant", p, where)
	}
	s.user(r.ApprovedBy, where+": approved by")
	return escalate.SubjectRecord{Case: ref, ID: r.ID, At: r.At, Form: r.Form, Participants: r.Participants,
		Discussion: r.Discussion, Outcome: r.Outcome, Result: r.Result, By: s.user(r.By, where+": written by")}
}

func (s *subjectRun) child(childRef string) (string, []string, error) {
	tx, ctx := s.tx, s.tx.ctx
	refs, err := s.strings(`SELECT ref FROM escalations WHERE partnership_id = $1 AND lower(child_ref) = lower($2)
		AND erased IS NULL ORDER BY id`, s.partnership, childRef)
	if err != nil {
		return "", nil, err
	}
	if len(refs) == 0 {
		return "", nil, escalate.FieldErrorf("child_ref", "No case in this partnership has that child's reference.")
	}
	s.x.Subject = "The child with reference " + childRef
	agencies := map[int64]string{}
	agency := func(id int64) string {
		if n, ok := agencies[id]; ok {
			return n
		}
		var n string
		tx.queryRow(`SELECT name FROM agencies WHERE id = $1`, id).Scan(&n)
		agencies[id] = n
		return n
	}
	for _, ref := range refs {
		row, err := tx.loadEscalation(ref)
		if err != nil {
			return "", nil, err
		}
		e := row.Escalation
		c := escalate.SubjectCase{Ref: e.Ref, Status: e.Status, Raised: e.Created, RaisedBy: s.user(e.RaisedBy, ref+": raised by"),
			RaisingAgency: agency(e.RaisingAgencyID), ReceivingAgency: agency(e.ReceivingAgencyID), ReceivingContact: e.ReceivingContact,
			ChildRef: e.ChildRef, ChildInitials: e.ChildInitials, Decision: e.Decision, DecisionDate: e.DecisionDate,
			Issue: e.Issue, Risk: e.Risk, Disagreement: e.Disagreement, OutcomeSought: e.OutcomeSought, RiskLevel: e.RiskLevel,
			Records: []escalate.SubjectRecord{}}
		if e.Immediate != nil {
			c.Immediate = e.Immediate.Action
			s.user(e.Immediate.By, ref+": immediate action by")
		}
		if o := e.Outcome; o != nil {
			c.Outcome = strings.TrimSpace(o.Kind + ": " + strings.Join(slices.DeleteFunc([]string{o.Text, o.OutstandingIssues, o.Reason},
				func(s string) bool { return s == "" }), " "))
			s.user(o.By, ref+": outcome by")
			c.Report = o.Report
		}
		if c.Named, err = s.caseNamed(e.ID, ref); err != nil {
			return "", nil, err
		}
		for _, r := range e.Records {
			c.Records = append(c.Records, s.record(ref, r))
		}
		if c.Attachments, err = s.subjectFiles(`a.escalation_id = $1`, e.ID, true); err != nil {
			return "", nil, err
		}
		rows, err := tx.QueryContext(ctx, `SELECT at, action, object FROM audit_events WHERE object = $1 ORDER BY seq`, "escalation:"+ref)
		if err != nil {
			return "", nil, err
		}
		for rows.Next() {
			var a escalate.SubjectAction
			if err := rows.Scan(scanTime(&a.At), &a.Action, &a.Object); err != nil {
				rows.Close()
				return "", nil, err
			}
			a.Title = escalate.EventTitle(a.Action)
			c.Events = append(c.Events, a)
		}
		rows.Close()
		s.x.Cases = append(s.x.Cases, c)
	}
	// The object names the partnership, never the child: their reference
	// is in the event's erasable content.
	return fmt.Sprintf("partnership:%d", s.partnership), refs, nil
}

// strings runs a query for one text column.
func (s *subjectRun) strings(query string, args ...any) ([]string, error) {
	rows, err := s.tx.QueryContext(s.tx.ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// extraFirst scans extra columns before those a scanner expects.
type extraFirst struct {
	r     rowScanner
	extra []any
}

func (s extraFirst) Scan(dest ...any) error { return s.r.Scan(append(s.extra, dest...)...) }
