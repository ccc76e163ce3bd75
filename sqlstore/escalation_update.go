package sqlstore

import (
	"strconv"
	"strings"

	"github.com/escalate-project/escalate"
)

// A change rewrites the escalation's row, but most changes (a record, an
// approval) leave the columns its indexes hold as they were. SQLite
// rewrites an index entry whenever the UPDATE sets a column of that index
// (or of its WHERE), even to the same value: each is one more page in the
// commit. So updateEscalation sets an indexed column only when its value
// changed. The texts are fixed (one per subset of the indexed columns), so
// the statement cache stays bounded.

// escalationCols are the columns updateEscalation writes, in order; the
// first escalationIndexed of them are held by an index of escalations (as
// key or in a partial index's WHERE).
var escalationCols = []string{
	"status", "next_due", "outcome_at", "outcome_by", "immediate_by",
	"risk_level", "stage", "outcome_kind", "outcome_text", "outcome_outstanding", "outcome_redirect_to",
	"outcome_reason", "outcome_confirmed_at", "immediate_action", "immediate_at",
	"version", "updated", "outcome_decision", "outcome_report",
}

const escalationIndexed = 5

// escalationUpdates holds the UPDATE text for each subset of the indexed
// columns (bit i set: escalationCols[i] is written).
var escalationUpdates = func() (out [1 << escalationIndexed]string) {
	for mask := range out {
		var b strings.Builder
		b.WriteString("UPDATE escalations SET ")
		n := 0
		for i, c := range escalationCols {
			if i < escalationIndexed && mask&(1<<i) == 0 {
				continue
			}
			if n > 0 {
				b.WriteString(", ")
			}
			n++
			b.WriteString(c + " = $" + strconv.Itoa(n))
		}
		b.WriteString(" WHERE id = $" + strconv.Itoa(n+1) + " AND version = $" + strconv.Itoa(n+2))
		out[mask] = b.String()
	}
	return out
}()

// escalationValues returns e's values of escalationCols, in order.
func escalationValues(e *escalate.Escalation) []any {
	var o escalate.Outcome
	kind := any(nil)
	if e.Outcome != nil {
		o, kind = *e.Outcome, e.Outcome.Kind
	}
	return []any{
		string(e.Status), nextDue(e), nullTime(o.At), nullInt(o.By), immBy(e),
		string(e.RiskLevel), e.Stage, kind, o.Text, o.OutstandingIssues, o.RedirectTo,
		o.Reason, nullTime(o.ConfirmedAt), immAction(e), immAt(e),
		e.Version, timeArg(e.Updated), o.Decision, o.Report,
	}
}

// escalationUpdate returns the UPDATE that writes e over old (loaded at
// fromVersion) and its arguments: every column but the indexed ones whose
// value did not change.
func escalationUpdate(old, e *escalate.Escalation, fromVersion int) (string, []any) {
	vals := escalationValues(e)
	was := escalationValues(old)
	mask := 0
	args := make([]any, 0, len(vals)+2)
	for i, v := range vals {
		if i < escalationIndexed {
			if v == was[i] {
				continue
			}
			mask |= 1 << i
		}
		args = append(args, v)
	}
	return escalationUpdates[mask], append(args, e.ID, fromVersion)
}
