package testenv

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
)

// CreateAnnotation creates an annotation of a task through Label Studio's
// API (POST /api/tasks/{id}/annotations/, as the labeling UI does), which
// sends ANNOTATION_CREATED to the project's webhooks; it returns the
// annotation's id. result is the list of regions.
func (e *Env) CreateAnnotation(t testing.TB, taskID int64, result any) int64 {
	t.Helper()
	var out struct {
		ID int64 `json:"id"`
	}
	e.post(t, fmt.Sprintf("/api/tasks/%d/annotations/", taskID), map[string]any{"result": result}, http.StatusCreated, &out)
	return out.ID
}

// post sends an authenticated JSON POST and decodes the answer into out.
func (e *Env) post(t testing.TB, path string, body any, wantStatus int, out any) {
	t.Helper()
	data, err := json.Marshal(body)
	if err != nil {
		t.Fatalf("testenv: encode POST %s: %v", path, err)
	}
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, e.URL+path, bytes.NewReader(data))
	if err != nil {
		t.Fatalf("testenv: POST %s: %v", path, err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", e.authorization(t))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("testenv: POST %s: %v", path, err)
	}
	defer func() { _ = resp.Body.Close() }()
	answer, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("testenv: POST %s: read: %v", path, err)
	}
	if resp.StatusCode != wantStatus {
		t.Fatalf("testenv: POST %s: status %d, want %d: %s", path, resp.StatusCode, wantStatus, answer)
	}
	if out != nil {
		if err := json.Unmarshal(answer, out); err != nil {
			t.Fatalf("testenv: POST %s: decode %s: %v", path, answer, err)
		}
	}
}

// authorization is the Authorization header for the env's key: a legacy
// token as is, a personal access token (a JWT) exchanged for an access
// token first.
func (e *Env) authorization(t testing.TB) string {
	t.Helper()
	if strings.Count(e.APIKey, ".") != 2 {
		return "Token " + e.APIKey
	}
	data, _ := json.Marshal(map[string]string{"refresh": e.APIKey})
	resp, err := http.Post(e.URL+"/api/token/refresh/", "application/json", bytes.NewReader(data))
	if err != nil {
		t.Fatalf("testenv: refresh the access token: %v", err)
	}
	defer func() { _ = resp.Body.Close() }()
	var out struct {
		Access string `json:"access"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || resp.StatusCode != http.StatusOK || out.Access == "" {
		t.Fatalf("testenv: refresh the access token: status %d, %v", resp.StatusCode, err)
	}
	return "Bearer " + out.Access
}
