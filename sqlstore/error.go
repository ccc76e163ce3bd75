package sqlstore

import (
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/escalate-project/escalate"
	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"
)

// SQLite extended result codes and PostgreSQL SQLSTATEs for the violations
// WrapError maps.
const (
	sqliteUnique     = 2067 // SQLITE_CONSTRAINT_UNIQUE
	sqlitePrimaryKey = 1555 // SQLITE_CONSTRAINT_PRIMARYKEY
	sqliteForeignKey = 787  // SQLITE_CONSTRAINT_FOREIGNKEY
	pgUnique         = "23505"
	pgForeignKey     = "23503"
)

// WrapError maps what the engines report into the domain's error codes, the
// same on both: a unique-key violation is ECONFLICT, a foreign-key violation
// EINVALID and sql.ErrNoRows ENOTFOUND. An *escalate.Error passes unchanged;
// anything else is returned as it is and counts as EINTERNAL.
func WrapError(err error) error {
	if err == nil {
		return nil
	}
	var e *escalate.Error
	if errors.As(err, &e) {
		return err
	}
	if errors.Is(err, sql.ErrNoRows) {
		return escalate.Errorf(escalate.ENOTFOUND, "Not found.")
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() {
		case sqliteUnique, sqlitePrimaryKey:
			return conflict(sqliteColumns(se.Error()))
		case sqliteForeignKey:
			return foreignKey()
		}
		return err
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch pe.Code {
		case pgUnique:
			return conflict(pgColumns(pe.Detail))
		case pgForeignKey:
			return foreignKey()
		}
	}
	return err
}

// conflict names the field of a unique violation when there is one. The
// message never quotes the value: it may be personal data.
func conflict(cols []string) error {
	if len(cols) == 0 {
		return escalate.Errorf(escalate.ECONFLICT, "That already exists.")
	}
	field := cols[len(cols)-1]
	return &escalate.Error{
		Code:    escalate.ECONFLICT,
		Field:   field,
		Message: "Another record already has this " + strings.ReplaceAll(field, "_", " ") + ".",
	}
}

// conflictMessage maps err with WrapError and gives a unique violation a
// message that says what already exists, in the caller's words.
func conflictMessage(err error, format string, args ...any) error {
	err = WrapError(err)
	var e *escalate.Error
	if errors.As(err, &e) && e.Code == escalate.ECONFLICT {
		return &escalate.Error{Code: e.Code, Field: e.Field, Message: fmt.Sprintf(format, args...)}
	}
	return err
}

func foreignKey() error {
	return escalate.Errorf(escalate.EINVALID, "It refers to something that does not exist.")
}

// sqliteColumns reads the columns from SQLite's "UNIQUE constraint failed:
// users.partnership_id, users.email" message, the only place it names them.
func sqliteColumns(msg string) []string {
	_, list, ok := strings.Cut(msg, "constraint failed: ")
	if !ok {
		return nil
	}
	list, _, _ = strings.Cut(list, " (")
	var cols []string
	for _, c := range strings.Split(list, ",") {
		c = strings.TrimSpace(c)
		if _, col, ok := strings.Cut(c, "."); ok {
			c = col
		}
		cols = append(cols, c)
	}
	return plainColumns(cols)
}

// pgColumns reads the columns from PostgreSQL's detail "Key (partnership_id,
// email)=(1, x) already exists."
func pgColumns(detail string) []string {
	rest, ok := strings.CutPrefix(detail, "Key (")
	if !ok {
		return nil
	}
	list, _, ok := strings.Cut(rest, ")=(")
	if !ok {
		return nil
	}
	cols := strings.Split(list, ",")
	for i := range cols {
		cols[i] = strings.TrimSpace(cols[i])
	}
	return plainColumns(cols)
}

// plainColumns returns cols if each is a plain column name, and nil when the
// index is over an expression, which the two engines report differently.
func plainColumns(cols []string) []string {
	for _, c := range cols {
		if c == "" || strings.Trim(c, "abcdefghijklmnopqrstuvwxyz0123456789_") != "" {
			return nil
		}
	}
	return cols
}
