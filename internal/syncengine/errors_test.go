package syncengine

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/labelstudio-tf/terraform-provider-labelstudio/internal/client"
	"github.com/labelstudio-tf/terraform-provider-labelstudio/internal/testenv/fakeclock"
)

// The engine's error paths: what a caller gets when a read fails, the list
// endpoint fails, or the context ends in the middle of a request.

var errStatusRead = &client.APIError{StatusCode: http.StatusBadGateway, Method: "GET", Path: "/api/storages/s3/1", Detail: "Bad Gateway"}

func TestFailedStatusReadDuringTheWaitIsTheResult(t *testing.T) {
	api := newFakeAPI(fakeclock.New())
	ref := api.add(1, &fakeStorage{objects: 3, runTime: time.Minute})
	api.getFault = func(_ context.Context, n int) error {
		if n >= 2 { // the baseline and the first poll succeed
			return errStatusRead
		}
		return nil
	}

	res, _ := syncOne(t, newTestEngine(api, Options{HealthCheckEvery: 1000, HealthCheckInterval: time.Hour}), ref)

	if !errors.Is(res.Err, client.ErrServer) || !strings.Contains(res.Err.Error(), "Bad Gateway") {
		t.Fatalf("err = %v, want the failed read's 502", res.Err)
	}
	if res.Status != StatusInProgress && res.Status != StatusQueued {
		t.Errorf("status = %q, want the last status seen (the sync is still running)", res.Status)
	}
	if _, syncs, _ := api.counts(); syncs != 1 {
		t.Errorf("%d sync requests, want 1: a failed read must not start another sync", syncs)
	}
}

func TestFailingListEndpointFallsBackToGet(t *testing.T) {
	api := newFakeAPI(fakeclock.New())
	ref := api.add(1, &fakeStorage{objects: 3, runTime: 5 * time.Minute})
	api.listErr = &client.APIError{StatusCode: http.StatusInternalServerError, Method: "GET", Path: "/api/storages/s3/", Detail: "boom"}

	res, _ := syncOne(t, newTestEngine(api, Options{}), ref)

	if res.Err != nil || res.Status != StatusCompleted || res.LastSyncCount == nil || *res.LastSyncCount != 3 {
		t.Fatalf("result = %+v, want completed with 3: a failing health check is no reason to give up", res)
	}
	if gets, _, lists := api.counts(); lists == 0 || gets < 2 {
		t.Errorf("%d lists and %d GETs, want the list tried and GET used instead", lists, gets)
	}
}

func TestContextEndingMidRequestStopsTheWait(t *testing.T) {
	api := newFakeAPI(fakeclock.New())
	ref := api.add(1, &fakeStorage{objects: 3, runTime: time.Hour})
	var res Result
	WithinDeadline(t, unitDeadline, "Sync", func(ctx context.Context) {
		ctx, cancel := context.WithCancel(ctx)
		defer cancel()
		api.getFault = func(reqCtx context.Context, n int) error {
			if n < 2 {
				return nil
			}
			cancel() // the caller gives up while the GET is on the wire
			<-reqCtx.Done()
			return reqCtx.Err()
		}
		res = newTestEngine(api, Options{HealthCheckEvery: 1000, HealthCheckInterval: time.Hour}).Sync(ctx, []client.StorageRef{ref}, nil)[0]
	})

	if !errors.Is(res.Err, context.Canceled) || !strings.Contains(res.Err.Error(), "stopped waiting") {
		t.Fatalf("err = %v, want cancelled while waiting", res.Err)
	}
	if res.Status != StatusInProgress {
		t.Errorf("status = %q, want in_progress: the sync goes on without us", res.Status)
	}
	if gets, syncs, _ := api.counts(); gets != 3 || syncs != 1 {
		t.Errorf("%d GETs and %d syncs, want 3 and 1: nothing after the cancelled GET", gets, syncs)
	}
}

func TestContextEndingDuringAnUncertainStartSendsNoSecondSync(t *testing.T) {
	api := newFakeAPI(fakeclock.New())
	ref := api.add(1, &fakeStorage{objects: 2, runTime: time.Second})
	api.startDelay = time.Hour // the run shows up long after the request timed out
	api.syncError = func(*fakeStorage) (bool, error) { return true, errTimeout }
	var res Result
	WithinDeadline(t, unitDeadline, "Sync", func(ctx context.Context) {
		ctx, cancel := context.WithCancel(ctx)
		defer cancel()
		res = newTestEngine(api, Options{}).Sync(ctx, []client.StorageRef{ref}, func(ev Event) {
			if ev.Kind == EventUncertainStart {
				cancel()
			}
		})[0]
	})

	if !errors.Is(res.Err, context.Canceled) || !strings.Contains(res.Err.Error(), "whether the sync started") {
		t.Fatalf("err = %v, want cancelled before it was known whether the sync started", res.Err)
	}
	if res.Status != StatusInitialized {
		t.Errorf("status = %q, want the status before the sync (nothing newer was seen)", res.Status)
	}
	if _, syncs, _ := api.counts(); syncs != 1 {
		t.Errorf("%d sync requests, want 1", syncs)
	}
}
