package client

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/terraform-plugin-log/tflog"
)

const (
	retryBaseWait = 250 * time.Millisecond
	retryMaxWait  = 8 * time.Second
	// maxRetryAfter bounds how long a Retry-After is honored; a server
	// asking for longer gets its error back instead of a hung apply.
	maxRetryAfter = 2 * time.Minute
	// maxResponseBytes bounds what is read from one response.
	maxResponseBytes = 64 << 20
)

// call is one logical API call, possibly made of several attempts.
type call struct {
	method string
	path   string     // escaped path, e.g. /api/storages/s3/5
	query  url.Values // only project, page and page_size; they are logged
	body   any        // marshaled as JSON; nil sends no body
	// retryable marks calls without side effects (GET, PATCH, DELETE,
	// validate): they are retried on 502-504, non-Label-Studio 500s and
	// transport errors. Every call is retried on 429 and on a transport
	// error before its request was written.
	retryable bool
	// noAuth sends no API key (the token refresh itself); the extra
	// headers go with it all the same.
	noAuth bool
	// finishInFlight lets an attempt already sent run to its answer (bounded
	// by the request timeout) when the caller's context is cancelled: creates,
	// whose result must not be lost to an interrupt.
	finishInFlight bool
}

// response is what one attempt produced.
type response struct {
	status int
	header http.Header
	body   []byte
}

// do runs c with retries and decodes a successful JSON body into out (when
// out is not nil).
func (c *Client) do(ctx context.Context, cl call, out any) error {
	resp, err := c.send(ctx, cl)
	if err != nil {
		return err
	}
	if out == nil || len(bytes.TrimSpace(resp.body)) == 0 {
		if out != nil {
			return fmt.Errorf("%s %s: %d with an empty body, expected JSON", cl.method, cl.path, resp.status)
		}
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(resp.body))
	dec.UseNumber()
	if err := dec.Decode(out); err != nil {
		// The body is not shown: it may be a proxy's page.
		return fmt.Errorf("%s %s: %d response is not the expected JSON (%s): %s",
			cl.method, cl.path, resp.status, mediaType(resp.header), jsonErrorKind(err))
	}
	return nil
}

// jsonErrorKind describes a decoding error without quoting the input.
func jsonErrorKind(err error) string {
	var typeErr *json.UnmarshalTypeError
	if errors.As(err, &typeErr) {
		if typeErr.Field == "" {
			return "the body is a JSON " + typeErr.Value
		}
		return fmt.Sprintf("field %q is an unexpected JSON %s", typeErr.Field, typeErr.Value)
	}
	return "malformed JSON"
}

// send makes the attempts of one call and returns the first 2xx response,
// or the error that ended the call.
func (c *Client) send(ctx context.Context, cl call) (*response, error) {
	var payload []byte
	if cl.body != nil {
		var err error
		if payload, err = json.Marshal(cl.body); err != nil {
			return nil, fmt.Errorf("%s %s: encoding the request: %w", cl.method, cl.path, err)
		}
	}

	var staleAccess string // an access token the server rejected
	refreshedOn401 := false
	attempts := 0 // requests sent, the repeat after a token refresh included
	for attempt := 1; ; attempt++ {
		// An ended context starts no new attempt, whatever the call.
		if ctx.Err() != nil {
			return nil, contextError(ctx, cl, attempts, false)
		}
		var authHeader, access string
		if !cl.noAuth {
			var err error
			if authHeader, access, err = c.authorization(ctx, staleAccess); err != nil {
				return nil, err
			}
		}

		attempts++
		resp, written, err := c.attempt(ctx, cl, payload, authHeader, attempt)
		if err != nil {
			if ctx.Err() != nil && !cl.finishInFlight {
				return nil, contextError(ctx, cl, attempts, written)
			}
			reqErr := &RequestError{Method: cl.method, Path: cl.path, Attempts: attempts, Written: written, Err: err}
			// A request that never reached the connection did nothing on
			// the server, so even a create may be sent again.
			if !cl.retryable && written {
				return nil, reqErr
			}
			if !c.waitBeforeRetry(ctx, cl, attempt, nil) {
				return nil, lastError(ctx, cl, reqErr)
			}
			continue
		}
		if resp.status >= 200 && resp.status < 300 {
			return resp, nil
		}

		apiErr := parseAPIError(resp.status, cl.method, cl.path, resp.header, resp.body)
		apiErr.redactSecrets(c.ownSecrets(access))
		apiErr.Attempts = attempts
		if resp.status == http.StatusUnauthorized && access != "" && !refreshedOn401 {
			// The access token was refused (revoked, or the clock is off):
			// refresh once and repeat. A 401 means nothing happened on the
			// server, so this is safe for creates too.
			refreshedOn401 = true
			staleAccess = access
			attempt--
			continue
		}
		if !retryableResponse(cl, apiErr) {
			return nil, apiErr
		}
		if !c.waitBeforeRetry(ctx, cl, attempt, resp.header) {
			return nil, lastError(ctx, cl, apiErr)
		}
	}
}

// lastError is the error a call ends with when it stops retrying: the
// context's error if it ended during the wait, else the last failure.
func lastError(ctx context.Context, cl call, last error) error {
	if ctx.Err() != nil {
		attempts := 0
		var apiErr *APIError
		var reqErr *RequestError
		switch {
		case errors.As(last, &apiErr):
			attempts = apiErr.Attempts
		case errors.As(last, &reqErr):
			attempts = reqErr.Attempts
		}
		return contextError(ctx, cl, attempts, false)
	}
	return last
}

// retryableResponse says whether a failed response is worth repeating. A
// 429 means the server did nothing, so every call repeats it, creates and
// syncs included. Calls without side effects also repeat 502-504 and 500s
// that are not Label Studio's own: a 500 in Label Studio's envelope is an
// application error (for example a storage connection failure) and would
// fail the same way again.
func retryableResponse(cl call, apiErr *APIError) bool {
	if apiErr.StatusCode == http.StatusTooManyRequests {
		return true
	}
	return cl.retryable && apiErr.fromProxy()
}

// waitBeforeRetry sleeps before the next attempt and reports whether there
// is one. It gives up when retries are used up, when the wait would run past
// the context's deadline, or when the context ends.
func (c *Client) waitBeforeRetry(ctx context.Context, cl call, attempt int, header http.Header) bool {
	if attempt > c.maxRetries {
		return false
	}
	wait := c.backoff(attempt)
	if header != nil {
		if retryAfter, ok := parseRetryAfter(header.Get("Retry-After"), c.now()); ok {
			if retryAfter > maxRetryAfter {
				return false
			}
			wait = retryAfter
		}
	}
	if deadline, ok := ctx.Deadline(); ok && c.now().Add(wait).After(deadline) {
		return false
	}
	tflog.Debug(ctx, "Label Studio API call will be retried", map[string]any{
		"method":  cl.method,
		"path":    cl.path,
		"attempt": attempt,
		"wait_ms": wait.Milliseconds(),
	})
	return c.sleep(ctx, wait) == nil
}

// backoff is the capped exponential wait before retry number attempt, with
// "equal jitter": half fixed, half random, so that retries from parallel
// resources spread out but never collapse to zero.
func (c *Client) backoff(attempt int) time.Duration {
	wait := retryMaxWait
	if attempt < 16 {
		wait = min(retryBaseWait<<(attempt-1), retryMaxWait)
	}
	half := wait / 2
	return half + c.jitter(half)
}

// parseRetryAfter reads Retry-After as seconds or as an HTTP date.
func parseRetryAfter(value string, now time.Time) (time.Duration, bool) {
	value = strings.TrimSpace(value)
	if value == "" {
		return 0, false
	}
	if seconds, err := strconv.Atoi(value); err == nil {
		if seconds < 0 {
			return 0, false
		}
		return time.Duration(seconds) * time.Second, true
	}
	when, err := http.ParseTime(value)
	if err != nil {
		return 0, false
	}
	return max(when.Sub(now), 0), true
}

// attempt makes one HTTP request bounded by RequestTimeout and reads the
// whole body before the attempt's context ends. written reports whether the
// request reached the connection (so the server may have acted on it).
// A call marked finishInFlight is not cut short when ctx is cancelled: the
// request timeout alone bounds it, so that an interrupted create still
// returns what the server made.
func (c *Client) attempt(ctx context.Context, cl call, payload []byte, authHeader string, attempt int) (_ *response, written bool, _ error) {
	parent := ctx
	if cl.finishInFlight {
		parent = context.WithoutCancel(ctx)
	}
	attemptCtx, cancel := context.WithTimeout(parent, c.requestTimeout)
	defer cancel()
	var wroteMu sync.Mutex
	attemptCtx = httptrace.WithClientTrace(attemptCtx, &httptrace.ClientTrace{
		WroteRequest: func(info httptrace.WroteRequestInfo) {
			wroteMu.Lock()
			defer wroteMu.Unlock()
			written = written || info.Err == nil
		},
	})
	wasWritten := func() bool {
		wroteMu.Lock()
		defer wroteMu.Unlock()
		return written
	}

	target := *c.baseURL
	target.Path = c.baseURL.Path + cl.path
	target.RawPath = c.baseURL.EscapedPath() + cl.path
	target.RawQuery = cl.query.Encode()

	var body io.Reader
	if payload != nil {
		body = bytes.NewReader(payload)
	}
	req, err := http.NewRequestWithContext(attemptCtx, cl.method, target.String(), body)
	if err != nil {
		return nil, false, err
	}
	for name, values := range c.extraHeaders {
		req.Header[name] = values
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", c.userAgent)
	if payload != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if authHeader != "" {
		req.Header.Set(c.apiKeyHeader, authHeader)
	}

	fields := map[string]any{"method": cl.method, "path": cl.path, "attempt": attempt}
	for _, key := range []string{"project", "page"} {
		if v := cl.query.Get(key); v != "" {
			fields[key] = v
		}
	}
	// timedOut tells the request timeout from the caller's context ending.
	timedOut := func(err error) error {
		if errors.Is(err, context.DeadlineExceeded) && parent.Err() == nil {
			return fmt.Errorf("%w (%s)", ErrRequestTimeout, c.requestTimeout)
		}
		return err
	}
	started := c.now()
	httpResp, err := c.httpClient.Do(req)
	if err != nil {
		fields["duration_ms"] = c.now().Sub(started).Milliseconds()
		fields["error"] = transportErrorKind(err)
		tflog.Debug(ctx, "Label Studio API request failed", fields)
		return nil, wasWritten(), timedOut(unwrapURLError(err))
	}
	defer func() { _ = httpResp.Body.Close() }()
	c.recordServerClock(httpResp.Header, c.now())
	data, err := io.ReadAll(io.LimitReader(httpResp.Body, maxResponseBytes+1))
	fields["status"] = httpResp.StatusCode
	fields["duration_ms"] = c.now().Sub(started).Milliseconds()
	tflog.Debug(ctx, "Label Studio API request", fields)
	if err != nil {
		return nil, true, fmt.Errorf("reading the response: %w", timedOut(unwrapURLError(err)))
	}
	if len(data) > maxResponseBytes {
		return nil, true, fmt.Errorf("the response is larger than %d bytes", maxResponseBytes)
	}
	return &response{status: httpResp.StatusCode, header: httpResp.Header, body: data}, true, nil
}

// unwrapURLError drops *url.Error's "METHOD URL:" prefix: the caller adds
// the path itself, and the full URL could carry credentials a user put in it.
func unwrapURLError(err error) error {
	var urlErr *url.Error
	if errors.As(err, &urlErr) {
		return urlErr.Err
	}
	return err
}

// transportErrorKind is a short, secret-free description for the log.
func transportErrorKind(err error) string {
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return "timeout"
	case errors.Is(err, context.Canceled):
		return "canceled"
	}
	return unwrapURLError(err).Error()
}

// sleepContext waits d or until ctx ends.
func sleepContext(ctx context.Context, d time.Duration) error {
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// randomJitter returns a random duration in [0, d].
func randomJitter(d time.Duration) time.Duration {
	if d <= 0 {
		return 0
	}
	return rand.N(d + 1)
}
