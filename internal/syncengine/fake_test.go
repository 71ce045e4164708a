package syncengine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/labelstudio-tf/terraform-provider-labelstudio/internal/client"
	"github.com/labelstudio-tf/terraform-provider-labelstudio/internal/testenv/fakeclock"
)

// fakeStorage is one storage on the fake server, with the run in progress.
type fakeStorage struct {
	st client.Storage
	// objects is how many objects a run imports; runTime how long it takes;
	// queueTime how long it stays queued first.
	objects   int64
	runTime   time.Duration
	queueTime time.Duration
	// failWith makes runs fail with this traceback.
	failWith string
	// lost makes the server lose the job: it stays in_progress until the
	// list endpoint's health check marks it failed.
	lost bool

	running  bool
	runStart time.Time
	finished time.Time
	attempts int
}

// fakeAPI simulates Label Studio's sync state machine on the fake clock.
type fakeAPI struct {
	mu       sync.Mutex
	clock    *fakeclock.Clock
	inline   bool
	storages map[int64]*fakeStorage
	// syncError, when set, decides what a sync request returns after the
	// run was (or was not) started.
	syncError func(s *fakeStorage) (start bool, err error)
	// startDelay delays the queued transition after the sync request, as a
	// slow connection check in an unanswered request would.
	startDelay time.Duration
	pending    map[int64]time.Time
	// beforeSync, when set, is called (without the lock) at each sync call.
	beforeSync func()
	afterSync  func()
	// getFault, when set, is called at each GET with how many came before;
	// an error it returns is the GET's answer. listErr fails every list.
	getFault func(ctx context.Context, n int) error
	listErr  error

	gets, syncs, lists int
	// getsBesideGroup counts GETs of a running storage while another
	// storage of its project runs too: reads its group's list should answer.
	getsBesideGroup int
}

func newFakeAPI(clock *fakeclock.Clock) *fakeAPI {
	return &fakeAPI{clock: clock, storages: map[int64]*fakeStorage{}, pending: map[int64]time.Time{}}
}

func (f *fakeAPI) add(id int64, fs *fakeStorage) client.StorageRef {
	fs.st.ID = id
	fs.st.Type = "s3"
	fs.st.Project = 42
	if fs.st.Status == "" {
		fs.st.Status = StatusInitialized
	}
	if fs.st.Meta == nil {
		fs.st.Meta = json.RawMessage(`{}`)
	}
	f.storages[id] = fs
	return client.StorageRef{Kind: "s3", Direction: client.Import, ID: id}
}

func (f *fakeAPI) counts() (gets, syncs, lists int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.gets, f.syncs, f.lists
}

func timestamp(t time.Time) *string {
	s := t.Format("2006-01-02T15:04:05.000000Z")
	return &s
}

// startRun queues a run the way Label Studio does (API.md §6.2).
func (f *fakeAPI) startRun(s *fakeStorage, now time.Time) {
	s.attempts++
	s.running = true
	s.runStart = now
	s.st.Status = StatusQueued
	s.st.LastSync, s.st.LastSyncCount, s.st.Traceback = nil, nil, nil
	s.st.Meta = json.RawMessage(fmt.Sprintf(`{"attempts":%d,"time_queued":%q}`, s.attempts, now.Format(time.RFC3339Nano)))
	if f.inline {
		f.finishRun(s, now.Add(s.queueTime+s.runTime))
		f.clock.Advance(s.queueTime + s.runTime)
	}
}

func (f *fakeAPI) finishRun(s *fakeStorage, at time.Time) {
	s.running = false
	s.finished = at
	if s.failWith != "" {
		s.st.Status = StatusFailed
		s.st.Traceback = &s.failWith
		return
	}
	s.st.Status = StatusCompleted
	s.st.LastSync = timestamp(at)
	count := s.objects
	s.st.LastSyncCount = &count
}

// advanceState moves the storage along the clock.
func (f *fakeAPI) advanceState(s *fakeStorage, now time.Time) {
	if at, ok := f.pending[s.st.ID]; ok && !now.Before(at) {
		delete(f.pending, s.st.ID)
		f.startRun(s, at)
	}
	if !s.running {
		return
	}
	switch {
	case now.Before(s.runStart.Add(s.queueTime)):
		s.st.Status = StatusQueued
	case s.lost || now.Before(s.runStart.Add(s.queueTime+s.runTime)):
		s.st.Status = StatusInProgress
		done := int64(0)
		if s.runTime > 0 && !s.lost {
			done = s.objects * int64(now.Sub(s.runStart.Add(s.queueTime))) / int64(s.runTime)
		}
		s.st.LastSyncCount = &done
	default:
		f.finishRun(s, s.runStart.Add(s.queueTime+s.runTime))
	}
}

func (f *fakeAPI) snapshot(s *fakeStorage) *client.Storage {
	st := s.st
	return &st
}

func notFound(ref client.StorageRef) error {
	return &client.APIError{StatusCode: http.StatusNotFound, Method: "GET", Path: fmt.Sprintf("/api/storages/%s/%d", ref.Kind, ref.ID), Detail: "No S3ImportStorage matches the given query."}
}

func (f *fakeAPI) GetStorage(ctx context.Context, ref client.StorageRef) (*client.Storage, error) {
	if f.getFault != nil {
		f.mu.Lock()
		n := f.gets
		f.mu.Unlock()
		if err := f.getFault(ctx, n); err != nil {
			f.mu.Lock()
			f.gets++
			f.mu.Unlock()
			return nil, err
		}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.gets++
	s, ok := f.storages[ref.ID]
	if !ok {
		return nil, notFound(ref)
	}
	f.advanceState(s, f.clock.Now())
	if s.running {
		for _, other := range f.storages {
			if other != s && other.running && other.st.Project == s.st.Project {
				f.getsBesideGroup++
				break
			}
		}
	}
	return f.snapshot(s), nil
}

func (f *fakeAPI) SyncStorage(ctx context.Context, ref client.StorageRef) (*client.Storage, error) {
	if f.beforeSync != nil {
		f.beforeSync()
	}
	if f.afterSync != nil {
		defer f.afterSync()
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.syncs++
	s, ok := f.storages[ref.ID]
	if !ok {
		return nil, notFound(ref)
	}
	now := f.clock.Now()
	f.advanceState(s, now)
	if s.st.Status == StatusQueued || s.st.Status == StatusInProgress {
		return f.snapshot(s), nil
	}
	start, err := true, error(nil)
	if f.syncError != nil {
		start, err = f.syncError(s)
	}
	if start {
		if f.startDelay > 0 {
			f.pending[ref.ID] = now.Add(f.startDelay)
		} else {
			f.startRun(s, now)
		}
	}
	if err != nil {
		return nil, err
	}
	return f.snapshot(s), nil
}

func (f *fakeAPI) ListStorages(ctx context.Context, kind string, dir client.Direction, project int64) ([]client.Storage, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.lists++
	if f.listErr != nil {
		return nil, f.listErr
	}
	now := f.clock.Now()
	var out []client.Storage
	for _, s := range f.storages {
		if s.st.Project != project {
			continue
		}
		f.advanceState(s, now)
		if s.running && s.lost {
			// The health check of the list endpoint (API.md §6.2).
			s.running = false
			s.st.Status = StatusFailed
			tb := "Sync job was not found in redis"
			s.st.Traceback = &tb
		}
		out = append(out, *f.snapshot(s))
	}
	return out, nil
}

var errTimeout = errors.New("POST /api/storages/s3/1/sync: context deadline exceeded (Client.Timeout exceeded while awaiting headers)")
