package client

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-log/tflogtest"

	"github.com/labelstudio-tf/terraform-provider-labelstudio/internal/testenv/fakeclock"
)

func TestMalformedSuccessResponses(t *testing.T) {
	for body, want := range map[string]string{
		`{"title":"no id"}`:              `GET /api/storages/s3/7: the response has no "id"`,
		`{"id":"seven"}`:                 `GET /api/storages/s3/7: the response's "id" is not a number`,
		`{"id":7,"last_sync_count":1.5}`: `GET /api/storages/s3/7: the response's "last_sync_count" is not an integer`,
		`[1,2]`:                          `GET /api/storages/s3/7: 200 response is not the expected JSON (application/json): the body is a JSON array`,
	} {
		srv := newFakeServer(t, func(w http.ResponseWriter, r *http.Request) { writeJSON(w, http.StatusOK, body) })
		c, _ := newTestClient(t, srv.URL, "key")
		if _, err := c.GetStorage(context.Background(), testRef); err == nil || err.Error() != want {
			t.Errorf("body %s: error = %v, want %q", body, err, want)
		}
	}
}

func TestRetryHonorsRetryAfter(t *testing.T) {
	handler, calls := sequenceHandler(
		status(http.StatusTooManyRequests, "Retry-After", "7"),
		status(http.StatusTooManyRequests, "Retry-After", "Fri, 02 Jan 2026 03:04:15 GMT"),
	)
	srv := newFakeServer(t, handler)
	c, clock := newTestClient(t, srv.URL, "key")

	if _, err := c.GetStorage(context.Background(), testRef); err != nil {
		t.Fatal(err)
	}
	if calls() != 3 {
		t.Errorf("%d attempts, want 3", calls())
	}
	// 7 s from the header; then the date, 10 s after the clock's start, is
	// 3 s after the clock reached 03:04:12.
	if want := []time.Duration{7 * time.Second, 3 * time.Second}; !reflect.DeepEqual(clock.Sleeps(), want) {
		t.Errorf("waits = %v, want %v", clock.Sleeps(), want)
	}
}

func TestRetryBacksOffExponentially(t *testing.T) {
	handler, calls := sequenceHandler(
		status(http.StatusServiceUnavailable),
		status(http.StatusBadGateway),
		status(http.StatusGatewayTimeout),
		status(http.StatusInternalServerError), // a proxy's 500, not Label Studio's
	)
	srv := newFakeServer(t, handler)
	c, clock := newTestClient(t, srv.URL, "key", func(cfg *Config) { cfg.MaxRetries = 4 })

	if err := c.ValidateStorage(context.Background(), "s3", Import, map[string]any{"bucket": "b"}); err != nil {
		t.Fatal(err)
	}
	if calls() != 5 {
		t.Errorf("%d attempts, want 5", calls())
	}
	want := []time.Duration{250 * time.Millisecond, 500 * time.Millisecond, time.Second, 2 * time.Second}
	if !reflect.DeepEqual(clock.Sleeps(), want) {
		t.Errorf("waits = %v, want %v", clock.Sleeps(), want)
	}
}

func TestBackoffIsCappedWithJitter(t *testing.T) {
	c, _ := newTestClient(t, "http://127.0.0.1:1", "key")
	c.jitter = func(time.Duration) time.Duration { return 0 }
	if got := c.backoff(1); got != 125*time.Millisecond {
		t.Errorf("backoff(1) without jitter = %v, want 125ms", got)
	}
	if got := c.backoff(40); got != 4*time.Second {
		t.Errorf("backoff(40) without jitter = %v, want 4s (half the cap)", got)
	}
	c.jitter = randomJitter
	for attempt := 1; attempt < 10; attempt++ {
		if got := c.backoff(attempt); got > retryMaxWait || got <= 0 {
			t.Errorf("backoff(%d) = %v, outside (0, %v]", attempt, got, retryMaxWait)
		}
	}
}

func TestRetriesExhausted(t *testing.T) {
	responses := make([]func(http.ResponseWriter), 4) // more failures than retries
	for i := range responses {
		responses[i] = status(http.StatusServiceUnavailable)
	}
	handler, calls := sequenceHandler(responses...)
	srv := newFakeServer(t, handler)
	c, _ := newTestClient(t, srv.URL, "key", func(cfg *Config) { cfg.MaxRetries = 2 })

	_, err := c.UpdateStorage(context.Background(), testRef, map[string]any{"prefix": "p"})
	if !errors.Is(err, ErrServer) || err.Error() != "PATCH /api/storages/s3/7: 503 Service Unavailable (non-JSON response: text/html) (after 3 attempts)" {
		t.Fatalf("error = %v", err)
	}
	if calls() != 3 {
		t.Errorf("%d attempts, want 3 (one plus two retries)", calls())
	}
}

func TestNoRetryForCreateSyncAndApplicationErrors(t *testing.T) {
	for _, tc := range []struct {
		name  string
		first func(w http.ResponseWriter)
		run   func(c *Client) error
		is    error
	}{
		{"create storage on 503", status(503), func(c *Client) error {
			_, err := c.CreateStorage(context.Background(), "s3", Import, map[string]any{})
			return err
		}, ErrServer},
		{"create project on 504", status(504), func(c *Client) error {
			_, err := c.CreateProject(context.Background(), map[string]any{})
			return err
		}, ErrServer},
		{"sync on 502", status(502), func(c *Client) error {
			_, err := c.SyncStorage(context.Background(), testRef)
			return err
		}, ErrServer},
		{"read on a 500 envelope", jsonStatus(500, envelope(500, "Connection refused", "")), func(c *Client) error {
			_, err := c.GetStorage(context.Background(), testRef)
			return err
		}, ErrServer},
		{"validate on 400", jsonStatus(400, envelope(400, "Validation error", `{"non_field_errors":["bad"]}`)), func(c *Client) error {
			return c.ValidateStorage(context.Background(), "s3", Import, map[string]any{})
		}, ErrValidation},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, clock, calls := sequenceClient(t, tc.first)
			if err := tc.run(c); !errors.Is(err, tc.is) {
				t.Fatalf("error = %v, want %v", err, tc.is)
			}
			if calls() != 1 || len(clock.Sleeps()) != 0 {
				t.Errorf("%d attempts and waits %v, want 1 attempt and none", calls(), clock.Sleeps())
			}
		})
	}
}

func TestGiveUpWhenWaitPassesDeadline(t *testing.T) {
	c, clock, calls := sequenceClient(t, status(http.StatusTooManyRequests, "Retry-After", "600"))
	c.now = time.Now // the deadline below is on the real clock

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	_, err := c.GetStorage(ctx, testRef)
	if !errors.Is(err, ErrRateLimited) {
		t.Fatalf("error = %v, want the 429 itself", err)
	}
	if calls() != 1 || len(clock.Sleeps()) != 0 {
		t.Errorf("%d attempts and waits %v, want 1 and none", calls(), clock.Sleeps())
	}
}

func TestOverlongRetryAfterIsNotWaitedFor(t *testing.T) {
	c, clock, calls := sequenceClient(t, status(http.StatusServiceUnavailable, "Retry-After", "3600"))
	if _, err := c.GetStorage(context.Background(), testRef); !errors.Is(err, ErrServer) {
		t.Fatalf("error = %v, want the 503", err)
	}
	if calls() != 1 || len(clock.Sleeps()) != 0 {
		t.Errorf("%d attempts and waits %v, want 1 and none", calls(), clock.Sleeps())
	}
}

func TestTransportErrors(t *testing.T) {
	t.Run("read is retried", func(t *testing.T) {
		c, clock, calls := sequenceClient(t, hangUp)
		if _, err := c.GetStorage(context.Background(), testRef); err != nil {
			t.Fatal(err)
		}
		if calls() != 2 || len(clock.Sleeps()) != 1 {
			t.Errorf("%d attempts and waits %v, want 2 and one", calls(), clock.Sleeps())
		}
	})
	t.Run("create is not", func(t *testing.T) {
		handler, calls := sequenceHandler(hangUp)
		srv := newFakeServer(t, handler)
		c, _ := newTestClient(t, srv.URL, "key")
		_, err := c.CreateStorage(context.Background(), "s3", Import, map[string]any{})
		if err == nil || !strings.Contains(err.Error(), "POST /api/storages/s3/: ") ||
			!strings.Contains(err.Error(), "the request may have reached the server") || !UnknownOutcome(err) {
			t.Fatalf("error = %v", err)
		}
		if strings.Contains(err.Error(), srv.URL) {
			t.Errorf("error shows the full URL: %v", err)
		}
		if calls() != 1 {
			t.Errorf("%d attempts, want 1", calls())
		}
	})
	t.Run("connection refused", func(t *testing.T) {
		srv := httptest.NewServer(http.NotFoundHandler())
		url := srv.URL
		srv.Close()
		c, clock := newTestClient(t, url, "key", func(cfg *Config) { cfg.MaxRetries = 2 })
		_, err := c.GetStorage(context.Background(), testRef)
		if err == nil || !strings.HasPrefix(err.Error(), "GET /api/storages/s3/7: ") {
			t.Fatalf("error = %v", err)
		}
		if len(clock.Sleeps()) != 2 {
			t.Errorf("waits %v, want two retries", clock.Sleeps())
		}
	})
}

func TestEachAttemptHasItsOwnTimeout(t *testing.T) {
	var mu sync.Mutex
	attempts := 0
	srv := newFakeServer(t, func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		attempts++
		first := attempts == 1
		mu.Unlock()
		if first {
			<-r.Context().Done() // hang until the client gives up on this attempt
			return
		}
		writeJSON(w, http.StatusOK, storageJSON)
	})
	c, _ := newTestClient(t, srv.URL, "key", func(cfg *Config) { cfg.RequestTimeout = 50 * time.Millisecond })
	if _, err := c.GetStorage(context.Background(), testRef); err != nil {
		t.Fatalf("second attempt should succeed: %v", err)
	}
	mu.Lock()
	defer mu.Unlock()
	if attempts != 2 {
		t.Errorf("%d attempts, want 2", attempts)
	}
}

func TestContextCancellation(t *testing.T) {
	t.Run("during a request", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		srv := newFakeServer(t, func(w http.ResponseWriter, r *http.Request) {
			cancel()
			<-r.Context().Done()
		})
		c, clock := newTestClient(t, srv.URL, "key")
		_, err := c.GetStorage(ctx, testRef)
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("error = %v, want context.Canceled", err)
		}
		if len(clock.Sleeps()) != 0 || len(srv.recorded()) != 1 {
			t.Errorf("retried after cancellation: waits %v, %d requests", clock.Sleeps(), len(srv.recorded()))
		}
	})
	t.Run("during a retry wait", func(t *testing.T) {
		c, _, calls := sequenceClient(t, status(503, "Retry-After", "60"))
		ctx, cancel := context.WithCancel(context.Background())
		var waited time.Duration
		c.sleep = func(ctx context.Context, d time.Duration) error {
			waited = d
			cancel()
			return sleepContext(ctx, d) // returns at once: ctx is done
		}
		_, err := c.GetStorage(ctx, testRef)
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("error = %v, want context.Canceled", err)
		}
		if waited != time.Minute || calls() != 1 {
			t.Errorf("waited %v with %d attempts, want 1m and 1", waited, calls())
		}
	})
}

// TestSecretsNeverLeak runs a PAT session that creates a storage with a
// secret, fails a validation and fails a refresh, and checks that neither the
// keys nor the secret appear in the captured logs or any error string.
func TestSecretsNeverLeak(t *testing.T) {
	const secret = "SECRET-aws-key-Zx9"
	pat := makeJWT(t, map[string]any{"token_type": "refresh", "jti": "pat-Q7"})
	var clock *fakeclock.Clock
	srv := newPATServer(t, pat, func() *fakeclock.Clock { return clock })
	legacy := newFakeServer(t, func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 400, envelope(400, "Validation error", `{"non_field_errors":["Cannot find bucket b in S3"]}`))
	})

	var logs bytes.Buffer
	ctx := tflogtest.RootLogger(context.Background(), &logs)
	c, clk := newTestClient(t, srv.URL, pat)
	clock = clk
	body := map[string]any{"bucket": "b", "aws_secret_access_key": secret}

	var errs []error
	_, err := c.GetProject(ctx, 1)
	errs = append(errs, err)
	_, err = c.CreateStorage(ctx, "s3", Import, body) // answered by the PAT server's 200
	errs = append(errs, err)
	srv.setRejectAll()
	_, err = c.UpdateStorage(ctx, testRef, body)
	errs = append(errs, err)

	bad, _ := newTestClient(t, srv.URL, makeJWT(t, map[string]any{"token_type": "refresh", "jti": "other-pat"}))
	errs = append(errs, bad.CheckAuth(ctx))

	legacyClient, _ := newTestClient(t, legacy.URL, "legacy-key-0123456789abcdef")
	errs = append(errs, legacyClient.ValidateStorage(ctx, "s3", Import, body))

	srv.mu.Lock()
	access := srv.current
	srv.mu.Unlock()
	secrets := []string{secret, pat, access, "legacy-key-0123456789abcdef", "other-pat"}

	entries, err := tflogtest.MultilineJSONDecode(&logs)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) < 6 {
		t.Fatalf("only %d log entries: %s", len(entries), logs.String())
	}
	sawStatus := false
	for _, entry := range entries {
		if entry["@level"] != "debug" {
			t.Errorf("log entry at %v, want debug", entry["@level"])
		}
		if entry["status"] != nil && entry["method"] != nil && entry["path"] != nil && entry["duration_ms"] != nil {
			sawStatus = true
		}
	}
	if !sawStatus {
		t.Errorf("no entry logged method, path, status and duration: %s", logs.String())
	}
	for _, s := range secrets {
		if strings.Contains(logs.String(), s) {
			t.Errorf("the logs contain a secret (%.8s…)", s)
		}
		for _, e := range errs {
			if e != nil && strings.Contains(e.Error(), s) {
				t.Errorf("error %q contains a secret (%.8s…)", e, s)
			}
		}
	}
	if errs[2] == nil || errs[3] == nil || errs[4] == nil {
		t.Errorf("expected the last three calls to fail: %v", errs)
	}
}
