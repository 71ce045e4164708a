package mlbackend

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"syscall"
	"testing"
	"time"
)

func call(t *testing.T, method, url, user, pass, body string) (int, string, http.Header) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if user != "" {
		req.SetBasicAuth(user, pass)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer func() { _ = resp.Body.Close() }()
	data, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(data), resp.Header
}

// label_studio_ml/api.py: health and setup answers, model_version from the model.
func TestProtocolAnswers(t *testing.T) {
	b := Start(t, Config{})
	status, body, _ := call(t, http.MethodGet, b.URL()+"/health", "", "", "")
	if status != http.StatusOK || !strings.Contains(body, `"status":"UP"`) {
		t.Errorf("health: %d %s", status, body)
	}
	status, body, _ = call(t, http.MethodPost, b.URL()+"/setup", "", "", `{"project":"3.1700000000","schema":"<View/>"}`)
	if status != http.StatusOK || !strings.Contains(body, `"model_version":"0.0.1"`) {
		t.Errorf("setup: %d %s", status, body)
	}
	b.SetModelVersion("v7")
	if _, body, _ = call(t, http.MethodPost, b.URL()+"/setup", "", "", `{"project":"3.1"}`); !strings.Contains(body, `"model_version":"v7"`) {
		t.Errorf("setup after SetModelVersion: %s", body)
	}
	if status, body, _ = call(t, http.MethodPost, b.URL()+"/webhook", "", "", `{"action":"PROJECT_UPDATED","project":{}}`); status != http.StatusOK || !strings.Contains(body, "Unknown event") {
		t.Errorf("webhook with a non-training action: %d %s", status, body)
	}
	if status, _, _ = call(t, http.MethodPost, b.URL()+"/webhook", "", "", `{"action":"START_TRAINING","project":{"id":1}}`); status != http.StatusCreated {
		t.Errorf("webhook START_TRAINING: %d", status)
	}
	if status, _, _ = call(t, http.MethodGet, b.URL()+"/setup", "", "", ""); status != http.StatusMethodNotAllowed {
		t.Errorf("GET /setup: %d", status)
	}
	setups := b.RequestsTo("/setup")
	if len(setups) != 3 || setups[0].JSON()["schema"] != "<View/>" || setups[0].Header.Get("Content-Type") != "application/json" {
		t.Errorf("recorded setup requests: %+v", setups)
	}
	b.Reset()
	if got := b.Requests(); len(got) != 0 {
		t.Errorf("after Reset: %d requests", len(got))
	}
}

// api.py check_auth: with BASIC_AUTH set every path refuses a missing or
// wrong password with 401 and a Basic challenge.
func TestBasicAuthRefusesWrongCredentials(t *testing.T) {
	b := Start(t, Config{BasicAuthUser: "model", BasicAuthPass: "s3cret"})
	for _, c := range []struct{ user, pass string }{{"", ""}, {"model", "wrong"}, {"other", "s3cret"}} {
		status, body, header := call(t, http.MethodGet, b.URL()+"/health", c.user, c.pass, "")
		if status != http.StatusUnauthorized || body != "Unauthorized" || !strings.HasPrefix(header.Get("WWW-Authenticate"), "Basic") {
			t.Errorf("%q/%q: %d %q %v", c.user, c.pass, status, body, header)
		}
	}
	if status, _, _ := call(t, http.MethodGet, b.URL()+"/no-such-path", "", "", ""); status != http.StatusUnauthorized {
		t.Errorf("unknown path without credentials: %d, want 401 before routing", status)
	}
	if status, _, _ := call(t, http.MethodGet, b.URL()+"/health", "model", "s3cret", ""); status != http.StatusOK {
		t.Errorf("right credentials: %d", status)
	}
}

func TestDownRefusesConnectionsAndUpRestores(t *testing.T) {
	b := Start(t, Config{})
	b.Down()
	resp, err := http.Get(b.URL() + "/health")
	if err == nil {
		_ = resp.Body.Close()
	}
	if !errors.Is(err, syscall.ECONNREFUSED) {
		t.Fatalf("down: %v, want connection refused", err)
	}
	if err := b.Up(); err != nil {
		t.Fatal(err)
	}
	if status, _, _ := call(t, http.MethodGet, b.URL()+"/health", "", "", ""); status != http.StatusOK {
		t.Errorf("up again: %d", status)
	}
}

func TestFailOnAndDelay(t *testing.T) {
	b := Start(t, Config{})
	b.FailOn("/setup")
	status, body, _ := call(t, http.MethodPost, b.URL()+"/setup", "", "", `{"project":"1.1"}`)
	var answer map[string]any
	_ = json.Unmarshal([]byte(body), &answer)
	if status != http.StatusInternalServerError || answer["status"] != float64(500) {
		t.Errorf("failing setup: %d %s", status, body)
	}
	if status, _, _ = call(t, http.MethodGet, b.URL()+"/health", "", "", ""); status != http.StatusOK {
		t.Errorf("health while setup fails: %d", status)
	}
	b.FailOn()
	b.SetDelay(time.Minute)
	ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, b.URL()+"/health", http.NoBody)
	resp, err := http.DefaultClient.Do(req)
	if err == nil {
		_ = resp.Body.Close()
	}
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("slow backend answered before the client's deadline: %v", err)
	}
}
