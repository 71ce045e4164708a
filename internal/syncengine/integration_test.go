package syncengine_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/labelstudio-tf/terraform-provider-labelstudio/internal/client"
	"github.com/labelstudio-tf/terraform-provider-labelstudio/internal/devserver"
	"github.com/labelstudio-tf/terraform-provider-labelstudio/internal/syncengine"
	"github.com/labelstudio-tf/terraform-provider-labelstudio/internal/testenv"
)

// These tests run the engine against the stand-in with real local-files
// storages behind it. A deadline only turns a hang into a failure with a
// message; no test asserts how long anything took.

const guard = time.Minute

// localImportStorage creates a project and a local-files import storage
// holding n task files.
func localImportStorage(t *testing.T, env *testenv.Env, c *client.Client, name string, n int) (client.StorageRef, string) {
	t.Helper()
	project, err := c.CreateProject(t.Context(), map[string]any{"title": "sync engine " + name})
	if err != nil {
		t.Fatalf("create project: %v", err)
	}
	return testenv.LocalImportStorage(t, env, c, project.ID, name, testenv.TaskFiles(1, n)), testenv.LocalDir(t, env, name)
}

func syncCount(t *testing.T, dev *testenv.DevClient) int {
	t.Helper()
	total := 0
	for route, n := range dev.RequestCounts(t) {
		if strings.HasPrefix(route, "POST ") && strings.HasSuffix(route, "/sync") {
			total += n
		}
	}
	return total
}

// TestLostJobIsReportedFailed: the server loses a queued job; the engine's
// calls of the list endpoint let the server mark it failed, so the wait
// ends with the server's message instead of hanging.
func TestLostJobIsReportedFailed(t *testing.T) {
	env := testenv.Start(t, testenv.Options{SyncMode: devserver.SyncQueued, SyncObjectDelay: 300 * time.Millisecond})
	c := env.Client(t, client.Config{})
	ref, _ := localImportStorage(t, env, c, "lost-job", 20)
	var loseErr error
	lost := false
	res := syncengine.SyncWithin(t, guard, syncengine.New(c, syncengine.Options{}), []client.StorageRef{ref}, func(ev syncengine.Event) {
		if ev.Kind == syncengine.EventProgress && !syncengine.IsFinal(ev.Status) && !lost {
			lost = true
			loseErr = loseJob(env, ref)
		}
	})[0]

	if loseErr != nil {
		t.Fatalf("lose the job: %v", loseErr)
	}
	if res.Err != nil || res.Status != syncengine.StatusFailed {
		t.Fatalf("result = %+v, want failed", res)
	}
	if res.Traceback == nil || !strings.Contains(*res.Traceback, "job was not found") {
		t.Errorf("traceback = %v, want the health check's message", res.Traceback)
	}
	counts := env.Dev(t).RequestCounts(t)
	if counts["GET /api/storages/localfiles/"] == 0 && counts["GET /api/storages/localfiles"] == 0 {
		t.Errorf("the list endpoint was never called: %v", counts)
	}
}

// loseJob calls the /_dev/lose-job hook; it runs in the engine's callback,
// outside the test goroutine, so it returns its error instead of failing.
func loseJob(env *testenv.Env, ref client.StorageRef) error {
	body, err := json.Marshal(map[string]any{"type": ref.Kind, "direction": ref.Direction, "id": ref.ID})
	if err != nil {
		return err
	}
	resp, err := http.Post(env.URL+"/_dev/lose-job", "application/json", bytes.NewReader(body))
	if err != nil {
		return err
	}
	defer func() { _ = resp.Body.Close() }()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("lose-job answered %d", resp.StatusCode)
	}
	return nil
}

// TestTimedOutSyncRequestIsNotRepeated: after a first sync, new files
// arrive and the second sync request times out on the client while the
// server goes on. The engine must report the second run (only the new
// files), not the first run's "completed", and send one request only.
func TestTimedOutSyncRequestIsNotRepeated(t *testing.T) {
	env := testenv.Start(t, testenv.Options{SyncMode: devserver.SyncInline})
	dev := env.Dev(t)
	c := env.Client(t, client.Config{RequestTimeout: 300 * time.Millisecond})
	ref, dir := localImportStorage(t, env, c, "timed-out-request", 3)
	engine := syncengine.New(c, syncengine.Options{})
	if first := syncengine.SyncWithin(t, guard, engine, []client.StorageRef{ref}, nil)[0]; first.Status != syncengine.StatusCompleted {
		t.Fatalf("first sync = %+v", first)
	}
	testenv.WriteTaskFiles(t, dir, 4, 5)
	dev.AddFault(t, testenv.Fault{Method: http.MethodPost, Path: `/sync$`, Mode: "slow", DelayMS: 5000, Count: 1})
	dev.ResetRequestCounts(t)

	var uncertain int
	res := syncengine.SyncWithin(t, guard, engine, []client.StorageRef{ref}, func(ev syncengine.Event) {
		if ev.Kind == syncengine.EventUncertainStart {
			uncertain++
		}
	})[0]

	if uncertain != 1 {
		t.Errorf("%d uncertain starts reported, want 1 (the request should have timed out)", uncertain)
	}
	if res.Err != nil || res.Status != syncengine.StatusCompleted || res.LastSyncCount == nil || *res.LastSyncCount != 2 {
		t.Fatalf("result = %+v, want the second run: completed with 2 new tasks", res)
	}
	if n := syncCount(t, dev); n != 1 {
		t.Errorf("%d sync requests, want 1", n)
	}
}

// TestUnansweredSyncThatNeverStarted: a gateway answers 500 without
// passing the request on; the engine checks once and reports it.
func TestUnansweredSyncThatNeverStarted(t *testing.T) {
	env := testenv.Start(t, testenv.Options{SyncMode: devserver.SyncQueued})
	dev := env.Dev(t)
	c := env.Client(t, client.Config{})
	ref, _ := localImportStorage(t, env, c, "never-started", 2)
	dev.AddFault(t, testenv.Fault{Method: http.MethodPost, Path: `/sync$`, Mode: "fail", Count: 1})
	res := syncengine.SyncWithin(t, guard, syncengine.New(c, syncengine.Options{}), []client.StorageRef{ref}, nil)[0]

	if res.Err == nil || !strings.Contains(res.Err.Error(), "500") || !strings.Contains(res.Err.Error(), "no new sync") {
		t.Fatalf("err = %v, want the 500 and that no sync started", res.Err)
	}
	if res.Status != syncengine.StatusInitialized {
		t.Errorf("status = %q, want the storage's untouched status", res.Status)
	}
}

// TestConcurrencyIsBoundedOnTheServer: six syncs, two at a time, each sync
// request slowed down on the server; the engine's events and the server's
// request counts agree.
func TestConcurrencyIsBoundedOnTheServer(t *testing.T) {
	const storages, bound = 6, 2
	env := testenv.Start(t, testenv.Options{SyncMode: devserver.SyncQueued, SyncObjectDelay: 50 * time.Millisecond})
	dev := env.Dev(t)
	c := env.Client(t, client.Config{})
	var refs []client.StorageRef
	for i := range storages {
		ref, _ := localImportStorage(t, env, c, fmt.Sprintf("concurrency-%d", i), i+1)
		refs = append(refs, ref)
	}
	dev.AddFault(t, testenv.Fault{Method: http.MethodPost, Path: `/sync$`, Mode: "slow", DelayMS: 200})
	dev.ResetRequestCounts(t)
	var mu sync.Mutex
	inFlight, maxInFlight := 0, 0
	results := syncengine.SyncWithin(t, guard, syncengine.New(c, syncengine.Options{Concurrency: bound}), refs, func(ev syncengine.Event) {
		mu.Lock()
		defer mu.Unlock()
		switch ev.Kind {
		case syncengine.EventStarted:
			inFlight++
			maxInFlight = max(maxInFlight, inFlight)
		case syncengine.EventFinished:
			inFlight--
		}
	})

	if maxInFlight != bound {
		t.Errorf("at most %d syncs in flight, want %d", maxInFlight, bound)
	}
	for i, res := range results {
		if res.Err != nil || res.Status != syncengine.StatusCompleted || *res.LastSyncCount != int64(i+1) {
			t.Errorf("storage %d: %+v, want completed with %d tasks", i, res, i+1)
		}
	}
	if n := syncCount(t, dev); n != storages {
		t.Errorf("%d sync requests, want %d", n, storages)
	}
}
