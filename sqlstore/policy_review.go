package sqlstore

import (
	"context"
	"fmt"
	"time"

	"github.com/escalate-project/escalate"
	"github.com/escalate-project/escalate/calendar"
)

// The kinds of policy review reminder (doc/notifications.md, "Policy review
// dates"): a month before the review date of the policy in force, and on
// it.
const (
	ReviewMonthBefore = "month-before"
	ReviewDue         = "due"
)

// reviewSubjects are the outbox subject keys of the two reminders.
var reviewSubjects = map[string]string{ReviewMonthBefore: "policy-review-soon", ReviewDue: "policy-review-due"}

// EnqueuePolicyReviews reminds each partnership's Business Managers of the
// review date of the policy in force: once from a month before it (the same
// day of the month before, or the month's last day), and once on the date
// itself, each judged on London's date at now. A pass that runs late (the
// service was down) still sends them, up to the review date for the first
// and up to a month after it for the second; a policy whose review date
// passed longer ago gets none (its policy page and lint already warn), so
// the built-in packs, all long past review, remind no one when loaded. A notice is written
// once per partnership, review date and kind, whichever scheduler gets there
// first (policy_review_notices' primary key), so publishing a new version
// with the same review date reminds no one again, and one with a new date
// starts afresh. With no Business Manager the administrators are told, so
// the reminder reaches someone. It returns the notices written.
func (db *DB) EnqueuePolicyReviews(ctx context.Context, now time.Time) ([]escalate.PolicyReviewNotice, error) {
	today := calendar.DateOf(now)
	var out []escalate.PolicyReviewNotice
	err := db.WithTx(ctx, func(tx *Tx) error {
		out = nil
		rows, err := tx.query(`SELECT id, policy_version_id FROM partnerships WHERE policy_version_id IS NOT NULL ORDER BY id`)
		if err != nil {
			return err
		}
		cs, err := scanIDPairs(rows) // partnership, its version
		if err != nil {
			return err
		}
		for _, c := range cs {
			partnership, version := c[0], c[1]
			pin, err := tx.pinnedPolicy(partnership, version)
			if err != nil {
				return err
			}
			kind, ok := reviewKind(pin.policy.ReviewDate, today)
			if !ok {
				continue
			}
			n, err := tx.writeReviewNotice(partnership, pin.policy, kind)
			if err != nil {
				return err
			}
			if n != nil {
				out = append(out, *n)
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("enqueue policy reviews: %w", err)
	}
	return out, nil
}

// reviewKind says which reminder a review date calls for on today, if any.
func reviewKind(reviewDate string, today calendar.Date) (string, bool) {
	review, err := calendar.ParseDate(reviewDate)
	if err != nil || review.String() != reviewDate {
		return "", false
	}
	switch {
	case !today.Before(addMonths(review, 1)):
		return "", false
	case !today.Before(review):
		return ReviewDue, true
	case !today.Before(addMonths(review, -1)):
		return ReviewMonthBefore, true
	}
	return "", false
}

// addMonths is the same day n months from d, or that month's last day when
// it is shorter (a month before 31 March is 28 or 29 February).
func addMonths(d calendar.Date, n int) calendar.Date {
	first := time.Date(d.Year, d.Month+time.Month(n), 1, 12, 0, 0, 0, time.UTC)
	last := time.Date(first.Year(), first.Month()+1, 0, 12, 0, 0, 0, time.UTC).Day()
	return calendar.NewDate(first.Year(), first.Month(), min(d.Day, last))
}

// writeReviewNotice records reminder kind for partnership's review date and
// writes its outbox rows, or does nothing (nil) when it was written before.
func (tx *Tx) writeReviewNotice(partnershipID int64, pol *escalate.Policy, kind string) (*escalate.PolicyReviewNotice, error) {
	res, err := tx.exec(`INSERT INTO policy_review_notices (partnership_id, review_date, kind, at) VALUES ($1, $2, $3, $4)
		ON CONFLICT (partnership_id, review_date, kind) DO NOTHING`, partnershipID, pol.ReviewDate, kind, timeArg(tx.now))
	if err != nil {
		return nil, fmt.Errorf("policy review notice: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return nil, err
	} else if n == 0 {
		return nil, nil
	}
	to, err := tx.roleHolders(partnershipID, escalate.RoleBusinessManager)
	if err != nil {
		return nil, err
	}
	if len(to) == 0 {
		if to, err = tx.roleHolders(partnershipID, escalate.RoleAdmin); err != nil {
			return nil, err
		}
	}
	body := jsonText(map[string]any{"object": "policy", "policy": pol.ID, "version": pol.Version,
		"review_date": pol.ReviewDate, "kind": kind, "link": "/policy/change"})
	for _, u := range to {
		if err := tx.insertOutbox("policy.review", 0, escalate.Recipient{User: u}, reviewSubjects[kind], body); err != nil {
			return nil, err
		}
	}
	return &escalate.PolicyReviewNotice{PartnershipID: partnershipID, ReviewDate: pol.ReviewDate, Kind: kind, Recipients: len(to)}, nil
}
