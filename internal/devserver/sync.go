package devserver

import (
	"context"
	"errors"
	"fmt"
	"log"
	"maps"
	"net/http"
	"path"
	"regexp"
	"strings"
	"time"

	"github.com/labelstudio-tf/terraform-provider-labelstudio/internal/devserver/connect"
)

// Tracebacks of the health check (API.md 6.2).
const (
	msgPingTooOld = "It appears the job was failed because the last ping time is too old, " +
		"and no traceback information is available.\nThis typically occurs if job was manually removed " +
		"from workers or as a result of an OOM error."
	msgJobNotFound = "It appears the job was not found in redis, and no traceback information is available.\n" +
		"This typically occurs if job was manually removed from workers or as a result of an OOM error."
)

// syncJob is one run of a storage's sync.
type syncJob struct {
	// id is the RQ-style job id; empty for inline runs.
	id   string
	kind *kindSpec
	dir  string
	sid  int64
	key  string
	// lost is set by /_dev/lose-job: the worker drops the job silently.
	lost bool
	// createdTasks are the tasks an import run created, for TASKS_CREATED.
	createdTasks []int64
}

// errJobLost stops a run whose job was made to vanish.
var errJobLost = errors.New("job lost")

// syncOutcome is what a run produced.
type syncOutcome struct {
	count      int
	existed    int
	failedRows []string
	err        error
}

func (s *Server) handleStorageSync(w http.ResponseWriter, _ *http.Request, p routeParams) error {
	k := s.kindSpec(p.kind)
	s.mu.Lock()
	sg, err := s.lookupStorage(k, p.dir, p.id)
	var fields map[string]any
	if err == nil {
		fields = maps.Clone(sg.Fields)
	}
	s.mu.Unlock()
	if err != nil {
		return err
	}
	if sync, _ := fields["synchronizable"].(bool); !sync {
		writeJSON(w, http.StatusBadRequest, map[string]string{"message": fmt.Sprintf("Storage %d is not synchronizable", p.id)})
		return nil
	}
	if err := s.testConnection(s.ctx, k.name, p.dir, fields); err != nil {
		return syncValidationError(k, err)
	}

	s.mu.Lock()
	sg, err = s.lookupStorage(k, p.dir, p.id)
	if err != nil {
		s.mu.Unlock()
		return err
	}
	var job *syncJob
	if _, running := s.jobs[sg.keyString()]; !running {
		job = s.enqueueLocked(k, sg, time.Now())
		err = s.persistLocked()
	}
	response := storageJSON(k, sg)
	s.mu.Unlock()
	if err != nil {
		return err
	}
	if job != nil && s.cfg.SyncMode == SyncInline {
		s.runJob(s.ctx, job)
		s.mu.Lock()
		response = storageJSON(k, sg)
		s.mu.Unlock()
	}
	writeJSON(w, http.StatusOK, response)
	return nil
}

// syncValidationError: the sync view calls validate_connection unwrapped,
// so only DRF validation errors (local files) are 400s (API.md 6.1).
func syncValidationError(k *kindSpec, err error) error {
	var ce *connect.Error
	if k.localFiles && errors.As(err, &ce) && !ce.Internal {
		return fieldError(ce.Field, ce.Message)
	}
	if ce := (*connect.Error)(nil); errors.As(err, &ce) {
		// Nothing translates the exception here: its own text shows.
		return uncaught(ce.ExceptionName(), ce.RaisedText())
	}
	return uncaught("Exception", err.Error())
}

func (sg *storage) keyString() string { return storageKey(sg.Kind, sg.Dir, sg.ID) }

// enqueueLocked moves a storage to queued (API.md 6.2) and, in queued mode,
// hands the job to the workers. Inline runs are started by the caller.
func (s *Server) enqueueLocked(k *kindSpec, sg *storage, now time.Time) *syncJob {
	attempts := 0.0
	if meta, ok := sg.Fields["meta"].(map[string]any); ok {
		attempts, _ = meta["attempts"].(float64)
	}
	job := &syncJob{kind: k, dir: sg.Dir, sid: sg.ID, key: sg.keyString()}
	if s.cfg.SyncMode == SyncQueued {
		job.id = newUUID()
	}
	sg.Fields["status"] = statusQueued
	sg.Fields["last_sync"] = nil
	sg.Fields["last_sync_count"] = nil
	sg.Fields["last_sync_job"] = nil
	if job.id != "" {
		sg.Fields["last_sync_job"] = job.id
	}
	sg.Fields["traceback"] = nil
	sg.Fields["meta"] = map[string]any{"attempts": attempts + 1, "time_queued": pythonTime(now)}
	if s.cfg.SyncMode == SyncQueued {
		s.jobs[job.key] = job
		go func() {
			select {
			case s.queue <- job:
			case <-s.ctx.Done():
			}
		}()
	}
	return job
}

// worker runs queued jobs until the server closes.
func (s *Server) worker() {
	defer s.workers.Done()
	for {
		select {
		case <-s.ctx.Done():
			return
		case job := <-s.queue:
			s.runJob(s.ctx, job)
		}
	}
}

// current reports whether job is still the storage's live job, and the
// storage; the caller holds s.mu.
func (s *Server) currentLocked(job *syncJob) (*storage, bool) {
	if job.lost {
		return nil, false
	}
	sg, ok := s.st.Storages[job.key]
	if !ok {
		return nil, false
	}
	if s.cfg.SyncMode == SyncQueued && s.jobs[job.key] != job {
		return nil, false
	}
	return sg, true
}

// runJob moves a storage through in_progress to its final state.
func (s *Server) runJob(ctx context.Context, job *syncJob) {
	start := time.Now()
	s.mu.Lock()
	sg, ok := s.currentLocked(job)
	if !ok {
		s.mu.Unlock()
		return
	}
	sg.Fields["status"] = statusInProgress
	meta := metaOf(sg)
	meta["time_in_progress"] = pythonTime(start)
	meta["time_last_ping"] = pythonTime(start)
	fields := maps.Clone(sg.Fields)
	links := maps.Clone(sg.Links)
	s.persistOrLog()
	s.mu.Unlock()

	progress := s.progressReporter(job, start)
	var out syncOutcome
	if c, err := s.connector(job.kind.name); err != nil {
		out.err = err
	} else if job.dir == dirImport {
		out = s.runImport(ctx, job, c, fields, links, progress)
		if out.err == nil && len(job.createdTasks) > 0 {
			project, _ := fields["project"].(float64)
			s.emitTasksCreated(int64(project), job.createdTasks)
		}
	} else {
		out = s.runExport(ctx, job, c, fields, progress)
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	if ctx.Err() != nil || errors.Is(out.err, errJobLost) {
		return // the server is stopping or the job vanished: leave the row as it is
	}
	sg, ok = s.currentLocked(job)
	if !ok {
		return
	}
	delete(s.jobs, job.key)
	s.finishLocked(job, sg, out, start, time.Now())
	s.persistOrLog()
}

// finishLocked writes the final bookkeeping of a run (API.md 6.2).
func (s *Server) finishLocked(job *syncJob, sg *storage, out syncOutcome, start, now time.Time) {
	meta := metaOf(sg)
	meta["duration"] = now.Sub(start).Seconds()
	countKey := "tasks_existed"
	countValue := out.existed
	if job.dir == dirExport {
		countKey, countValue = "total_annotations", out.count
	}
	sg.Fields["last_sync_count"] = float64(out.count)
	if out.err != nil {
		sg.Fields["status"] = statusFailed
		sg.Fields["traceback"] = out.err.Error()
		meta["time_failure"] = pythonTime(now)
		return
	}
	meta[countKey] = float64(countValue)
	meta["time_completed"] = pythonTime(now)
	sg.Fields["last_sync"] = isoTime(now)
	sg.Fields["status"] = statusCompleted
	if len(out.failedRows) > 0 {
		sg.Fields["status"] = statusCompletedWithErrors
		sg.Fields["traceback"] = strings.Join(out.failedRows, "\n")
		meta["tasks_failed_validation"] = float64(len(out.failedRows))
	}
}

// progressReporter returns the per-object callback of a run: it updates
// last_sync_count and the ping at most every InProgressTimer, and reports a
// lost job.
func (s *Server) progressReporter(job *syncJob, start time.Time) func(count, existed int) error {
	lastPing := start
	return func(count, existed int) error {
		s.mu.Lock()
		defer s.mu.Unlock()
		sg, ok := s.currentLocked(job)
		if !ok {
			return errJobLost
		}
		now := time.Now()
		if now.Sub(lastPing) < s.cfg.InProgressTimer {
			return nil
		}
		lastPing = now
		meta := metaOf(sg)
		meta["time_last_ping"] = pythonTime(now)
		meta["duration"] = now.Sub(start).Seconds()
		if job.dir == dirImport {
			meta["tasks_existed"] = float64(existed)
		} else {
			meta["total_annotations"] = float64(count)
		}
		sg.Fields["last_sync_count"] = float64(count)
		s.persistOrLog()
		return nil
	}
}

// metaOf returns the storage's meta object, creating it when a PATCH left
// something else there.
func metaOf(sg *storage) map[string]any {
	meta, ok := sg.Fields["meta"].(map[string]any)
	if !ok {
		meta = map[string]any{}
		sg.Fields["meta"] = meta
	}
	return meta
}

// persistOrLog persists from places with no client to tell.
func (s *Server) persistOrLog() {
	if err := s.persistLocked(); err != nil {
		log.Printf("devserver: %v", err)
	}
}

// healthCheckLocked is the list endpoint's check of running syncs (API.md
// 6.2); it reports whether it changed the storage. Like Label Studio's
// health_check and job_health_check (io_storages/base_models.py), it writes
// status and traceback only (update_fields=['status', 'traceback']): meta,
// last_sync and the rest are left as they were.
func (s *Server) healthCheckLocked(sg *storage, now time.Time) bool {
	status, _ := sg.Fields["status"].(string)
	if status != statusQueued && status != statusInProgress {
		return false
	}
	meta, _ := sg.Fields["meta"].(map[string]any) // read only: a nil map reads as empty
	traceback := ""
	if ping, ok := parsePythonTime(meta["time_last_ping"]); ok && status == statusInProgress && now.Sub(ping) > 5*s.cfg.InProgressTimer {
		traceback = msgPingTooOld
	} else if _, live := s.jobs[sg.keyString()]; s.cfg.SyncMode == SyncQueued && !live {
		traceback = msgJobNotFound
	}
	if traceback == "" {
		return false
	}
	if job := s.jobs[sg.keyString()]; job != nil {
		job.lost = true // its worker must not overwrite the failure
		delete(s.jobs, sg.keyString())
	}
	sg.Fields["status"] = statusFailed
	sg.Fields["traceback"] = traceback
	return true
}

// sleepObject is the configured per-object delay.
func (s *Server) sleepObject(ctx context.Context) error {
	if s.cfg.SyncObjectDelay <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(s.cfg.SyncObjectDelay)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// compileRegexFilter compiles a regex_filter with Python re.match semantics:
// anchored at the start, not a full match.
func compileRegexFilter(pattern string) (*regexp.Regexp, error) {
	re, err := regexp.Compile(`^(?:` + pattern + `)`)
	if err != nil {
		return nil, fmt.Errorf("re.error: invalid regex_filter %q: %v", pattern, err)
	}
	return re, nil
}

// runImport is an import sync (API.md 6.4, 8).
func (s *Server) runImport(ctx context.Context, job *syncJob, c connect.Connector, fields map[string]any, links map[string]int64, progress func(int, int) error) syncOutcome {
	var out syncOutcome
	settings := settingsOf(fields)
	var filter *regexp.Regexp
	if pattern, _ := fields["regex_filter"].(string); pattern != "" && job.kind.name != "redis" {
		var err error
		if filter, err = compileRegexFilter(pattern); err != nil {
			out.err = err
			return out
		}
	}
	objects, err := c.List(ctx, settings)
	if err != nil {
		out.err = err
		return out
	}
	useBlobURLs, _ := fields["use_blob_urls"].(bool)
	useBlobURLs = useBlobURLs && job.kind.name != "redis"
	for _, obj := range objects {
		if strings.HasSuffix(obj.Key, "/") {
			continue
		}
		name := obj.Key
		if job.kind.localFiles {
			name = path.Base(obj.Key)
		}
		if filter != nil && !filter.MatchString(name) {
			continue
		}
		if err := s.sleepObject(ctx); err != nil {
			out.err = err
			return out
		}
		if _, linked := links[obj.Key]; linked {
			out.existed++
		} else {
			var tasks []importedTask
			if useBlobURLs {
				tasks = []importedTask{{data: map[string]any{undefinedKey: c.BlobURL(settings, obj.Key)}}}
			} else {
				content, err := c.Read(ctx, settings, obj.Key)
				if err != nil {
					out.err = err
					return out
				}
				parsed, err := parseTaskFile(obj.Key, content)
				if err != nil {
					out.err = err
					return out
				}
				tasks, out.failedRows = splitInvalidTasks(obj.Key, parsed, out.failedRows)
			}
			created, err := s.createTasks(job, obj.Key, tasks)
			if err != nil {
				out.err = err
				return out
			}
			links[obj.Key] = 0
			out.count += created
		}
		if err := progress(out.count, out.existed); err != nil {
			out.err = err
			return out
		}
	}
	return out
}

// createTasks stores the tasks of one object and links the object to the
// storage.
func (s *Server) createTasks(job *syncJob, key string, tasks []importedTask) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sg, ok := s.currentLocked(job)
	if !ok {
		return 0, errJobLost
	}
	project := sg.project()
	now := time.Now()
	var first int64
	for _, t := range tasks {
		id := s.st.addTask(project, t, key, now)
		job.createdTasks = append(job.createdTasks, id)
		if first == 0 {
			first = id
		}
	}
	sg.Links[key] = first
	return len(tasks), nil
}

// runExport is an export sync (API.md 6.3, 6.5): every annotation of the
// project, one object each; single write failures are swallowed.
func (s *Server) runExport(ctx context.Context, job *syncJob, c connect.Connector, fields map[string]any, progress func(int, int) error) syncOutcome {
	var out syncOutcome
	settings := settingsOf(fields)
	s.mu.Lock()
	project := int64(fields["project"].(float64))
	exports := s.st.exportedAnnotations(project)
	s.mu.Unlock()
	for _, e := range exports {
		if err := s.sleepObject(ctx); err != nil {
			out.err = err
			return out
		}
		if err := c.Write(ctx, settings, e.key, e.data); err != nil {
			log.Printf("devserver: export of annotation %s to %s storage %d failed: %v", e.key, job.kind.name, job.sid, err)
		}
		out.count++
		if err := progress(out.count, 0); err != nil {
			out.err = err
			return out
		}
	}
	return out
}
