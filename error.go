package escalate

import (
	"errors"
	"fmt"
)

// Application error codes. They are the only codes the outside world sees; each
// maps to one HTTP status and one CLI exit code.
const (
	ECONFLICT     = "conflict"
	EINTERNAL     = "internal"
	EINVALID      = "invalid"
	ENOTFOUND     = "not_found"
	EUNAUTHORIZED = "unauthorized"
	EFORBIDDEN    = "forbidden"
	// EUNAVAILABLE is a passing condition of the service, not of the
	// request: the database's disk is full, say. Trying again later may
	// work; HTTP 503.
	EUNAVAILABLE = "unavailable"
)

// Error is an application error: a code, a message fit to show a user and,
// for EINVALID, the field that is wrong.
type Error struct {
	Code    string
	Message string
	Field   string
}

// Error implements the error interface.
func (e *Error) Error() string {
	if e.Field != "" {
		return fmt.Sprintf("escalate error: code=%s field=%s message=%s", e.Code, e.Field, e.Message)
	}
	return fmt.Sprintf("escalate error: code=%s message=%s", e.Code, e.Message)
}

// Errorf returns an Error with the given code and formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// FieldErrorf returns an EINVALID error that names the offending field.
func FieldErrorf(field, format string, args ...any) *Error {
	return &Error{Code: EINVALID, Field: field, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of the application error in err's chain,
// EINTERNAL for any other non-nil error, and "" for nil.
func ErrorCode(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the user-facing message of the application error in
// err's chain, or a generic message for internal errors.
func ErrorMessage(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Message
	}
	return "Internal error."
}

// ErrorField returns the field named by the application error in err's chain.
func ErrorField(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Field
	}
	return ""
}

// SessionEnded is the error for a session that timed out, from idleness
// or its lifetime: it is EUNAUTHORIZED, and names whose session it was, so
// that a form they were sending can be kept for them (as a draft only they
// can read) until they sign in again.
type SessionEnded struct {
	UserID int64
	Idle   bool // ended by the idle timeout, not the lifetime
}

// Error implements the error interface.
func (e *SessionEnded) Error() string {
	return "escalate error: code=unauthorized message=session ended"
}

// Unwrap makes ErrorCode see EUNAUTHORIZED.
func (e *SessionEnded) Unwrap() error { return Errorf(EUNAUTHORIZED, "Sign in to continue.") }
