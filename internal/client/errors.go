package client

import "errors"

// Sentinel errors; an *APIError matches the one for its status code with
// errors.Is, so callers never compare status codes themselves.
var (
	ErrNotFound     = errors.New("not found")
	ErrUnauthorized = errors.New("unauthorized")
	ErrForbidden    = errors.New("forbidden")
	ErrValidation   = errors.New("validation error")
	ErrRateLimited  = errors.New("rate limited")
	ErrServer       = errors.New("server error")
)

// APIError is an error response from Label Studio, parsed from its error
// envelope ({"id","status_code","version","detail","exc_info",
// "validation_errors"}), from the plain {"message": …} body some views use, or
// (for non-JSON bodies such as Django's HTML 404 page) summarised without the
// body itself.
type APIError struct {
	StatusCode int
	Method     string
	Path       string // path only, never a query with secrets
	Detail     string
	// ValidationErrors maps a field name (or "non_field_errors") to messages.
	ValidationErrors map[string][]string
	// Message is the plain {"message": …} body (non-synchronizable sync).
	Message string
}

// Error is filled in by the client's owner; see the package contract.
func (e *APIError) Error() string { panic("not implemented") }
