package devserver

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"
)

// Behaviour 7: the /_dev/ test hooks.

func TestDevHooksOnlyWhenEnabled(t *testing.T) {
	ts := newTestServer(t, func(c *Config) { c.DevHooks = false })
	for _, p := range []string{"/_dev/requests", "/_dev/faults"} {
		if r := ts.do(http.MethodGet, p, nil); r.status != http.StatusNotFound {
			t.Errorf("GET %s with hooks off: %d", p, r.status)
		}
	}
}

func TestFaults(t *testing.T) {
	ts := newTestServer(t, nil)
	project := ts.createProject("")

	ts.mustDo(http.MethodPost, "/_dev/faults", map[string]any{"method": "GET", "path": "^/api/projects/", "mode": "fail", "count": 1}, http.StatusCreated)
	failed := ts.do(http.MethodGet, "/api/projects/", nil)
	if failed.status != http.StatusInternalServerError || !strings.HasPrefix(failed.header.Get("Content-Type"), "text/plain") {
		t.Errorf("fail fault: %d %s", failed.status, failed.header.Get("Content-Type"))
	}
	ts.mustDo(http.MethodGet, "/api/projects/", nil, http.StatusOK) // count 1 is used up

	ts.mustDo(http.MethodPost, "/_dev/faults", map[string]any{"path": "/sync$", "mode": "throttle", "retry_after": 7}, http.StatusCreated)
	id := int64(ts.createStorage("s3", dirImport, map[string]any{"project": project})["id"].(float64))
	for range 2 { // count 0: until cleared
		throttled := ts.do(http.MethodPost, storagePath("s3", dirImport, id, "sync"), nil)
		if throttled.status != http.StatusTooManyRequests || throttled.header.Get("Retry-After") != "7" {
			t.Errorf("throttle fault: %d Retry-After %q", throttled.status, throttled.header.Get("Retry-After"))
		}
	}
	ts.mustDo(http.MethodPost, "/_dev/faults", map[string]any{"method": "POST", "path": "^/api/version", "mode": "fail"}, http.StatusCreated)
	ts.mustDo(http.MethodGet, "/api/version/", nil, http.StatusOK) // another method is untouched
	ts.mustDo(http.MethodDelete, "/_dev/faults", nil, http.StatusNoContent)
	ts.mustDo(http.MethodPost, storagePath("s3", dirImport, id, "sync"), nil, http.StatusOK)

	ts.mustDo(http.MethodPost, "/_dev/faults", map[string]any{"path": "^/api/version/$", "mode": "slow", "delay_ms": 1, "count": 1}, http.StatusCreated)
	ts.mustDo(http.MethodGet, "/api/version/", nil, http.StatusOK) // served after the delay

	// Until cleared, because Go's client silently retries a GET whose
	// reused connection closed.
	ts.mustDo(http.MethodPost, "/_dev/faults", map[string]any{"path": "^/api/version/$", "mode": "drop"}, http.StatusCreated)
	fresh := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	if res, err := fresh.Get(ts.http.URL + "/api/version/"); err == nil {
		_ = res.Body.Close()
		t.Errorf("drop fault answered %d instead of closing the connection", res.StatusCode)
	}
	ts.mustDo(http.MethodDelete, "/_dev/faults", nil, http.StatusNoContent)

	ts.envelope(ts.do(http.MethodPost, "/_dev/faults", map[string]any{"path": "(", "mode": "fail"}), http.StatusBadRequest)
	ts.envelope(ts.do(http.MethodPost, "/_dev/faults", map[string]any{"path": "x", "mode": "explode"}), http.StatusBadRequest)
}

// TestLoseFault: "lose" runs the handler, then closes the connection
// without its answer: the client gets no response, the object exists.
func TestLoseFault(t *testing.T) {
	ts := newTestServer(t, nil)
	project := ts.createProject("")
	ts.mustDo(http.MethodPost, "/_dev/faults", map[string]any{"method": "POST", "path": "^/api/storages/s3/$", "mode": "lose", "count": 1}, http.StatusCreated)

	body := strings.NewReader(`{"project":` + itoa(project) + `,"title":"lost answer","bucket":"b"}`)
	req, err := http.NewRequest(http.MethodPost, ts.http.URL+"/api/storages/s3/", body)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+ts.access)
	fresh := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	if res, err := fresh.Do(req); err == nil {
		_ = res.Body.Close()
		t.Fatalf("lose fault answered %d instead of closing the connection", res.StatusCode)
	}

	var list []map[string]any
	ts.decode(ts.mustDo(http.MethodGet, "/api/storages/s3/?project="+itoa(project), nil, http.StatusOK), &list)
	if len(list) != 1 || list[0]["title"] != "lost answer" {
		t.Fatalf("after a lost answer the storage should exist once: %v", list)
	}
	// count 1 is used up: the next create is answered.
	ts.mustDo(http.MethodPost, "/api/storages/s3/", map[string]any{"project": project}, http.StatusCreated)
}

// TestHoldFault: "hold" runs the handler at once (the object exists) and
// keeps the answer, counted by GET /_dev/held, until the faults are
// cleared; the client then gets the handler's answer unchanged.
func TestHoldFault(t *testing.T) {
	ts := newTestServer(t, nil)
	ts.mustDo(http.MethodPost, "/_dev/faults", map[string]any{"method": "POST", "path": "^/api/projects/$", "mode": "hold"}, http.StatusCreated)
	answered := make(chan response, 1)
	go func() { answered <- ts.do(http.MethodPost, "/api/projects/", map[string]any{"title": "held answer"}) }()
	for held := 0; held != 1; {
		var out struct {
			Held int `json:"held"`
		}
		if err := json.Unmarshal(ts.mustDo(http.MethodGet, "/_dev/held", nil, http.StatusOK).body, &out); err != nil {
			t.Fatal(err)
		}
		held = out.Held
		select {
		case r := <-answered:
			t.Fatalf("the held answer came before the faults were cleared: %d %s", r.status, r.body)
		case <-time.After(5 * time.Millisecond):
		}
	}
	list := ts.mustDo(http.MethodGet, "/api/projects/", nil, http.StatusOK)
	if !strings.Contains(string(list.body), `"held answer"`) {
		t.Fatalf("while its answer is held the project is not listed: %s", list.body)
	}
	ts.mustDo(http.MethodDelete, "/_dev/faults", nil, http.StatusNoContent)
	r := <-answered
	if r.status != http.StatusCreated || !strings.Contains(string(r.body), `"title":"held answer"`) {
		t.Errorf("released answer: %d %s", r.status, r.body)
	}
	if body := ts.mustDo(http.MethodGet, "/_dev/held", nil, http.StatusOK).body; !strings.Contains(string(body), `"held":0`) {
		t.Errorf("after the release: %s", body)
	}
}

func TestRequestCounts(t *testing.T) {
	ts := newTestServer(t, nil)
	project := ts.createProject("")
	id := int64(ts.createStorage("s3", dirImport, map[string]any{"project": project})["id"].(float64))
	ts.mustDo(http.MethodDelete, "/_dev/requests", nil, http.StatusNoContent)
	for range 3 {
		ts.mustDo(http.MethodGet, storagePath("s3", dirImport, id, ""), nil, http.StatusOK)
	}
	ts.mustDo(http.MethodPost, "/api/storages/s3", map[string]any{"project": project}, http.StatusCreated)
	var got struct{ Counts map[string]int }
	ts.decode(ts.mustDo(http.MethodGet, "/_dev/requests", nil, http.StatusOK), &got)
	want := map[string]int{"GET /api/storages/s3/{id}": 3, "POST /api/storages/s3/": 1}
	if len(got.Counts) != len(want) {
		t.Errorf("counts %v, want %v (hooks are not counted)", got.Counts, want)
	}
	for k, v := range want {
		if got.Counts[k] != v {
			t.Errorf("%s counted %d, want %d", k, got.Counts[k], v)
		}
	}
}

func TestLoseJob(t *testing.T) {
	ts := newTestServer(t, func(c *Config) { c.SyncMode = SyncQueued })
	project := ts.createProject("")
	gate := make(chan struct{})
	ts.backend.mu.Lock()
	ts.backend.listGate = gate
	ts.backend.mu.Unlock()
	id := int64(ts.createStorage("s3", dirImport, map[string]any{"project": project})["id"].(float64))
	ts.sync("s3", dirImport, id)
	ts.waitStatus("s3", dirImport, id, statusInProgress)
	ts.mustDo(http.MethodPost, "/_dev/lose-job", map[string]any{"type": "s3", "direction": "import", "id": id}, http.StatusOK)
	ts.envelope(ts.do(http.MethodPost, "/_dev/lose-job", map[string]any{"type": "s3", "direction": "import", "id": id}), http.StatusNotFound)

	var list []map[string]any
	ts.decode(ts.mustDo(http.MethodGet, "/api/storages/s3/?project="+itoa(project), nil, http.StatusOK), &list)
	if list[0]["status"] != statusFailed || !strings.Contains(list[0]["traceback"].(string), "job was not found in redis") {
		t.Fatalf("after losing the job: %v %v", list[0]["status"], list[0]["traceback"])
	}
	close(gate) // the worker wakes up and must drop the job silently
	ts.mustDo(http.MethodPost, storagePath("s3", dirImport, id, "sync"), nil, http.StatusOK)
	done := ts.waitStatus("s3", dirImport, id, statusCompleted)
	if done["meta"].(map[string]any)["attempts"] != float64(2) {
		t.Errorf("the next sync should be attempt 2: %v", done["meta"])
	}
}

func TestDevAnnotationUnknownTask(t *testing.T) {
	ts := newTestServer(t, nil)
	ts.envelope(ts.do(http.MethodPost, "/_dev/tasks/999/annotations", map[string]any{"result": []any{}}), http.StatusNotFound)
}
