package syncengine

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/labelstudio-tf/terraform-provider-labelstudio/internal/client"
	"github.com/labelstudio-tf/terraform-provider-labelstudio/internal/testenv/fakeclock"
)

// newTestEngine returns an engine on a fake clock with jitter at its
// largest, so that schedules are reproducible.
func newTestEngine(api *fakeAPI, opts Options) *Engine {
	opts.Clock = api.clock
	opts.Random = func() float64 { return 0.999 }
	return New(api, opts)
}

func syncOne(t *testing.T, e *Engine, ref client.StorageRef) (Result, []Event) {
	t.Helper()
	var events []Event
	results := SyncWithin(t, unitDeadline, e, []client.StorageRef{ref}, func(ev Event) { events = append(events, ev) })
	if len(results) != 1 {
		t.Fatalf("got %d results for one storage", len(results))
	}
	return results[0], events
}

func TestInlineSyncNeedsNoPolling(t *testing.T) {
	api := newFakeAPI(fakeclock.New())
	api.inline = true
	ref := api.add(1, &fakeStorage{objects: 7, runTime: 3 * time.Second})

	res, _ := syncOne(t, newTestEngine(api, Options{}), ref)

	if res.Err != nil || res.Status != StatusCompleted {
		t.Fatalf("result = %+v, want completed", res)
	}
	if res.LastSyncCount == nil || *res.LastSyncCount != 7 || res.LastSync == nil {
		t.Errorf("last_sync_count = %v, last_sync = %v, want 7 and a time", res.LastSyncCount, res.LastSync)
	}
	if res.Project != 42 {
		t.Errorf("project = %d, want 42", res.Project)
	}
	if gets, syncs, lists := api.counts(); gets != 1 || syncs != 1 || lists != 0 {
		t.Errorf("requests: %d GET, %d sync, %d list; want the baseline GET and one sync", gets, syncs, lists)
	}
	if res.Duration != 3*time.Second {
		t.Errorf("duration = %s, want the 3s the request took", res.Duration)
	}
}

// TestPollingSchedule checks the latency bound on every interval and that
// long syncs cost few requests.
func TestPollingSchedule(t *testing.T) {
	for _, tc := range []struct {
		runTime time.Duration
		// maxReads bounds the status reads (GET or list) of the wait.
		maxReads int
	}{
		{runTime: 500 * time.Millisecond, maxReads: 5},
		{runTime: time.Second, maxReads: 7},
		{runTime: 5 * time.Second, maxReads: 25},
		{runTime: time.Minute, maxReads: 44},
		{runTime: 30 * time.Minute, maxReads: 94},
	} {
		t.Run(tc.runTime.String(), func(t *testing.T) {
			clock := fakeclock.New()
			api := newFakeAPI(clock)
			ref := api.add(1, &fakeStorage{objects: 3, runTime: tc.runTime})
			start := clock.Now()

			res, _ := syncOne(t, newTestEngine(api, Options{}), ref)

			if res.Status != StatusCompleted || res.Err != nil {
				t.Fatalf("result = %+v, want completed", res)
			}
			b := DefaultBackoff
			if clock.Sleeps()[0] > b.Initial {
				t.Errorf("first poll after %s, want at most %s", clock.Sleeps()[0], b.Initial)
			}
			elapsed := time.Duration(0)
			for i, d := range clock.Sleeps() {
				if limit := min(max(b.Floor, time.Duration(b.Ratio*float64(elapsed))), b.Max); d > limit {
					t.Errorf("interval %d after %s is %s, more than %s", i, elapsed, d, limit)
				}
				elapsed += d
			}
			latency := clock.Now().Sub(start) - tc.runTime
			if bound := max(b.Floor, time.Duration(b.Ratio*float64(tc.runTime))); latency > bound {
				t.Errorf("the end was noticed %s late, more than %s", latency, bound)
			}
			gets, _, lists := api.counts()
			if reads := gets - 1 + lists; reads > tc.maxReads {
				t.Errorf("%d status reads, want at most %d", reads, tc.maxReads)
			}
			if tc.runTime >= time.Minute && lists == 0 {
				t.Error("a long wait never called the list endpoint")
			}
		})
	}
}

func TestJitterOnlyShortensIntervals(t *testing.T) {
	b := DefaultBackoff
	for _, random := range []float64{0, 0.5, 0.999} {
		got := b.jittered(time.Second, random)
		if got > time.Second || got < time.Duration((1-b.Jitter)*float64(time.Second)) {
			t.Errorf("jittered(1s, %v) = %s, want within [%s, 1s]", random, got, time.Duration((1-b.Jitter)*float64(time.Second)))
		}
	}
}

func TestEventsReportEveryStatusAndCountChange(t *testing.T) {
	api := newFakeAPI(fakeclock.New())
	ref := api.add(1, &fakeStorage{objects: 100, runTime: 10 * time.Second, queueTime: time.Second})

	res, events := syncOne(t, newTestEngine(api, Options{}), ref)

	if res.Status != StatusCompleted || *res.LastSyncCount != 100 {
		t.Fatalf("result = %+v, want completed with 100", res)
	}
	if events[0].Kind != EventStarted || events[len(events)-1].Kind != EventFinished || events[len(events)-1].Result == nil {
		t.Fatalf("events should start with Started and end with Finished: %+v", events)
	}
	var statuses []string
	var lastCount int64 = -1
	for _, ev := range events[1 : len(events)-1] {
		if ev.Kind != EventProgress {
			t.Fatalf("unexpected event %+v", ev)
		}
		if len(statuses) == 0 || statuses[len(statuses)-1] != ev.Status {
			statuses = append(statuses, ev.Status)
		} else if ev.LastSyncCount == nil || *ev.LastSyncCount == lastCount {
			t.Errorf("progress event without a change: %+v", ev)
		}
		if ev.LastSyncCount != nil {
			lastCount = *ev.LastSyncCount
		}
	}
	want := []string{StatusQueued, StatusInProgress, StatusCompleted}
	if strings.Join(statuses, ",") != strings.Join(want, ",") {
		t.Errorf("statuses reported %v, want %v", statuses, want)
	}
	if lastCount != 100 {
		t.Errorf("last count reported %d, want 100", lastCount)
	}
}

func TestFailedRunIsAResultWithTraceback(t *testing.T) {
	api := newFakeAPI(fakeclock.New())
	ref := api.add(1, &fakeStorage{runTime: 2 * time.Second, failWith: "Traceback: NoSuchBucket: the bucket does not exist"})

	res, _ := syncOne(t, newTestEngine(api, Options{}), ref)

	if res.Err != nil || res.Status != StatusFailed || res.Traceback == nil || !strings.Contains(*res.Traceback, "NoSuchBucket") {
		t.Fatalf("result = %+v, want failed with the traceback", res)
	}
}

func TestLostJobIsReportedFailedThroughTheListEndpoint(t *testing.T) {
	api := newFakeAPI(fakeclock.New())
	ref := api.add(1, &fakeStorage{runTime: time.Second, lost: true})

	res, _ := syncOne(t, newTestEngine(api, Options{}), ref)

	if res.Status != StatusFailed || res.Traceback == nil || !strings.Contains(*res.Traceback, "not found") {
		t.Fatalf("result = %+v, want failed by the health check", res)
	}
	if _, _, lists := api.counts(); lists != 1 {
		t.Errorf("%d list calls, want 1", lists)
	}
}

func TestAlreadyRunningSyncIsWaitedFor(t *testing.T) {
	clock := fakeclock.New()
	api := newFakeAPI(clock)
	ref := api.add(1, &fakeStorage{objects: 4, runTime: 5 * time.Second})
	api.mu.Lock()
	api.startRun(api.storages[1], clock.Now())
	api.mu.Unlock()

	res, _ := syncOne(t, newTestEngine(api, Options{}), ref)

	if res.Status != StatusCompleted || *res.LastSyncCount != 4 {
		t.Fatalf("result = %+v, want the running sync's completion", res)
	}
	if api.storages[1].attempts != 1 {
		t.Errorf("%d runs, want only the one already running", api.storages[1].attempts)
	}
}

func TestNotSynchronizableIsAnError(t *testing.T) {
	api := newFakeAPI(fakeclock.New())
	ref := api.add(7, &fakeStorage{})
	api.syncError = func(*fakeStorage) (bool, error) {
		return false, &client.APIError{StatusCode: http.StatusBadRequest, Method: "POST", Path: "/api/storages/s3/7/sync", Message: "Storage 7 is not synchronizable"}
	}

	res, _ := syncOne(t, newTestEngine(api, Options{}), ref)

	if res.Err == nil || !strings.Contains(res.Err.Error(), "Storage 7 is not synchronizable") {
		t.Fatalf("err = %v, want the server's message", res.Err)
	}
	if gets, _, _ := api.counts(); gets != 1 {
		t.Errorf("%d GETs, want only the baseline one: a refused sync is not polled", gets)
	}
}

func TestServerErrorWithoutNewRunFailsAfterOneRead(t *testing.T) {
	api := newFakeAPI(fakeclock.New())
	ref := api.add(1, &fakeStorage{})
	api.syncError = func(*fakeStorage) (bool, error) {
		return false, &client.APIError{StatusCode: http.StatusInternalServerError, Method: "POST", Path: "/api/storages/s3/1/sync", Detail: "An error occurred (NoSuchBucket) when calling the ListObjectsV2 operation"}
	}

	res, _ := syncOne(t, newTestEngine(api, Options{}), ref)

	if res.Err == nil || !strings.Contains(res.Err.Error(), "NoSuchBucket") {
		t.Fatalf("err = %v, want the server's detail", res.Err)
	}
	if gets, syncs, _ := api.counts(); gets != 2 || syncs != 1 {
		t.Errorf("%d GETs and %d syncs, want the baseline, one check and one sync", gets, syncs)
	}
}

// TestUncertainStartIsNotRepeated: the sync request times out after the
// server accepted it, and the new run shows up only later (its connection
// check is slow); meanwhile a GET shows the previous run's "completed",
// which must not be taken for the new run, and no second sync is sent.
func TestUncertainStartIsNotRepeated(t *testing.T) {
	clock := fakeclock.New()
	api := newFakeAPI(clock)
	ref := api.add(1, &fakeStorage{objects: 5, runTime: 4 * time.Second})
	api.mu.Lock()
	api.startRun(api.storages[1], clock.Now().Add(-time.Hour))
	api.advanceState(api.storages[1], clock.Now())
	previous := *api.storages[1].st.LastSync
	api.mu.Unlock()
	api.storages[1].objects = 2
	api.startDelay = 3 * time.Second
	api.syncError = func(*fakeStorage) (bool, error) { return true, errTimeout }

	var uncertain []Event
	e := newTestEngine(api, Options{})
	res := SyncWithin(t, unitDeadline, e, []client.StorageRef{ref}, func(ev Event) {
		if ev.Kind == EventUncertainStart {
			uncertain = append(uncertain, ev)
		}
	})[0]

	if res.Err != nil || res.Status != StatusCompleted {
		t.Fatalf("result = %+v, want completed", res)
	}
	if *res.LastSync == previous || *res.LastSyncCount != 2 {
		t.Errorf("result shows the previous run (last_sync %s, count %d), want the new one", *res.LastSync, *res.LastSyncCount)
	}
	if _, syncs, _ := api.counts(); syncs != 1 {
		t.Errorf("%d sync requests, want 1", syncs)
	}
	if len(uncertain) != 1 || !errors.Is(uncertain[0].Err, errTimeout) {
		t.Errorf("uncertain-start events = %+v, want one with the timeout", uncertain)
	}
}

func TestUncertainStartThatNeverStartedGivesUp(t *testing.T) {
	clock := fakeclock.New()
	api := newFakeAPI(clock)
	ref := api.add(1, &fakeStorage{})
	api.syncError = func(*fakeStorage) (bool, error) {
		return false, &client.APIError{StatusCode: http.StatusBadGateway, Method: "POST", Path: "/api/storages/s3/1/sync", Detail: "Bad Gateway (non-JSON response: text/html)"}
	}
	start := clock.Now()

	res, _ := syncOne(t, newTestEngine(api, Options{StartGrace: 20 * time.Second}), ref)

	if res.Err == nil || !strings.Contains(res.Err.Error(), "502") || !strings.Contains(res.Err.Error(), "no new sync") {
		t.Fatalf("err = %v, want the 502 and that no sync showed up", res.Err)
	}
	if waited := clock.Now().Sub(start); waited < 20*time.Second {
		t.Errorf("gave up after %s, before the 20s grace", waited)
	}
	if _, syncs, _ := api.counts(); syncs != 1 {
		t.Errorf("%d sync requests, want 1", syncs)
	}
}

func TestCancellationStopsTheWait(t *testing.T) {
	api := newFakeAPI(fakeclock.New())
	ref := api.add(1, &fakeStorage{runTime: time.Hour, queueTime: time.Second})
	var readsAtCancel int
	var res Result
	WithinDeadline(t, unitDeadline, "Sync", func(ctx context.Context) {
		ctx, cancel := context.WithCancel(ctx)
		defer cancel()
		res = newTestEngine(api, Options{}).Sync(ctx, []client.StorageRef{ref}, func(ev Event) {
			if ev.Kind == EventProgress && ev.Status == StatusInProgress {
				gets, _, lists := api.counts()
				readsAtCancel = gets + lists
				cancel()
			}
		})[0]
	})

	if !errors.Is(res.Err, context.Canceled) || res.Status != StatusInProgress {
		t.Fatalf("result = %+v, want cancelled while in_progress", res)
	}
	if gets, _, lists := api.counts(); gets+lists != readsAtCancel {
		t.Errorf("%d reads after cancellation", gets+lists-readsAtCancel)
	}
}

func TestCancelledBeforeStartSendsNothing(t *testing.T) {
	api := newFakeAPI(fakeclock.New())
	ref := api.add(1, &fakeStorage{})
	var res []Result
	WithinDeadline(t, unitDeadline, "Sync", func(ctx context.Context) {
		ctx, cancel := context.WithCancel(ctx)
		cancel()
		res = newTestEngine(api, Options{Concurrency: 1}).Sync(ctx, []client.StorageRef{ref, ref}, nil)
	})

	for _, r := range res {
		if !errors.Is(r.Err, context.Canceled) {
			t.Errorf("err = %v, want cancelled", r.Err)
		}
	}
	if _, syncs, _ := api.counts(); syncs != 0 {
		t.Errorf("%d sync requests after cancellation", syncs)
	}
}

func TestMissingStorageIsAnError(t *testing.T) {
	api := newFakeAPI(fakeclock.New())
	res, _ := syncOne(t, newTestEngine(api, Options{}), client.StorageRef{Kind: "s3", Direction: client.Import, ID: 99})

	if !errors.Is(res.Err, client.ErrNotFound) {
		t.Fatalf("err = %v, want not found", res.Err)
	}
}

// TestConcurrencyIsBounded holds each sync request until as many are in
// flight as the bound allows, so the bound is reached exactly, and checks
// that it is never exceeded.
func TestConcurrencyIsBounded(t *testing.T) {
	const storages, bound = 10, 3
	api := newFakeAPI(fakeclock.New())
	var refs []client.StorageRef
	for id := int64(1); id <= storages; id++ {
		refs = append(refs, api.add(id, &fakeStorage{objects: id, runTime: time.Duration(id) * time.Second}))
	}
	var mu sync.Mutex
	arrived := sync.NewCond(&mu)
	inSync, maxInSync, done := 0, 0, 0
	api.beforeSync = func() {
		mu.Lock()
		defer mu.Unlock()
		inSync++
		maxInSync = max(maxInSync, inSync)
		arrived.Broadcast()
		for inSync < min(bound, storages-done) {
			arrived.Wait()
		}
	}
	api.afterSync = func() {
		mu.Lock()
		defer mu.Unlock()
		inSync--
		done++
		arrived.Broadcast()
	}
	inFlight, maxInFlight := 0, 0
	results := SyncWithin(t, unitDeadline, newTestEngine(api, Options{Concurrency: bound}), refs, func(ev Event) {
		switch ev.Kind {
		case EventStarted:
			inFlight++
			maxInFlight = max(maxInFlight, inFlight)
		case EventFinished:
			inFlight--
		}
	})

	if maxInSync != bound || maxInFlight != bound {
		t.Errorf("at most %d sync requests and %d syncs in flight, want %d", maxInSync, maxInFlight, bound)
	}
	for i, res := range results {
		if res.Ref != refs[i] || res.Status != StatusCompleted || *res.LastSyncCount != refs[i].ID {
			t.Errorf("result %d = %+v, want storage %d completed with %d", i, res, refs[i].ID, refs[i].ID)
		}
	}
}

func TestStartDoesNotWait(t *testing.T) {
	api := newFakeAPI(fakeclock.New())
	ref := api.add(1, &fakeStorage{objects: 3, runTime: time.Minute})

	var res Result
	WithinDeadline(t, unitDeadline, "Start", func(ctx context.Context) {
		res = newTestEngine(api, Options{}).Start(ctx, []client.StorageRef{ref}, nil)[0]
	})

	if res.Err != nil || res.Status != StatusQueued {
		t.Fatalf("result = %+v, want queued", res)
	}
	if gets, syncs, lists := api.counts(); gets != 1 || syncs != 1 || lists != 0 {
		t.Errorf("requests: %d GET, %d sync, %d list; want the baseline GET and one sync", gets, syncs, lists)
	}
}

// TestStoragesOfOneGroupShareListReads: while several storages of one kind,
// direction and project are waited for, their status comes from the
// group's list (one call shared by the reads that fall together), never
// from a GET each; a job lost meanwhile is still reported failed by the
// list's health check.
func TestStoragesOfOneGroupShareListReads(t *testing.T) {
	api := newFakeAPI(fakeclock.New())
	var refs []client.StorageRef
	for id := int64(1); id <= 4; id++ {
		refs = append(refs, api.add(id, &fakeStorage{objects: id, runTime: 20 * time.Second, lost: id == 4}))
	}
	// Every sync request waits for the others, so that all four run
	// before anyone polls.
	var mu sync.Mutex
	arrived := sync.NewCond(&mu)
	inSync := 0
	api.afterSync = func() {
		mu.Lock()
		defer mu.Unlock()
		inSync++
		arrived.Broadcast()
		for inSync < len(refs) {
			arrived.Wait()
		}
	}
	results := SyncWithin(t, unitDeadline, newTestEngine(api, Options{Concurrency: 4}), refs, nil)

	for i, res := range results[:3] {
		if res.Err != nil || res.Status != StatusCompleted {
			t.Errorf("storage %d: %+v, want completed", i+1, res)
		}
	}
	if lost := results[3]; lost.Err != nil || lost.Status != StatusFailed {
		t.Errorf("storage whose job was lost: %+v, want failed by the list's health check", lost)
	}
	api.mu.Lock()
	defer api.mu.Unlock()
	if api.getsBesideGroup != 0 || api.lists == 0 {
		t.Errorf("%d status GETs while other storages of the group were synced, %d lists; want none and some", api.getsBesideGroup, api.lists)
	}
}
