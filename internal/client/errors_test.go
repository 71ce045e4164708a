package client

import (
	"errors"
	"fmt"
	"slices"
	"testing"
)

// The classes callers act on without knowing status codes: a refusal did
// nothing, an internal error may have done part of the work, and a gateway's
// answer (or no answer) says nothing of what the server did.
func TestErrorClasses(t *testing.T) {
	for status, want := range map[int][]error{
		400: {ErrRefused, ErrValidation},
		401: {ErrRefused, ErrUnauthorized},
		403: {ErrRefused, ErrForbidden},
		404: {ErrRefused, ErrNotFound},
		429: {ErrRefused, ErrRateLimited},
		500: {ErrInternal, ErrServer},
		502: {ErrServer},
		503: {ErrServer},
		504: {ErrServer},
	} {
		err := fmt.Errorf("wrapped: %w", &APIError{StatusCode: status})
		for _, class := range []error{ErrRefused, ErrInternal, ErrServer, ErrValidation, ErrUnauthorized, ErrForbidden, ErrNotFound, ErrRateLimited} {
			if got, wanted := errors.Is(err, class), slices.Contains(want, class); got != wanted {
				t.Errorf("%d: errors.Is(err, %v) = %v, want %v", status, class, got, wanted)
			}
		}
	}
	if reqErr := (&RequestError{Method: "POST", Path: "/api/storages/s3/1/sync", Err: ErrRequestTimeout}); errors.Is(reqErr, ErrRefused) || errors.Is(reqErr, ErrInternal) {
		t.Errorf("a request without an answer is neither refused nor an internal error")
	}
}
