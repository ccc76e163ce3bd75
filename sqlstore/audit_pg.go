package sqlstore

import (
	"fmt"
	"strconv"
	"strings"
)

// auditContent is what an audit event's commitment was made from, for
// audit_content, by the event's position in its chain.
type auditContent struct {
	chainSeq   int64
	salt, body []byte
}

// insertEventsWithContent writes, on PostgreSQL, the audit events of
// insert (a multi-row INSERT INTO audit_events with args) and their
// contents in one statement: audit_content is keyed by the seq the
// database gives each event, which the statement joins on by chain_seq,
// so the rows need no trip back to the instance. It runs while the
// chain's lock is held, so each round trip saved is time other writers of
// the partnership do not wait (doc/performance.md "Scale-out").
func (tx *Tx) insertEventsWithContent(insert string, args []any, contents []auditContent) error {
	var b strings.Builder
	b.WriteString(`WITH ev AS (`)
	b.WriteString(insert)
	b.WriteString(` RETURNING seq, chain_seq)
		INSERT INTO audit_content (seq, salt, content)
		SELECT ev.seq, c.salt, c.content FROM ev JOIN (VALUES `)
	n := len(args)
	for i, c := range contents {
		if i > 0 {
			b.WriteString(", ")
		}
		p := n + 3*i
		fmt.Fprintf(&b, "($%s::bigint, $%s::bytea, $%s::bytea)", strconv.Itoa(p+1), strconv.Itoa(p+2), strconv.Itoa(p+3))
		args = append(args, c.chainSeq, c.salt, c.body)
	}
	b.WriteString(`) AS c (chain_seq, salt, content) ON c.chain_seq = ev.chain_seq`)
	res, err := tx.exec(b.String(), args...)
	if err != nil {
		return err
	}
	if got, err := res.RowsAffected(); err != nil {
		return err
	} else if got != int64(len(contents)) {
		return fmt.Errorf("wrote %d audit contents, want %d", got, len(contents))
	}
	return nil
}
