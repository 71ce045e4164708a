package client

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/labelstudio-tf/terraform-provider-labelstudio/internal/testenv/fakeclock"
)

func TestTokenTypeDetection(t *testing.T) {
	for _, tc := range []struct {
		name string
		key  string
		pat  bool
	}{
		{"refresh JWT", makeJWT(t, map[string]any{"token_type": "refresh", "exp": 4102444800}), true},
		{"access JWT", makeJWT(t, map[string]any{"token_type": "access"}), false},
		{"JWT without type", makeJWT(t, map[string]any{"user_id": 1}), false},
		{"legacy hex", "0123456789abcdef0123456789abcdef01234567", false},
		{"three parts, not JSON", "abc.def.ghi", false},
		{"four parts", makeJWT(t, map[string]any{"token_type": "refresh"}) + ".x", false},
	} {
		if got := isPersonalAccessToken(tc.key); got != tc.pat {
			t.Errorf("%s: isPersonalAccessToken = %v, want %v", tc.name, got, tc.pat)
		}
	}
}

// patServer issues access tokens that expire accessTTL after the fake
// clock's now, and accepts only the newest one.
type patServer struct {
	*fakeServer
	mu        sync.Mutex
	current   string
	issued    int
	rejectAll bool // answer 401 to every API call
}

func newPATServer(t *testing.T, pat string, clock func() *fakeclock.Clock) *patServer {
	t.Helper()
	ps := &patServer{}
	ps.fakeServer = newFakeServer(t, func(w http.ResponseWriter, r *http.Request) {
		ps.mu.Lock()
		defer ps.mu.Unlock()
		if r.URL.Path == refreshPath {
			var req struct{ Refresh string }
			_ = json.NewDecoder(r.Body).Decode(&req)
			if req.Refresh != pat {
				writeJSON(w, http.StatusUnauthorized, envelope(401, "Token is invalid or expired", ""))
				return
			}
			ps.issued++
			ps.current = makeJWT(t, map[string]any{
				"token_type": "access",
				"jti":        strconv.Itoa(ps.issued),
				"exp":        clock().Now().Add(5 * time.Minute).Unix(),
			})
			writeJSON(w, http.StatusOK, fmt.Sprintf(`{"access":%q}`, ps.current))
			return
		}
		if ps.rejectAll || r.Header.Get("Authorization") != "Bearer "+ps.current {
			w.Header().Set("WWW-Authenticate", "Token")
			writeJSON(w, http.StatusUnauthorized, envelope(401, "Authentication credentials were not provided.", ""))
			return
		}
		writeJSON(w, http.StatusOK, `{"id":1,"title":"p"}`)
	})
	return ps
}

func (ps *patServer) setRejectAll() {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	ps.rejectAll = true
}

func (ps *patServer) revoke() {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	ps.current = "revoked"
}

func TestPersonalAccessTokenRefresh(t *testing.T) {
	pat := makeJWT(t, map[string]any{"token_type": "refresh", "exp": 4102444800})
	var clock *fakeclock.Clock
	srv := newPATServer(t, pat, func() *fakeclock.Clock { return clock })
	c, clk := newTestClient(t, srv.URL, pat)
	clock = clk
	ctx := context.Background()

	for range 3 {
		if _, err := c.GetProject(ctx, 1); err != nil {
			t.Fatal(err)
		}
	}
	if n := srv.countPath(refreshPath); n != 1 {
		t.Fatalf("%d refreshes for three calls with a fresh token, want 1", n)
	}
	for _, r := range srv.recorded() {
		if r.Path == refreshPath {
			if r.Authorization != "" || r.Body != fmt.Sprintf(`{"refresh":%q}`, pat) {
				t.Errorf("refresh request = %+v", r)
			}
		} else if !strings.HasPrefix(r.Authorization, "Bearer ") {
			t.Errorf("API call sent %q, want a Bearer token", r.Authorization)
		}
	}

	// Within 30 s of expiry the token is replaced before it is used.
	clock.Advance(4*time.Minute + 31*time.Second)
	if _, err := c.GetProject(ctx, 1); err != nil {
		t.Fatal(err)
	}
	if n := srv.countPath(refreshPath); n != 2 {
		t.Fatalf("%d refreshes after the token neared expiry, want 2", n)
	}
	if n := srv.countPath("/api/projects/1/"); n != 4 {
		t.Errorf("%d project reads, want 4 (no 401 round trip)", n)
	}

	// A token the server stops accepting is refreshed once and the call
	// repeated, also for a create.
	srv.revoke()
	if _, err := c.CreateProject(ctx, map[string]any{"title": "abc"}); err != nil {
		t.Fatalf("create after revocation: %v", err)
	}
	if n := srv.countPath(refreshPath); n != 3 {
		t.Errorf("%d refreshes after a 401, want 3", n)
	}
	if n := srv.countPath("/api/projects/"); n != 2 {
		t.Errorf("create sent %d times, want 2 (rejected, then repeated)", n)
	}
}

func TestPersonalAccessToken401IsRefreshedOnlyOnce(t *testing.T) {
	pat := makeJWT(t, map[string]any{"token_type": "refresh"})
	var clock *fakeclock.Clock
	srv := newPATServer(t, pat, func() *fakeclock.Clock { return clock })
	srv.setRejectAll()
	c, clk := newTestClient(t, srv.URL, pat)
	clock = clk

	_, err := c.GetProject(context.Background(), 1)
	if !errors.Is(err, ErrUnauthorized) || !strings.Contains(err.Error(), "Authentication credentials were not provided.") {
		t.Fatalf("error = %v, want the server's 401", err)
	}
	if r, g := srv.countPath(refreshPath), srv.countPath("/api/projects/1/"); r != 2 || g != 2 {
		t.Errorf("%d refreshes and %d reads, want 2 and 2", r, g)
	}
	if len(clock.Sleeps()) != 0 {
		t.Errorf("401 waited %v; it is not a retryable status", clock.Sleeps())
	}
}

func TestPersonalAccessTokenRejected(t *testing.T) {
	pat := makeJWT(t, map[string]any{"token_type": "refresh"})
	var clock *fakeclock.Clock
	srv := newPATServer(t, "another-token", func() *fakeclock.Clock { return clock })
	c, clk := newTestClient(t, srv.URL, pat)
	clock = clk

	err := c.CheckAuth(context.Background())
	if !errors.Is(err, ErrUnauthorized) {
		t.Fatalf("error = %v, want ErrUnauthorized", err)
	}
	if want := "POST /api/token/refresh/: 401 Token is invalid or expired"; err.Error() != want {
		t.Errorf("error = %q, want %q", err, want)
	}
	if n := srv.countPath("/api/current-user/whoami"); n != 0 {
		t.Errorf("whoami called %d times without an access token", n)
	}
}

func TestRefreshIsSingleFlight(t *testing.T) {
	pat := makeJWT(t, map[string]any{"token_type": "refresh"})
	var clock *fakeclock.Clock
	srv := newPATServer(t, pat, func() *fakeclock.Clock { return clock })
	c, clk := newTestClient(t, srv.URL, pat)
	clock = clk

	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for range 8 {
		wg.Go(func() {
			_, err := c.GetProject(context.Background(), 1)
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if n := srv.countPath(refreshPath); n != 1 {
		t.Errorf("%d refreshes for 8 concurrent calls, want 1", n)
	}
}

func TestReplaceAt(t *testing.T) {
	issued := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name     string
		lifetime time.Duration
		want     time.Duration // after issued
	}{
		{"Label Studio's five minutes: 30 s before expiry", 5 * time.Minute, 4*time.Minute + 30*time.Second},
		{"a minute: halfway and the margin agree", time.Minute, 30 * time.Second},
		{"short-lived: halfway, so it is reused", 10 * time.Second, 5 * time.Second},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := replaceAt(issued, issued.Add(tc.lifetime)); !got.Equal(issued.Add(tc.want)) {
				t.Errorf("replaceAt = %v after issue, want %v", got.Sub(issued), tc.want)
			}
		})
	}
	if got := replaceAt(issued, time.Time{}); !got.IsZero() {
		t.Errorf("a token without exp is never replaced early; got %v", got)
	}
}
