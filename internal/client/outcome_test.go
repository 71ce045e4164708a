package client

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"
)

// TestRateLimitIsRetriedForEveryCall: a 429 means the server did nothing,
// so creates and sync starts are repeated after Retry-After too.
func TestRateLimitIsRetriedForEveryCall(t *testing.T) {
	for name, run := range map[string]func(c *Client) error{
		"create storage": func(c *Client) error {
			_, err := c.CreateStorage(context.Background(), "s3", Import, map[string]any{})
			return err
		},
		"create project": func(c *Client) error {
			_, err := c.CreateProject(context.Background(), map[string]any{})
			return err
		},
		"sync": func(c *Client) error {
			_, err := c.SyncStorage(context.Background(), testRef)
			return err
		},
		"read": func(c *Client) error {
			_, err := c.GetStorage(context.Background(), testRef)
			return err
		},
	} {
		t.Run(name, func(t *testing.T) {
			c, clock, calls := sequenceClient(t, status(http.StatusTooManyRequests, "Retry-After", "1"))
			if err := run(c); err != nil {
				t.Fatal(err)
			}
			if calls() != 2 || !reflect.DeepEqual(clock.Sleeps(), []time.Duration{time.Second}) {
				t.Errorf("%d attempts, waits %v; want 2 attempts after a 1s wait", calls(), clock.Sleeps())
			}
		})
	}
}

// TestRateLimitCountsInMaxRetries: the 429s of a create are bounded by
// MaxRetries and the error says what was requested and how often.
func TestRateLimitCountsInMaxRetries(t *testing.T) {
	srv := newFakeServer(t, func(w http.ResponseWriter, _ *http.Request) {
		status(http.StatusTooManyRequests, "Retry-After", "2")(w)
	})
	c, clock := newTestClient(t, srv.URL, "key", func(cfg *Config) { cfg.MaxRetries = 2 })
	_, err := c.CreateStorage(context.Background(), "localfiles", Import, map[string]any{})
	if !errors.Is(err, ErrRateLimited) || UnknownOutcome(err) {
		t.Fatalf("error = %v, want a 429 with a known outcome", err)
	}
	if want := "POST /api/storages/localfiles/: 429 Too Many Requests (non-JSON response: text/html) (after 3 attempts)"; err.Error() != want {
		t.Errorf("error\n got  %q\n want %q", err.Error(), want)
	}
	if len(clock.Sleeps()) != 2 {
		t.Errorf("waits %v, want two", clock.Sleeps())
	}
}

// TestRateLimitBoundedByTheOperation: a Retry-After past the caller's
// deadline ends the call at once with the 429.
func TestRateLimitBoundedByTheOperation(t *testing.T) {
	c, clock, calls := sequenceClient(t, status(http.StatusTooManyRequests, "Retry-After", "30"))
	c.now = time.Now
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := c.CreateProject(ctx, map[string]any{}); !errors.Is(err, ErrRateLimited) {
		t.Fatalf("error = %v, want the 429", err)
	}
	if calls() != 1 || len(clock.Sleeps()) != 0 {
		t.Errorf("%d attempts and waits %v, want 1 and none", calls(), clock.Sleeps())
	}
}

// Test503WithRetryAfter: idempotent calls wait as told; a create does not
// repeat a 503 (a proxy may have passed it on) and reports it unknown.
func Test503WithRetryAfter(t *testing.T) {
	c, clock, calls := sequenceClient(t, status(http.StatusServiceUnavailable, "Retry-After", "4"))
	if err := c.DeleteStorage(context.Background(), testRef); err != nil {
		t.Fatal(err)
	}
	if calls() != 2 || !reflect.DeepEqual(clock.Sleeps(), []time.Duration{4 * time.Second}) {
		t.Errorf("%d attempts, waits %v", calls(), clock.Sleeps())
	}

	c, _, calls = sequenceClient(t, status(http.StatusServiceUnavailable, "Retry-After", "4"))
	_, err := c.CreateStorage(context.Background(), "s3", Import, map[string]any{})
	if !UnknownOutcome(err) || calls() != 1 {
		t.Errorf("create on 503: %v after %d attempts, want one attempt and an unknown outcome", err, calls())
	}
}

func TestUnknownOutcome(t *testing.T) {
	for _, tc := range []struct {
		name    string
		respond func(w http.ResponseWriter)
		unknown bool
	}{
		{"connection closed after the request", hangUp, true},
		{"502", status(http.StatusBadGateway), true},
		{"503", status(http.StatusServiceUnavailable), true},
		{"504", status(http.StatusGatewayTimeout), true},
		{"a proxy's 500", status(http.StatusInternalServerError), true},
		{"Label Studio's 500", jsonStatus(500, envelope(500, "boom", "")), false},
		{"400", jsonStatus(400, envelope(400, "Validation error", `{"path":["bad"]}`)), false},
		{"403", jsonStatus(403, envelope(403, "no", "")), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, _, calls := sequenceClient(t, tc.respond)
			_, err := c.CreateStorage(context.Background(), "s3", Import, map[string]any{})
			if err == nil || UnknownOutcome(err) != tc.unknown {
				t.Fatalf("UnknownOutcome(%v) = %v, want %v", err, UnknownOutcome(err), tc.unknown)
			}
			if calls() != 1 {
				t.Errorf("%d attempts, want 1: a create is never repeated blindly", calls())
			}
		})
	}

	t.Run("request timeout", func(t *testing.T) {
		srv := newFakeServer(t, func(_ http.ResponseWriter, r *http.Request) { <-r.Context().Done() })
		c, _ := newTestClient(t, srv.URL, "key", func(cfg *Config) { cfg.RequestTimeout = 50 * time.Millisecond })
		_, err := c.CreateProject(context.Background(), map[string]any{})
		if !UnknownOutcome(err) || !errors.Is(err, ErrRequestTimeout) || errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("error = %v: want an unknown outcome from the request timeout, not the operation's deadline", err)
		}
		if !strings.Contains(err.Error(), "POST /api/projects/: ") || !strings.Contains(err.Error(), "50ms") {
			t.Errorf("error = %v, want method, path and the timeout", err)
		}
	})

	t.Run("never sent", func(t *testing.T) {
		srv := httptest.NewServer(http.NotFoundHandler())
		url := srv.URL
		srv.Close()
		c, clock := newTestClient(t, url, "key", func(cfg *Config) { cfg.MaxRetries = 2 })
		_, err := c.CreateStorage(context.Background(), "s3", Import, map[string]any{})
		if err == nil || UnknownOutcome(err) {
			t.Fatalf("error = %v: a refused connection is a known outcome", err)
		}
		// Nothing reached the server, so even a create is tried again.
		if len(clock.Sleeps()) != 2 || !strings.Contains(err.Error(), "(after 3 attempts)") {
			t.Errorf("waits %v, error %v; want two retries, counted", clock.Sleeps(), err)
		}
	})
}

// TestInterruptedCreateFinishes: a create whose context is cancelled while
// its request is in flight still returns what the server made; a new
// request is not started on a cancelled context.
func TestInterruptedCreateFinishes(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	srv := newFakeServer(t, func(w http.ResponseWriter, r *http.Request) {
		cancel()
		time.Sleep(50 * time.Millisecond)
		writeJSON(w, http.StatusCreated, storageJSON)
	})
	c, _ := newTestClient(t, srv.URL, "key")
	st, err := c.CreateStorage(ctx, "s3", Import, map[string]any{})
	if err != nil || st.ID != 7 {
		t.Fatalf("interrupted create = %v, %v; want the created storage", st, err)
	}
	_, err = c.CreateStorage(ctx, "s3", Import, map[string]any{})
	if !errors.Is(err, context.Canceled) || UnknownOutcome(err) || len(srv.recorded()) != 1 {
		t.Errorf("create on a cancelled context: %v, %d requests; want Canceled and no request", err, len(srv.recorded()))
	}
}

func TestServerTimeFollowsDateHeader(t *testing.T) {
	serverNow := time.Date(2030, 5, 6, 7, 8, 9, 0, time.UTC)
	srv := newFakeServer(t, func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Date", serverNow.Format(http.TimeFormat))
		writeJSON(w, http.StatusOK, storageJSON)
	})
	c, clock := newTestClient(t, srv.URL, "key")
	if _, err := c.GetStorage(context.Background(), testRef); err != nil {
		t.Fatal(err)
	}
	clock.Advance(time.Minute)
	got := c.ServerTime()
	if want := serverNow.Add(time.Minute + 500*time.Millisecond); !got.Equal(want) {
		t.Errorf("ServerTime() = %v, want %v", got, want)
	}
}
