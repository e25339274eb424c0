// Package errs is Bifrost's one error type: a kind that implies the HTTP
// status, a stable code clients can match on, a message safe to show, field
// errors for validation, and the wrapped cause, which is logged and never
// shown. It imports nothing from Bifrost.
package errs

import (
	"errors"
	"fmt"
	"net/http"
	"time"
)

// Kind classifies an error; each kind maps to one HTTP status.
type Kind int

// The kinds, with their HTTP status.
const (
	KindInternal         Kind = iota // 500
	KindMalformed                    // 400: the request cannot be read (bad JSON, bad query syntax)
	KindInvalid                      // 422: the request is readable but its values break the rules
	KindUnauthenticated              // 401
	KindForbidden                    // 403
	KindNotFound                     // 404
	KindMethodNotAllowed             // 405
	KindConflict                     // 409
	KindTooLarge                     // 413
	KindUnsupportedMedia             // 415
	KindRateLimited                  // 429
	KindUnavailable                  // 503
	KindBadGateway                   // 502: a service Bifrost called (an OAuth provider) failed
)

// Status returns the HTTP status of the kind.
func (k Kind) Status() int {
	switch k {
	case KindMalformed:
		return http.StatusBadRequest
	case KindInvalid:
		return http.StatusUnprocessableEntity
	case KindUnauthenticated:
		return http.StatusUnauthorized
	case KindForbidden:
		return http.StatusForbidden
	case KindNotFound:
		return http.StatusNotFound
	case KindMethodNotAllowed:
		return http.StatusMethodNotAllowed
	case KindConflict:
		return http.StatusConflict
	case KindTooLarge:
		return http.StatusRequestEntityTooLarge
	case KindUnsupportedMedia:
		return http.StatusUnsupportedMediaType
	case KindRateLimited:
		return http.StatusTooManyRequests
	case KindUnavailable:
		return http.StatusServiceUnavailable
	case KindBadGateway:
		return http.StatusBadGateway
	default:
		return http.StatusInternalServerError
	}
}

// FieldError is one invalid field of a request.
type FieldError struct {
	// Field is the JSON path of the field ("email", "fields[2].name").
	Field string `json:"field"`
	// Code is a stable machine-readable reason ("required", "too_long").
	Code string `json:"code"`
	// Message is a human-readable explanation.
	Message string `json:"message"`
}

// Error is the error type every layer returns for expected failures.
type Error struct {
	Kind Kind
	// Code is stable and namespaced by module: "forms.not_found".
	Code string
	// Message is safe to show to the client.
	Message string
	// Fields lists invalid fields for KindInvalid.
	Fields []FieldError
	// RetryAfter is sent as the Retry-After header for KindRateLimited and
	// KindUnavailable when positive.
	RetryAfter time.Duration
	// Cause is logged, never shown.
	Cause error
}

func (e *Error) Error() string {
	msg := e.Code + ": " + e.Message
	if e.Cause != nil {
		msg += ": " + e.Cause.Error()
	}
	return msg
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Cause }

// StatusCode returns the HTTP status of the error's kind.
func (e *Error) StatusCode() int { return e.Kind.Status() }

// WithCause returns a copy of e with cause attached.
func (e *Error) WithCause(cause error) *Error {
	c := *e
	c.Cause = cause
	return &c
}

// WithFields returns a copy of e with field errors attached.
func (e *Error) WithFields(fields ...FieldError) *Error {
	c := *e
	c.Fields = append(append([]FieldError(nil), e.Fields...), fields...)
	return &c
}

// Is lets errors.Is match by code, so sentinel values can be compared with
// errors carrying causes or fields.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Code == e.Code && t.Kind == e.Kind
}

// New returns an error of the given kind.
func New(kind Kind, code, message string) *Error {
	return &Error{Kind: kind, Code: code, Message: message}
}

// Newf returns an error of the given kind with a formatted message.
func Newf(kind Kind, code, format string, args ...any) *Error {
	return &Error{Kind: kind, Code: code, Message: fmt.Sprintf(format, args...)}
}

// Invalid returns a validation error listing the fields at fault.
func Invalid(code, message string, fields ...FieldError) *Error {
	return &Error{Kind: KindInvalid, Code: code, Message: message, Fields: fields}
}

// NotFound returns a not-found error.
func NotFound(code, message string) *Error { return New(KindNotFound, code, message) }

// Conflict returns a conflict error.
func Conflict(code, message string) *Error { return New(KindConflict, code, message) }

// Forbidden returns a forbidden error.
func Forbidden(code, message string) *Error { return New(KindForbidden, code, message) }

// Unauthenticated returns an error for a missing or bad credential.
func Unauthenticated(code, message string) *Error {
	return New(KindUnauthenticated, code, message)
}

// Malformed returns an error for a request that cannot be read.
func Malformed(code, message string) *Error { return New(KindMalformed, code, message) }

// Unavailable returns an error for a dependency that is down.
func Unavailable(code, message string) *Error { return New(KindUnavailable, code, message) }

// RateLimited returns a rate-limit error that asks the client to wait.
func RateLimited(code, message string, retryAfter time.Duration) *Error {
	return &Error{Kind: KindRateLimited, Code: code, Message: message, RetryAfter: retryAfter}
}

// Internal wraps an unexpected error; the client sees a generic message.
func Internal(cause error) *Error {
	return &Error{Kind: KindInternal, Code: "internal", Message: "An internal error occurred.", Cause: cause}
}

// As returns the *Error in err's chain, if any.
func As(err error) (*Error, bool) {
	var e *Error
	if errors.As(err, &e) {
		return e, true
	}
	return nil, false
}

// KindOf returns the kind of err: the kind of its *Error, or KindInternal.
func KindOf(err error) Kind {
	if e, ok := As(err); ok {
		return e.Kind
	}
	return KindInternal
}

// IsNotFound reports whether err is a not-found error.
func IsNotFound(err error) bool { return KindOf(err) == KindNotFound }

// IsConflict reports whether err is a conflict error.
func IsConflict(err error) bool { return KindOf(err) == KindConflict }
