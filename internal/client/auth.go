package client

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"
)

// refreshPath is where a personal access token is exchanged for an access
// token.
const refreshPath = "/api/token/refresh/"

// refreshMargin is how long before its expiry an access token is replaced,
// so that it cannot expire while a request is on its way. Short-lived tokens
// are replaced halfway through their life instead (see replaceAt).
const refreshMargin = 30 * time.Second

// credentials produces the API key header. A legacy token is sent as
// is; a personal access token is exchanged for short-lived access tokens,
// refreshed by one caller at a time.
type credentials struct {
	apiKey string
	pat    bool

	// flight is a one-slot semaphore: whoever holds it refreshes while the
	// others wait (and can give up when their context ends, which a
	// sync.Mutex would not allow).
	flight chan struct{}

	mu      sync.Mutex // guards access and renewAt
	access  string
	renewAt time.Time // zero when the token carries no exp claim
}

func newCredentials(apiKey string) *credentials {
	return &credentials{
		apiKey: apiKey,
		pat:    isPersonalAccessToken(apiKey),
		flight: make(chan struct{}, 1),
	}
}

// isPersonalAccessToken tells a PAT from a legacy token the way the official
// SDK does: a JWT (three dot-separated parts whose header and payload decode
// as JSON) with token_type "refresh" is a PAT; anything else is legacy.
func isPersonalAccessToken(key string) bool {
	claims, ok := decodeJWTClaims(key)
	if !ok {
		return false
	}
	tokenType, _ := claims["token_type"].(string)
	return tokenType == "refresh"
}

// decodeJWTClaims reads a JWT's payload without verifying its signature: the
// client only needs token_type and exp, and the server verifies the rest.
func decodeJWTClaims(token string) (map[string]any, bool) {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return nil, false
	}
	var header map[string]any
	if err := decodeSegment(parts[0], &header); err != nil {
		return nil, false
	}
	var claims map[string]any
	if err := decodeSegment(parts[1], &claims); err != nil {
		return nil, false
	}
	return claims, true
}

func decodeSegment(segment string, out any) error {
	raw, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(segment, "="))
	if err != nil {
		return err
	}
	dec := json.NewDecoder(strings.NewReader(string(raw)))
	dec.UseNumber()
	return dec.Decode(out)
}

// jwtExpiry returns the exp claim of an access token, or the zero time.
func jwtExpiry(token string) time.Time {
	claims, ok := decodeJWTClaims(token)
	if !ok {
		return time.Time{}
	}
	exp, ok := claims["exp"].(json.Number)
	if !ok {
		return time.Time{}
	}
	seconds, err := exp.Float64()
	if err != nil {
		return time.Time{}
	}
	return time.Unix(0, int64(seconds*float64(time.Second)))
}

// replaceAt is when an access token received at issued and expiring at exp
// should be replaced: refreshMargin before exp, or halfway through its life
// when that is shorter, so a token living under a minute is still reused.
func replaceAt(issued, exp time.Time) time.Time {
	if exp.IsZero() {
		return time.Time{}
	}
	margin := min(refreshMargin, exp.Sub(issued)/2)
	return exp.Add(-margin)
}

// authorization returns the value of the API key header (c.apiKeyHeader) and
// the access token it carries (empty for a legacy token). stale is an access
// token the server has just rejected: it is replaced even if it has not
// expired yet.
func (c *Client) authorization(ctx context.Context, stale string) (header, access string, err error) {
	creds := c.creds
	if !creds.pat {
		return c.keyHeaderValue("Token", creds.apiKey), "", nil
	}
	if access, ok := creds.current(c.now(), stale); ok {
		return c.keyHeaderValue("Bearer", access), access, nil
	}

	select {
	case creds.flight <- struct{}{}:
	case <-ctx.Done():
		return "", "", ctx.Err()
	}
	defer func() { <-creds.flight }()

	// Another caller may have refreshed while this one waited.
	if access, ok := creds.current(c.now(), stale); ok {
		return c.keyHeaderValue("Bearer", access), access, nil
	}
	access, err = c.refreshAccessToken(ctx)
	if err != nil {
		return "", "", err
	}
	creds.mu.Lock()
	creds.access = access
	creds.renewAt = replaceAt(c.now(), jwtExpiry(access))
	creds.mu.Unlock()
	return c.keyHeaderValue("Bearer", access), access, nil
}

// keyHeaderValue is a token as the API key header carries it: with its
// scheme in Authorization; bare in X-Api-Key, where Label Studio adds the
// scheme itself (Bearer for a JWT such as an access token, else Token).
func (c *Client) keyHeaderValue(scheme, token string) string {
	if c.apiKeyHeader == HeaderXAPIKey {
		return token
	}
	return scheme + " " + token
}

// current returns the cached access token if it is usable.
func (cr *credentials) current(now time.Time, stale string) (string, bool) {
	cr.mu.Lock()
	defer cr.mu.Unlock()
	if cr.access == "" || cr.access == stale {
		return "", false
	}
	if !cr.renewAt.IsZero() && !now.Before(cr.renewAt) {
		return "", false
	}
	return cr.access, true
}

// refreshAccessToken exchanges the PAT for an access token. A rejected PAT
// comes back as an *APIError matching ErrUnauthorized with the server's
// detail ("Token is invalid or expired").
func (c *Client) refreshAccessToken(ctx context.Context) (string, error) {
	var resp struct {
		Access string `json:"access"`
	}
	err := c.do(ctx, call{
		method:    http.MethodPost,
		path:      refreshPath,
		body:      map[string]string{"refresh": c.creds.apiKey},
		retryable: true, // issuing an access token has no side effect
		noAuth:    true,
	}, &resp)
	if err != nil {
		var apiErr *APIError
		if errors.As(err, &apiErr) {
			return "", err
		}
		return "", fmt.Errorf("refreshing the access token: %w", err)
	}
	if resp.Access == "" {
		return "", fmt.Errorf("%s %s: the response has no access token", http.MethodPost, refreshPath)
	}
	return resp.Access, nil
}
