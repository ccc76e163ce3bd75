package escalate

import (
	"errors"
	"time"
)

// ETOOMANY is a code for a request the service will take later, not now:
// too many attempts from this client; wait, then try again (HTTP 429).
// EUNAVAILABLE (error.go) also covers a service too busy just now, for
// example with every password-hashing slot taken.
const ETOOMANY = "too_many_requests"

// RetryError is an application error that says how long to wait before
// trying again; the web answers it with a Retry-After header.
type RetryError struct {
	Err   *Error
	After time.Duration
}

// Error implements the error interface.
func (e *RetryError) Error() string { return e.Err.Error() }

// Unwrap lets ErrorCode and ErrorMessage find the application error.
func (e *RetryError) Unwrap() error { return e.Err }

// RetryErrorf returns a RetryError with the given code, wait and message.
func RetryErrorf(code string, after time.Duration, format string, args ...any) *RetryError {
	return &RetryError{Err: Errorf(code, format, args...), After: after}
}

// RetryAfter returns how long err says to wait, or 0.
func RetryAfter(err error) time.Duration {
	var e *RetryError
	if errors.As(err, &e) {
		return e.After
	}
	return 0
}
