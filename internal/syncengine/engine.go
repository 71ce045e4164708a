// Package syncengine starts the sync of Label Studio storages and waits for
// each to finish. It copes with servers that sync inside the request (the
// response already holds the final status) and with servers that queue the
// job, polls with a growing interval, calls the project's list endpoint now
// and then because that is where Label Studio marks dead jobs failed (and
// for every read while several storages of the list's group are synced:
// group_reads.go), and
// never starts a second sync when it cannot tell whether the first request
// started one. It has no Terraform framework types in it.
package syncengine

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/labelstudio-tf/terraform-provider-labelstudio/internal/client"
)

// Storage statuses (API.md §6.2).
const (
	StatusInitialized         = "initialized"
	StatusQueued              = "queued"
	StatusInProgress          = "in_progress"
	StatusCompleted           = "completed"
	StatusCompletedWithErrors = "completed_with_errors"
	StatusFailed              = "failed"
)

// IsFinal reports whether a status ends a sync.
func IsFinal(status string) bool {
	switch status {
	case StatusCompleted, StatusCompletedWithErrors, StatusFailed:
		return true
	}
	return false
}

// API is the part of *client.Client the engine uses.
type API interface {
	GetStorage(ctx context.Context, ref client.StorageRef) (*client.Storage, error)
	SyncStorage(ctx context.Context, ref client.StorageRef) (*client.Storage, error)
	ListStorages(ctx context.Context, kind string, dir client.Direction, project int64) ([]client.Storage, error)
}

// Options tune an Engine; zero values take the defaults.
type Options struct {
	// Concurrency bounds how many storages sync at once (default 4).
	Concurrency int
	// Backoff is the polling schedule (default DefaultBackoff).
	Backoff Backoff
	// HealthCheckEvery makes every n-th status read a call of the project's
	// list endpoint instead of a GET of the storage (default 10).
	HealthCheckEvery int
	// HealthCheckInterval makes a status read a list call when the last one
	// is this old (default 30s).
	HealthCheckInterval time.Duration
	// StartGrace is how long to watch the storage's status for a new run
	// after a sync request that failed without a verdict from the server
	// (timeout, dropped connection, proxy error) before concluding that it
	// did not start (default 5s). Label Studio marks the storage queued
	// inside the sync request, so a request that reached it shows at once.
	StartGrace time.Duration
	// MaxAttempts is how many times an import sync that ends "failed" is
	// run in all (default 1: no restart). Import syncs are incremental, so a
	// restart only picks up what the failed run missed. Export syncs, and
	// syncs that could not be started or waited for, are never restarted.
	MaxAttempts int
	// Clock defaults to the wall clock.
	Clock Clock
	// Random returns numbers in [0, 1) for jitter (default math/rand/v2).
	Random func() float64
}

// Engine syncs storages. It is safe for concurrent use.
type Engine struct {
	api  API
	opts Options
	// groups shares status reads among storages of one group.
	groups groupReads
}

// New returns an engine that talks to api.
func New(api API, opts Options) *Engine {
	if opts.Concurrency <= 0 {
		opts.Concurrency = 4
	}
	if opts.Backoff == (Backoff{}) {
		opts.Backoff = DefaultBackoff
	}
	if opts.HealthCheckEvery <= 0 {
		opts.HealthCheckEvery = 10
	}
	if opts.HealthCheckInterval <= 0 {
		opts.HealthCheckInterval = 30 * time.Second
	}
	if opts.StartGrace <= 0 {
		opts.StartGrace = 5 * time.Second
	}
	if opts.MaxAttempts <= 0 {
		opts.MaxAttempts = 1
	}
	if opts.Clock == nil {
		opts.Clock = RealClock{}
	}
	if opts.Random == nil {
		opts.Random = rand.Float64
	}
	return &Engine{api: api, opts: opts}
}

// Result is how one storage's sync ended.
type Result struct {
	Ref     client.StorageRef
	Project int64
	// Status is the final status, or the last one seen when Err is set.
	Status        string
	LastSync      *string
	LastSyncCount *int64
	Traceback     *string
	// Duration runs from the first sync request to the moment the engine
	// saw the final status of the last attempt.
	Duration time.Duration
	// Err is set when the sync could not be started or waited for: the
	// server refused it (not synchronizable, connection check failed), the
	// storage is gone, or the context ended. A sync that ran and failed is
	// Status "failed" with a Traceback, not an Err.
	Err error
	// Attempts holds every run, in order; the fields above are the last
	// one's (Duration excepted). It has one entry unless a failed import
	// sync was restarted (Options.MaxAttempts).
	Attempts []Attempt
}

// Attempt is how one run of a storage's sync ended.
type Attempt struct {
	Status        string
	LastSync      *string
	LastSyncCount *int64
	Traceback     *string
	Duration      time.Duration
	Err           error
}

// EventKind says what an Event reports.
type EventKind int

const (
	// EventStarted: the engine is starting this storage's sync.
	EventStarted EventKind = iota
	// EventProgress: the status or the count changed.
	EventProgress
	// EventUncertainStart: the sync request failed in a way that may
	// have started a sync anyway; the engine polls to find out instead of
	// sending another request. Err holds the request's error.
	EventUncertainStart
	// EventFinished: Result holds the outcome.
	EventFinished
	// EventRestart: the import sync failed and is started again; Attempt
	// is the attempt about to start, Result the failed one so far.
	EventRestart
)

// Event reports what happened to one storage. The engine never calls the
// callback from two goroutines at once.
type Event struct {
	Kind          EventKind
	Ref           client.StorageRef
	Status        string
	LastSyncCount *int64
	Elapsed       time.Duration
	Err           error
	Result        *Result
	// Attempt numbers the run the event is about, from 1.
	Attempt int
	// MaxAttempts is Options.MaxAttempts, so messages can say "2 of 3".
	MaxAttempts int
}

// Sync syncs every storage in refs, at most Options.Concurrency at a time,
// waits for each sync to end, and returns one Result per ref in the same
// order. onEvent may be nil.
func (e *Engine) Sync(ctx context.Context, refs []client.StorageRef, onEvent func(Event)) []Result {
	return e.syncAll(ctx, refs, onEvent, true)
}

// Start starts the sync of every storage in refs without waiting for the
// syncs to end: a Result holds the status the server answered with (final
// on a server that syncs inside the request). A request whose outcome is
// unknown is still followed until the new run shows up.
func (e *Engine) Start(ctx context.Context, refs []client.StorageRef, onEvent func(Event)) []Result {
	return e.syncAll(ctx, refs, onEvent, false)
}

func (e *Engine) syncAll(ctx context.Context, refs []client.StorageRef, onEvent func(Event), waitForEnd bool) []Result {
	var mu sync.Mutex
	report := func(ev Event) {
		if onEvent == nil {
			return
		}
		ev.MaxAttempts = e.opts.MaxAttempts
		mu.Lock()
		defer mu.Unlock()
		onEvent(ev)
	}

	results := make([]Result, len(refs))
	slots := make(chan struct{}, e.opts.Concurrency)
	var wg sync.WaitGroup
	for i, ref := range refs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			notStarted := func() {
				results[i] = Result{Ref: ref, Err: fmt.Errorf("not started: %w", ctx.Err())}
				report(Event{Kind: EventFinished, Ref: ref, Err: results[i].Err, Result: &results[i]})
			}
			select {
			case slots <- struct{}{}:
			case <-ctx.Done():
				notStarted()
				return
			}
			defer func() { <-slots }()
			// A free slot and an ended context may be ready together.
			if ctx.Err() != nil {
				notStarted()
				return
			}
			run := &storageSync{engine: e, ref: ref, report: report, waitForEnd: waitForEnd}
			results[i] = run.run(ctx)
			report(Event{
				Kind: EventFinished, Ref: ref, Status: results[i].Status, LastSyncCount: results[i].LastSyncCount,
				Elapsed: results[i].Duration, Err: results[i].Err, Result: &results[i], Attempt: len(results[i].Attempts),
			})
		}()
	}
	wg.Wait()
	return results
}

// storageSync is the state of one storage's sync.
type storageSync struct {
	engine *Engine
	ref    client.StorageRef
	report func(Event)
	// waitForEnd is false when only the start of the sync matters.
	waitForEnd bool

	started time.Time
	// attempt numbers the current run, from 1.
	attempt int
	project int64
	// last is the most recent state seen.
	last *client.Storage
}

func (s *storageSync) elapsed() time.Duration { return s.engine.opts.Clock.Now().Sub(s.started) }

func (s *storageSync) result(err error) Result {
	res := Result{Ref: s.ref, Project: s.project, Duration: s.elapsed(), Err: err}
	if s.last != nil {
		res.Status = s.last.Status
		res.LastSync = s.last.LastSync
		res.LastSyncCount = s.last.LastSyncCount
		res.Traceback = s.last.Traceback
	}
	return res
}

// observe records a state and reports a change of status or count.
func (s *storageSync) observe(st *client.Storage) {
	prev := s.last
	s.last = st
	if prev != nil && prev.Status == st.Status && equalCounts(prev.LastSyncCount, st.LastSyncCount) {
		return
	}
	s.report(Event{Kind: EventProgress, Ref: s.ref, Status: st.Status, LastSyncCount: st.LastSyncCount, Elapsed: s.elapsed(), Attempt: s.attempt})
}

// run syncs the storage, restarting a failed import sync up to
// MaxAttempts runs in all.
func (s *storageSync) run(ctx context.Context) Result {
	begun := s.engine.opts.Clock.Now()
	var attempts []Attempt
	for s.attempt = 1; ; s.attempt++ {
		res := s.runOnce(ctx)
		attempts = append(attempts, Attempt{
			Status: res.Status, LastSync: res.LastSync, LastSyncCount: res.LastSyncCount,
			Traceback: res.Traceback, Duration: res.Duration, Err: res.Err,
		})
		res.Attempts = attempts
		res.Duration = s.engine.opts.Clock.Now().Sub(begun)
		restart := res.Err == nil && res.Status == StatusFailed && s.ref.Direction == client.Import &&
			s.waitForEnd && s.attempt < s.engine.opts.MaxAttempts && ctx.Err() == nil
		if !restart {
			return res
		}
		s.report(Event{Kind: EventRestart, Ref: s.ref, Status: res.Status, Elapsed: res.Duration, Result: &res, Attempt: s.attempt + 1})
		s.last = nil
	}
}

// runOnce is one run: the request and the wait for its end.
func (s *storageSync) runOnce(ctx context.Context) Result {
	clock := s.engine.opts.Clock
	s.started = clock.Now()
	s.report(Event{Kind: EventStarted, Ref: s.ref, Attempt: s.attempt})

	// The state before the request tells a new run from the previous one
	// when the request's outcome is unknown, and gives the project that
	// the list endpoint needs.
	baseline, err := s.engine.api.GetStorage(ctx, s.ref)
	if err != nil {
		return s.result(fmt.Errorf("reading the storage before the sync: %w", err))
	}
	s.project = baseline.Project
	leave := s.engine.groups.enter(s.group())
	defer leave()

	synced, err := s.engine.api.SyncStorage(ctx, s.ref)
	if err == nil {
		s.observe(synced)
		if IsFinal(synced.Status) || !s.waitForEnd {
			return s.result(nil)
		}
		return s.wait(ctx, nil)
	}
	if ctx.Err() != nil {
		s.last = baseline
		return s.result(fmt.Errorf("sync request: %w", ctx.Err()))
	}
	grace, refused := s.engine.startGrace(err)
	if refused {
		s.last = baseline
		return s.result(err)
	}
	s.report(Event{Kind: EventUncertainStart, Ref: s.ref, Status: baseline.Status, Elapsed: s.elapsed(), Err: err, Attempt: s.attempt})
	return s.wait(ctx, &uncertainStart{baseline: baseline, err: err, since: clock.Now(), grace: grace})
}

// uncertainStart describes a sync request whose outcome is unknown.
type uncertainStart struct {
	// baseline is the storage as it was before the request.
	baseline *client.Storage
	err      error
	since    time.Time
	// grace is how long to look for a new run before giving up.
	grace time.Duration
}

// startGrace says what a failed sync request means. A refusal is Label Studio
// declining the sync (not synchronizable, its connection check failed): no
// sync started. An internal error is Label Studio's own answer too, but the
// sync may have been queued before the failure, so one read decides (grace
// 0). A timeout, a transport error or a gateway's answer may leave the
// request still running on the server, so the engine looks for a new run
// for StartGrace.
func (e *Engine) startGrace(err error) (grace time.Duration, refused bool) {
	switch {
	case errors.Is(err, client.ErrRefused):
		return 0, true
	case errors.Is(err, client.ErrInternal):
		return 0, false
	}
	return e.opts.StartGrace, false
}

// wait polls until the sync ends. With an uncertain start, no state is
// accepted until one that differs from the baseline shows up.
func (s *storageSync) wait(ctx context.Context, uncertain *uncertainStart) Result {
	opts := s.engine.opts
	var interval time.Duration
	reads := 0
	lastHealthCheck := s.started
	for {
		interval = opts.Backoff.next(interval, s.elapsed())
		sleep := opts.Backoff.jittered(interval, opts.Random())
		// While other storages of the group are synced, their list answers
		// this read too: one started up to maxAge before it is shared, and
		// the sleep is that much shorter, so the status is as fresh as a
		// GET after the full interval would be.
		shared := s.engine.groups.shared(s.group())
		var maxAge time.Duration
		if shared {
			maxAge = sleep / 4
			sleep -= maxAge
		}
		if err := opts.Clock.Sleep(ctx, sleep); err != nil {
			return s.waitEnded(uncertain, err)
		}
		reads++
		healthCheck := shared || reads%opts.HealthCheckEvery == 0 || opts.Clock.Now().Sub(lastHealthCheck) >= opts.HealthCheckInterval
		if healthCheck {
			lastHealthCheck = opts.Clock.Now()
		}
		st, err := s.read(ctx, healthCheck, maxAge)
		if err != nil {
			if ctx.Err() != nil {
				return s.waitEnded(uncertain, ctx.Err())
			}
			return s.result(fmt.Errorf("reading the sync status: %w", err))
		}
		if uncertain != nil {
			if !isNewRun(uncertain.baseline, st) {
				if opts.Clock.Now().Sub(uncertain.since) >= uncertain.grace {
					s.last = st
					return s.result(fmt.Errorf("%w (no new sync started)", uncertain.err))
				}
				continue
			}
			uncertain = nil
		}
		s.observe(st)
		if IsFinal(st.Status) || !s.waitForEnd {
			return s.result(nil)
		}
	}
}

// waitEnded is the result when the context ends during the wait.
func (s *storageSync) waitEnded(uncertain *uncertainStart, err error) Result {
	if uncertain != nil {
		s.last = uncertain.baseline
		return s.result(fmt.Errorf("stopped before it was known whether the sync started (%v): %w", uncertain.err, err))
	}
	return s.result(fmt.Errorf("stopped waiting for the sync: %w", err))
}

// read fetches the storage's state, through the group's list when
// viaList is set (so that the server can mark a dead job failed; a list at
// most maxAge old may answer), else by id. A failed or incomplete list falls
// back to a GET.
func (s *storageSync) read(ctx context.Context, viaList bool, maxAge time.Duration) (*client.Storage, error) {
	if viaList {
		st, err := s.engine.groups.read(ctx, s.engine, s.group(), s.ref.ID, maxAge)
		if st != nil || err != nil {
			return st, err
		}
	}
	return s.engine.api.GetStorage(ctx, s.ref)
}

// group is the storage's (kind, direction, project).
func (s *storageSync) group() groupKey {
	return groupKey{kind: s.ref.Kind, direction: s.ref.Direction, project: s.project}
}

// isNewRun reports whether st shows a sync run other than the one in
// baseline: one in flight, or one whose bookkeeping differs. Without this a
// GET after an uncertain request could return the previous run's
// "completed" and be taken for the new one.
func isNewRun(baseline, st *client.Storage) bool {
	if st.Status == StatusQueued || st.Status == StatusInProgress {
		return true
	}
	if st.Status != baseline.Status || !equalStrings(st.LastSync, baseline.LastSync) ||
		!equalStrings(st.LastSyncJob, baseline.LastSyncJob) {
		return true
	}
	return runIdentity(st.Meta) != runIdentity(baseline.Meta)
}
