package devserver

import (
	"bytes"
	"fmt"
	"maps"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// fault is an injected failure for requests matching method and path.
type fault struct {
	id         int64
	method     string
	path       *regexp.Regexp
	mode       string
	delay      time.Duration
	retryAfter int
	// remaining is how many more requests it hits; 0 = until cleared.
	remaining int
	counted   bool
}

const (
	faultSlow     = "slow"
	faultFail     = "fail"
	faultThrottle = "throttle"
	faultDrop     = "drop"
	// faultLose runs the handler (after delay_ms), then closes the
	// connection without sending its answer: the object exists, the client
	// never hears of it.
	faultLose = "lose"
	// faultHold runs the handler at once, then keeps its answer until the
	// faults are cleared (or the client goes away): the object exists
	// while the client provably still waits for it, so a test can act
	// (interrupt the client) at that moment.
	faultHold = "hold"
)

var devTaskAnnotationsPath = regexp.MustCompile(`^/_dev/tasks/([0-9]+)/annotations$`)

// serveDevHook serves the /_dev/ test hooks; they need no authentication
// and are not counted.
func (s *Server) serveDevHook(w http.ResponseWriter, r *http.Request) {
	var err error
	switch p := r.URL.Path; {
	case p == "/_dev/faults" && r.Method == http.MethodPost:
		err = s.handleAddFault(w, r)
	case p == "/_dev/faults" && r.Method == http.MethodDelete:
		s.mu.Lock()
		s.faults = nil
		close(s.release)
		s.release = make(chan struct{})
		s.mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	case p == "/_dev/held" && r.Method == http.MethodGet:
		s.mu.Lock()
		held := s.held
		s.mu.Unlock()
		writeJSON(w, http.StatusOK, map[string]any{"held": held})
	case p == "/_dev/requests" && r.Method == http.MethodGet:
		s.mu.Lock()
		counts := maps.Clone(s.counts)
		s.mu.Unlock()
		writeJSON(w, http.StatusOK, map[string]any{"counts": counts})
	case p == "/_dev/requests" && r.Method == http.MethodDelete:
		s.mu.Lock()
		s.counts = map[string]int{}
		s.mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	case p == "/_dev/lose-job" && r.Method == http.MethodPost:
		err = s.handleLoseJob(w, r)
	case devTaskAnnotationsPath.MatchString(p) && r.Method == http.MethodPost:
		id, _ := strconv.ParseInt(devTaskAnnotationsPath.FindStringSubmatch(p)[1], 10, 64)
		err = s.handleDevAnnotation(w, r, id)
	default:
		writeDjangoNotFound(w, r)
	}
	if err != nil {
		s.writeHandlerError(w, r, err)
	}
}

func (s *Server) handleAddFault(w http.ResponseWriter, r *http.Request) error {
	body, err := readBody(r)
	if err != nil {
		return err
	}
	f := &fault{}
	f.method, _ = body["method"].(string)
	f.mode, _ = body["mode"].(string)
	switch f.mode {
	case faultSlow, faultFail, faultThrottle, faultDrop, faultLose, faultHold, faultEcho:
	default:
		return fieldError("mode", "mode must be slow, fail, throttle, drop, lose, hold or echo")
	}
	pattern, _ := body["path"].(string)
	if f.path, err = regexp.Compile(pattern); err != nil {
		return fieldError("path", "invalid regular expression: "+err.Error())
	}
	for name, target := range map[string]*int{"retry_after": &f.retryAfter, "count": &f.remaining} {
		if raw, ok := body[name]; ok {
			n, ok := toInt(raw)
			if !ok || n < 0 {
				return fieldError(name, "A valid non-negative integer is required.")
			}
			*target = int(n)
		}
	}
	if raw, ok := body["delay_ms"]; ok {
		n, ok := toInt(raw)
		if !ok || n < 0 {
			return fieldError("delay_ms", "A valid non-negative integer is required.")
		}
		f.delay = time.Duration(n) * time.Millisecond
	}
	f.counted = f.remaining > 0
	s.mu.Lock()
	s.nextFault++
	f.id = s.nextFault
	s.faults = append(s.faults, f)
	s.mu.Unlock()
	writeJSON(w, http.StatusCreated, map[string]any{"id": f.id})
	return nil
}

// divertedAnswer takes the handler's answer instead of the real writer;
// finish, called after the handler, decides what the client gets.
type divertedAnswer interface {
	http.ResponseWriter
	finish()
}

// applyFault answers the request with the first matching fault; it reports
// whether the request was answered ("slow" delays and lets it through), and
// for "lose" and "hold" the writer the handler must answer into instead of w.
func (s *Server) applyFault(w http.ResponseWriter, r *http.Request) (answered bool, diverted divertedAnswer) {
	s.mu.Lock()
	var hit *fault
	for i, f := range s.faults {
		if (f.method == "" || strings.EqualFold(f.method, r.Method)) && f.path.MatchString(r.URL.Path) {
			hit = f
			if f.counted {
				f.remaining--
				if f.remaining == 0 {
					s.faults = append(s.faults[:i:i], s.faults[i+1:]...)
				}
			}
			break
		}
	}
	s.mu.Unlock()
	if hit == nil {
		return false, nil
	}
	switch hit.mode {
	case faultSlow, faultLose:
		t := time.NewTimer(hit.delay)
		defer t.Stop()
		select {
		case <-t.C:
		case <-r.Context().Done():
		}
		if hit.mode == faultLose {
			return false, &lostResponse{conn: w, header: http.Header{}}
		}
		return false, nil
	case faultHold:
		s.mu.Lock()
		release := s.release
		s.mu.Unlock()
		return false, &heldResponse{server: s, client: w, request: r, release: release, header: http.Header{}}
	case faultFail:
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(http.StatusInternalServerError)
		_, _ = fmt.Fprintln(w, "upstream connect error or disconnect/reset before headers (injected fault)")
	case faultThrottle:
		w.Header().Set("Retry-After", strconv.Itoa(hit.retryAfter))
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(http.StatusTooManyRequests)
		_, _ = fmt.Fprintln(w, "Too Many Requests (injected fault)")
	case faultEcho:
		s.answerEcho(w, r)
	case faultDrop:
		hijacker, ok := w.(http.Hijacker)
		if !ok {
			panic(http.ErrAbortHandler) // closes the connection without an answer
		}
		conn, _, err := hijacker.Hijack()
		if err == nil {
			_ = conn.Close()
		}
	}
	return true, nil
}

// lostResponse takes the handler's answer and throws it away; close then
// drops the real connection.
type lostResponse struct {
	conn   http.ResponseWriter
	header http.Header
}

func (l *lostResponse) Header() http.Header         { return l.header }
func (l *lostResponse) Write(b []byte) (int, error) { return len(b), nil }
func (l *lostResponse) WriteHeader(int)             {}

func (l *lostResponse) finish() {
	if hijacker, ok := l.conn.(http.Hijacker); ok {
		if conn, _, err := hijacker.Hijack(); err == nil {
			_ = conn.Close()
			return
		}
	}
	panic(http.ErrAbortHandler)
}

// heldResponse records the handler's answer and, in finish, sends it once
// release is closed (the faults are cleared), counting it as held until
// then. A client that goes away, or the server closing, ends the wait.
type heldResponse struct {
	server  *Server
	client  http.ResponseWriter
	request *http.Request
	release <-chan struct{}
	header  http.Header
	status  int
	body    bytes.Buffer
}

func (h *heldResponse) Header() http.Header         { return h.header }
func (h *heldResponse) Write(b []byte) (int, error) { return h.body.Write(b) }
func (h *heldResponse) WriteHeader(status int) {
	if h.status == 0 {
		h.status = status
	}
}

func (h *heldResponse) finish() {
	h.server.mu.Lock()
	h.server.held++
	h.server.mu.Unlock()
	select {
	case <-h.release:
	case <-h.request.Context().Done():
	case <-h.server.ctx.Done():
	}
	h.server.mu.Lock()
	h.server.held--
	h.server.mu.Unlock()
	maps.Copy(h.client.Header(), h.header)
	if h.status == 0 {
		h.status = http.StatusOK
	}
	h.client.WriteHeader(h.status)
	_, _ = h.client.Write(h.body.Bytes())
}

// handleLoseJob makes a storage's queued or running job vanish, as when
// Redis loses it; the list health check then marks the storage failed.
func (s *Server) handleLoseJob(w http.ResponseWriter, r *http.Request) error {
	body, err := readBody(r)
	if err != nil {
		return err
	}
	kind, _ := body["type"].(string)
	dir, _ := body["direction"].(string)
	id, _ := toInt(body["id"])
	k := s.kindSpec(kind)
	if k == nil || (dir != dirImport && dir != dirExport) {
		return fieldError("", "type must be an enabled storage kind and direction import or export")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, err := s.lookupStorage(k, dir, id); err != nil {
		return err
	}
	key := storageKey(k.name, dir, id)
	job, ok := s.jobs[key]
	if !ok {
		return &apiError{status: http.StatusNotFound, detail: "No queued or running job for this storage."}
	}
	job.lost = true
	delete(s.jobs, key)
	writeJSON(w, http.StatusOK, map[string]any{"lost": job.id})
	return nil
}

// handleDevAnnotation creates an annotation on a task, so export syncs have
// something to write.
func (s *Server) handleDevAnnotation(w http.ResponseWriter, r *http.Request, taskID int64) error {
	body, err := readBody(r)
	if err != nil {
		return err
	}
	result, ok := plainValue(body["result"]).([]any)
	if !ok {
		return fieldError("result", "A list of regions is required.")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.st.Tasks[taskID]
	if !ok {
		return notFound("Task")
	}
	a := s.st.addAnnotation(t.ID, t.Project, result, nil, time.Now())
	if err := s.persistLocked(); err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, annotationJSON(a))
	return nil
}
