package sqlstore

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"unicode"

	"github.com/escalate-project/escalate"
)

// ContactColumns are the columns of a contacts CSV file, in the order the
// template gives them; a file may order them as it likes.
var ContactColumns = []string{"agency", "role", "name", "job_title", "phone", "email", "last_verified"}

// MaxImportRows bounds a contacts import, so that a wrong file fails fast.
const MaxImportRows = 5000

// maxImportProblems is how many bad rows an import reports before it stops
// reading.
const maxImportProblems = 50

// ImportContacts reads a contacts CSV file (header row of ContactColumns)
// and adds its rows to the partnership's directory in one transaction. A
// row with the same agency, role and name as a stored contact updates it.
// If any row is bad, nothing is imported: the error is EINVALID and the
// result lists each bad row by line.
func (db *DB) ImportContacts(ctx context.Context, partnershipID int64, r io.Reader) (*escalate.ContactImport, error) {
	res := &escalate.ContactImport{}
	err := db.WithTx(ctx, func(tx *Tx) error {
		pol, err := currentPolicy(ctx, tx, partnershipID)
		if err != nil {
			return err
		}
		agencies, err := tx.contactAgencies(partnershipID)
		if err != nil {
			return err
		}
		rows, probs := readContacts(r, partnershipID, agencies, pol, tx.contactToday())
		if len(probs) > 0 {
			res.Problems = probs
			return importFailed(len(probs))
		}
		for _, c := range rows {
			var id int64
			err := tx.QueryRowContext(ctx, `SELECT id FROM contacts WHERE partnership_id = $1 AND agency_id = $2
				AND role = $3 AND LOWER(name) = LOWER($4) ORDER BY id LIMIT 1`,
				partnershipID, c.AgencyID, string(c.Role), c.Name).Scan(&id)
			switch {
			case err == nil:
				c.ID = id
				if err := tx.updateContact(c); err != nil {
					return err
				}
				res.Updated++
			case notFound(WrapError(err)):
				if err := tx.insertContact(c); err != nil {
					return err
				}
				res.Added++
			default:
				return err
			}
		}
		return tx.AuditIn(partnershipID, Actor(ctx), "contact.import", fmt.Sprintf("partnership:%d", partnershipID),
			map[string]any{"added": res.Added, "updated": res.Updated})
	})
	if err != nil {
		res.Added, res.Updated = 0, 0
		return res, err
	}
	return res, nil
}

func importFailed(n int) error {
	if n == 1 {
		return escalate.FieldErrorf("file", "1 row of the file is wrong, so nothing was imported.")
	}
	return escalate.FieldErrorf("file", "%d rows of the file are wrong, so nothing was imported.", n)
}

// readContacts parses and checks every row, returning the contacts or the
// problems, each "line N: …".
func readContacts(r io.Reader, partnershipID int64, agencies []*escalate.Agency,
	pol *escalate.Policy, today string) ([]*escalate.Contact, []string) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1 // a short row gets a message naming its line
	cr.ReuseRecord = false
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, []string{"line 1: the file is empty: the first line must be the header " + strings.Join(ContactColumns, ",")}
	} else if err != nil {
		return nil, []string{csvProblem(err)}
	}
	col := map[string]int{}
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))) // Excel writes a BOM
		h = strings.ReplaceAll(strings.ReplaceAll(h, " ", "_"), "-", "_")
		if !slices.Contains(ContactColumns, h) {
			return nil, []string{fmt.Sprintf("line 1: column %q is not one of %s", h, strings.Join(ContactColumns, ", "))}
		}
		if _, dup := col[h]; dup {
			return nil, []string{fmt.Sprintf("line 1: column %q is given twice", h)}
		}
		col[h] = i
	}
	for _, c := range ContactColumns {
		if _, ok := col[c]; !ok {
			return nil, []string{fmt.Sprintf("line 1: column %q is missing: the header must be %s", c, strings.Join(ContactColumns, ","))}
		}
	}
	byName := map[string]*escalate.Agency{}
	for _, a := range agencies {
		byName[strings.ToLower(a.Name)] = a
	}
	var out []*escalate.Contact
	var probs []string
	for len(probs) < maxImportProblems {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		line, _ := cr.FieldPos(0)
		if err != nil {
			probs = append(probs, csvProblem(err))
			continue
		}
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue // a blank line
		}
		if len(out)+len(probs) >= MaxImportRows {
			probs = append(probs, fmt.Sprintf("line %d: the file has more than %d rows: split it", line, MaxImportRows))
			break
		}
		if len(rec) != len(header) {
			probs = append(probs, fmt.Sprintf("line %d: %d fields, but the header has %d", line, len(rec), len(header)))
			continue
		}
		get := func(name string) string { return strings.TrimSpace(rec[col[name]]) }
		a, ok := byName[strings.ToLower(get("agency"))]
		if !ok {
			if get("agency") == "" {
				probs = append(probs, fmt.Sprintf("line %d: agency is empty", line))
			} else {
				probs = append(probs, fmt.Sprintf("line %d: agency %q is not an agency of this partnership", line, get("agency")))
			}
			continue
		}
		c := &escalate.Contact{PartnershipID: partnershipID, AgencyID: a.ID, Role: escalate.Role(get("role")),
			Name: get("name"), JobTitle: get("job_title"), Phone: get("phone"), Email: get("email"),
			LastVerified: get("last_verified")}
		if err := checkContact(c, pol, today); err != nil {
			probs = append(probs, fmt.Sprintf("line %d: %s", line, contactLowerFirst(escalate.ErrorMessage(err))))
			continue
		}
		out = append(out, c)
	}
	if len(out) == 0 && len(probs) == 0 {
		probs = append(probs, "line 2: the file has a header but no contacts")
	}
	return out, probs
}

// csvProblem turns the csv package's error into "line N: …".
func csvProblem(err error) string {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return fmt.Sprintf("line %d: %v", pe.StartLine, pe.Err)
	}
	return err.Error()
}

func contactLowerFirst(s string) string {
	for i, r := range s {
		return string(unicode.ToLower(r)) + s[i+len(string(r)):]
	}
	return s
}

// contactAgencies returns the partnership's agencies as this transaction sees them.
func (tx *Tx) contactAgencies(partnershipID int64) ([]*escalate.Agency, error) {
	rows, err := tx.QueryContext(tx.ctx, `SELECT id, partnership_id, name, kind FROM agencies WHERE partnership_id = $1`, partnershipID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var as []*escalate.Agency
	for rows.Next() {
		var a escalate.Agency
		if err := rows.Scan(&a.ID, &a.PartnershipID, &a.Name, &a.Kind); err != nil {
			return nil, err
		}
		as = append(as, &a)
	}
	return as, rows.Err()
}
