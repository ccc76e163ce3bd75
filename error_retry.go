package escalate

import (
	"errors"
	"time"
)

// Codes for a request the service will take later, not now.
const (
	// ETOOMANY: too many attempts from this client; wait, then try again.
	ETOOMANY = "too_many_requests"
	// EUNAVAILABLE: the service is too busy just now (for example, every
	// password-hashing slot is taken); try again shortly.
	EUNAVAILABLE = "unavailable"
)

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
