package client

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// ErrRequestTimeout matches a call whose last attempt got no answer within
// Config.RequestTimeout. It is not context.DeadlineExceeded: that one means
// the caller's own deadline for the whole operation passed.
var ErrRequestTimeout = errors.New("no answer within the request timeout")

// RequestError is a call that ended without an HTTP answer to decode: a
// transport failure, a request timeout, or the caller's context ending. It
// says what was requested, how often, and whether the server may have acted
// on it.
type RequestError struct {
	Method   string
	Path     string
	Attempts int
	// Written records that the last attempt's request was written to the
	// connection, so the server may have acted on it.
	Written bool
	Err     error
}

func (e *RequestError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s: %v", e.Method, e.Path, e.Err)
	writeAttempts(&b, e.Attempts)
	if e.Written && e.Method == http.MethodPost {
		b.WriteString(" (the request may have reached the server)")
	}
	return b.String()
}

func (e *RequestError) Unwrap() error { return e.Err }

// UnknownOutcome reports whether a failed call may nevertheless have been
// carried out by the server: the request was written but no answer came
// (request timeout, connection reset or closed after the write), or a proxy
// answered 502, 503 or 504 in the server's stead. Callers that created
// something then look for it instead of repeating the request. A call the
// server refused (4xx, Label Studio's own 500) or that never left the client
// has a known outcome: nothing happened.
func UnknownOutcome(err error) bool {
	var apiErr *APIError
	if errors.As(err, &apiErr) {
		return apiErr.fromProxy()
	}
	var reqErr *RequestError
	return errors.As(err, &reqErr) && reqErr.Written
}

// fromProxy reports a 502, 503 or 504, or a 500 that is not Label Studio's
// own envelope: a gateway's answer, which says nothing of what the server
// did with the request.
func (e *APIError) fromProxy() bool {
	switch e.StatusCode {
	case http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return true
	case http.StatusInternalServerError:
		return !e.envelope
	}
	return false
}

// RequestTimeout is the bound of one HTTP attempt.
func (c *Client) RequestTimeout() time.Duration { return c.requestTimeout }

// ServerTime estimates the server's clock now, from the Date header of the
// most recent response (to the second; the local clock before any
// response). Comparing it with the server's created_at timestamps does not
// depend on the two clocks agreeing.
func (c *Client) ServerTime() time.Time {
	return c.now().Add(time.Duration(c.serverClockOffset.Load()))
}

// recordServerClock notes how far the server's clock is from ours.
func (c *Client) recordServerClock(header http.Header, received time.Time) {
	date, err := http.ParseTime(header.Get("Date"))
	if err != nil {
		return
	}
	// Date is truncated to the second: add half a second to be unbiased.
	c.serverClockOffset.Store(int64(date.Add(500 * time.Millisecond).Sub(received)))
}

// contextError wraps the caller's context error with what was requested.
func contextError(ctx context.Context, cl call, attempts int, written bool) error {
	return &RequestError{Method: cl.method, Path: cl.path, Attempts: attempts, Written: written, Err: ctx.Err()}
}

// FromLabelStudio reports that the error response was Label Studio's own
// error envelope, not the page of a proxy or gateway in front of it: a 401
// or 403 without it is a proxy's refusal, not a verdict on the API key.
func (e *APIError) FromLabelStudio() bool { return e.envelope }
