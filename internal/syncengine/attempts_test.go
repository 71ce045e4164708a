package syncengine

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/labelstudio-tf/terraform-provider-labelstudio/internal/client"
	"github.com/labelstudio-tf/terraform-provider-labelstudio/internal/testenv/fakeclock"
)

// failFirstRuns makes the storage's first n runs fail.
func failFirstRuns(api *fakeAPI, n int) {
	api.syncError = func(s *fakeStorage) (bool, error) {
		if s.attempts >= n {
			s.failWith = ""
		}
		return true, nil
	}
}

func TestFailedImportSyncIsRestarted(t *testing.T) {
	api := newFakeAPI(fakeclock.New())
	ref := api.add(1, &fakeStorage{objects: 4, runTime: time.Second, failWith: "Traceback: worker died"})
	failFirstRuns(api, 1)

	var restarts []Event
	var started []int
	res := newTestEngine(api, Options{MaxAttempts: 3}).Sync(context.Background(), []client.StorageRef{ref}, func(ev Event) {
		switch ev.Kind {
		case EventRestart:
			restarts = append(restarts, ev)
		case EventStarted:
			started = append(started, ev.Attempt)
		}
	})[0]

	if res.Err != nil || res.Status != StatusCompleted || *res.LastSyncCount != 4 {
		t.Fatalf("result = %+v, want the second run's completed with 4 tasks", res)
	}
	if len(res.Attempts) != 2 || res.Attempts[0].Status != StatusFailed || res.Attempts[0].Traceback == nil ||
		res.Attempts[1].Status != StatusCompleted {
		t.Errorf("attempts = %+v, want failed (with its traceback) then completed", res.Attempts)
	}
	if len(restarts) != 1 || restarts[0].Attempt != 2 || restarts[0].MaxAttempts != 3 {
		t.Errorf("restart events = %+v, want one announcing attempt 2 of 3", restarts)
	}
	if len(started) != 2 || started[0] != 1 || started[1] != 2 {
		t.Errorf("started events for attempts %v, want [1 2]", started)
	}
	if _, syncs, _ := api.counts(); syncs != 2 {
		t.Errorf("%d sync requests, want 2", syncs)
	}
}

func TestRestartsStopAtMaxAttempts(t *testing.T) {
	for _, tc := range []struct {
		name      string
		max       int
		direction client.Direction
		want      int
	}{
		{"default is one attempt", 0, client.Import, 1},
		{"import, three attempts", 3, client.Import, 3},
		{"export is never restarted", 3, client.Export, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			api := newFakeAPI(fakeclock.New())
			ref := api.add(1, &fakeStorage{runTime: time.Second, failWith: "Traceback: always"})
			ref.Direction = tc.direction

			res, _ := syncOne(t, newTestEngine(api, Options{MaxAttempts: tc.max}), ref)

			if res.Err != nil || res.Status != StatusFailed || len(res.Attempts) != tc.want {
				t.Fatalf("result = %+v with %d attempts, want failed after %d", res, len(res.Attempts), tc.want)
			}
			if _, syncs, _ := api.counts(); syncs != tc.want {
				t.Errorf("%d sync requests, want %d", syncs, tc.want)
			}
		})
	}
}

// TestUnansweredSyncRequestIsSettledWithinSeconds: a sync request that got
// no answer and started nothing is settled from the storage's own status
// after a few seconds, not after a minute.
func TestUnansweredSyncRequestIsSettledWithinSeconds(t *testing.T) {
	clock := fakeclock.New()
	api := newFakeAPI(clock)
	ref := api.add(1, &fakeStorage{})
	api.syncError = func(*fakeStorage) (bool, error) { return false, errTimeout }
	start := clock.Now()

	res, _ := syncOne(t, newTestEngine(api, Options{}), ref)

	if !errors.Is(res.Err, errTimeout) || res.Status != StatusInitialized {
		t.Fatalf("result = %+v, want the request's error and the untouched status", res)
	}
	if settled := clock.Now().Sub(start); settled > 6*time.Second {
		t.Errorf("settled after %s of watching the status, want about 5s", settled)
	}
	if _, syncs, _ := api.counts(); syncs != 1 {
		t.Errorf("%d sync requests, want 1: an unanswered request is never repeated", syncs)
	}
}
