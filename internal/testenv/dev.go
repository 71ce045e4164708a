package testenv

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"testing"
)

// DevClient drives the stand-in's /_dev/ test hooks.
type DevClient struct{ url string }

// Dev returns the hooks client; it skips on a real Label Studio, which has
// no hooks.
func (e *Env) Dev(t testing.TB) *DevClient {
	t.Helper()
	if e.Real {
		t.Skip("needs the stand-in's /_dev/ hooks; a real Label Studio has none")
	}
	return &DevClient{url: e.URL}
}

// Fault makes matching requests misbehave: Mode is "slow" (DelayMS, then
// served), "fail" (500), "throttle" (429 with RetryAfter seconds), "drop"
// (connection closed before the handler runs), "lose" (after DelayMS the
// handler runs, then the connection is closed without its answer) or "echo"
// (400 whose messages repeat the request body, secrets included); "hold"
// runs the handler at once and keeps its answer until ClearFaults (see
// Held). Path is a
// regular expression on the URL path; Count
// limits how many requests it hits (0: until cleared).
type Fault struct {
	Method     string `json:"method,omitempty"`
	Path       string `json:"path"`
	Mode       string `json:"mode"`
	DelayMS    int    `json:"delay_ms,omitempty"`
	RetryAfter int    `json:"retry_after,omitempty"`
	Count      int    `json:"count,omitempty"`
}

// do sends a hook request and decodes a JSON answer into out (when non-nil).
func (d *DevClient) do(t testing.TB, method, path string, body any, wantStatus int, out any) {
	t.Helper()
	var reader io.Reader
	if body != nil {
		data, err := json.Marshal(body)
		if err != nil {
			t.Fatalf("testenv: encode %s %s: %v", method, path, err)
		}
		reader = bytes.NewReader(data)
	}
	req, err := http.NewRequestWithContext(t.Context(), method, d.url+path, reader)
	if err != nil {
		t.Fatalf("testenv: %s %s: %v", method, path, err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("testenv: %s %s: %v", method, path, err)
	}
	defer func() { _ = resp.Body.Close() }()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("testenv: %s %s: read: %v", method, path, err)
	}
	if resp.StatusCode != wantStatus {
		t.Fatalf("testenv: %s %s: status %d, want %d: %s", method, path, resp.StatusCode, wantStatus, data)
	}
	if out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			t.Fatalf("testenv: %s %s: decode %s: %v", method, path, data, err)
		}
	}
}

// AddAnnotation adds an annotation with result (a list of regions) to a
// task and returns its id, so export syncs have something to write.
func (d *DevClient) AddAnnotation(t testing.TB, taskID int64, result any) int64 {
	t.Helper()
	var out struct {
		ID int64 `json:"id"`
	}
	d.do(t, http.MethodPost, fmt.Sprintf("/_dev/tasks/%d/annotations", taskID), map[string]any{"result": result}, http.StatusCreated, &out)
	return out.ID
}

// AddFault injects a fault.
func (d *DevClient) AddFault(t testing.TB, f Fault) {
	t.Helper()
	d.do(t, http.MethodPost, "/_dev/faults", f, http.StatusCreated, nil)
}

// ClearFaults removes every fault and sends the answers "hold" kept.
func (d *DevClient) ClearFaults(t testing.TB) {
	t.Helper()
	d.do(t, http.MethodDelete, "/_dev/faults", nil, http.StatusNoContent, nil)
}

// HoldAnswers makes matching requests run at once and keep their answers
// until ClearFaults, which the test's cleanup also calls so that no answer
// outlives it.
func (d *DevClient) HoldAnswers(t testing.TB, method, path string) {
	t.Helper()
	d.AddFault(t, Fault{Method: method, Path: path, Mode: "hold"})
	t.Cleanup(func() {
		// t.Context() is already cancelled here.
		req, err := http.NewRequestWithContext(context.Background(), http.MethodDelete, d.url+"/_dev/faults", http.NoBody)
		if err == nil {
			var resp *http.Response
			if resp, err = http.DefaultClient.Do(req); err == nil {
				_ = resp.Body.Close()
			}
		}
		if err != nil {
			t.Errorf("testenv: release the held answers: %v", err)
		}
	})
}

// Held returns how many answers "hold" faults keep: requests the stand-in
// has served whose client still waits.
func (d *DevClient) Held(t testing.TB) int {
	t.Helper()
	var out struct {
		Held int `json:"held"`
	}
	d.do(t, http.MethodGet, "/_dev/held", nil, http.StatusOK, &out)
	return out.Held
}

// RequestCounts returns how many API requests each route got, keyed like
// "GET /api/storages/s3/{id}".
func (d *DevClient) RequestCounts(t testing.TB) map[string]int {
	t.Helper()
	var out struct {
		Counts map[string]int `json:"counts"`
	}
	d.do(t, http.MethodGet, "/_dev/requests", nil, http.StatusOK, &out)
	if out.Counts == nil {
		out.Counts = map[string]int{}
	}
	return out.Counts
}

// ResetRequestCounts sets every request count back to zero.
func (d *DevClient) ResetRequestCounts(t testing.TB) {
	t.Helper()
	d.do(t, http.MethodDelete, "/_dev/requests", nil, http.StatusNoContent, nil)
}

// LoseJob makes the queued or running sync job of a storage vanish, as when
// Redis loses it. kind is the storage type, direction "import" or "export".
func (d *DevClient) LoseJob(t testing.TB, kind, direction string, id int64) {
	t.Helper()
	d.do(t, http.MethodPost, "/_dev/lose-job", map[string]any{"type": kind, "direction": direction, "id": id}, http.StatusOK, nil)
}
